/* Behaviour 6 of issue 2, glibc beyond libc: a module that needs libm loads
 * into a fresh namespace (a private libm over the proxied libc could not:
 * it binds libc's TLS errno), and its sin is the base namespace's libm.
 * libm's errno is the calling thread's.  A namespace created for a module
 * that needs only libc gets libm's proxy when a libm user is loaded later. */
#include "glibc_util.h"

#include <math.h>

/* The base namespace's libm, loaded (and pinned) by nsshare. */
static void *base_libm(void)
{
	void *libm = dlopen("libm.so.6", RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(libm, "libm.so.6 is not loaded in the base namespace");
	return libm;
}

static void check_math(void *h, const char *what)
{
	void *(*math_sin_addr)(void);
	double (*math_sin)(double);
	double (*math_log_zero)(void);
	SYM(math_sin_addr, h, "math_sin_addr");
	SYM(math_sin, h, "math_sin");
	SYM(math_log_zero, h, "math_log_zero");

	void *libm = base_libm();
	double (*base_sin)(double);
	SYM(base_sin, libm, "sin");

	void *sin_addr = math_sin_addr();
	CHECK(it_addr_ns(sin_addr) == LM_ID_BASE, "%s: module's sin is code of ns "
	      "%ld (%s)", what, (long)it_addr_ns(sin_addr), it_addr_object(sin_addr));
	CHECK(sin_addr == (void *)base_sin, "%s: module's sin %p, base libm's %p",
	      what, sin_addr, (void *)base_sin);
	CHECK(ends_with(it_addr_object(sin_addr), "/libm.so.6"),
	      "%s: module's sin is in %s", what, it_addr_object(sin_addr));
	CHECK(it_code_ns(h, "sin") == LM_ID_BASE, "%s: dlsym(module, sin) is code "
	      "of ns %ld", what, (long)it_code_ns(h, "sin"));
	CHECK(math_sin(0.5) == base_sin(0.5), "%s: sin(0.5) %.17g, base's %.17g",
	      what, math_sin(0.5), base_sin(0.5));

	errno = 0;
	double r = math_log_zero();
	int e = errno;
	CHECK(isinf(r) && r < 0, "%s: log(0) = %g", what, r);
	CHECK(e == ERANGE, "%s: errno %d after log(0) in the module, wanted ERANGE",
	      what, e);
	dlclose(libm);
}

int main(void)
{
	void *h = open_new(MATH_MOD, RTLD_NOW);
	check_math(h, "fresh namespace");

	/* libc only at first, libm with a later load. */
	void *plain = open_new(LIBCUSER_MOD, RTLD_NOW);
	Lmid_t ns = it_handle_ns(plain);
	void *later = dlmopen(ns, it_module(MATH_MOD), RTLD_NOW);
	REQUIRE(later, "dlmopen(%ld, %s): %s", (long)ns, MATH_MOD, dlerror());
	CHECK(it_handle_ns(later) == ns, "handle ns %ld, wanted %ld",
	      (long)it_handle_ns(later), (long)ns);
	check_math(later, "later load");

	CHECK(dlclose(later) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(plain) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
