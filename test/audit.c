/* An LD_AUDIT module that asks to see every object and binding.  ld.so
 * gives it a namespace of its own, with its own libc: the integration
 * programs run again with it present (NAME.audit), and nsshare must keep
 * it isolated while everything else behaves as without it. */
#define _GNU_SOURCE
#include <link.h>
#include <stdint.h>

unsigned int la_version(unsigned int version)
{
	(void)version;
	return LAV_CURRENT;
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	(void)map;
	(void)lmid;
	(void)cookie;
	return LA_FLG_BINDTO | LA_FLG_BINDFROM;
}
