/* Port of glibc's elf/tst-dlopen-auditdup-auditmod.c. */
#include "../port.h"

unsigned int la_version(unsigned int v)
{
	(void)v;
	return LAV_CURRENT;
}

static bool trigger_on_la_activity;

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	(void)lmid;
	(void)cookie;
	printf("info: la_objopen: \"%s\"\n", map->l_name);
	if (strstr(map->l_name, "/tst-dlopen-auditdupmod.so") != NULL)
		trigger_on_la_activity = true;
	return 0;
}

void la_activity(uintptr_t *cookie, unsigned int flag)
{
	static unsigned calls;
	static bool recursion;

	(void)cookie;
	printf("info: la_activity: call %u (flag %u)\n", ++calls, flag);
	fflush(stdout);
	/* Not again for the dlmopen below. */
	if (!trigger_on_la_activity || recursion)
		return;
	recursion = true;

	puts("info: about to dlmopen tst-dlopen-auditdupmod.so");
	fflush(stdout);
	void *h = dlmopen(LM_ID_BASE, "tst-dlopen-auditdupmod.so", RTLD_NOW);
	if (h == NULL) {
		printf("error: dlmopen: %s\n", dlerror());
		fflush(stdout);
		_exit(1);
	}
	/* The constructor must not have run: the constructors of the
	 * dependencies have not, the load that called us is not done. */
	int *status = dlsym(h, "auditdupmod_status");
	if (status == NULL) {
		printf("error: dlsym: %s\n", dlerror());
		fflush(stdout);
		_exit(1);
	}
	printf("info: auditdupmod_status == %d\n", *status);
	if (*status != 0) {
		puts("error: auditdupmod_status == 0 expected");
		fflush(stdout);
		_exit(1);
	}
	/* Checked by the destructor and the program. */
	++*status;
	printf("info: auditdupmod_status == %d\n", *status);

	int **addr = dlsym(h, "auditdupmod_status_address");
	if (addr == NULL || *addr != status) {
		puts("error: invalid auditdupmod_status address in tst-dlopen-auditdupmod.so");
		fflush(stdout);
		_exit(1);
	}
	fflush(stdout);
}
