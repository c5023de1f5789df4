/* libcompat-math.so: a libm user, so that its namespace needs libm. */
#include <math.h>

double compat_math_hypot(double x, double y)
{
	return hypot(x, y);
}
