/* libglibc-host.so: the library that creates a namespace (H).  It exports
 * host_value, which plugins loaded later into its namespace find through
 * the namespace's global scope only, and its own strfry, a libc name that
 * must come ahead of glibc's for those plugins.  Its constructor and
 * destructor count themselves in the program's counters, whose address the
 * program passes in the environment (one environment for the process). */
#include <stdio.h>
#include <stdlib.h>

#include "host.h"

int host_value = HOST_VALUE;

char *strfry(char *s);
char *strfry(char *s)
{
	return s;
}

int host_get(void)
{
	return host_value;
}

static int *counters(void)
{
	const char *s = getenv(HOST_COUNTERS_ENV);
	void *p = NULL;
	if (!s || sscanf(s, "%p", &p) != 1)
		return NULL;
	return p;
}

__attribute__((constructor)) static void host_init(void)
{
	int *c = counters();
	if (c)
		c[HOST_CTOR]++;
}

__attribute__((destructor)) static void host_fini(void)
{
	int *c = counters();
	if (c)
		c[HOST_DTOR]++;
}
