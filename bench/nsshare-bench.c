/* nsshare-bench: stock dlmopen against nsshare's, in one run.
 *
 * The program runs itself in pairs of children, one plain and one with
 * LD_PRELOAD=libnsshare.so, one after the other, each child measuring the
 * same things for each library named on the command line, and prints a
 * markdown table with the medians, the ratios nsshare / stock and the
 * range of the ratio over the pairs, so that a noisy machine shows as a
 * wide range rather than as a verdict.  A second table compares, under
 * nsshare, the base namespace with a namespace sharing it: dlsym through
 * the base copy's handle against through its proxy (RTLD_SHARED), and a
 * call into libc from the base against from a namespace (bench/caller.c).
 *
 *   nsshare-bench LIBNSSHARE [LIBRARY[:SYMBOL]...]
 *
 * SYMBOL is a function LIBRARY defines, for the dlsym figures; known
 * libraries have one by default.  Default library: libz.so.1.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nsshare.h>

#include "bench_util.h"

#define MAX_NS 16
#define CYCLES 200
#define LOOKUPS 100000
#define CALLS 1000000
#define RUNS 7

/* Every figure a double, so that runs can be combined field by field. */
#define NFIGURES 13
union figures {
	struct {
		double namespaces;     /* opened before dlmopen failed */
		double rss_kb_per_ns;  /* resident memory each namespace adds */
		double pss_kb_per_ns;  /* the same, shared pages divided by sharers */
		double first_us;       /* the first dlmopen of the process */
		double steady_us;      /* a later dlmopen into a fresh namespace */
		double close_us;       /* dlclose of a namespace's library */
		double close_all_us;   /* the same, with all namespaces open */
		double dlsym_ns;       /* dlsym through the namespace's handle */
		double call_base_ns;   /* a libc call from the base namespace */
		double call_ns_ns;     /* a libc call from a fresh namespace */
		double dlsym_base_ns;  /* dlsym through the base copy's handle */
		double dlsym_proxy_ns; /* dlsym through its proxy (nsshare only) */
		double ok;             /* the run measured what it could */
	};
	double v[NFIGURES];
};

/* Default SYMBOLs. */
static const char *const known_symbols[][2] = {
	{ "libz.so.1", "zlibVersion" },
	{ "libsqlite3.so.0", "sqlite3_libversion" },
	{ "libxml2.so.2", "xmlCheckVersion" },
	{ "libcrypto.so.3", "OpenSSL_version" },
	{ "libcrypto.so.1.1", "OpenSSL_version" },
	{ "libpython3.11.so.1.0", "Py_GetVersion" },
	{ "libpython3.13.so.1.0", "Py_GetVersion" },
	{ "libpython3.9.so.1.0", "Py_GetVersion" },
};

/* Nanoseconds per dlsym(H, SYM). */
static double time_dlsym(void *h, const char *sym)
{
	double a = now_us();
	for (int i = 0; i < LOOKUPS; i++)
		if (!dlsym(h, sym))
			return -1;
	return (now_us() - a) * 1000.0 / LOOKUPS;
}

/* Nanoseconds per libc call from bench/caller.c opened in namespace ID. */
static double time_calls(Lmid_t id)
{
	void *h = id == LM_ID_BASE ? dlopen(BENCH_CALLER, RTLD_NOW)
				   : dlmopen(id, BENCH_CALLER, RTLD_NOW);
	long (*loop)(long) = h ? (long (*)(long))dlsym(h, "bench_call_loop") : NULL;
	if (!loop) {
		fprintf(stderr, "nsshare-bench: %s\n", dlerror());
		return -1;
	}
	loop(CALLS / 10); /* warm */
	double a = now_us();
	volatile long sink = loop(CALLS);
	(void)sink;
	double ns = (now_us() - a) * 1000.0 / CALLS;
	dlclose(h);
	return ns;
}

