/* Behaviour 3 of issue 2: while namespace N holds a proxy of X, opening X
 * into N again, with or without RTLD_SHARED, and by another path to the
 * same file (symlink, relative path), returns the proxy; each such open
 * takes a reference that dlclose gives back. */
#include "shared_util.h"

#include <limits.h>
#include <unistd.h>

/* The handle of X in namespace NS if NS holds X, else NULL; the
 * reference RTLD_NOLOAD took is given back at once. */
static void *ns_x(Lmid_t ns)
{
	void *h = dlmopen(ns, module_path(COUNTER_MOD), RTLD_NOW | RTLD_NOLOAD);
	dlerror();
	if (h)
		dlclose(h);
	return h;
}

/* Opens NAME into NS with MODE and checks it gives PROXY; keeps the
 * handle in HANDLES[*n]. */
static void reopen(Lmid_t ns, const char *name, int mode, void *proxy,
		   void **handles, int *n, const char *how)
{
	void *h = dlmopen(ns, name, mode);
	CHECK(h == proxy, "%s (%s): %p, proxy %p: %s", how, name, h, proxy,
	      h ? "" : dlerror());
	if (h)
		handles[(*n)++] = h;
}

static void reopen_all_ways(Lmid_t ns, void *proxy, void **handles, int *n,
			    const char *link)
{
	const char *x = module_path(COUNTER_MOD);
	reopen(ns, x, RTLD_NOW, proxy, handles, n, "plain");
	reopen(ns, x, RTLD_LAZY, proxy, handles, n, "plain lazy");
	reopen(ns, x, RTLD_NOW | RTLD_SHARED, proxy, handles, n, "RTLD_SHARED");
	reopen(ns, link, RTLD_NOW, proxy, handles, n, "symlink");
	reopen(ns, link, RTLD_NOW | RTLD_SHARED, proxy, handles, n,
	       "symlink RTLD_SHARED");

	char cwd[PATH_MAX];
	/* REQUIRE evaluates its condition twice: no side effects in it. */
	bool ok = getcwd(cwd, sizeof cwd) && chdir(IT_MODDIR) == 0;
	REQUIRE(ok, "chdir %s", IT_MODDIR);
	reopen(ns, "./" COUNTER_MOD, RTLD_NOW, proxy, handles, n, "relative");
	reopen(ns, "./" COUNTER_MOD, RTLD_NOW | RTLD_SHARED, proxy, handles, n,
	       "relative RTLD_SHARED");
	reopen(ns, "../modules/" COUNTER_MOD, RTLD_NOW | RTLD_SHARED, proxy,
	       handles, n, "relative via ..");
	ok = chdir(cwd) == 0;
	REQUIRE(ok, "chdir back");
}

/* Gives back the extra references one by one: the proxy stays until the
 * last one, held by the caller, is closed. */
static void release(Lmid_t ns, void *proxy, void **handles, int n)
{
	for (int i = 0; i < n; i++) {
		CHECK(dlclose(handles[i]) == 0, "dlclose %d: %s", i, dlerror());
		CHECK(ns_x(ns) == proxy, "proxy gone after %d of %d extra closes",
		      i + 1, n);
	}
	CHECK(it_code_ns(proxy, "shared_counter_get") == LM_ID_BASE,
	      "proxy no longer resolves");
}

static void make_symlink(char *link, size_t size)
{
	char dir[] = "/tmp/nsshare-shared-XXXXXX";
	bool made = mkdtemp(dir) != NULL;
	snprintf(link, size, "%s/alias.so", dir);
	made = made && symlink(module_path(COUNTER_MOD), link) == 0;
	REQUIRE(made, "symlink %s", link);
}

static void remove_symlink(const char *link)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s", link);
	*strrchr(dir, '/') = '\0';
	unlink(link);
	rmdir(dir);
}

/* N existing (created by another library). */
static void existing_namespace(const char *link)
{
	void *plain = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	REQUIRE(plain, "dlmopen plain: %s", dlerror());
	Lmid_t ns = it_handle_ns(plain);

	/* The first open may name X by the symlink: still the same X. */
	void *proxy = dlmopen(ns, link, RTLD_NOW | RTLD_SHARED);
	REQUIRE(proxy, "dlmopen(%ld, symlink, RTLD_SHARED): %s", (long)ns, dlerror());
	CHECK(it_handle_ns(proxy) == ns, "handle ns %ld", (long)it_handle_ns(proxy));
	CHECK(it_code_ns(proxy, "shared_counter_get") == LM_ID_BASE, "code ns %ld",
	      (long)it_code_ns(proxy, "shared_counter_get"));
	void *b = dlopen(module_path(COUNTER_MOD), RTLD_NOW | RTLD_NOLOAD);
	CHECK(b && dlsym(b, "shared_counter") == dlsym(proxy, "shared_counter"),
	      "base copy by its real path is not the one the symlink loaded");
	if (b)
		dlclose(b);

	void *handles[16];
	int n = 0;
	reopen_all_ways(ns, proxy, handles, &n, link);
	release(ns, proxy, handles, n);

	CHECK(dlclose(proxy) == 0, "dlclose(proxy): %s", dlerror());
	CHECK(!ns_x(ns), "N still holds X after the last close");
	/* The namespace itself is the plain library's, and lives on. */
	CHECK(it_code_ns(plain, "plain_len") == ns, "plain library gone");
	CHECK(dlclose(plain) == 0, "dlclose(plain): %s", dlerror());
}

/* N made by RTLD_SHARED itself. */
static void new_namespace(const char *link)
{
	void *proxy = dlmopen(LM_ID_NEWLM, module_path(COUNTER_MOD),
			      RTLD_NOW | RTLD_SHARED);
	REQUIRE(proxy, "dlmopen(LM_ID_NEWLM, X, RTLD_SHARED): %s", dlerror());
	Lmid_t ns = it_handle_ns(proxy);
	CHECK(ns > 0, "handle ns %ld", (long)ns);

	void *handles[16];
	int n = 0;
	reopen_all_ways(ns, proxy, handles, &n, link);
	release(ns, proxy, handles, n);

	int available = namespaces_available();
	CHECK(dlclose(proxy) == 0, "dlclose(proxy): %s", dlerror());
	/* The last handle to the library that created N unloads N. */
	CHECK(namespaces_available() == available + 1,
	      "namespaces available: %d after the close, %d before",
	      namespaces_available(), available);
}

int main(void)
{
	char link[PATH_MAX];
	make_symlink(link, sizeof link);
	existing_namespace(link);
	new_namespace(link);
	remove_symlink(link);
	return it_finish();
}
