/* libcompat-next-a.so and libcompat-next-b.so (NEXT_NAME a or b), linked
 * into the program in that order.  Both define compat_next_which, so
 * dlsym(RTLD_NEXT) shows where the caller sits in the search order. */
#define _GNU_SOURCE
#include <dlfcn.h>

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#define STR2(a) #a
#define STR(a) STR2(a)

const char *compat_next_which(void)
{
	return STR(NEXT_NAME);
}

/* dlsym(RTLD_NEXT, NAME) called from this library. */
void *CAT(compat_next_from_, NEXT_NAME)(const char *name)
{
	void *addr = dlsym(RTLD_NEXT, name);
	/* Not a tail call: RTLD_NEXT is relative to the return address. */
	__asm__ volatile("" ::: "memory");
	return addr;
}
