/* Port of glibc's elf/tst-auditmany.c: nine audit modules at once, each
 * in a namespace of its own (mod/tst-auditmanymod.c); each checks that
 * la_objopen's cookie starts as the link map. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	return 0;
}
