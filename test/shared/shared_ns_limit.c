/* Behaviour 9 of issue 2: with default tunables all 15 secondary
 * namespaces glibc allows can be opened with a plain dlmopen of a
 * libc-using library (stock glibc runs out of static TLS at 11); the 16th
 * is an instance (issue 14), or fails cleanly through dlerror() where the
 * library is shared; closing them all frees them. */
#include "shared_util.h"

typedef size_t (*len_fn)(const char *);
typedef char *(*dup_fn)(const char *);

/* Opens every namespace there is with dlmopen(LM_ID_NEWLM, NAME, MODE),
 * checks that each works and that the 16th fails, then closes them all. */
static void fill(const char *name, int mode, const char *sym, const char *what)
{
	const char *path = module_path(name);
	void *h[SHARED_MAX_NS + 1];
	char err[4096];
	int n = open_namespaces(path, mode, h, SHARED_MAX_NS, err, sizeof err);
	CHECK(n == it_max_namespaces(), "%s: opened %d namespaces: %s", what, n,
	      err);

	bool ns_used[SHARED_MAX_NS + 1] = { false };
	int bad = 0;
	for (int i = 0; i < n; i++) {
		Lmid_t ns = it_handle_ns(h[i]);
		if (ns <= 0 || ns > SHARED_MAX_NS || ns_used[ns]) {
			bad++;
			continue;
		}
		ns_used[ns] = true;
		if (!dlsym(h[i], sym))
			bad++;
	}
	CHECK(bad == 0, "%s: %d handles without a namespace of their own", what, bad);
	if (strcmp(sym, "plain_dup") == 0) {
		/* Each namespace's library works and allocates from the heap the
		 * program frees into. */
		for (int i = 0; i < n; i++) {
			char *s = ((dup_fn)dlsym(h[i], "plain_dup"))("ns");
			CHECK(s && strcmp(s, "ns") == 0, "%s: plain_dup in %d", what, i);
			free(s);
		}
	}

	/* Past the namespaces, a library of its own gets an instance
	 * (issue 14), a shared one still fails: it has nothing to copy. */
	int fds = count_fds();
	void *extra = dlmopen(LM_ID_NEWLM, path, mode);
	if (mode & RTLD_SHARED) {
		CHECK(!extra, "%s: a 16th namespace opened", what);
		const char *msg = dlerror();
		CHECK(msg && strstr(msg, name), "%s: 16th namespace: dlerror "
		      "\"%s\"", what, msg ? msg : "(null)");
		CHECK(dlerror() == NULL, "%s: error reported twice", what);
	} else {
		CHECK(extra && it_handle_ns(extra) >= NSSHARE_INSTANCE_FIRST &&
		      dlsym(extra, sym), "%s: the 16th is an instance: %s", what,
		      extra ? "" : dlerror());
	}
	if (extra)
		CHECK(dlclose(extra) == 0, "%s: dlclose of the instance", what);
	CHECK(count_fds() == fds, "%s: fds %d after the 16th, were %d", what,
	      count_fds(), fds);

	/* The open namespaces still work after the failure. */
	CHECK(n == 0 || dlsym(h[n - 1], sym), "%s: last namespace broken", what);
	CHECK(close_all(h, n) == 0, "%s: dlclose failed: %s", what, dlerror());
}

int main(void)
{
	/* The claim is about default tunables. */
	REQUIRE(!getenv("GLIBC_TUNABLES"), "GLIBC_TUNABLES is set");
	fill(PLAIN_MOD, RTLD_NOW, "plain_dup", "plain");
	/* What the first round built for the whole process (the glibc
	 * proxies' images) is kept; nothing else may remain. */
	int fds = count_fds();
	/* Closing them all made every namespace available again. */
	fill(PLAIN_MOD, RTLD_NOW, "plain_dup", "plain, again");
	CHECK(count_fds() == fds, "fds %d after the second round, were %d",
	      count_fds(), fds);
	fill(COUNTER_MOD, RTLD_NOW | RTLD_SHARED, "shared_counter_get", "RTLD_SHARED");
	fill(USER_MOD, RTLD_LAZY, "user_bump", "plain with a dependency");
	fill(PLAIN_MOD, RTLD_NOW, "plain_dup", "plain, at the end");
	/* At most three more: the image of X's proxy, kept for the process,
	 * and the root images of the namespaces of X and of the user module,
	 * kept for the next namespaces like them (src/namespace.c). */
	CHECK(count_fds() <= fds + 3, "fds %d at the end, were %d", count_fds(), fds);
	return it_finish();
}
