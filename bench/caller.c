/* Loaded by nsshare-bench into the base namespace and into a fresh one:
 * calls a libc function through its PLT, so the figure is the cost of
 * a call from that namespace into the libc it is bound to. */
#include <stdlib.h>

long bench_call_loop(long n);

long bench_call_loop(long n)
{
	unsigned seed = 1;
	long sum = 0;
	for (long i = 0; i < n; i++)
		sum += rand_r(&seed);
	return sum;
}
