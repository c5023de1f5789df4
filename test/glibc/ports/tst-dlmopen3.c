/* Port of glibc's elf/tst-dlmopen3.c: a namespace left open at exit
 * must not break the exit. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	void *h = dlmopen(LM_ID_NEWLM, "$ORIGIN/tst-dlmopen1mod.so", RTLD_LAZY);

	if (h == NULL) {
		printf("cannot get handle for %s: %s\n", "tst-dlmopen1mod.so",
		       dlerror());
		return 1;
	}
	/* Deliberately not closed. */
	return 0;
}
