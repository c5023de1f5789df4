#define _GNU_SOURCE
#include <dlfcn.h>
void *host_dlopen(const char *f, int m) { return dlopen(f, m); }
void *host_sym(const char *s) { return dlsym(RTLD_DEFAULT, s); }
const char *host_err(void) { return dlerror(); }
