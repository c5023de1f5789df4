/* libcompat-opener.so (RUNPATH $ORIGIN/lib2) and, with OPENER_NOPATH,
 * libcompat-opener-nopath.so (no search path): dlmopen() called from a
 * library on the program's behalf.  glibc searches the calling object's
 * paths, so the call must be made here, not in the program. */
#define _GNU_SOURCE
#include <dlfcn.h>

#ifdef OPENER_NOPATH
#define OPEN_PLUGIN open_plugin_nopath
#else
#define OPEN_PLUGIN open_plugin
#endif

void *OPEN_PLUGIN(Lmid_t ns, const char *name, int mode)
{
	void *handle = dlmopen(ns, name, mode);
	/* Keeps the call from becoming a tail call, which would hand glibc
	 * the program's return address, and so the program's paths. */
	__asm__ volatile("" ::: "memory");
	return handle;
}
