/* Port of glibc's elf/tst-dlmopen-twice-mod1.c: a large .bss, so that
 * the next namespace's libc lands elsewhere. */
#include <stdio.h>

char large_allocate[16 * 1024 * 1024];

__attribute__((constructor)) static void init(void)
{
	puts("info: tst-dlmopen-twice-mod1.so loaded");
	fflush(stdout);
}

__attribute__((destructor)) static void fini(void)
{
	puts("info: tst-dlmopen-twice-mod1.so about to be unloaded");
	fflush(stdout);
}
