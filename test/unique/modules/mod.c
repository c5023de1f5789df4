/* A library with a bit of state, a function and a libc binding: which
 * copy of it a namespace uses shows in all three. */
#include <stdlib.h>

#include "mod.h"

int mod_counter;

int mod_bump(void)
{
	return ++mod_counter;
}

void *mod_free_addr(void)
{
	return (void *)&free;
}
