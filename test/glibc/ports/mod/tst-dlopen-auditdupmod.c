/* Port of glibc's elf/tst-dlopen-auditdupmod.c. */
#include <stdio.h>
#include <stdlib.h>

int auditdupmod_status;

/* Shows that relocation was done. */
int *auditdupmod_status_address = &auditdupmod_status;

__attribute__((constructor)) static void init(void)
{
	++auditdupmod_status;
	printf("info: tst-dlopen-auditdupmod.so constructor called (status %d)\n",
	       auditdupmod_status);
}

__attribute__((destructor)) static void fini(void)
{
	/* The audit module incremented it once. */
	printf("info: tst-dlopen-auditdupmod.so destructor called (status %d)\n",
	       auditdupmod_status);
	if (auditdupmod_status != 2) {
		puts("error: auditdupmod_status == 2 expected");
		exit(1);
	}
}
