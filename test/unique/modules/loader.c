/* libunique-loader.so: a plugin host, to live in a namespace and load
 * plugins from there.  Built with -fno-optimize-sibling-calls: glibc and
 * nsshare find the caller from the return address, and a tail call would
 * make the program the caller.  RUNPATH $ORIGIN: bare names it asks for
 * are found next to it. */
#define _GNU_SOURCE
#include <dlfcn.h>

void *loader_dlopen(const char *file, int mode)
{
	return dlopen(file, mode);
}

void *loader_dlmopen(Lmid_t id, const char *file, int mode)
{
	return dlmopen(id, file, mode);
}

char *loader_dlerror(void)
{
	return dlerror();
}

int loader_dlclose(void *handle)
{
	return dlclose(handle);
}