static void measure(const char *lib, const char *sym, bool nsshare,
		    union figures *fig)
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
	fig->dlsym_ns = time_dlsym(h[0], sym);

	/* Before the namespaces run out: a library glibc cannot unload
	 * (STB_GNU_UNIQUE symbols, DF_1_NODELETE) keeps each one it gets. */
	fig->call_base_ns = time_calls(LM_ID_BASE);
	fig->call_ns_ns = time_calls(LM_ID_NEWLM);

	/* The base copy, and (nsshare) a namespace sharing it. */
	void *base = dlopen(lib, RTLD_NOW);
	fig->dlsym_base_ns = base ? time_dlsym(base, sym) : -1;
	fig->dlsym_proxy_ns = -1;
	if (base && nsshare) {
		void *proxy = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW | RTLD_SHARED);
		if (proxy) {
			fig->dlsym_proxy_ns = time_dlsym(proxy, sym);
			dlclose(proxy);
		}
	}
	if (base)
		dlclose(base);

	long rss0 = rollup_kb("Rss:"), pss0 = rollup_kb("Pss:");
	int n = 1;
	/* Namespaces only: past glibc's, nsshare gives instances
	 * (instance-bench measures those). */
	while (n < MAX_NS && (h[n] = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW))) {
		Lmid_t id = 0;
		if (dlinfo(h[n], RTLD_DI_LMID, &id) == 0 && id >= NSSHARE_INSTANCE_FIRST) {
			dlclose(h[n]);
			break;
		}
		n++;
	}
	dlerror();
	fig->namespaces = n;
	/* What each namespace after the first adds. */
	if (n > 1) {
		fig->rss_kb_per_ns = (double)(rollup_kb("Rss:") - rss0) / (n - 1);
		fig->pss_kb_per_ns = (double)(rollup_kb("Pss:") - pss0) / (n - 1);
	}
	/* Closing them all, the last first, as a program ends. */
	double c0 = now_us();
	for (int i = n - 1; i >= 1; i--)
		dlclose(h[i]);
	fig->close_all_us = n > 1 ? (now_us() - c0) / (n - 1) : -1;

	/* Steady state: a fresh namespace each time, one kept open.  A
	 * library that cannot be unloaded uses up the namespaces: then there
	 * is no figure. */
	double open_total = 0, close_total = 0;
	int cycles = 0;
	for (; cycles < CYCLES; cycles++) {
		double a = now_us();
		void *x = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW);
		double b = now_us();
		if (!x)
			break;
		/* Past glibc's namespaces nsshare gives an instance, which is
		 * no figure of a namespace's. */
		Lmid_t id = 0;
		if (dlinfo(x, RTLD_DI_LMID, &id) == 0 && id >= NSSHARE_INSTANCE_FIRST) {
			dlclose(x);
			break;
		}
		dlclose(x);
		close_total += now_us() - b;
		open_total += b - a;
	}
	dlerror();
	fig->steady_us = cycles == CYCLES ? open_total / cycles : -1;
	fig->close_us = cycles == CYCLES ? close_total / cycles : -1;
	dlclose(h[0]);
	fig->ok = 1;
}

/* This program in MODE ("stock" or "nsshare") in a child: its figures. */
static int run_child(const char *self, const char *mode, const char *preload,
		     const char *lib, const char *sym, union figures *fig)
{
	const char *args[] = { mode, lib, sym };
	return bench_child(self, preload, args, 3, fig, sizeof *fig);
}

/* RUNS pairs of children, stock's and nsshare's (PRELOAD) one after the
 * other, so that a machine that slows down or speeds up meanwhile moves
 * both alike.  STOCK and NS get the median of each figure (the first
 * dlmopen happens once per process: one process gives one sample), LO and
 * HI the lowest and highest ratio nsshare / stock of one pair. */
static int run_pairs(const char *self, const char *preload, const char *lib,
		     const char *sym, union figures *stock, union figures *ns,
		     union figures *lo, union figures *hi)
{
	union figures s[RUNS], n[RUNS];
	for (int r = 0; r < RUNS; r++)
		if (run_child(self, "stock", NULL, lib, sym, &s[r]) ||
		    run_child(self, "nsshare", preload, lib, sym, &n[r]))
			return -1;
	for (int f = 0; f < NFIGURES; f++) {
		double vs[RUNS], vn[RUNS], ratio[RUNS];
		for (int r = 0; r < RUNS; r++) {
			vs[r] = s[r].v[f];
			vn[r] = n[r].v[f];
			ratio[r] = vs[r] > 0 && vn[r] >= 0 ? vn[r] / vs[r] : -1;
		}
		qsort(vs, RUNS, sizeof *vs, bench_cmp_double);
		qsort(vn, RUNS, sizeof *vn, bench_cmp_double);
		qsort(ratio, RUNS, sizeof *ratio, bench_cmp_double);
		stock->v[f] = vs[RUNS / 2];
		ns->v[f] = vn[RUNS / 2];
		lo->v[f] = ratio[0];
		hi->v[f] = ratio[RUNS - 1];
	}
	return 0;
}

/* A table row; a negative figure was not measured.  LO and HI, the range
 * of the ratio over the runs, are left out when negative. */
