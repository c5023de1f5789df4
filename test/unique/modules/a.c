/* A: an untagged library with a DT_NEEDED on one of the mod.c builds.
 * Its references to mod_counter and mod_bump go wherever the namespace's
 * loader bound them: a private copy, or the base copy through a proxy. */
#include <stdlib.h>

#include "mod.h"

void *a_counter_addr(void)
{
	return &mod_counter;
}

void *a_bump_addr(void)
{
	return (void *)&mod_bump;
}

int a_bump(void)
{
	return mod_bump();
}

void *a_free_addr(void)
{
	return (void *)&free;
}
