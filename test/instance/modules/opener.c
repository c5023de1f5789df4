/* Code that loads libraries, as a plugin host inside an instance does.
 * The result is kept before it is returned, so that the call to dlopen is
 * no tail call: glibc's dlopen, and nsshare's, take the caller from the
 * return address, and a tail call would name this function's caller. */
#include <dlfcn.h>

void *opener_last;

void *opener_dlopen(const char *file, int mode)
{
	void *handle = dlopen(file, mode);
	opener_last = handle;
	return handle;
}
