/* Port of glibc's elf/tst-dlmopen-twice.c: a new namespace found while
 * others are in use (BZ 29600), once flat, then nested three deep (under
 * the default glibc.rtld.nns of 4). */
#define PORT_MAIN
#include "port.h"

static void recurse(int depth)
{
	if (depth == 0)
		return;
	printf("info: running at depth %d\n", depth);
	void *h = xdlmopen(LM_ID_NEWLM, "tst-dlmopen-twice-mod1.so", RTLD_NOW);
	xdlclose(h);
	h = xdlmopen(LM_ID_NEWLM, "tst-dlmopen-twice-mod2.so", RTLD_NOW);
	int (*run_check)(void) = (int (*)(void))xdlsym(h, "run_check");
	TEST_COMPARE(run_check(), 0);
	recurse(depth - 1);
	xdlclose(h);
}

static int do_test(void)
{
	recurse(1);
	recurse(3);
	return 0;
}
