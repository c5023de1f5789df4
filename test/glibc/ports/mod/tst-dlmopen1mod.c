/* Port of glibc's elf/tst-dlmopen1mod.c. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/lib-names.h>
#include <stdio.h>

static int constructed;

__attribute__((constructor)) static void count_construction(void)
{
	constructed++;
}

/* Fails unless the libc this module sees is in namespace NS and the
 * constructor ran exactly once. */
int foo(Lmid_t ns)
{
	void *h = dlopen(LIBC_SO, RTLD_LAZY | RTLD_NOLOAD);
	Lmid_t libc_ns = -10;

	if (h == NULL) {
		printf("cannot get handle for %s: %s\n", LIBC_SO, dlerror());
		return 1;
	}
	if (dlinfo(h, RTLD_DI_LMID, &libc_ns) != 0) {
		printf("dlinfo for %s in %s failed: %s\n", LIBC_SO, __func__,
		       dlerror());
		return 1;
	}
	if (libc_ns != ns) {
		printf("namespace for %s not the module's (%ld, not %ld)\n",
		       LIBC_SO, (long)libc_ns, (long)ns);
		return 1;
	}
	if (dlclose(h) != 0) {
		printf("dlclose for %s in %s failed: %s\n", LIBC_SO, __func__,
		       dlerror());
		return 1;
	}
	if (constructed == 0) {
		puts("constructor did not run");
		return 1;
	}
	if (constructed != 1) {
		puts("constructor did not run exactly once");
		return 1;
	}
	return 0;
}
