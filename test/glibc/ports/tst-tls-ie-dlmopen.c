/* Port of glibc's elf/tst-tls-ie-dlmopen.c: modules with global-dynamic
 * TLS in the base and in three new namespaces, then initial-exec TLS in
 * the base, all while another thread runs.  What is left of the surplus
 * static TLS is then too small for tst-tls-ie-mod4.so's 1024 bytes of
 * initial-exec TLS: that dlmopen must fail. */
#define PORT_MAIN
#include "port.h"

/* Big TLS of the program's own: it must not use the surplus. */
__thread char maintls[1000];

static pthread_barrier_t barrier;

static void *blocked_thread(void *unused)
{
	(void)unused;
	xpthread_barrier_wait(&barrier);
	/* The main thread loads and accesses here. */
	xpthread_barrier_wait(&barrier);
	return NULL;
}

static void *load_and_access(Lmid_t ns, const char *mod, const char *func)
{
	void *h = xdlmopen(ns, mod, RTLD_NOW);
	void (*access)(void) = (void (*)(void))xdlsym(h, func);

	access();
	return h;
}

static int do_test(void)
{
	void *mods[5];

	xpthread_barrier_init(&barrier, NULL, 2);
	pthread_t t = xpthread_create(NULL, blocked_thread, NULL);
	xpthread_barrier_wait(&barrier);

	printf("maintls[%zu]:\t %p .. %p\n", sizeof maintls, (void *)maintls,
	       (void *)(maintls + sizeof maintls));
	memset(maintls, 1, sizeof maintls);

	mods[0] = load_and_access(LM_ID_BASE, "tst-tls-ie-mod0.so", "access0");
	mods[1] = load_and_access(LM_ID_NEWLM, "tst-tls-ie-mod1.so", "access1");
	mods[2] = load_and_access(LM_ID_NEWLM, "tst-tls-ie-mod2.so", "access2");
	mods[3] = load_and_access(LM_ID_NEWLM, "tst-tls-ie-mod3.so", "access3");
	mods[4] = load_and_access(LM_ID_BASE, "tst-tls-ie-mod6.so", "access6");

	/* 576 bytes and three libcs' static TLS are now taken from the
	 * surplus: less than 1024 bytes are left. */
	printf("The next dlmopen should fail...\n");
	void *p = dlmopen(LM_ID_BASE, "tst-tls-ie-mod4.so", RTLD_NOW);
	if (p != NULL)
		FAIL_EXIT1("error: expected dlmopen to fail because there is "
			   "not enough surplus static TLS.");
	printf("...OK failed with: %s.\n", dlerror());

	xpthread_barrier_wait(&barrier);
	xpthread_join(t);
	for (int i = 0; i < 5; i++)
		xdlclose(mods[i]);
	return 0;
}
