/* glibc's own dlopen, dlmopen, dlclose and dlerror, found past nsshare's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>

#include "internal.h"

static struct nsshare_real real;
static bool real_ok;
static pthread_once_t real_once = PTHREAD_ONCE_INIT;

static void *next_symbol(const char *name)
{
	/* RTLD_NEXT from this object is the definition nsshare interposes
	 * on: libc's in a preloaded or linked libnsshare. */
	return dlsym(RTLD_NEXT, name);
}

static void real_find(void)
{
	real.dlopen = (void *(*)(const char *, int))next_symbol("dlopen");
	real.dlmopen = (void *(*)(Lmid_t, const char *, int))next_symbol("dlmopen");
	real.dlclose = (int (*)(void *))next_symbol("dlclose");
	real.dlerror = (char *(*)(void))next_symbol("dlerror");
	real_ok = real.dlopen && real.dlmopen && real.dlclose && real.dlerror;
}

/* Every successful dlsym() clears glibc's pending dlerror() message.
 * Looked up lazily, from the first dlerror() after a program's failed
 * dlopen(), the lookup would lose the very message dlerror() is to return:
 * look glibc's functions up before the program runs.  A failure here is
 * not silent: every later call reports it through nsshare_real(). */
__attribute__((constructor)) static void real_init(void)
{
	pthread_once(&real_once, real_find);
}

const struct nsshare_real *nsshare_real(void)
{
	pthread_once(&real_once, real_find);
	if (!real_ok) {
		nsshare_error("libnsshare.so", "cannot find glibc's dlopen, "
			      "dlmopen, dlclose and dlerror (is libnsshare loaded ahead "
			      "of libc?)");
		return NULL;
	}
	return &real;
}
