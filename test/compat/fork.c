/* fork() (nsshare.h: "may be called ... after fork()").
 *
 * 1. After namespaces with proxies exist, a child opens a fresh namespace
 *    with RTLD_SHARED and a plain one, reuses the namespaces made before
 *    the fork (the proxy of X there, a plain libm user added to one), calls
 *    into all of them, closes them and exits normally (atexit, destructors).
 *    The parent goes on opening namespaces afterwards.
 * 2. fork() while another thread loops over dlmopen/dlclose (plain and
 *    RTLD_SHARED, fresh and existing namespaces): each child makes one
 *    RTLD_SHARED dlmopen, calls through it and leaves.  A child that hangs
 *    (a lock inherited held) is killed by alarm() after CHILD_SECONDS,
 *    for work that takes milliseconds: the parent sees SIGALRM and fails.
 *    A hang of the parent is ctest's TIMEOUT. */
#include "it.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAIN_MOD "libcompat-plain.so"
#define COUNTER_MOD "libcompat-counter.so"
#define MATH_MOD "libcompat-math.so"
#define FORKS 40
#define CHILD_SECONDS 60

typedef int (*int_fn)(void);
typedef char *(*dup_fn)(const char *);
typedef double (*hypot_fn)(double, double);

static const char *plain_path, *counter_path, *math_path;

/* Checks that WAIT_STATUS is a normal exit with status 0. */
static void check_child(const char *what, int wait_status)
{
	if (WIFSIGNALED(wait_status))
		CHECK(false, "%s: child killed by signal %d%s", what,
		      WTERMSIG(wait_status),
		      WTERMSIG(wait_status) == SIGALRM ? " (deadlock)" : "");
	else
		CHECK(WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0,
		      "%s: child exit status %d", what, WEXITSTATUS(wait_status));
}

/* ---- 1. fork with namespaces and proxies in place */

/* What the child of part 1 checks, with it.h's counters of its own. */
static void child_checks(Lmid_t shared_ns, void *shared_h, Lmid_t plain_ns)
{
	/* A fresh namespace with a proxy of X. */
	void *x = dlmopen(LM_ID_NEWLM, counter_path, RTLD_NOW | RTLD_SHARED);
	REQUIRE(x, "child: dlmopen(NEWLM, X, RTLD_SHARED): %s", dlerror());
	Lmid_t x_ns = it_handle_ns(x);
	CHECK(x_ns > 0 && x_ns != shared_ns && x_ns != plain_ns,
	      "child: X's handle ns %ld", (long)x_ns);
	CHECK(it_code_ns(x, "compat_counter_bump") == LM_ID_BASE,
	      "child: X's code ns %ld", (long)it_code_ns(x, "compat_counter_bump"));
	int_fn bump = (int_fn)dlsym(x, "compat_counter_bump");
	int_fn value = (int_fn)dlsym(x, "compat_counter_value");
	REQUIRE(bump && value, "child: X's functions");
	CHECK(value() == 4242, "child: compat_counter_value");
	/* The parent bumped once before the fork; the child's copy of the
	 * process memory goes on from there. */
	CHECK(bump() == 2, "child: X's counter");

	/* A fresh plain namespace, with the one heap. */
	void *p = dlmopen(LM_ID_NEWLM, plain_path, RTLD_NOW);
	REQUIRE(p, "child: dlmopen(NEWLM, plain): %s", dlerror());
	Lmid_t p_ns = it_handle_ns(p);
	CHECK(p_ns > 0 && p_ns != x_ns && p_ns != shared_ns && p_ns != plain_ns,
	      "child: plain's handle ns %ld", (long)p_ns);
	CHECK(it_code_ns(p, "compat_plain_value") == p_ns, "child: plain's code ns");
	dup_fn dup = (dup_fn)dlsym(p, "compat_plain_dup");
	REQUIRE(dup, "child: compat_plain_dup");
	char *s = dup("forked");
	CHECK(s && strcmp(s, "forked") == 0, "child: compat_plain_dup");
	free(s);

	/* The namespaces made before the fork. */
	void *again = dlmopen(shared_ns, counter_path, RTLD_NOW | RTLD_SHARED);
	CHECK(again == shared_h, "child: X reopened in %ld gave %p, proxy %p (%s)",
	      (long)shared_ns, again, shared_h, again ? "" : dlerror());
	if (again)
		dlclose(again);
	void *m = dlmopen(plain_ns, math_path, RTLD_NOW);
	CHECK(m, "child: dlmopen(%ld, math): %s", (long)plain_ns, dlerror());
	if (m) {
		CHECK(it_handle_ns(m) == plain_ns, "child: math's handle ns %ld",
		      (long)it_handle_ns(m));
		hypot_fn hyp = (hypot_fn)dlsym(m, "compat_math_hypot");
		CHECK(hyp && hyp(5.0, 12.0) == 13.0, "child: compat_math_hypot");
		CHECK(dlclose(m) == 0, "child: dlclose(math): %s", dlerror());
	}

	CHECK(dlclose(p) == 0, "child: dlclose(plain): %s", dlerror());
	CHECK(dlclose(x) == 0, "child: dlclose(X): %s", dlerror());
}

