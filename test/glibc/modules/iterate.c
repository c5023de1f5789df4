/* dl_iterate_phdr called from code inside a namespace: glibc (and
 * nsshare) report the namespace of the caller, found from the return
 * address, so the call must not be a tail call (CMakeLists.txt). */
#define _GNU_SOURCE
#include <link.h>
#include <math.h>

#include "iterate.h"

int mod_iterate(int (*callback)(struct dl_phdr_info *, size_t, void *),
		void *data)
{
	return dl_iterate_phdr(callback, data);
}

/* Keeps libm among the module's needs (a glibc library beside libc). */
double mod_hypot(double x, double y)
{
	return hypot(x, y);
}

/* Keeps the private dependency among its needs. */
int *mod_dep_tls(void)
{
	return dep_tls_addr();
}
