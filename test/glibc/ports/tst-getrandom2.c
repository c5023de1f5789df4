/* Port of glibc's stdlib/tst-getrandom2.c: getrandom of a libc opened
 * into a new namespace, from 1000 threads in turn (the vDSO getrandom of
 * glibc 2.41 keeps per-thread state). */
#define PORT_MAIN
#include "port.h"
#include <sys/random.h>

static __typeof__(getrandom) *getrandom_ptr;

static void *threadfunc(void *unused)
{
	char c;

	(void)unused;
	TEST_COMPARE(getrandom_ptr(&c, 1, 0), 1);
	return NULL;
}

static int do_test(void)
{
	void *h = xdlmopen(LM_ID_NEWLM, LIBC_SO, RTLD_NOW);

	getrandom_ptr = (__typeof__(getrandom) *)xdlsym(h, "getrandom");
	for (int i = 0; i < 1000; i++)
		xpthread_join(xpthread_create(NULL, threadfunc, NULL));
	return 0;
}
