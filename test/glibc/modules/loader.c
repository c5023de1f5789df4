/* libglibc-loader.so: a plugin host, to live in a namespace and load
 * plugins from there with dlopen, as a program would. */
#define _GNU_SOURCE
#include <dlfcn.h>

void *loader_dlopen(const char *path, int mode)
{
	return dlopen(path, mode);
}

void *loader_dlsym(void *handle, const char *name)
{
	return dlsym(handle, name);
}

int loader_dlclose(void *handle)
{
	return dlclose(handle);
}

/* What this namespace's objects call as dlopen. */
void *loader_dlopen_addr(void)
{
	return (void *)&dlopen;
}
