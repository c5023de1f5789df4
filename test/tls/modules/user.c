/* A namespace module that uses the shared object's thread-local variable;
 * built once per TLS access model (see CMakeLists.txt). */
#define _GNU_SOURCE
#include <dlfcn.h>

extern __thread int tls_counter;

/* What the constructor read: relocations are final before it runs. */
int tls_ctor_seen = -1;

__attribute__((constructor)) static void user_ctor(void)
{
	tls_ctor_seen = tls_counter;
}

int *tls_user_addr(void)
{
	return &tls_counter;
}

int tls_user_get(void)
{
	return tls_counter;
}

void tls_user_set(int value)
{
	tls_counter = value;
}

/* dlsym(RTLD_DEFAULT, NAME) called from inside the namespace. */
void *tls_user_dlsym(const char *name)
{
	return dlsym(RTLD_DEFAULT, name);
}
