/* libshared-counter.so: the object X of the RTLD_SHARED tests.
 *
 * It holds one global counter, so a test can tell which copy of X a
 * binding landed in by comparing the counter's address, and it defines
 * shared_foo in two versions (shared_foo@V1 hidden, shared_foo@@V2 the
 * default) so that dlvsym and versioned bindings through a proxy can be
 * checked against the base copy. */
#ifndef SHARED_COUNTER_H
#define SHARED_COUNTER_H

extern int shared_counter;

int *shared_counter_addr(void);
int shared_counter_bump(void);
int shared_counter_get(void);

/* shared_foo@V1 returns 1, shared_foo@@V2 returns 2. */
int shared_foo(void);

#endif