static void fork_with_namespaces(void)
{
	void *shared_h = dlmopen(LM_ID_NEWLM, counter_path, RTLD_NOW | RTLD_SHARED);
	REQUIRE(shared_h, "dlmopen(NEWLM, X, RTLD_SHARED): %s", dlerror());
	void *plain_h = dlmopen(LM_ID_NEWLM, plain_path, RTLD_NOW);
	REQUIRE(plain_h, "dlmopen(NEWLM, plain): %s", dlerror());
	Lmid_t shared_ns = it_handle_ns(shared_h), plain_ns = it_handle_ns(plain_h);
	int_fn bump = (int_fn)dlsym(shared_h, "compat_counter_bump");
	REQUIRE(bump && bump() == 1, "X's counter before the fork");
	fflush(NULL);

	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		alarm(CHILD_SECONDS);
		it_passed = it_failed = 0;
		child_checks(shared_ns, shared_h, plain_ns);
		fprintf(stderr, "child: ");
		/* exit(), not _exit(): atexit handlers and destructors of
		 * every namespace run in the child too. */
		exit(it_finish());
	}
	int status = 0;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid");
	check_child("fork with namespaces", status);

	/* The parent's namespaces and proxies are its own still. */
	CHECK(bump() == 2, "parent: X's counter after the child's bumps");
	void *x = dlmopen(LM_ID_NEWLM, counter_path, RTLD_NOW | RTLD_SHARED);
	CHECK(x && it_code_ns(x, "compat_counter_bump") == LM_ID_BASE,
	      "parent: dlmopen(NEWLM, X, RTLD_SHARED) after the fork: %s",
	      x ? "wrong code ns" : dlerror());
	if (x)
		CHECK(dlclose(x) == 0, "parent: dlclose: %s", dlerror());
	CHECK(dlclose(plain_h) == 0, "dlclose(plain): %s", dlerror());
	CHECK(dlclose(shared_h) == 0, "dlclose(X): %s", dlerror());
}

/* ---- 2. fork while another thread is inside dlmopen */

static atomic_bool stop;
static atomic_int loops;
static char loop_error[512];
static int (*loop_dlclose)(void *) = dlclose;

/* TSan's dlclose interceptor walks dl_iterate_phdr after the real
 * dlclose, outside nsshare's loader lock: a fork then can leave ld.so's
 * dl_load_write_lock held in the child (glibc 2.36 does not reset it),
 * without nsshare as well.  The loop calls libnsshare's dlclose past it. */
