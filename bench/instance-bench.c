/* Instances past glibc's namespaces (issue 14): time, RSS and memory held
 * (bench_util.h's held_kib: anonymous and memfd pages) per
 * dlmopen(LM_ID_NEWLM) of one library for 1, 16, 100 and 500 handles under
 * nsshare (the first 15 are namespaces, the rest instances), beside stock
 * dlmopen up to where it stops.  Each figure comes from a fresh child
 * process; nothing here is a test.
 *
 *   instance-bench LIBNSSHARE [LIBRARY]     default LIBRARY: libz.so.1 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bench_util.h"

/* In the child: opens up to N handles; prints "opened us rss held", the
 * last two in KiB. */
static int child(const char *lib, int n)
{
	void **h = calloc((size_t)n, sizeof *h);
	long before = rollup_kb("Rss:"), held = held_kib();
	double t0 = now_us();
	int opened = 0;
	while (h && opened < n &&
	       (h[opened] = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW)))
		opened++;
	double t1 = now_us();
	printf("%d %.0f %ld %ld\n", opened, t1 - t0, rollup_kb("Rss:") - before,
	       held_kib() - held);
	return 0;
}

/* Runs a child for N handles, preloading PRELOAD unless NULL. */
static int run(const char *self, const char *preload, const char *lib, int n,
	       int *opened, double *us, long *kib, long *held)
{
	int fds[2];
	if (pipe(fds) < 0)
		return -1;
	pid_t pid = fork();
	if (pid == 0) {
		dup2(fds[1], 1);
		if (preload)
			setenv("LD_PRELOAD", preload, 1);
		else
			unsetenv("LD_PRELOAD");
		char count[16];
		snprintf(count, sizeof count, "%d", n);
		execl(self, self, "--child", lib, count, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	FILE *f = fdopen(fds[0], "r");
	int got = f && fscanf(f, "%d %lf %ld %ld", opened, us, kib, held) == 4;
	if (f)
		fclose(f);
	int status;
	waitpid(pid, &status, 0);
	return got ? 0 : -1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--child") == 0)
		return child(argv[2], atoi(argv[3]));
	if (argc < 2) {
		fprintf(stderr, "usage: %s LIBNSSHARE [LIBRARY]\n", argv[0]);
		return 2;
	}
	const char *lib = argc > 2 ? argv[2] : "libz.so.1";
	char self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
	if (len <= 0)
		return 1;
	self[len] = '\0';
	printf("%s: dlmopen(LM_ID_NEWLM) N times, each N in a fresh process\n\n",
	       lib);
	printf("| run | N asked | opened | time per handle | RSS per handle "
	       "| held per handle |\n");
	printf("|---|---:|---:|---:|---:|---:|\n");
	static const int sizes[] = { 1, 15, 16, 100, 500 };
	double stock_us = 0;
	long stock_kib = 0, stock_held = 0;
	int opened;
	double us;
	long kib, held;
	if (run(self, NULL, lib, 15, &opened, &us, &kib, &held) == 0 &&
	    opened > 0) {
		stock_us = us / opened;
		stock_kib = kib / opened;
		stock_held = held / opened;
		printf("| stock | 15 | %d | %.0f us | %ld KiB | %ld KiB |\n",
		       opened, stock_us, stock_kib, stock_held);
	}
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		if (run(self, argv[1], lib, sizes[i], &opened, &us, &kib,
			&held) != 0 || opened == 0) {
			printf("| nsshare | %d | failed | | | |\n", sizes[i]);
			continue;
		}
		printf("| nsshare | %d | %d | %.0f us (%.2fx stock) | %ld KiB "
		       "(%.2fx stock) | %ld KiB (%.2fx stock) |\n", sizes[i],
		       opened, us / opened,
		       stock_us > 0 ? us / opened / stock_us : 0, kib / opened,
		       stock_kib > 0 ? (double)kib / opened / stock_kib : 0,
		       held / opened,
		       stock_held > 0 ? (double)held / opened / stock_held : 0);
	}
	return 0;
}
