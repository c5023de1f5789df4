/* The lock over nsshare's tables, and what fork() needs of it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "internal.h"

static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
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

/* A fork() while another thread holds the lock would leave the child's
 * copy locked forever: take it around fork. */
static void fork_prepare(void)
{
	pthread_mutex_lock(&table_lock);
}

static void fork_release(void)
{
	pthread_mutex_unlock(&table_lock);
}

static void init_run(void)
{
	init_errno = pthread_atfork(fork_prepare, fork_release, fork_release);
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
