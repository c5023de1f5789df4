/* Thread safety (nsshare.h: "All of the above may be called from several
 * threads at once").  Eight threads, released together, each do 50
 * rounds of dlmopen + dlsym + call + dlclose:
 *   threads 0-1: dlmopen(LM_ID_NEWLM, X, RTLD_NOW | RTLD_SHARED), so
 *                namespaces are created and destroyed concurrently;
 *   threads 2-5: dlmopen(ns[k], X, RTLD_NOW | RTLD_SHARED), k moving
 *                over four namespaces made beforehand, so that threads
 *                meet in the same namespace;
 *   threads 6-7: a plain dlmopen(ns[0], libm user, RTLD_NOW), which
 *                also gives ns[0] a proxy of libm, concurrently.
 * At most 4 + 2 namespaces are open at once, well inside glibc's 15.
 * Every call must succeed with the right namespaces and results; X's
 * base copy must have counted every call made through a proxy; and
 * afterwards no proxy, no private copy and no namespace is left over. */
#include "it.h"

#include <pthread.h>
#include <stdbool.h>

#define THREADS 8
#define ROUNDS 50
#define NAMESPACES 4
#define MAX_NS 15

#define PLAIN_MOD "libcompat-plain.so"
#define COUNTER_MOD "libcompat-counter.so"
#define MATH_MOD "libcompat-math.so"

typedef int (*int_fn)(void);
typedef double (*hypot_fn)(double, double);

enum role { NEW_SHARED, EXISTING_SHARED, EXISTING_PLAIN };

struct worker {
	pthread_t tid;
	int index;
	enum role role;
	int failures;
	int bumps;       /* calls that reached X through a proxy */
	char first[512]; /* the first failure */
};

static const char *counter_path, *math_path;
static Lmid_t ns[NAMESPACES];
static pthread_barrier_t start;

/* Threads must not touch it.h's counters: they note failures here and
 * the main thread checks them. */
#define FAIL(w, ...)                                                          \
	do {                                                                  \
		if ((w)->failures++ == 0)                                     \
			snprintf((w)->first, sizeof (w)->first, __VA_ARGS__); \
	} while (0)

static bool is_precreated(Lmid_t id)
{
	for (int i = 0; i < NAMESPACES; i++)
		if (ns[i] == id)
			return true;
	return false;
}

static void round_shared(struct worker *w, int round)
{
	Lmid_t target = w->role == NEW_SHARED ? LM_ID_NEWLM
					       : ns[(w->index + round) % NAMESPACES];
	void *h = dlmopen(target, counter_path, RTLD_NOW | RTLD_SHARED);
	if (!h) {
		const char *err = dlerror();
		FAIL(w, "round %d: dlmopen(%ld, X, RTLD_SHARED): %s", round,
		     (long)target, err ? err : "no dlerror");
		return;
	}
	Lmid_t hns = it_handle_ns(h);
	if (w->role == NEW_SHARED ? hns <= 0 || is_precreated(hns) : hns != target)
		FAIL(w, "round %d: handle ns %ld, target %ld", round, (long)hns,
		     (long)target);
	if (it_code_ns(h, "compat_counter_bump") != LM_ID_BASE)
		FAIL(w, "round %d: code ns %ld", round,
		     (long)it_code_ns(h, "compat_counter_bump"));
	int_fn value = (int_fn)dlsym(h, "compat_counter_value");
	int_fn bump = (int_fn)dlsym(h, "compat_counter_bump");
	if (!value || !bump) {
		FAIL(w, "round %d: dlsym through the proxy failed", round);
	} else {
		if (value() != 4242)
			FAIL(w, "round %d: compat_counter_value %d", round, value());
		if (bump() > 0)
			w->bumps++;
	}
	if (dlclose(h) != 0) {
		const char *err = dlerror();
		FAIL(w, "round %d: dlclose: %s", round, err ? err : "no dlerror");
	}
}

