/* What the benchmark programs share: a clock and the process's memory. */
#ifndef NSSHARE_BENCH_UTIL_H
#define NSSHARE_BENCH_UTIL_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* KiB of memory the process's memfds hold, mapped or not: the pages of
 * nsshare's images and instance copies live there (shmem), which Rss
 * counts only where a mapping has touched them. */
static inline long memfd_kib(void)
{
	long kib = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		char link[300], target[256];
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(link, target, sizeof target - 1);
		struct stat st;
		if (n <= 0)
			continue;
		target[n] = '\0';
		if (strncmp(target, "/memfd:", 7) == 0 && stat(link, &st) == 0)
			kib += (long)st.st_blocks / 2;
	}
	closedir(d);
	return kib;
}

/* KiB the process holds that no other process could share: its
 * anonymous pages (the copy-on-write pages of data segments included)
 * and its memfds.  A library file's pages in the page cache are not
 * counted, whatever maps them. */
static inline long held_kib(void)
{
	return rollup_kb("Anonymous:") + memfd_kib();
}

#endif
