/* The locks of nsshare, and what fork() needs of them.
 *
 * The table lock guards nsshare's lists and is held only briefly, never
 * while calling into glibc's loader: glibc holds its own load lock while
 * it runs constructors, and a constructor may call us.
 *
 * The loader lock is read-held by every thread inside one of nsshare's
 * own loader operations (which make several glibc calls), and fork()
 * takes it for writing.  glibc 2.36 does not reset dl_load_write_lock in a
 * child, so a fork while another thread is inside the loader can leave the
 * child deadlocked on its next dlopen; with this lock, nsshare's own
 * operations are never cut in half by a fork.  The wait is bounded: a
 * fork proceeds after two seconds, as it would without nsshare. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
/* Writer-preferring, so a fork is not starved by threads that keep
 * loading; each thread takes it once however deeply it nests. */
static pthread_rwlock_t loader_lock =
	PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
static _Thread_local unsigned loader_depth;
static bool fork_holds_loader;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_errno;

void nsshare_lock(void)
{
	pthread_mutex_lock(&table_lock);
}

void nsshare_unlock(void)
{
	pthread_mutex_unlock(&table_lock);
}

void nsshare_loader_enter(void)
{
	if (loader_depth++ == 0)
		pthread_rwlock_rdlock(&loader_lock);
}

void nsshare_loader_leave(void)
{
	if (--loader_depth == 0)
		pthread_rwlock_unlock(&loader_lock);
}

static void fork_prepare(void)
{
	/* A fork from a constructor inside our own operation must not
	 * wait for itself. */
	if (loader_depth == 0) {
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 2;
		fork_holds_loader = pthread_rwlock_clockwrlock(
			&loader_lock, CLOCK_MONOTONIC, &until) == 0;
	}
	/* In the order a thread takes them: loader, then the others. */
	nsshare_search_fork_prepare();
	pthread_mutex_lock(&table_lock);
	nsshare_image_names_lock();
}

static void fork_parent(void)
{
	nsshare_image_names_unlock();
	pthread_mutex_unlock(&table_lock);
	nsshare_search_fork_parent();
	if (fork_holds_loader) {
		fork_holds_loader = false;
		pthread_rwlock_unlock(&loader_lock);
	}
}

/* The child has one thread: whatever other threads held is void.  The
 * mutexes fork_prepare took are unlocked, as in the parent (overwriting
 * a held mutex is undefined, and ThreadSanitizer then sees it held for
 * ever).  An rwlock cannot be unlocked there (it records the parent
 * thread's id as its writer), so it starts afresh; a fork from inside our
 * own operation keeps the read hold that operation will release. */
static void fork_child(void)
{
	pthread_rwlock_t fresh_rwlock =
		PTHREAD_RWLOCK_WRITER_NONRECURSIVE_INITIALIZER_NP;
	nsshare_image_names_unlock();
	pthread_mutex_unlock(&table_lock);
	nsshare_search_fork_child();
	loader_lock = fresh_rwlock;
	fork_holds_loader = false;
	if (loader_depth > 0)
		pthread_rwlock_rdlock(&loader_lock);
}

static void init_run(void)
{
	init_errno = pthread_atfork(fork_prepare, fork_parent, fork_child);
}

bool nsshare_init(void)
{
	pthread_once(&init_once, init_run);
	if (init_errno) {
		nsshare_error("libnsshare.so", "cannot register fork handlers: %s",
			      strerror(init_errno));
		return false;
	}
	return nsshare_real() != NULL;
}