static void loop_dlclose_init(void)
{
#ifdef __SANITIZE_THREAD__
	void *self = dlopen("libnsshare.so.0", RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(self, "libnsshare.so.0 is not loaded: %s", dlerror());
	*(void **)&loop_dlclose = dlsym(self, "dlclose");
	REQUIRE(loop_dlclose, "libnsshare's dlclose: %s", dlerror());
	dlclose(self);
#endif
}

/* Opens and closes namespaces until told to stop.  Records the first
 * failure for the main thread. */
static void *loop(void *arg)
{
	Lmid_t existing = *(Lmid_t *)arg;
	while (!atomic_load(&stop)) {
		int i = atomic_load(&loops);
		void *h;
		if (i % 3 == 0)
			h = dlmopen(LM_ID_NEWLM, plain_path, RTLD_NOW);
		else if (i % 3 == 1)
			h = dlmopen(LM_ID_NEWLM, counter_path, RTLD_NOW | RTLD_SHARED);
		else
			h = dlmopen(existing, counter_path, RTLD_NOW | RTLD_SHARED);
		if (!h || loop_dlclose(h) != 0) {
			if (!loop_error[0]) {
				const char *err = dlerror();
				snprintf(loop_error, sizeof loop_error, "loop %d: %s",
					 i, err ? err : "no dlerror");
			}
		}
		atomic_fetch_add(&loops, 1);
	}
	return NULL;
}

/* The child of part 2: one dlmopen, one call.  Exit status 0 if right. */
static int child_one_dlmopen(void)
{
	void *h = dlmopen(LM_ID_NEWLM, counter_path, RTLD_NOW | RTLD_SHARED);
	if (!h) {
		fprintf(stderr, "child: dlmopen(NEWLM, X, RTLD_SHARED): %s\n", dlerror());
		return 1;
	}
	int_fn value = (int_fn)dlsym(h, "compat_counter_value");
	if (it_handle_ns(h) <= 0 || it_code_ns(h, "compat_counter_value") != LM_ID_BASE ||
	    !value || value() != 4242) {
		fprintf(stderr, "child: wrong handle (ns %ld, code ns %ld)\n",
			(long)it_handle_ns(h),
			(long)it_code_ns(h, "compat_counter_value"));
		return 2;
	}
	return 0;
}

static void fork_during_dlmopen(void)
{
	void *existing_h = dlmopen(LM_ID_NEWLM, plain_path, RTLD_NOW);
	REQUIRE(existing_h, "dlmopen(NEWLM, plain): %s", dlerror());
	Lmid_t existing = it_handle_ns(existing_h);

	loop_dlclose_init();
	pthread_t tid;
	REQUIRE(pthread_create(&tid, NULL, loop, &existing) == 0, "pthread_create");
	int bad = 0;
	for (int i = 0; i < FORKS; i++) {
		/* Fork only while the thread is busy: wait for it to start
		 * another iteration. */
		int seen = atomic_load(&loops);
		while (atomic_load(&loops) == seen && !loop_error[0])
			sched_yield();
		fflush(NULL);
		pid_t pid = fork();
		REQUIRE(pid >= 0, "fork");
		if (pid == 0) {
			alarm(CHILD_SECONDS);
			_exit(child_one_dlmopen());
		}
		int status = 0;
		REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid");
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
			char what[64];
			snprintf(what, sizeof what, "fork %d during dlmopen", i);
			check_child(what, status);
			bad++;
		}
	}
	atomic_store(&stop, true);
	pthread_join(tid, NULL);
	CHECK(bad == 0, "%d of %d children failed", bad, FORKS);
	CHECK(!loop_error[0], "the looping thread: %s", loop_error);
	/* Each fork waited for one more round: at least FORKS.  One more
	 * would depend on the scheduler. */
	CHECK(atomic_load(&loops) >= FORKS, "the thread looped %d times",
	      atomic_load(&loops));
	CHECK(dlclose(existing_h) == 0, "dlclose(plain): %s", dlerror());
}

int main(void)
{
	plain_path = it_module(PLAIN_MOD);
	counter_path = it_module(COUNTER_MOD);
	math_path = it_module(MATH_MOD);

	fork_with_namespaces();
	fork_during_dlmopen();

	return it_finish();
}
