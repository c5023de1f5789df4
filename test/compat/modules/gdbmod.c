/* The namespace's module for the gdb test: it sorts through the base
 * libc's qsort with a comparator of its own (a backtrace through shared
 * code), and calls the unique gdbshared (shared code called from a
 * namespace). */
#include <stdlib.h>

int gdbshared_hit(int x);

__attribute__((noinline)) static int gdbmod_cmp(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int gdbmod_run(void)
{
	int v[] = { 3, 1, 2 };
	qsort(v, 3, sizeof *v, gdbmod_cmp);
	return gdbshared_hit(v[0]);
}
