/* glibc's own dlopen, dlmopen, dlinfo, dlclose and dlerror, found past nsshare's,
 * and whether this glibc is one nsshare can work with. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

static struct nsshare_real real;
static bool real_ok;
static bool glibc_ok;
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
	real.dlinfo = (int (*)(void *, int, void *))next_symbol("dlinfo");
	real.dlclose = (int (*)(void *))next_symbol("dlclose");
	real.dlerror = (char *(*)(void))next_symbol("dlerror");
	real_ok = real.dlopen && real.dlmopen && real.dlclose && real.dlerror &&
		  real.dlinfo;
	glibc_ok = nsshare_glibc_at_least(gnu_get_libc_version(),
					  NSSHARE_GLIBC_FLOOR_MAJOR,
					  NSSHARE_GLIBC_FLOOR_MINOR);
}

bool nsshare_glibc_at_least(const char *version, unsigned major,
			    unsigned minor)
{
	/* "2.36", "2.41.9000": a major and a minor number, then anything. */
	char *end;
	unsigned long v_major = strtoul(version, &end, 10);
	if (end == version || *end != '.')
		return false;
	const char *minor_text = end + 1;
	unsigned long v_minor = strtoul(minor_text, &end, 10);
	if (end == minor_text)
		return false;
	return v_major > major || (v_major == major && v_minor >= minor);
}

bool nsshare_glibc_ok(void)
{
	pthread_once(&real_once, real_find);
	return glibc_ok;
}

/* Every successful dlsym() clears glibc's pending dlerror() message.
 * Looked up lazily, from the first dlerror() after a program's failed
 * dlopen(), the lookup would lose the very message dlerror() is to return:
 * look glibc's functions up before the program runs.  A failure here is
 * not silent: every later call reports it through nsshare_real(). */
__attribute__((constructor)) static void real_init(void)
{
	pthread_once(&real_once, real_find);
	/* Said once, when the program starts, rather than left for the first
	 * RTLD_SHARED to find out: below the floor nsshare steps aside. */
	if (!glibc_ok)
		fprintf(stderr, "libnsshare.so: glibc %s is older than %d.%d; "
			"dlmopen behaves as glibc's own and RTLD_SHARED "
			"fails\n", gnu_get_libc_version(),
			NSSHARE_GLIBC_FLOOR_MAJOR, NSSHARE_GLIBC_FLOOR_MINOR);
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
