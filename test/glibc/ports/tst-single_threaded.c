/* Port of glibc's elf/tst-single_threaded.c: __libc_single_threaded as
 * the program, a linked module, a dlopen'd module and a module in a new
 * namespace see it, in the process and in forked children.  glibc treats
 * a secondary namespace as multi-threaded: there it reads false. */
#define PORT_MAIN
#include "port.h"

#if __GLIBC_PREREQ(2, 32)
#include <sys/single_threaded.h>

extern _Bool single_threaded_1(void);

static _Bool (*single_threaded_2)(void);
static _Bool (*single_threaded_3)(void);

static void subprocess(void *unused)
{
	(void)unused;
	TEST_VERIFY(__libc_single_threaded);
	TEST_VERIFY(single_threaded_1());
	if (single_threaded_2 != NULL)
		TEST_VERIFY(single_threaded_2());
	if (single_threaded_3 != NULL)
		TEST_VERIFY(!single_threaded_3());
}

static int do_test(void)
{
	TEST_VERIFY(__libc_single_threaded);
	TEST_VERIFY(single_threaded_1());
	support_isolate_in_subprocess(subprocess, NULL);

	void *mod2 = xdlopen("tst-single_threaded-mod2.so", RTLD_LAZY);
	single_threaded_2 = (_Bool (*)(void))xdlsym(mod2, "single_threaded_2");
	TEST_VERIFY(single_threaded_2());
	support_isolate_in_subprocess(subprocess, NULL);

	/* glibc's namespaces count as multi-threaded. */
	void *mod3 = dlmopen(LM_ID_NEWLM, "tst-single_threaded-mod3.so",
			     RTLD_LAZY);
	single_threaded_3 = (_Bool (*)(void))xdlsym(mod3, "single_threaded_3");
	TEST_VERIFY(!single_threaded_3());
	support_isolate_in_subprocess(subprocess, NULL);

	xdlclose(mod3);
	xdlclose(mod2);
	return 0;
}
#else
static int do_test(void)
{
	puts("__libc_single_threaded needs glibc 2.32");
	return EXIT_UNSUPPORTED;
}
#endif
