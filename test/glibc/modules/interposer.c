/* libglibc-interposer.so: the kind of malloc interposer one LD_PRELOADs
 * (counting here), linked into the program ahead of libc.  Every call to
 * malloc that binds to it, from any namespace, is counted. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>

static unsigned long interposer_malloc_calls;

static void *(*next_malloc)(size_t);
/* dlsym may allocate; a call made while resolving fails instead of
 * recursing.  Initial-exec: a dynamic TLS access could itself call malloc
 * (it does under LD_AUDIT). */
static __thread int resolving __attribute__((tls_model("initial-exec")));

static int resolve(void)
{
	if (!next_malloc && !resolving) {
		resolving = 1;
		next_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
		resolving = 0;
	}
	return next_malloc != NULL;
}

__attribute__((constructor)) static void interposer_init(void)
{
	resolve();
}

void *malloc(size_t size)
{
	if (!resolve())
		return NULL;
	__atomic_add_fetch(&interposer_malloc_calls, 1, __ATOMIC_RELAXED);
	return next_malloc(size);
}

unsigned long interposer_count(void)
{
	return __atomic_load_n(&interposer_malloc_calls, __ATOMIC_RELAXED);
}
