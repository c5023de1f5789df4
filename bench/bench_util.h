/* What the benchmark programs share: a clock and the process's memory. */
#ifndef NSSHARE_BENCH_UTIL_H
#define NSSHARE_BENCH_UTIL_H

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* STOCK and NS formatted with FMT into A and B, "n/a" where negative
 * (not measured), and their ratio into R ("%.2fx"), left as it is where
 * there is none.  Each buffer holds 32 bytes. */
static inline void bench_pair(double stock, double ns, const char *fmt,
			      char a[32], char b[32], char r[32])
{
	snprintf(a, 32, "n/a");
	snprintf(b, 32, "n/a");
	if (stock >= 0)
		snprintf(a, 32, fmt, stock);
	if (ns >= 0)
		snprintf(b, 32, fmt, ns);
	if (stock > 0 && ns >= 0)
		snprintf(r, 32, "%.2fx", ns / stock);
}

/* This program's path into SELF (SIZE bytes); false when unknown. */
static inline bool bench_self(char *self, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", self, size - 1);
	if (n <= 0)
		return false;
	self[n] = '\0';
	return true;
}

/* Runs SELF --child FD ARG... (NARGS of them) with LD_PRELOAD=PRELOAD, or
 * without LD_PRELOAD when PRELOAD is NULL, and reads the SIZE bytes of
 * figures the child writes to FD into OUT.  0 when it wrote them all and
 * exited 0. */
static inline int bench_child(const char *self, const char *preload,
			      const char *const *args, size_t nargs, void *out,
			      size_t size)
{
	int fds[2];
	if (nargs > 8 || pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		close(fds[0]);
		char fd[16];
		snprintf(fd, sizeof fd, "%d", fds[1]);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		const char *argv[12] = { self, "--child", fd };
		for (size_t i = 0; i < nargs; i++)
			argv[3 + i] = args[i];
		execv(self, (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	ssize_t got = read(fds[0], out, size);
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return got == (ssize_t)size && WIFEXITED(status) &&
			       WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* For qsort of doubles. */
static inline int bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

#endif
