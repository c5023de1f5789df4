/* Behaviour 7 of issue 2: dlmopen(LM_ID_NEWLM, M, RTLD_NOW | RTLD_ISOLATE)
 * keeps stock behaviour: the namespace has its own libc (and a libm loaded
 * into it later is private too), while plain dlmopen still shares. */
#include "glibc_util.h"

int main(void)
{
	void *h = open_new(LIBCUSER_MOD, RTLD_NOW | RTLD_ISOLATE);
	Lmid_t ns = it_handle_ns(h);
	void *(*mod_free_addr)(void);
	SYM(mod_free_addr, h, "mod_free_addr");

	void *mod_free = mod_free_addr();
	CHECK(it_addr_ns(mod_free) == ns, "isolated module's free is code of ns "
	      "%ld, handle ns %ld", (long)it_addr_ns(mod_free), (long)ns);
	CHECK(mod_free != (void *)&free, "isolated module's free is the program's");
	CHECK(it_code_ns(h, "free") == ns, "dlsym(module, free) is code of ns %ld",
	      (long)it_code_ns(h, "free"));
	/* The real file, not a proxy (opened by a path of nsshare's). */
	const char *obj = it_addr_object(mod_free);
	CHECK(ends_with(obj, "/libc.so.6") && !it_is_image_path(obj),
	      "isolated module's free is in %s", obj);

	/* A libm user loaded later into the isolated namespace gets a private
	 * libm over the private libc, as stock. */
	void *math = dlmopen(ns, it_module(MATH_MOD), RTLD_NOW);
	REQUIRE(math, "dlmopen(%ld, %s): %s", (long)ns, MATH_MOD, dlerror());
	void *(*math_sin_addr)(void);
	SYM(math_sin_addr, math, "math_sin_addr");
	CHECK(it_addr_ns(math_sin_addr()) == ns, "sin of the isolated namespace is "
	      "code of ns %ld", (long)it_addr_ns(math_sin_addr()));

	/* RTLD_ISOLATE does not stick: the next plain namespace shares. */
	void *shared = open_new(LIBCUSER_MOD, RTLD_NOW);
	SYM(mod_free_addr, shared, "mod_free_addr");
	CHECK(mod_free_addr() == (void *)&free, "plain namespace after an isolated "
	      "one: free %p (%s)", mod_free_addr(), it_addr_object(mod_free_addr()));

	CHECK(dlclose(shared) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(math) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