static void row(const char *what, double stock, double ns, double lo,
		double hi, const char *fmt)
{
	char a[32], b[32], r[32] = "n/a", range[40] = "";
	bench_pair(stock, ns, fmt, a, b, r);
	if (lo >= 0 && hi >= 0)
		snprintf(range, sizeof range, "%.2f-%.2fx", lo, hi);
	printf("| %-34s | %10s | %10s | %8s | %12s |\n", what, a, b, r, range);
}

/* Splits ARG, "LIBRARY[:SYMBOL]", into LIB (a buffer of LIBSZ bytes) and
 * the symbol for the dlsym figures. */
static const char *lib_and_symbol(const char *arg, char *lib, size_t libsz)
{
	snprintf(lib, libsz, "%s", arg);
	char *colon = strchr(lib, ':');
	if (colon) {
		*colon = '\0';
		return colon + 1;
	}
	for (size_t i = 0; i < sizeof known_symbols / sizeof *known_symbols; i++)
		if (strcmp(known_symbols[i][0], lib) == 0)
			return known_symbols[i][1];
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[1], "--child") == 0) {
		union figures fig;
		measure(argv[4], argv[5], strcmp(argv[3], "nsshare") == 0, &fig);
		int fd = atoi(argv[2]);
		return write(fd, &fig, sizeof fig) == (ssize_t)sizeof fig &&
			       fig.namespaces > 0 ? 0 : 1;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: %s LIBNSSHARE [LIBRARY[:SYMBOL]...]\n",
			argv[0]);
		return 2;
	}
	char self[4096];
	if (!bench_self(self, sizeof self))
		return 1;
	const char *defaults[] = { "libz.so.1" };
	const char **args = argc > 2 ? (const char **)argv + 2 : defaults;
	int nargs = argc > 2 ? argc - 2 : 1;
	for (int i = 0; i < nargs; i++) {
		char lib[256];
		const char *sym = lib_and_symbol(args[i], lib, sizeof lib);
		if (!sym) {
			fprintf(stderr, "nsshare-bench: %s: name a function it "
				"defines: %s:SYMBOL\n", lib, lib);
			return 2;
		}
		union figures stock, ns, lo, hi;
		if (run_pairs(self, argv[1], lib, sym, &stock, &ns, &lo, &hi)) {
			fprintf(stderr, "nsshare-bench: %s: a run failed\n", lib);
			return 1;
		}
		printf("\n%s: stock dlmopen against nsshare (medians of %d runs "
		       "each, interleaved; %d dlmopen/dlclose cycles a run; the "
		       "range is the ratio's over the runs)\n\n", lib, RUNS, CYCLES);
		printf("| %-34s | %10s | %10s | %8s | %12s |\n", "", "stock",
		       "nsshare", "ratio", "range");
		printf("|%s|%s|%s|%s|%s|\n", "------------------------------------",
		       "-----------:", "-----------:", "---------:", "-------------:");
#define FIGURE(what, field, fmt) \
	row(what, stock.field, ns.field, lo.field, hi.field, fmt)
		FIGURE("namespaces opened (of 15)", namespaces, "%.0f");
		FIGURE("RSS per namespace (KiB)", rss_kb_per_ns, "%.0f");
		FIGURE("PSS per namespace (KiB)", pss_kb_per_ns, "%.0f");
		FIGURE("first dlmopen (us)", first_us, "%.0f");
		FIGURE("steady dlmopen (us)", steady_us, "%.0f");
		FIGURE("dlclose (us)", close_us, "%.0f");
		FIGURE("dlclose, all namespaces open (us)", close_all_us, "%.0f");
		FIGURE("dlsym through the handle (ns)", dlsym_ns, "%.0f");
		FIGURE("libc call from a namespace (ns)", call_ns_ns, "%.1f");
#undef FIGURE

		printf("\n%s under nsshare: the base namespace against a "
		       "namespace sharing it\n\n", lib);
		printf("| %-34s | %10s | %10s | %8s | %12s |\n", "", "base",
		       "namespace", "ratio", "");
		printf("|%s|%s|%s|%s|%s|\n", "------------------------------------",
		       "-----------:", "-----------:", "---------:", "-------------:");
		row("dlsym: base copy / proxy (ns)", ns.dlsym_base_ns,
		    ns.dlsym_proxy_ns, -1, -1, "%.0f");
		row("libc call (ns)", ns.call_base_ns, ns.call_ns_ns, -1, -1, "%.1f");
	}
	return 0;
}
