/* libglibc-math.so: needs libm.  Without nsshare a fresh namespace gets a
 * private libm; with nsshare a private libm over the proxied libc could not
 * load (libm binds libc's TLS errno), so loading at all shows that libm is
 * proxied too. */
#include <errno.h>
#include <math.h>

/* Volatile so that the compiler calls libm rather than folding. */
static volatile double zero = 0.0;

void *math_sin_addr(void)
{
	return (void *)&sin;
}

double math_sin(double x)
{
	return sin(x) + cos(x) * 0.0;
}

/* log(0) is a pole error: -HUGE_VAL and errno ERANGE, set by libm in the
 * calling thread's errno. */
double math_log_zero(void)
{
	return log(zero);
}

int *math_errno_addr(void)
{
	return &errno;
}
