/* Port of glibc's elf/tst-tls-ie-mod.h and tst-tls-ie-mod[0-6].c: one
 * TLS array of SIZE bytes in MODEL (CMake gives N, SIZE and MODEL) and
 * accessN, which touches all of it. */
#include <stdio.h>
#include <string.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define STR_(x) #x
#define STR(x) STR_(x)
#define VAR CAT(var, N)

__attribute__((aligned(8), tls_model(MODEL))) __thread char VAR[SIZE];

void CAT(access, N)(void)
{
	printf(STR(VAR) "[%d]:\t %p .. %p " MODEL "\n", SIZE, (void *)VAR,
	       (void *)(VAR + SIZE));
	fflush(stdout);
	memset(VAR, 1, SIZE);
}
