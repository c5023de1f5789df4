/* libshared-counter.so: see counter.h. */
#include "counter.h"

int shared_counter;

int *shared_counter_addr(void)
{
	return &shared_counter;
}

int shared_counter_bump(void)
{
	return ++shared_counter;
}

int shared_counter_get(void)
{
	return shared_counter;
}

/* The old, hidden version: only dlvsym(h, "shared_foo", "V1") and objects
 * linked against V1 reach it. */
__attribute__((symver("shared_foo@V1"))) int shared_foo_v1(void)
{
	return 1;
}

__attribute__((symver("shared_foo@@V2"))) int shared_foo_v2(void)
{
	return 2;
}
