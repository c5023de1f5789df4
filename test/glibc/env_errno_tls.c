/* Behaviour 6 of issue 2, the environment, errno and TLS: a module in a
 * fresh namespace shares the program's environment both ways, sets the
 * calling thread's errno, and its __thread variables are per thread. */
#include "glibc_util.h"

#include <limits.h>
#include <pthread.h>

#include "modules/libcuser.h"

static int (*mod_setenv)(const char *, const char *);
static int (*mod_unsetenv)(const char *);
static const char *(*mod_getenv)(const char *);
static char **(*mod_environ)(void);
static int *(*mod_errno_addr)(void);
static void (*mod_set_errno)(int);
static long (*mod_strtol_overflow)(void);
static int (*mod_close_bad)(void);
static int (*mod_tls_get)(void);
static void (*mod_tls_set)(int);
static int *(*mod_tls_addr)(void);

static void environment(void)
{
	CHECK(mod_setenv("NSSHARE_IT_FROM_MODULE", "module") == 0, "module's setenv");
	const char *v = getenv("NSSHARE_IT_FROM_MODULE");
	CHECK(v && strcmp(v, "module") == 0, "program's getenv of the module's "
	      "variable: %s", v ? v : "(null)");

	CHECK(setenv("NSSHARE_IT_FROM_PROGRAM", "program", 1) == 0, "setenv");
	v = mod_getenv("NSSHARE_IT_FROM_PROGRAM");
	CHECK(v && strcmp(v, "program") == 0, "module's getenv of the program's "
	      "variable: %s", v ? v : "(null)");

	/* Overwritten on one side, seen on the other. */
	CHECK(mod_setenv("NSSHARE_IT_FROM_PROGRAM", "changed") == 0, "module's setenv");
	v = getenv("NSSHARE_IT_FROM_PROGRAM");
	CHECK(v && strcmp(v, "changed") == 0, "program sees %s", v ? v : "(null)");

	CHECK(mod_unsetenv("NSSHARE_IT_FROM_MODULE") == 0, "module's unsetenv");
	CHECK(getenv("NSSHARE_IT_FROM_MODULE") == NULL, "variable unset in the module "
	      "still set in the program");
	CHECK(unsetenv("NSSHARE_IT_FROM_PROGRAM") == 0, "unsetenv");
	CHECK(mod_getenv("NSSHARE_IT_FROM_PROGRAM") == NULL, "variable unset in the "
	      "program still set in the module");

	/* setenv has grown the array: both sides see the new one. */
	CHECK(mod_environ() == environ, "module's environ %p, program's %p",
	      (void *)mod_environ(), (void *)environ);
}

/* In another thread: errno set in the module is that thread's own. */
static void *errno_thread(void *arg)
{
	int *main_errno = arg;
	errno = 0;
	int rc = mod_close_bad();
	int *mine = mod_errno_addr();
	return (void *)(intptr_t)(rc == -1 && errno == EBADF && mine == &errno &&
				  mine != main_errno);
}

static void error_numbers(void)
{
	CHECK(mod_errno_addr() == &errno, "module's &errno %p, program's %p",
	      (void *)mod_errno_addr(), (void *)&errno);

	errno = 0;
	long n = mod_strtol_overflow();
	int e = errno;
	CHECK(n == LONG_MAX && e == ERANGE, "strtol overflow in the module: %ld, "
	      "errno %d in the program", n, e);

	errno = 0;
	int rc = mod_close_bad();
	e = errno;
	CHECK(rc == -1 && e == EBADF, "close(-1) in the module: %d, errno %d in "
	      "the program", rc, e);

	mod_set_errno(EDOM);
	e = errno;
	CHECK(e == EDOM, "errno = EDOM in the module, %d in the program", e);

	errno = 0;
	pthread_t t;
	void *ok = NULL;
	REQUIRE(pthread_create(&t, NULL, errno_thread, &errno) == 0, "pthread_create");
	REQUIRE(pthread_join(t, &ok) == 0, "pthread_join");
	e = errno;
	CHECK(ok == (void *)1, "errno set by the module in another thread is not "
	      "that thread's own");
	CHECK(e == 0, "errno of the main thread is %d after another thread's "
	      "error", e);
}

struct tls_seen {
	int initial, after_set;
	int *addr;
};

static void *tls_thread(void *arg)
{
	struct tls_seen *seen = arg;
	seen->initial = mod_tls_get();
	mod_tls_set(22);
	seen->after_set = mod_tls_get();
	seen->addr = mod_tls_addr();
	return NULL;
}

static void thread_locals(void)
{
	CHECK(mod_tls_get() == MOD_TLS_INIT, "module's __thread starts at %d, "
	      "not %d", mod_tls_get(), MOD_TLS_INIT);
	mod_tls_set(11);
	CHECK(mod_tls_get() == 11, "module's __thread reads %d after = 11",
	      mod_tls_get());
	int *main_addr = mod_tls_addr();

	struct tls_seen seen = { 0 };
	pthread_t t;
	REQUIRE(pthread_create(&t, NULL, tls_thread, &seen) == 0, "pthread_create");
	REQUIRE(pthread_join(t, NULL) == 0, "pthread_join");
	CHECK(seen.initial == MOD_TLS_INIT, "a new thread's copy starts at %d, "
	      "not %d", seen.initial, MOD_TLS_INIT);
	CHECK(seen.after_set == 22, "a new thread's copy reads %d after = 22",
	      seen.after_set);
	CHECK(seen.addr != main_addr, "two threads, one __thread variable at %p",
	      (void *)main_addr);
	CHECK(mod_tls_get() == 11, "main thread's copy is %d after another "
	      "thread set its own", mod_tls_get());
}

int main(void)
{
	void *h = open_new(LIBCUSER_MOD, RTLD_NOW);
	SYM(mod_setenv, h, "mod_setenv");
	SYM(mod_unsetenv, h, "mod_unsetenv");
	SYM(mod_getenv, h, "mod_getenv");
	SYM(mod_environ, h, "mod_environ");
	SYM(mod_errno_addr, h, "mod_errno_addr");
	SYM(mod_set_errno, h, "mod_set_errno");
	SYM(mod_strtol_overflow, h, "mod_strtol_overflow");
	SYM(mod_close_bad, h, "mod_close_bad");
	SYM(mod_tls_get, h, "mod_tls_get");
	SYM(mod_tls_set, h, "mod_tls_set");
	SYM(mod_tls_addr, h, "mod_tls_addr");

	environment();
	error_numbers();
	thread_locals();

	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
