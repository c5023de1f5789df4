/* Issue 11: 10,000 open/close cycles of each kind leave nothing behind.
 *   1. dlmopen(LM_ID_NEWLM, plain) + dlclose: a namespace, with nsshare's
 *      proxies of glibc, made and ended each time;
 *   2. dlmopen(LM_ID_NEWLM, X, RTLD_SHARED) + dlclose: the same with a
 *      proxy of X;
 *   3. dlmopen(N, X, RTLD_SHARED) + dlclose in an existing namespace N.
 * After a warm-up (what the process keeps: proxy images, nsshare's tables,
 * malloc's arenas), the descriptors, the mappings and the bytes in use on
 * the heap must be what they were, and the mapped size and the resident
 * set may grow by MEM_SLACK at most.  No verdict depends on time.
 *
 * Under valgrind (scripts/valgrind.sh runs every linked program) the
 * loops are cut short: valgrind's own leak report is the verdict there.
 * Under valgrind and ASan the mapped size, the resident set and the heap
 * are their allocators', not glibc's: only descriptors and mappings are
 * counted. */
#include "shared_util.h"

#include <unistd.h>

#define CYCLES 10000
#define WARMUP 200
#define VALGRIND_CYCLES 300
/* Bytes the mapped size and the resident set may grow by: malloc's top
 * moves in steps of 132 KiB, its free lists by a few pages (64 KiB at
 * most measured); a leak of 64 bytes a cycle is 640 KiB, of a page a
 * cycle 40 MB. */
#define MEM_SLACK (512 * 1024L)
/* Bytes in use on glibc's heap may move by what the last cycle's
 * dlerror() state and nsshare's caches hold; the same 64-byte leak a
 * cycle would be 640 KiB. */
#define HEAP_SLACK (16 * 1024L)

typedef int (*int_fn)(void);

struct usage {
	long vm, rss; /* bytes: mapped, resident */
	long heap; /* bytes in use on glibc's heap, 0 under another malloc */
	int fds, maps;
};

static struct usage usage_now(void)
{
	struct usage u = { -1, -1, (long)it_malloc_in_use(), count_fds(),
			   count_maps() };
	/* In pages: the mapped size and the resident set. */
	FILE *f = fopen("/proc/self/statm", "r");
	if (f) {
		if (fscanf(f, "%ld %ld", &u.vm, &u.rss) == 2) {
			u.vm *= sysconf(_SC_PAGESIZE);
			u.rss *= sysconf(_SC_PAGESIZE);
		}
		fclose(f);
	}
	return u;
}

static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");
	return preload && strstr(preload, "vgpreload");
}

/* The sizes say something only with glibc's malloc: ASan's keeps freed
 * blocks in its quarantine (256 MB), valgrind's maps arenas of its own. */
static bool glibc_malloc(void)
{
#ifdef __SANITIZE_ADDRESS__
	return false;
#else
	return !under_valgrind();
#endif
}

/* Which loop, and its state. */
struct loop {
	const char *what;
	Lmid_t target; /* LM_ID_NEWLM or an existing namespace */
	const char *path;
	int mode;
	const char *check_sym; /* a function that returns CHECK_VALUE */
	int check_value;
	int failures;
	char first[512];
};

static void one_cycle(struct loop *l, int i)
{
	void *h = dlmopen(l->target, l->path, l->mode);
	if (!h) {
		const char *err = dlerror();
		if (!l->failures++)
			snprintf(l->first, sizeof l->first, "cycle %d: dlmopen: %s",
				 i, err ? err : "no dlerror");
		return;
	}
	Lmid_t ns = it_handle_ns(h);
	int_fn fn = (int_fn)dlsym(h, l->check_sym);
	bool right = l->target == LM_ID_NEWLM ? ns > 0 : ns == l->target;
	if (!right || !fn || fn() != l->check_value) {
		if (!l->failures++)
			snprintf(l->first, sizeof l->first,
				 "cycle %d: handle ns %ld, %s %s", i, (long)ns,
				 l->check_sym, fn ? "wrong" : "missing");
	}
	if (dlclose(h) != 0) {
		const char *err = dlerror();
		if (!l->failures++)
			snprintf(l->first, sizeof l->first, "cycle %d: dlclose: %s",
				 i, err ? err : "no dlerror");
	}
}

