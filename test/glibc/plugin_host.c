/* Loads made from inside a namespace: a plugin host living in a namespace
 * calls dlopen.  The plugin lands in the host's namespace (stock
 * semantics), shares glibc with the process, libm included (a private
 * libm over a shared libc could not load), and RTLD_SHARED works there. */
#include "glibc_util.h"

int main(void)
{
	void *host = open_new("libglibc-loader.so", RTLD_NOW);
	Lmid_t ns = it_handle_ns(host);
	void *(*load)(const char *, int);
	void *(*sym)(void *, const char *);
	int (*unload)(void *);
	void *(*dlopen_addr)(void);
	SYM(load, host, "loader_dlopen");
	SYM(sym, host, "loader_dlsym");
	SYM(unload, host, "loader_dlclose");
	SYM(dlopen_addr, host, "loader_dlopen_addr");

	/* The namespace's dlopen is nsshare's for code in namespaces; the
	 * program's is nsshare's exported one, which passes a base caller's
	 * load to glibc (under ASan, the sanitizer's interceptor comes
	 * first). */
	CHECK(strstr(it_addr_object(dlopen_addr()), "libnsshare") != NULL,
	      "namespace's dlopen is in %s", it_addr_object(dlopen_addr()));
	CHECK(strstr(it_addr_object((void *)&dlopen), "libnsshare") != NULL ||
		      in_asan_runtime((void *)&dlopen),
	      "program's dlopen is in %s", it_addr_object((void *)&dlopen));
	CHECK(dlopen_addr() != (void *)&dlopen,
	      "the namespace's dlopen is not the program's");
	void *base_libm = dlopen("libm.so.6", RTLD_NOW);
	CHECK(base_libm && it_handle_ns(base_libm) == LM_ID_BASE,
	      "the program's dlopen loads into the base: %s",
	      base_libm ? "another namespace" : dlerror());
	if (base_libm)
		dlclose(base_libm);

	/* A libm user, loaded by the host. */
	void *math = load(it_module(MATH_MOD), RTLD_NOW);
	REQUIRE(math, "host's dlopen of the libm user: %s", dlerror());
	CHECK(it_handle_ns(math) == ns, "plugin in namespace %ld, host in %ld",
	      (long)it_handle_ns(math), (long)ns);
	void *(*sin_addr)(void);
	SYM(sin_addr, math, "math_sin_addr");
	CHECK(it_addr_ns(sin_addr()) == 0, "plugin's sin is in namespace %ld",
	      (long)it_addr_ns(sin_addr()));
	CHECK(it_addr_ns((void *)sym(math, "math_sin")) == ns,
	      "plugin's own code in the host's namespace");

	/* Loading it again from the namespace gives the same handle. */
	void *again = load(it_module(MATH_MOD), RTLD_NOW);
	CHECK(again == math, "second dlopen from the namespace: %p, first %p",
	      again, math);
	if (again)
		unload(again);

	/* RTLD_SHARED from inside the namespace: base copy plus proxy. */
	void *shared = load(it_module(LIBCUSER_MOD), RTLD_NOW | RTLD_SHARED);
	REQUIRE(shared, "host's dlopen with RTLD_SHARED: %s", dlerror());
	CHECK(it_handle_ns(shared) == ns, "proxy in namespace %ld",
	      (long)it_handle_ns(shared));
	CHECK(it_code_ns(shared, "mod_malloc") == 0,
	      "RTLD_SHARED code in namespace %ld",
	      (long)it_code_ns(shared, "mod_malloc"));

	/* Errors from inside come back through dlerror like glibc's. */
	CHECK(load("/nonexistent/libnothing.so", RTLD_NOW) == NULL,
	      "a missing plugin fails");
	const char *err = dlerror();
	CHECK(err && strstr(err, "/nonexistent/libnothing.so"),
	      "error names the plugin: %s", err ? err : "(none)");
	CHECK(dlerror() == NULL, "the error is reported once");

	CHECK(unload(shared) == 0, "dlclose of the proxy");
	CHECK(unload(math) == 0, "dlclose of the plugin");
	CHECK(dlclose(host) == 0, "dlclose of the host");
	return it_finish();
}
