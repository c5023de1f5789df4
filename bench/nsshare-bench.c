/* nsshare-bench: stock dlmopen against nsshare's, in one run.
 *
 * The program runs itself twice, once plain and once with
 * LD_PRELOAD=libnsshare.so, each child measuring the same things for each
 * library named on the command line, and prints a markdown table with the
 * ratios nsshare / stock.
 *
 *   nsshare-bench LIBNSSHARE [LIBRARY...]      (default library: libz.so.1)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NS 16
#define CYCLES 200

struct figures {
	int namespaces;        /* opened before dlmopen failed */
	double rss_kb_per_ns;  /* resident memory each namespace adds */
	double first_us;       /* the first dlmopen of the process */
	double steady_us;      /* a later dlmopen into a fresh namespace */
	double close_us;       /* dlclose of a namespace's library */
	double dlsym_ns;       /* dlsym through the namespace's handle */
};

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long rss_kb(void)
{
	long pages = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

static void measure(const char *lib, struct figures *fig)
{
	void *h[MAX_NS];
	memset(fig, 0, sizeof *fig);

	double t0 = now_us();
	h[0] = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW);
	fig->first_us = now_us() - t0;
	if (!h[0]) {
		fprintf(stderr, "nsshare-bench: %s\n", dlerror());
		return;
	}
	long rss0 = rss_kb();
	int n = 1;
	while (n < MAX_NS && (h[n] = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW)))
		n++;
	dlerror();
	fig->namespaces = n;
	/* What each namespace after the first adds. */
	if (n > 1)
		fig->rss_kb_per_ns = (double)(rss_kb() - rss0) / (n - 1);
	for (int i = 1; i < n; i++)
		dlclose(h[i]);

	/* Steady state: a fresh namespace each time, one kept open.  A
	 * library that cannot be unloaded (STB_GNU_UNIQUE symbols make glibc
	 * pin it) uses up the namespaces: then there is no figure. */
	double open_total = 0, close_total = 0;
	int cycles = 0;
	for (; cycles < CYCLES; cycles++) {
		double a = now_us();
		void *x = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW);
		double b = now_us();
		if (!x)
			break;
		dlclose(x);
		close_total += now_us() - b;
		open_total += b - a;
	}
	dlerror();
	fig->steady_us = cycles == CYCLES ? open_total / cycles : -1;
	fig->close_us = cycles == CYCLES ? close_total / cycles : -1;

	const int lookups = 100000;
	double a = now_us();
	for (int i = 0; i < lookups; i++)
		if (!dlsym(h[0], "malloc") && !dlsym(h[0], "zlibVersion"))
			break;
	fig->dlsym_ns = (now_us() - a) * 1000.0 / lookups;
	dlclose(h[0]);
}

/* Runs this program with MODE ("stock" or "nsshare") in a child and reads
 * its figures back through a pipe. */
static int run_child(const char *self, const char *mode, const char *preload,
		     const char *lib, struct figures *fig)
{
	int fds[2];
	if (pipe(fds) < 0)
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
		execl(self, self, "--child", mode, fd, lib, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	ssize_t got = read(fds[0], fig, sizeof *fig);
	close(fds[0]);
	int status;
	waitpid(pid, &status, 0);
	return got == (ssize_t)sizeof *fig && WIFEXITED(status) &&
			       WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* A table row; a negative figure was not measured. */
static void row(const char *what, double stock, double ns, const char *fmt)
{
	char a[32] = "n/a", b[32] = "n/a", r[32] = "n/a";
	if (stock >= 0)
		snprintf(a, sizeof a, fmt, stock);
	if (ns >= 0)
		snprintf(b, sizeof b, fmt, ns);
	if (stock > 0 && ns >= 0)
		snprintf(r, sizeof r, "%.2fx", ns / stock);
	printf("| %-34s | %10s | %10s | %8s |\n", what, a, b, r);
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--child") == 0) {
		struct figures fig;
		measure(argv[4], &fig);
		int fd = atoi(argv[3]);
		return write(fd, &fig, sizeof fig) == (ssize_t)sizeof fig &&
			       fig.namespaces > 0 ? 0 : 1;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s LIBNSSHARE [LIBRARY...]\n", argv[0]);
		return 2;
	}
	char self[4096];
	ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
	if (n <= 0)
		return 1;
	self[n] = '\0';
	const char *defaults[] = { "libz.so.1" };
	const char **libs = argc > 2 ? (const char **)argv + 2 : defaults;
	int nlibs = argc > 2 ? argc - 2 : 1;
	for (int i = 0; i < nlibs; i++) {
		struct figures stock, ns;
		if (run_child(self, "stock", NULL, libs[i], &stock) ||
		    run_child(self, "nsshare", argv[1], libs[i], &ns)) {
			fprintf(stderr, "nsshare-bench: %s: a run failed\n", libs[i]);
			return 1;
		}
		printf("\n%s, %d dlmopen/dlclose cycles\n\n", libs[i], CYCLES);
		printf("| %-34s | %10s | %10s | %8s |\n", "", "stock", "nsshare",
		       "ratio");
		printf("|%s|%s|%s|%s|\n", "------------------------------------",
		       "-----------:", "-----------:", "---------:");
		row("namespaces opened (of 15)", stock.namespaces, ns.namespaces, "%.0f");
		row("RSS per namespace (KiB)", stock.rss_kb_per_ns, ns.rss_kb_per_ns, "%.0f");
		row("first dlmopen (us)", stock.first_us, ns.first_us, "%.0f");
		row("steady dlmopen (us)", stock.steady_us, ns.steady_us, "%.0f");
		row("dlclose (us)", stock.close_us, ns.close_us, "%.0f");
		row("dlsym through the handle (ns)", stock.dlsym_ns, ns.dlsym_ns, "%.0f");
	}
	return 0;
}