static void run_loop(struct loop *l, int cycles)
{
	int warmup = cycles < WARMUP ? cycles / 2 : WARMUP, i = 0;
	for (; i < warmup; i++)
		one_cycle(l, i);
	struct usage before = usage_now();
	for (; i < cycles; i++)
		one_cycle(l, i);
	struct usage after = usage_now();

	CHECK(l->failures == 0, "%s: %d of %d cycles failed, first: %s", l->what,
	      l->failures, cycles, l->first);
	fprintf(stderr, "%s: %d cycles; after %d: vm %ld KiB, rss %ld KiB, heap "
		"%ld, fds %d, maps %d; at the end: vm %ld KiB, rss %ld KiB, heap "
		"%ld, fds %d, maps %d\n", l->what, cycles, warmup, before.vm / 1024,
		before.rss / 1024, before.heap, before.fds, before.maps,
		after.vm / 1024, after.rss / 1024, after.heap, after.fds,
		after.maps);
	CHECK(after.fds == before.fds, "%s: %d descriptors, %d after the warm-up",
	      l->what, after.fds, before.fds);
	CHECK(after.maps <= before.maps, "%s: %d mappings, %d after the warm-up",
	      l->what, after.maps, before.maps);
	if (!glibc_malloc())
		return;
	/* Adjacent anonymous mappings merge into one line of the maps: the
	 * mapped size shows what the count does not. */
	CHECK(before.vm > 0 && after.vm - before.vm <= MEM_SLACK,
	      "%s: %ld KiB mapped, %ld KiB after the warm-up", l->what,
	      after.vm / 1024, before.vm / 1024);
	CHECK(before.rss > 0 && after.rss - before.rss <= MEM_SLACK,
	      "%s: resident set grew by %ld KiB (from %ld KiB), more than %ld",
	      l->what, (after.rss - before.rss) / 1024, before.rss / 1024,
	      MEM_SLACK / 1024);
	CHECK(after.heap - before.heap <= HEAP_SLACK,
	      "%s: heap in use grew by %ld bytes (from %ld), more than %ld",
	      l->what, after.heap - before.heap, before.heap, HEAP_SLACK);
}

int main(void)
{
	int cycles = under_valgrind() ? VALGRIND_CYCLES : CYCLES;
	const char *plain = module_path(PLAIN_MOD), *x = module_path(COUNTER_MOD);

	void *n = dlmopen(LM_ID_NEWLM, plain, RTLD_NOW);
	REQUIRE(n, "dlmopen(LM_ID_NEWLM, plain): %s", dlerror());
	int available = namespaces_available();

	struct loop loops[] = {
		{ "fresh namespace", LM_ID_NEWLM, plain, RTLD_NOW, "plain_count_objects",
		  0, 0, "" },
		{ "fresh namespace, RTLD_SHARED", LM_ID_NEWLM, x,
		  RTLD_NOW | RTLD_SHARED, "shared_counter_get", 0, 0, "" },
		{ "existing namespace, RTLD_SHARED", it_handle_ns(n), x,
		  RTLD_NOW | RTLD_SHARED, "shared_counter_get", 0, 0, "" },
	};
	/* plain's namespace holds plain and the proxies: its object count
	 * is what a fresh namespace has every time. */
	int_fn count = (int_fn)dlsym(n, "plain_count_objects");
	REQUIRE(count, "plain_count_objects: %s", dlerror());
	loops[0].check_value = count();
	for (size_t i = 0; i < sizeof loops / sizeof loops[0]; i++)
		run_loop(&loops[i], cycles);

	CHECK(namespaces_available() == available,
	      "%d namespaces can be opened, %d before the loops",
	      namespaces_available(), available);
	CHECK(dlclose(n) == 0, "dlclose(plain): %s", dlerror());
	return it_finish();
}
