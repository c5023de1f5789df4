/* libglibc-libcuser.so: an ordinary user of libc.  Every function touches
 * one piece of glibc's process-wide state (heap, stdio, environment, errno,
 * TLS, threads, atexit, the dl* functions) from inside the namespace the
 * module is loaded into, so that a test can compare it with the program's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "libcuser.h"

/* ---- which definitions this object is bound to */
void *mod_free_addr(void) { return (void *)&free; }
void *mod_malloc_addr(void) { return (void *)&malloc; }
void *mod_realloc_addr(void) { return (void *)&realloc; }
void *mod_calloc_addr(void) { return (void *)&calloc; }
void *mod_pthread_create_addr(void) { return (void *)&pthread_create; }
void *mod_dlmopen_addr(void) { return (void *)&dlmopen; }
void *mod_dlclose_addr(void) { return (void *)&dlclose; }
void *mod_dlerror_addr(void) { return (void *)&dlerror; }

/* ---- heap */
void *mod_malloc(size_t n) { return malloc(n); }
void mod_free(void *p) { free(p); }
void *mod_realloc(void *p, size_t n) { return realloc(p, n); }

/* ---- stdio */
FILE **mod_stdout_addr(void) { return &stdout; }
FILE *mod_stdout(void) { return stdout; }

/* Writes S to stdout without flushing. */
int mod_print(const char *s)
{
	return printf("%s", s);
}

int mod_flush(void)
{
	return fflush(stdout);
}

void mod_exit(int status)
{
	exit(status);
}

/* ---- environment */
int mod_setenv(const char *name, const char *value)
{
	return setenv(name, value, 1);
}

int mod_unsetenv(const char *name)
{
	return unsetenv(name);
}

const char *mod_getenv(const char *name)
{
	return getenv(name);
}

char **mod_environ(void)
{
	return environ;
}

/* ---- errno */
int *mod_errno_addr(void)
{
	return &errno;
}

void mod_set_errno(int value)
{
	errno = value;
}

/* ERANGE: the number does not fit. */
long mod_strtol_overflow(void)
{
	return strtol("999999999999999999999999999999", NULL, 10);
}

/* EBADF. */
int mod_close_bad(void)
{
	return close(-1);
}

/* ---- TLS: a thread-local variable with an initial value, so that a
 * missing TLS initialisation image shows as a wrong value. */
static __thread int mod_tls = MOD_TLS_INIT;

int mod_tls_get(void) { return mod_tls; }
void mod_tls_set(int value) { mod_tls = value; }
int *mod_tls_addr(void) { return &mod_tls; }

/* ---- threads created inside the namespace */
struct job {
	int arg;
	mod_callback cb;
};

/* Runs in a thread the module created: uses the module's TLS, then calls
 * back into the program, whose own TLS must work in this thread too. */
static void *job_run(void *p)
{
	const struct job *job = p;
	if (mod_tls != MOD_TLS_INIT)
		return (void *)(intptr_t)-1000;
	mod_tls = job->arg;
	sched_yield();
	int result = mod_tls * 3;
	if (job->cb)
		result += job->cb(job->arg);
	return (void *)(intptr_t)result;
}

/* Creates N threads (N <= 16) running job_run(1..N), joins them all, and
 * returns the sum of their results, or -1 if a thread could not be
 * created or joined. */
int mod_threads_run(int n, mod_callback cb)
{
	pthread_t threads[16];
	struct job jobs[16];
	if (n < 1 || n > 16)
		return -1;
	int created = 0, failed = 0;
	for (; created < n; created++) {
		jobs[created] = (struct job){ .arg = created + 1, .cb = cb };
		if (pthread_create(&threads[created], NULL, job_run,
				   &jobs[created]) != 0) {
			failed = 1;
			break;
		}
	}
	int sum = 0;
	for (int i = 0; i < created; i++) {
		void *ret = NULL;
		if (pthread_join(threads[i], &ret) != 0)
			failed = 1;
		sum += (int)(intptr_t)ret;
	}
	return failed ? -1 : sum;
}

/* ---- atexit */
static void mod_at_exit(void)
{
	printf("%s", MOD_ATEXIT_LINE);
}

int mod_register_atexit(void)
{
	return atexit(mod_at_exit);
}

/* ---- the dl* functions, called from inside the namespace */
void *mod_dlmopen(Lmid_t ns, const char *file, int mode)
{
	return dlmopen(ns, file, mode);
}

int mod_dlclose(void *handle)
{
	return dlclose(handle);
}
