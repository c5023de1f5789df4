/* libcompat-counter.so: X, the library the tests share.  Its counter is
 * one per loaded copy, so a count tells which copy the calls reached. */
#include <stdatomic.h>

static atomic_int counter;

int compat_counter_value(void)
{
	return 4242;
}

/* Safe from many threads at once. */
int compat_counter_bump(void)
{
	return atomic_fetch_add(&counter, 1) + 1;
}

int compat_counter_get(void)
{
	return atomic_load(&counter);
}
