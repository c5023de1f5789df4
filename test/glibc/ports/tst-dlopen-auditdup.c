/* Port of glibc's elf/tst-dlopen-auditdup.c: the audit module (mod/
 * tst-dlopen-auditdup-auditmod.c) dlmopens into the base namespace, from
 * la_activity, the module the program is just dlopening; that must give
 * one object, relocated, whose constructor runs once, after the audit's
 * increment. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	puts("info: about to dlopen tst-dlopen-auditdupmod.so");
	fflush(stdout);
	void *h = xdlopen("tst-dlopen-auditdupmod.so", RTLD_NOW);
	int *status = xdlsym(h, "auditdupmod_status");
	printf("info: auditdupmod_status == %d (from main)\n", *status);
	TEST_COMPARE(*status, 2);
	xdlclose(h);
	return 0;
}
