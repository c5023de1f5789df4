/* libglibc-gmod-a.so: made global in its namespace by dlopen(RTLD_GLOBAL)
 * from inside it; it uses libm, so its closure holds a glibc proxy. */
#include <math.h>

int gmod_a_value(void)
{
	return 42;
}

/* A libm call that the compiler cannot fold. */
double gmod_a_sqrt(double x)
{
	return sqrt(x);
}
