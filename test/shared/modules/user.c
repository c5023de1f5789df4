/* libshared-user.so: the object Y of the RTLD_SHARED tests.  It is linked
 * against libshared-counter.so (DT_NEEDED on its SONAME, found through
 * RUNPATH), so loaded into a namespace that holds a proxy of the counter
 * it binds to the base copy, and loaded anywhere else it drags in a
 * private copy.  Each function reports what Y's own bindings resolved to. */
#include "counter.h"

int *user_counter_addr(void)
{
	return shared_counter_addr();
}

/* &shared_counter as Y's GOT holds it. */
int *user_counter_var(void)
{
	return &shared_counter;
}

int user_bump(void)
{
	return shared_counter_bump();
}

void *user_counter_fn(void)
{
	return (void *)&shared_counter_addr;
}

/* Y was linked against shared_foo@@V2. */
int user_foo(void)
{
	return shared_foo();
}

void *user_foo_fn(void)
{
	return (void *)&shared_foo;
}
