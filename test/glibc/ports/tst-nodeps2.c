/* Port of glibc's elf/tst-nodeps2.c (BZ 31083): a module with no
 * DT_NEEDED of its own (tst-nodeps1-mod.so, whose data points at libc's
 * IFUNCs memcpy, memmove and memset), needed after libc by
 * tst-nodeps2-mod.so, opened into a new namespace: the IFUNC
 * relocations must find libc relocated. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	void *h = xdlmopen(LM_ID_NEWLM, "tst-nodeps2-mod.so", RTLD_NOW);

	xdlclose(h);
	return 0;
}
