/* Port of glibc's elf/tst-audit28.c: the audit module (mod/
 * tst-auditmod28.c) calls the <dlfcn.h> functions from la_version,
 * dlmopen among them, and maps the name "mapped to libc" to libc here.
 * The module uses _dl_find_object (glibc 2.35): skipped before. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
#if __GLIBC_PREREQ(2, 35)
	void *h = xdlopen("mapped to libc", RTLD_LOCAL | RTLD_NOW);

	TEST_VERIFY(h == xdlopen(LIBC_SO, RTLD_LOCAL | RTLD_NOW | RTLD_NOLOAD));
	return 0;
#else
	puts("_dl_find_object needs glibc 2.35");
	return EXIT_UNSUPPORTED;
#endif
}
