/* scan-bench: what nsshare's closure scan adds to a dlmopen, cold (first
 * sight of the files) and cached, against stock glibc's dlmopen of the same
 * library into a fresh namespace, in one run.
 *
 *   scan-bench [LIBRARY...]     (default: libz.so.1 libxml2.so.2)
 *
 * The files of src/ldso.h are compiled in, so that filecache.c's table can
 * be emptied between cold runs. */
#define _GNU_SOURCE
#include "../src/machine.c"
#include "../src/dst.c"
#include "../src/ldcache.c"
#include "../src/elfread.c"
#include "../src/filecache.c"
#include "../src/search.c"
#include "../src/closure.c"

#include <stdarg.h>
#include <sys/wait.h>
#include <time.h>

#include "bench_util.h"

enum { COLD_RUNS = 100, CACHED_RUNS = 2000, DLMOPEN_RUNS = 20 };

void nsshare_error(const char *object, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "scan-bench: %s: ", object);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static void found(const char *path, const char *want, unsigned kind,
		  void *arg)
{
	(void)path;
	(void)want;
	(void)kind;
	++*(unsigned *)arg;
}

static void cache_drop(void)
{
	for (size_t b = 0; b < FILE_BUCKETS; b++) {
		while (file_table[b]) {
			struct file_entry *e = file_table[b];
			file_table[b] = e->next;
			elf_info_free(&e->info);
			free(e);
		}
	}
}

/* Mean time of a closure scan of PATH, with the cache emptied first or not. */
static double scan_us(const char *path, bool cold, int runs)
{
	unsigned n = 0;
	double total = 0;
	for (int i = 0; i < runs; i++) {
		if (cold)
			cache_drop();
		double a = now_us();
		if (nsshare_search_closure(path, NULL, found, &n) != 0)
			return -1;
		total += now_us() - a;
	}
	return total / runs;
}

/* Mean time of stock dlmopen(LM_ID_NEWLM, PATH, RTLD_NOW); the namespace
 * is closed again each time.  A library glibc cannot unload uses up the
 * namespaces: the mean is then over the calls that succeeded. */
static double dlmopen_us(const char *path)
{
	double total = 0;
	int runs = 0;
	for (; runs < DLMOPEN_RUNS; runs++) {
		double a = now_us();
		void *h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW);
		if (!h)
			break;
		total += now_us() - a;
		dlclose(h);
	}
	return runs ? total / runs : -1;
}

int main(int argc, char **argv)
{
	static const char *defaults[] = { "libz.so.1", "libxml2.so.2" };
	const char **libs = argc > 1 ? (const char **)argv + 1 : defaults;
	int nlibs = argc > 1 ? argc - 1 : 2;
	printf("| library | scan cold (us) | scan cached (us) | stock dlmopen (us) "
	       "| cached / dlmopen |\n|---|---:|---:|---:|---:|\n");
	fflush(stdout);
	for (int i = 0; i < nlibs; i++) {
		/* A process each: a library glibc cannot unload would use up
		 * the namespaces of the next one. */
		pid_t pid = fork();
		if (pid > 0) {
			int status;
			waitpid(pid, &status, 0);
			if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
				return 1;
			continue;
		}
		char *path = nsshare_search_resolve(libs[i], NULL);
		if (!path) {
			fprintf(stderr, "scan-bench: %s: not found\n", libs[i]);
			_exit(1);
		}
		double cold = scan_us(path, true, COLD_RUNS);
		double cached = scan_us(path, false, CACHED_RUNS);
		double stock = dlmopen_us(path);
		if (stock < 0)
			printf("| %s | %.0f | %.0f | n/a | n/a |\n", libs[i], cold, cached);
		else
			printf("| %s | %.0f | %.0f | %.0f | %.2fx |\n", libs[i], cold,
			       cached, stock, cached / stock);
		free(path);
		fflush(stdout);
		_exit(0);
	}
	return 0;
}
