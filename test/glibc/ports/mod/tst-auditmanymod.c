/* Port of glibc's elf/tst-auditmanymod.h and tst-auditmanymod[1-9].c
 * (CMake gives MOD).  Errors are reported at la_objclose. */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>
#include <unistd.h>

static int errors;

unsigned int la_version(unsigned int version)
{
	return version;
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	struct link_map *cookie_map = (struct link_map *)*cookie;

	(void)lmid;
	printf("info: %d, la_objopen: map=%p name=%s cookie=%p:%p diff=%td\n",
	       MOD, (void *)map, map->l_name, (void *)cookie, (void *)cookie_map,
	       (char *)cookie - (char *)map);
	fflush(stdout);
	if (map != cookie_map) {
		printf("error: %d, la_objopen: map address does not match cookie value\n",
		       MOD);
		fflush(stdout);
		errors++;
	}
	return 0;
}

unsigned int la_objclose(uintptr_t *cookie)
{
	(void)cookie;
	if (errors != 0) {
		printf("error: exiting due to previous errors");
		_exit(1);
	}
	return 0;
}
