/* What the benchmark programs share: a clock and the process's memory. */
#ifndef NSSHARE_BENCH_UTIL_H
#define NSSHARE_BENCH_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Microseconds on the monotonic clock. */
static inline double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* FIELD ("Rss:", "Pss:") of /proc/self/smaps_rollup in KiB, or 0. */
static inline long rollup_kb(const char *field)
{
	long kb = 0;
	char line[256];
	FILE *f = fopen("/proc/self/smaps_rollup", "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, strlen(field)) == 0)
			kb = atol(line + strlen(field));
	fclose(f);
	return kb;
}

#endif
