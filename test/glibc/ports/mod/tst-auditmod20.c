/* Port of glibc's elf/tst-auditmod20.c. */
#include "../port.h"

unsigned int la_version(unsigned int v)
{
	(void)v;
	return LAV_CURRENT;
}

static void check(void)
{
	if (dlopen("nonexistent.so", RTLD_NOW) != NULL)
		abort();
	if (dlmopen(LM_ID_BASE, "nonexistent.so", RTLD_NOW) != NULL)
		abort();
}

void la_activity(uintptr_t *cookie, unsigned int flag)
{
	(void)cookie;
	if (flag == LA_ACT_CONSISTENT)
		check();
}

void la_preinit(uintptr_t *cookie)
{
	(void)cookie;
	check();
}
