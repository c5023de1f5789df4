/* Port of glibc's elf/tst-dlmopen-twice-mod2.c: isalpha needs the ctype
 * tables of this namespace's libc to be set up. */
#include <ctype.h>
#include <stdio.h>

__attribute__((constructor)) static void init(void)
{
	puts("info: tst-dlmopen-twice-mod2.so loaded");
	fflush(stdout);
}

__attribute__((destructor)) static void fini(void)
{
	puts("info: tst-dlmopen-twice-mod2.so about to be unloaded");
	fflush(stdout);
}

int run_check(void)
{
	volatile char ch = 'a';

	puts("info: about to call isalpha");
	fflush(stdout);
	if (!isalpha(ch)) {
		puts("error: isalpha ('a') is not true");
		fflush(stdout);
		return 1;
	}
	return 0;
}
