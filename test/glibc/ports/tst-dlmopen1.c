/* Port of glibc's elf/tst-dlmopen1.c: libc is in the base namespace; a
 * module opened into a new namespace is not, runs its constructor once,
 * and sees its own namespace's libc (mod/tst-dlmopen1mod.c). */
#define PORT_MAIN
#include "port.h"

static int nsof(void *h, Lmid_t *ns, const char *what)
{
	*ns = -10;
	if (dlinfo(h, RTLD_DI_LMID, ns) != 0) {
		printf("dlinfo for %s in %s failed: %s\n", what, __func__,
		       dlerror());
		return 1;
	}
	return 0;
}

static int do_test(void)
{
	const char *mod = "$ORIGIN/tst-dlmopen1mod.so";
	Lmid_t ns;
	void *h = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);

	if (h == NULL) {
		printf("cannot get handle for %s: %s\n", LIBC_SO, dlerror());
		return 1;
	}
	if (nsof(h, &ns, LIBC_SO))
		return 1;
	if (ns != LM_ID_BASE) {
		printf("namespace for %s not LM_ID_BASE\n", LIBC_SO);
		return 1;
	}
	if (dlclose(h) != 0) {
		printf("dlclose for %s failed: %s\n", LIBC_SO, dlerror());
		return 1;
	}

	h = dlmopen(LM_ID_NEWLM, mod, RTLD_LAZY);
	if (h == NULL) {
		printf("cannot get handle for %s: %s\n", mod, dlerror());
		return 1;
	}
	if (nsof(h, &ns, mod))
		return 1;
	if (ns == LM_ID_BASE) {
		printf("namespace for %s is LM_ID_BASE\n", mod);
		return 1;
	}
	int (*foo)(Lmid_t) = (int (*)(Lmid_t))dlsym(h, "foo");
	if (foo == NULL) {
		printf("could not find foo: %s\n", dlerror());
		return 1;
	}
	if (foo(ns) != 0)
		return 1;
	if (dlclose(h) != 0) {
		printf("dlclose for %s failed: %s\n", mod, dlerror());
		return 1;
	}
	return 0;
}
