/* A private dependency of the iterate module with a TLS block: what
 * dl_iterate_phdr reports of a private object's TLS. */
#define _GNU_SOURCE /* iterate.h: struct dl_phdr_info */
#include "iterate.h"

__thread int dep_tls = 1;

int *dep_tls_addr(void)
{
	return &dep_tls;
}