static void round_plain(struct worker *w, int round)
{
	void *h = dlmopen(ns[0], math_path, RTLD_NOW);
	if (!h) {
		const char *err = dlerror();
		FAIL(w, "round %d: dlmopen(%ld, math): %s", round, (long)ns[0],
		     err ? err : "no dlerror");
		return;
	}
	if (it_handle_ns(h) != ns[0])
		FAIL(w, "round %d: handle ns %ld", round, (long)it_handle_ns(h));
	if (it_code_ns(h, "compat_math_hypot") != ns[0])
		FAIL(w, "round %d: code ns %ld", round,
		     (long)it_code_ns(h, "compat_math_hypot"));
	hypot_fn fn = (hypot_fn)dlsym(h, "compat_math_hypot");
	if (!fn || fn(3.0, 4.0) != 5.0)
		FAIL(w, "round %d: compat_math_hypot", round);
	if (dlclose(h) != 0) {
		const char *err = dlerror();
		FAIL(w, "round %d: dlclose: %s", round, err ? err : "no dlerror");
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	pthread_barrier_wait(&start);
	for (int round = 0; round < ROUNDS; round++) {
		if (w->role == EXISTING_PLAIN)
			round_plain(w, round);
		else
			round_shared(w, round);
	}
	return NULL;
}

/* X's base copy's counter. */
static int base_counter(void)
{
	void *x = dlopen(counter_path, RTLD_NOW | RTLD_NOLOAD);
	if (!x)
		return -1;
	int_fn get = (int_fn)dlsym(x, "compat_counter_get");
	int value = get ? get() : -1;
	dlclose(x);
	return value;
}

/* How many namespaces can be opened now (opened and closed again). */
static int namespaces_available(const char *path)
{
	void *all[MAX_NS + 1];
	int n = 0;
	while (n <= MAX_NS && (all[n] = dlmopen(LM_ID_NEWLM, path, RTLD_NOW)))
		n++;
	dlerror();
	for (int i = n - 1; i >= 0; i--)
		dlclose(all[i]);
	return n;
}

int main(void)
{
	/* A deadlock is ctest's TIMEOUT (test/CMakeLists.txt), not a clock
	 * of ours: no verdict here depends on speed. */
	const char *plain_path = it_module(PLAIN_MOD);
	counter_path = it_module(COUNTER_MOD);
	math_path = it_module(MATH_MOD);

	/* Every free namespace (15, or 14 beside an LD_AUDIT module's). */
	int available = namespaces_available(plain_path);
	REQUIRE(available > NAMESPACES + 2, "only %d namespaces available", available);

	void *plain[NAMESPACES];
	for (int i = 0; i < NAMESPACES; i++) {
		plain[i] = dlmopen(LM_ID_NEWLM, plain_path, RTLD_NOW);
		REQUIRE(plain[i], "dlmopen(NEWLM, plain): %s", dlerror());
		ns[i] = it_handle_ns(plain[i]);
	}

	struct worker workers[THREADS];
	REQUIRE(pthread_barrier_init(&start, NULL, THREADS) == 0, "barrier");
	for (int i = 0; i < THREADS; i++) {
		workers[i] = (struct worker){
			.index = i,
			.role = i < 2 ? NEW_SHARED : i < 6 ? EXISTING_SHARED
							   : EXISTING_PLAIN,
		};
		REQUIRE(pthread_create(&workers[i].tid, NULL, work, &workers[i]) == 0,
			"pthread_create");
	}
	int bumps = 0;
	for (int i = 0; i < THREADS; i++) {
		pthread_join(workers[i].tid, NULL);
		struct worker *w = &workers[i];
		CHECK(w->failures == 0, "thread %d: %d failures, first: %s", i,
		      w->failures, w->first);
		bumps += w->bumps;
	}
	pthread_barrier_destroy(&start);

	/* Every call through a proxy reached the one base copy. */
	CHECK(bumps == 6 * ROUNDS, "%d calls through proxies, expected %d", bumps,
	      6 * ROUNDS);
	CHECK(base_counter() == bumps, "X's base copy counted %d, threads %d",
	      base_counter(), bumps);

	/* Nothing is left behind in the namespaces, and they still work. */
	for (int i = 0; i < NAMESPACES; i++) {
		void *h = dlmopen(ns[i], counter_path, RTLD_NOW | RTLD_NOLOAD);
		CHECK(!h, "namespace %ld still holds X's proxy", (long)ns[i]);
		h = dlmopen(ns[i], math_path, RTLD_NOW | RTLD_NOLOAD);
		CHECK(!h, "namespace %ld still holds math", (long)ns[i]);
		dlerror();
		int_fn value = (int_fn)dlsym(plain[i], "compat_plain_value");
		CHECK(value && value() == 7001, "namespace %ld: plain", (long)ns[i]);
	}
	for (int i = 0; i < NAMESPACES; i++)
		CHECK(dlclose(plain[i]) == 0, "dlclose(plain): %s", dlerror());

	/* The namespaces the threads created are all gone: as many can be
	 * opened as before the threads ran. */
	int after = namespaces_available(plain_path);
	CHECK(after == available, "%d namespaces available afterwards, %d before",
	      after, available);

	return it_finish();
}
