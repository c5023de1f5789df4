/* A library with global state, as an FMU or a plugin with globals is: each
 * instance must have its own. */
#include <stdlib.h>
int counter_value;
int counter_ctor_runs;
int *counter_dtor_target; /* set by the test: incremented at unload */

__attribute__((constructor)) static void counter_ctor(void)
{
	counter_ctor_runs++;
}

__attribute__((destructor)) static void counter_dtor(void)
{
	if (counter_dtor_target)
		++*counter_dtor_target;
}

int counter_next(void)
{
	return ++counter_value;
}

/* Memory from the instance's malloc, which the caller frees. */
void *counter_alloc(void)
{
	return malloc(32);
}
