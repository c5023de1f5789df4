/* Port of glibc's elf/tst-dlmopen4.c (with tst-dlmopen4-pic.c and
 * tst-dlmopen4-nonpic.c, which define BUILD_FOR_PIC / BUILD_FOR_NONPIC):
 * the debugger interface.  DT_DEBUG points at an r_debug_extended of
 * version 1 with no other namespace; a dlmopen makes it version 2 with
 * one more r_debug, whose first object is the opened module.
 * _r_debug_extended is glibc 2.35's: before that the test is skipped. */
#define PORT_MAIN
#include "port.h"

#if __GLIBC_PREREQ(2, 35)
static int do_test(void)
{
	struct r_debug_extended *debug = NULL;

	for (ElfW(Dyn) *d = _DYNAMIC; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_DEBUG && d->d_un.d_ptr != 0) {
			debug = (struct r_debug_extended *)d->d_un.d_ptr;
			break;
		}

	TEST_VERIFY_EXIT(debug != NULL);
	TEST_COMPARE(debug->base.r_version, 1);
	TEST_VERIFY_EXIT(debug->r_next == NULL);
#ifdef BUILD_FOR_PIC
	/* Through the GOT, _r_debug is the same object. */
	TEST_VERIFY(&_r_debug == &debug->base);
#endif
#ifdef BUILD_FOR_NONPIC
	TEST_COMPARE(_r_debug.r_version, 1);
#endif

	void *h = xdlmopen(LM_ID_NEWLM, "$ORIGIN/tst-dlmopen1mod.so", RTLD_LAZY);

	TEST_COMPARE(debug->base.r_version, 2);
	TEST_VERIFY_EXIT(debug->r_next != NULL);
	TEST_VERIFY_EXIT(debug->r_next->r_next == NULL);
	TEST_VERIFY_EXIT(debug->r_next->base.r_map != NULL);
	TEST_VERIFY_EXIT(debug->r_next->base.r_map->l_name != NULL);
	TEST_COMPARE_STRING(basename(debug->r_next->base.r_map->l_name),
			    "tst-dlmopen1mod.so");
#ifdef BUILD_FOR_NONPIC
	/* A copy relocation of _r_debug stays at version 1. */
	if (&_r_debug != &debug->base) {
		TEST_COMPARE(_r_debug.r_version, 1);
		TEST_COMPARE((uintptr_t)_r_debug.r_map,
			     (uintptr_t)debug->base.r_map);
		TEST_COMPARE(_r_debug.r_brk, debug->base.r_brk);
		TEST_COMPARE(_r_debug.r_state, debug->base.r_state);
		TEST_COMPARE(_r_debug.r_ldbase, debug->base.r_ldbase);
	}
#endif
	xdlclose(h);
	return 0;
}
#else
static int do_test(void)
{
	puts("_r_debug_extended needs glibc 2.35");
	return EXIT_UNSUPPORTED;
}
#endif
