/* Behaviours 4 and 6 of issue 3 from inside a namespace: a plugin host
 * living in namespace N loads plugins with dlopen and dlmopen.  Those go
 * through nsshare with N as the caller's namespace: a unique plugin is a
 * proxy in N, an untagged one loads privately into N (stock), RTLD_SHARED
 * works, and refusals come back through dlerror once. */
#include "unique_util.h"

/* A plugin host's entry points (modules/loader.c). */
struct host {
	void *handle;
	Lmid_t ns;
	void *(*dlopen)(const char *, int);
	void *(*dlmopen)(Lmid_t, const char *, int);
	char *(*dlerror)(void);
	int (*dlclose)(void *);
};

static struct host host_open(void)
{
	struct host h = { .handle = dlmopen(LM_ID_NEWLM, it_module(LOADER), RTLD_NOW) };
	REQUIRE(h.handle, "dlmopen(NEWLM, loader): %s", dlerror());
	h.ns = it_handle_ns(h.handle);
	REQUIRE(h.ns > 0, "loader in ns %ld", (long)h.ns);
	SYM(h.dlopen, h.handle, "loader_dlopen");
	SYM(h.dlmopen, h.handle, "loader_dlmopen");
	SYM(h.dlerror, h.handle, "loader_dlerror");
	SYM(h.dlclose, h.handle, "loader_dlclose");
	return h;
}

/* The error of a failed call from inside, for the message checks. */
static struct host *current;
static char *host_dlerror(void)
{
	return current->dlerror();
}

int main(void)
{
	const char *uniq = it_module(UNIQ), *norm = it_module(NORM);
	struct host h = host_open();

	/* dlopen(UNIQ) from inside, by bare name (the host's RUNPATH finds
	 * it) and by path: the proxy in N, the same handle both times. */
	void *u = h.dlopen(UNIQ, RTLD_NOW);
	REQUIRE(u, "host's dlopen(%s): %s", UNIQ, dlerror());
	CHECK_PROXY(u, "uniq by name from inside", NULL);
	CHECK(it_handle_ns(u) == h.ns, "proxy in ns %ld, host in %ld",
	      (long)it_handle_ns(u), (long)h.ns);
	void *base = base_copy(uniq);
	REQUIRE(base, "no base copy of %s", uniq);
	void *u2 = h.dlopen(uniq, RTLD_NOW);
	REQUIRE(u2, "host's dlopen(uniq path): %s", dlerror());
	CHECK(u2 == u, "by path %p, by name %p", u2, u);
	CHECK_PROXY(u2, "uniq by path from inside", dlsym(base, "mod_counter"));
	h.dlclose(u2);

	/* dlopen(NORM) from inside: private in N, glibc shared. */
	void *n = h.dlopen(norm, RTLD_NOW);
	REQUIRE(n, "host's dlopen(norm): %s", dlerror());
	CHECK(it_handle_ns(n) == h.ns, "norm in ns %ld, host in %ld",
	      (long)it_handle_ns(n), (long)h.ns);
	CHECK_PRIVATE(n, "norm from inside", false);
	CHECK(base_copy(norm) == NULL, "norm loaded into the base namespace");

	/* dlmopen(LM_ID_NEWLM, NORM, RTLD_SHARED) from inside: a proxy in
	 * another new namespace. */
	void *m = h.dlmopen(LM_ID_NEWLM, norm, RTLD_NOW | RTLD_SHARED);
	REQUIRE(m, "host's dlmopen(NEWLM, norm, RTLD_SHARED): %s", dlerror());
	CHECK_PROXY(m, "norm with RTLD_SHARED from inside", NULL);
	CHECK(it_handle_ns(m) != h.ns, "new namespace is the host's");
	void *norm_base = base_copy(norm);
	CHECK(norm_base && view_of(m).counter == dlsym(norm_base, "mod_counter"),
	      "norm's proxy does not lead to a base copy");

	/* dlmopen(LM_ID_NEWLM, UNIQ) from inside, plain: a proxy too. */
	void *mu = h.dlmopen(LM_ID_NEWLM, uniq, RTLD_NOW);
	REQUIRE(mu, "host's dlmopen(NEWLM, uniq): %s", dlerror());
	CHECK_PROXY(mu, "uniq by dlmopen from inside", dlsym(base, "mod_counter"));

	/* A refusal from inside, in a second host's namespace holding a
	 * private UNIQ: read once, by the host, and gone for the program. */
	struct host h2 = host_open();
	void *priv = h2.dlopen(uniq, RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(priv, "host's dlopen(uniq, RTLD_ISOLATE): %s", dlerror());
	CHECK(it_handle_ns(priv) == h2.ns && !is_proxy(priv) &&
	      it_code_ns(priv, "mod_bump") == h2.ns,
	      "isolated uniq from inside: ns %ld, %s, code ns %ld",
	      (long)it_handle_ns(priv), handle_file(priv),
	      (long)it_code_ns(priv, "mod_bump"));
	current = &h2;
	void *r = h2.dlopen(uniq, RTLD_NOW);
	CHECK_DEMOTE_REFUSED(r, uniq, "host's dlopen(uniq) over a private copy",
			     host_dlerror);
	r = h2.dlopen(uniq, RTLD_NOW);
	CHECK_DEMOTE_REFUSED(r, uniq, "again, read by the program", dlerror);
	r = h2.dlopen(uniq, RTLD_NOW | RTLD_SHARED);
	CHECK(!r && host_dlerror() != NULL && dlerror() == NULL,
	      "RTLD_SHARED from inside over a private copy: %p", r);

	CHECK(h2.dlclose(priv) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h2.handle) == 0, "dlclose: %s", dlerror());
	CHECK(h.dlclose(mu) == 0, "dlclose: %s", dlerror());
	CHECK(h.dlclose(m) == 0, "dlclose: %s", dlerror());
	CHECK(h.dlclose(n) == 0, "dlclose: %s", dlerror());
	CHECK(h.dlclose(u) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h.handle) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
