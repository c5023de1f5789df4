/* Port of glibc's elf/tst-audit20.c: the program does nothing; the audit
 * module (mod/tst-auditmod20.c) opens a missing object with dlopen and
 * dlmopen from la_activity and la_preinit, which must fail cleanly. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	return 0;
}
