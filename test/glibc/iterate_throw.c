/* Issue 9 point 5: a C++ exception thrown in a namespace through a frame
 * of shared code is caught there: through the base libc's qsort (its
 * comparator throws) and through a unique library's callback_call.  On
 * glibc before 2.35 libgcc's unwinder finds those frames only through
 * dl_iterate_phdr, called from inside the namespace. */
#include "glibc_util.h"

#include "modules/iterate.h"

#define THROWER_MOD "libglibc-thrower.so"

static void run(const char *what, void *h, bool shared)
{
	int (*through_qsort)(void), (*through_shared)(void);
	void *(*qsort_addr)(void), *(*callback_addr)(void);
	SYM(through_qsort, h, "thrower_through_qsort");
	SYM(through_shared, h, "thrower_through_shared");
	SYM(qsort_addr, h, "thrower_qsort_addr");
	SYM(callback_addr, h, "thrower_callback_addr");
	/* The frames are shared code: the base copies' (stock: private). */
	Lmid_t want = shared ? LM_ID_BASE : it_handle_ns(h);
	CHECK(it_addr_ns(qsort_addr()) == want, "%s: qsort is code of ns %ld",
	      what, (long)it_addr_ns(qsort_addr()));
	CHECK(it_addr_ns(callback_addr()) == want, "%s: callback_call is code "
	      "of ns %ld", what, (long)it_addr_ns(callback_addr()));
	CHECK(through_qsort() == 42, "%s: exception through qsort not caught",
	      what);
	CHECK(through_shared() == 7, "%s: exception through the unique "
	      "library not caught", what);
}

int main(void)
{
	void *h = open_new(THROWER_MOD, RTLD_NOW);
	run("namespace", h, true);
	/* Twice: libgcc caches what it found by dlpi_adds and dlpi_subs. */
	run("namespace again", h, true);
	void *second = open_new(THROWER_MOD, RTLD_NOW);
	run("second namespace", second, true);
	/* Stock, for comparison: everything private. */
	void *iso = open_new(THROWER_MOD, RTLD_NOW | RTLD_ISOLATE);
	run("isolated namespace", iso, false);
	CHECK(dlclose(iso) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(second) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
