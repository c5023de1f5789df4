/* scale-bench: how nsshare's costs grow against stock's, with the number
 * of namespaces and with the size of a library's closure.
 *
 *   scale-bench LIBNSSHARE
 *
 * The closures are links of a chain of 40 small libraries built beside
 * this program (libbench-chainN.so needs chainN+1): opening chain40 loads
 * 1 object, chain31 10 and chain1 40, each with libc.  For each closure
 * and for 1, 4 and 15 namespaces, pairs of children (one stock, one with
 * LIBNSSHARE preloaded) open that many namespaces of the library, one
 * after the other, and report the first dlmopen, the mean of the later
 * ones, the mean dlclose (all closed at the end, the last first) and the
 * RSS each namespace adds.  Stock cannot open 15 (static TLS runs out
 * at 11): n/a.  Medians of RUNS pairs; the ratio is of the medians. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"

#define RUNS 5
#define MAX_NS 15

struct scale {
	double opened, first_us, later_us, close_us, rss_kib;
};

static void measure(const char *lib, int want, struct scale *s)
{
	void *h[MAX_NS];
	memset(s, 0, sizeof *s);
	long rss0 = rollup_kb("Rss:");
	double later = 0;
	int n = 0;
	for (; n < want; n++) {
		double a = now_us();
		h[n] = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW);
		double t = now_us() - a;
		if (!h[n])
			break;
		if (n == 0)
			s->first_us = t;
		else
			later += t;
	}
	s->opened = n;
	s->later_us = n > 1 ? later / (n - 1) : -1;
	s->rss_kib = n ? (double)(rollup_kb("Rss:") - rss0) / n : -1;
	double a = now_us();
	for (int i = n - 1; i >= 0; i--)
		dlclose(h[i]);
	s->close_us = n ? (now_us() - a) / n : -1;
}

static int child(const char *self, const char *preload, const char *lib,
		 int want, struct scale *s)
{
	char n[16];
	snprintf(n, sizeof n, "%d", want);
	const char *args[] = { lib, n };
	return bench_child(self, preload, args, 2, s, sizeof *s);
}

/* Field by field, the median of RUNS; -1 where a run fell short of WANT
 * namespaces (a figure stock cannot give). */
static void median(struct scale *runs, int want, struct scale *m)
{
	double *f = (double *)m;
	for (size_t k = 0; k < sizeof *m / sizeof(double); k++) {
		double v[RUNS];
		bool full = true;
		for (int r = 0; r < RUNS; r++) {
			v[r] = ((double *)&runs[r])[k];
			full &= runs[r].opened == want;
		}
		qsort(v, RUNS, sizeof *v, bench_cmp_double);
		f[k] = full || k == 0 ? v[RUNS / 2] : -1;
	}
}

static void cell(double stock, double ns, const char *fmt)
{
	char a[32], b[32], r[32] = "";
	bench_pair(stock, ns, fmt, a, b, r);
	printf(" %s / %s%s%s%s |", a, b, *r ? " (" : "", r, *r ? ")" : "");
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "--child") == 0) {
		struct scale s;
		measure(argv[3], atoi(argv[4]), &s);
		return write(atoi(argv[2]), &s, sizeof s) == (ssize_t)sizeof s ? 0 : 1;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s LIBNSSHARE\n", argv[0]);
		return 2;
	}
	char self[4096];
	if (!bench_self(self, sizeof self))
		return 1;
	char dir[4096];
	snprintf(dir, sizeof dir, "%s", self);
	*strrchr(dir, '/') = '\0';
	static const int closures[] = { 1, 10, 40 }, namespaces[] = { 1, 4, 15 };
	printf("Stock / nsshare (ratio); medians of %d pairs of processes, "
	       "interleaved.\n\n", RUNS);
	printf("| closure | namespaces | first dlmopen (us) | later dlmopen (us) "
	       "| dlclose (us) | RSS per namespace (KiB) |\n");
	printf("|---:|---:|---:|---:|---:|---:|\n");
	for (size_t c = 0; c < 3; c++) {
		char lib[4200];
		snprintf(lib, sizeof lib, "%s/libbench-chain%d.so", dir,
			 41 - closures[c]);
		for (size_t k = 0; k < 3; k++) {
			int want = namespaces[k];
			struct scale s[RUNS], n[RUNS], ms, mn;
			for (int r = 0; r < RUNS; r++)
				if (child(self, NULL, lib, want, &s[r]) ||
				    child(self, argv[1], lib, want, &n[r])) {
					fprintf(stderr, "scale-bench: %s: a run "
						"failed\n", lib);
					return 1;
				}
			median(s, want, &ms);
			median(n, want, &mn);
			printf("| %d | %d |", closures[c], want);
			cell(ms.first_us, mn.first_us, "%.0f");
			cell(want > 1 ? ms.later_us : -1, want > 1 ? mn.later_us : -1,
			     "%.0f");
			cell(ms.close_us, mn.close_us, "%.0f");
			cell(ms.rss_kib, mn.rss_kib, "%.0f");
			printf("\n");
		}
	}
	return 0;
}
