/* The program the gdb test debugs (gdb_check.sh): the base needs
 * libcompat-gdbshared.so itself, so stock has it there too, and a fresh
 * namespace runs libcompat-gdbmod.so. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>

int gdbshared_hit(int x);

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	void *h = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	if (!h) {
		printf("dlmopen: %s\n", dlerror());
		return 1;
	}
	int (*run)(void) = (int (*)(void))dlsym(h, "gdbmod_run");
	if (!run)
		return 1;
	int in_ns = run();
	printf("gdbmod_run: %d, base: %d\n", in_ns, gdbshared_hit(0));
	return 0;
}
