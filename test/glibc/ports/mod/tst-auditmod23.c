/* Port of glibc's elf/tst-auditmod23.c: logs la_activity, la_objopen and
 * la_objclose on stderr, each object with its name, base and namespace
 * as la_objopen saw them. */
#define _GNU_SOURCE
#include <inttypes.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned int la_version(unsigned int version)
{
	(void)version;
	return LAV_CURRENT;
}

struct map_desc {
	char *lname;
	uintptr_t laddr;
	Lmid_t lmid;
};

void la_activity(uintptr_t *cookie, unsigned int flag)
{
	fprintf(stderr, "%s: %u %" PRIxPTR "\n", __func__, flag,
		(uintptr_t)cookie);
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	const char *name = map->l_name[0] == '\0' ? "mainapp" : map->l_name;
	struct map_desc *d = malloc(sizeof(*d));

	fprintf(stderr, "%s: %" PRIxPTR " %s %" PRIxPTR " %ld\n", __func__,
		(uintptr_t)cookie, name, (uintptr_t)map->l_addr, (long)lmid);
	if (d == NULL)
		abort();
	d->lname = strdup(name);
	d->laddr = map->l_addr;
	d->lmid = lmid;
	*cookie = (uintptr_t)d;
	return 0;
}

unsigned int la_objclose(uintptr_t *cookie)
{
	struct map_desc *d = (struct map_desc *)*cookie;

	fprintf(stderr, "%s: %" PRIxPTR " %s %" PRIxPTR " %ld\n", __func__,
		(uintptr_t)cookie, d->lname, d->laddr, (long)d->lmid);
	return 0;
}
