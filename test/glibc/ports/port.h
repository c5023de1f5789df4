/* port.h: the piece of glibc's support/ harness that the ports of glibc's
 * dlmopen tests need.  A port keeps every check of its glibc test; only
 * the harness under it is this file.
 *
 * Failures are counted per object, as in glibc, where each test module
 * links its own libsupport: an audit module's failures are its own.
 * A test's exit status is do_test's, 1 if any check failed, 77
 * (EXIT_UNSUPPORTED, ctest's SKIP_RETURN_CODE) where it cannot run here.
 *
 * PORT_DLMOPEN_FLAGS (say 0x40, RTLD_ISOLATE) is ORed into the mode of
 * every dlmopen the ports and their modules make: the run that must give
 * stock glibc's results under nsshare.  The wrapper is a static function
 * of the calling object, so glibc still sees that object as the caller
 * (its RUNPATH, its namespace). */
#ifndef NSSHARE_PORT_H
#define NSSHARE_PORT_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <getopt.h>
#include <gnu/lib-names.h>
#include <link.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_UNSUPPORTED 77
#define array_length(a) (sizeof(a) / sizeof((a)[0]))

static int port_failures;

static inline void support_record_failure(void)
{
	port_failures++;
}

static inline bool support_record_failure_is_failed(void)
{
	return port_failures != 0;
}

__attribute__((format(printf, 4, 5), unused)) static void
port_fail(const char *file, int line, int status, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	printf("%s:%d: error: ", file, line);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	support_record_failure();
	if (status)
		exit(status);
}

#define FAIL(...) port_fail(__FILE__, __LINE__, 0, __VA_ARGS__)
#define FAIL_EXIT1(...) port_fail(__FILE__, __LINE__, 1, __VA_ARGS__)
#define FAIL_UNSUPPORTED(...)                                                 \
	do {                                                                  \
		printf("warning: unsupported: " __VA_ARGS__);                 \
		putchar('\n');                                                \
		exit(EXIT_UNSUPPORTED);                                       \
	} while (0)

#define TEST_VERIFY(expr)                                                     \
	((expr) ? (void)0                                                     \
		: port_fail(__FILE__, __LINE__, 0, "test verification failed: %s", \
			    #expr))
#define TEST_VERIFY_EXIT(expr)                                                \
	((expr) ? (void)0                                                     \
		: port_fail(__FILE__, __LINE__, 1, "test verification failed: %s", \
			    #expr))

/* Both sides evaluated once, compared as integers of the widest kind. */
#define TEST_COMPARE(left, right)                                             \
	do {                                                                  \
		long long port_l = (long long)(left);                         \
		long long port_r = (long long)(right);                        \
		if (port_l != port_r)                                         \
			port_fail(__FILE__, __LINE__, 0,                      \
				  "%s == %s: %lld (0x%llx) != %lld (0x%llx)", \
				  #left, #right, port_l,                      \
				  (unsigned long long)port_l, port_r,         \
				  (unsigned long long)port_r);                \
	} while (0)

#define TEST_COMPARE_STRING(left, right)                                      \
	do {                                                                  \
		const char *port_ls = (left), *port_rs = (right);             \
		if ((port_ls == NULL) != (port_rs == NULL) ||                 \
		    (port_ls && strcmp(port_ls, port_rs) != 0))               \
			port_fail(__FILE__, __LINE__, 0,                      \
				  "%s == %s: \"%s\" != \"%s\"", #left,        \
				  #right, port_ls ? port_ls : "(null)",       \
				  port_rs ? port_rs : "(null)");              \
	} while (0)

/* <dlfcn.h> with the RTLD_ISOLATE run's flag and support's x-wrappers. */
static inline int port_dlmopen_flags(void)
{
	const char *s = getenv("PORT_DLMOPEN_FLAGS");

	return s ? (int)strtol(s, NULL, 0) : 0;
}

static inline void *port_dlmopen(Lmid_t ns, const char *file, int mode)
{
	return (dlmopen)(ns, file, mode | port_dlmopen_flags());
}
#define dlmopen(ns, file, mode) port_dlmopen(ns, file, mode)

__attribute__((unused)) static void *xdlopen(const char *file, int mode)
{
	void *h = dlopen(file, mode);

	if (h == NULL)
		FAIL_EXIT1("error: dlopen: %s", dlerror());
	return h;
}

__attribute__((unused)) static void *xdlmopen(Lmid_t ns, const char *file,
					      int mode)
{
	void *h = dlmopen(ns, file, mode);

	if (h == NULL)
		FAIL_EXIT1("error: dlmopen: %s", dlerror());
	return h;
}

__attribute__((unused)) static void *xdlsym(void *h, const char *name)
{
	dlerror();
	void *p = dlsym(h, name);
	const char *err = dlerror();

	if (err != NULL)
		FAIL_EXIT1("error: dlsym: %s", err);
	return p;
}

__attribute__((unused)) static void *xdlvsym(void *h, const char *name,
					     const char *version)
{
	dlerror();
	void *p = dlvsym(h, name, version);
	const char *err = dlerror();

	if (err != NULL)
		FAIL_EXIT1("error: dlvsym: %s", err);
	return p;
}

__attribute__((unused)) static void xdlclose(void *h)
{
	if (dlclose(h) != 0)
		FAIL_EXIT1("error: dlclose: %s", dlerror());
}

/* <support/xthread.h> */
__attribute__((unused)) static pthread_t
xpthread_create(pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
	pthread_t t;
	int e = pthread_create(&t, attr, fn, arg);

	if (e != 0)
		FAIL_EXIT1("pthread_create: %s", strerror(e));
	return t;
}

__attribute__((unused)) static void *xpthread_join(pthread_t t)
{
	void *ret;
	int e = pthread_join(t, &ret);

	if (e != 0)
		FAIL_EXIT1("pthread_join: %s", strerror(e));
	return ret;
}

__attribute__((unused)) static void
xpthread_barrier_init(pthread_barrier_t *b, pthread_barrierattr_t *a,
		      unsigned count)
{
	int e = pthread_barrier_init(b, a, count);

	if (e != 0)
		FAIL_EXIT1("pthread_barrier_init: %s", strerror(e));
}

__attribute__((unused)) static int xpthread_barrier_wait(pthread_barrier_t *b)
{
	int e = pthread_barrier_wait(b);

	if (e != 0 && e != PTHREAD_BARRIER_SERIAL_THREAD)
		FAIL_EXIT1("pthread_barrier_wait: %s", strerror(e));
	return e;
}

/* <support/support.h>, <support/xstdio.h> */
__attribute__((unused, format(printf, 1, 2))) static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		FAIL_EXIT1("vasprintf: %s", strerror(errno));
	va_end(ap);
	return s;
}

__attribute__((unused)) static FILE *xfmemopen(void *buf, size_t len,
					       const char *mode)
{
	/* fmemopen of an empty buffer fails; a capture may be empty. */
	FILE *f = len ? fmemopen(buf, len, mode) : fopen("/dev/null", mode);

	if (f == NULL)
		FAIL_EXIT1("fmemopen: %s", strerror(errno));
	return f;
}

__attribute__((unused)) static bool xgetline(char **line, size_t *len,
					     FILE *f)
{
	errno = 0;
	ssize_t n = getline(line, len, f);

	if (n < 0 && errno != 0)
		FAIL_EXIT1("getline: %s", strerror(errno));
	return n > 0;
}

__attribute__((unused)) static void xfclose(FILE *f)
{
	if (fclose(f) != 0)
		FAIL_EXIT1("fclose: %s", strerror(errno));
}

__attribute__((unused)) static bool endswith(const char *s, const char *end)
{
	size_t ls = strlen(s), le = strlen(end);

	return ls >= le && strcmp(s + ls - le, end) == 0;
}

/* <support/namespace.h>: FN runs in a forked child; a failure there is
 * a failure of the test. */
__attribute__((unused)) static void
support_isolate_in_subprocess(void (*fn)(void *), void *closure)
{
	fflush(stdout);
	pid_t pid = fork();
	int status;

	if (pid < 0)
		FAIL_EXIT1("fork: %s", strerror(errno));
	if (pid == 0) {
		fn(closure);
		fflush(stdout);
		_exit(support_record_failure_is_failed() ? 1 : 0);
	}
	if (waitpid(pid, &status, 0) != pid)
		FAIL_EXIT1("waitpid: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		FAIL("subprocess failed (status 0x%x)", status);
}

/* <support/capture_subprocess.h> */
struct support_capture_buffer {
	char *buffer;
	size_t length;
};

struct support_capture_subprocess {
	struct support_capture_buffer out, err;
	int status;
};

enum { sc_allow_none = 1, sc_allow_stdout = 2, sc_allow_stderr = 4 };

static void port_read_capture(FILE *f, struct support_capture_buffer *b)
{
	long n;

	fflush(f);
	n = ftell(f);
	b->length = n > 0 ? (size_t)n : 0;
	b->buffer = malloc(b->length + 1);
	if (b->buffer == NULL)
		FAIL_EXIT1("out of memory");
	rewind(f);
	if (fread(b->buffer, 1, b->length, f) != b->length)
		FAIL_EXIT1("reading a capture failed");
	b->buffer[b->length] = '\0';
	fclose(f);
}

/* Runs FILE with ARGV (and ENVP, or this environment), its stdout and
 * stderr captured. */
__attribute__((unused)) static struct support_capture_subprocess
support_capture_subprogram(const char *file, char *const argv[],
			   char *const envp[])
{
	struct support_capture_subprocess r = { 0 };
	FILE *out = tmpfile(), *err = tmpfile();

	if (out == NULL || err == NULL)
		FAIL_EXIT1("tmpfile: %s", strerror(errno));
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid < 0)
		FAIL_EXIT1("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(fileno(out), STDOUT_FILENO);
		dup2(fileno(err), STDERR_FILENO);
		if (envp)
			execve(file, argv, envp);
		else
			execv(file, argv);
		_exit(127);
	}
	if (waitpid(pid, &r.status, 0) != pid)
		FAIL_EXIT1("waitpid: %s", strerror(errno));
	fseek(out, 0, SEEK_END);
	fseek(err, 0, SEEK_END);
	port_read_capture(out, &r.out);
	port_read_capture(err, &r.err);
	return r;
}

static void port_print_capture(const char *what,
			       const struct support_capture_buffer *b)
{
	printf("error:   unexpected %s from subprocess\n", what);
	fwrite(b->buffer, b->length, 1, stdout);
	puts("\n");
}

__attribute__((unused)) static void
support_capture_subprocess_check(struct support_capture_subprocess *p,
				 const char *context, int status, int allowed)
{
	if (!WIFEXITED(p->status) || WEXITSTATUS(p->status) != status) {
		FAIL("%s: expected exit status %d, got status 0x%x", context,
		     status, p->status);
		port_print_capture("error output", &p->err);
	}
	if (!(allowed & sc_allow_stdout) && p->out.length != 0) {
		FAIL("%s: output on stdout", context);
		port_print_capture("output", &p->out);
	}
	if (!(allowed & sc_allow_stderr) && p->err.length != 0) {
		FAIL("%s: output on stderr", context);
		port_print_capture("error output", &p->err);
	}
}

__attribute__((unused)) static void
support_capture_subprocess_free(struct support_capture_subprocess *p)
{
	free(p->out.buffer);
	free(p->err.buffer);
}

/* <support/test-driver.c>: a test defines do_test (or TEST_FUNCTION_ARGV
 * and CMDLINE_OPTIONS) and includes this file with PORT_MAIN defined.
 * --direct is accepted and ignored: the tests always run directly. */
#ifdef PORT_MAIN
#ifndef CMDLINE_OPTIONS
#define CMDLINE_OPTIONS
#endif
#ifdef TEST_FUNCTION_ARGV
static int TEST_FUNCTION_ARGV(int argc, char **argv);
#else
static int do_test(void);
#endif
int main(int argc, char **argv)
{
	static int port_direct;
	static const struct option options[] = {
		CMDLINE_OPTIONS{ "direct", no_argument, &port_direct, 1 },
		{ NULL, 0, NULL, 0 },
	};
	int status;

	while (getopt_long(argc, argv, "+", options, NULL) != -1)
		;
	argv[optind - 1] = argv[0];
	argv += optind - 1;
	argc -= optind - 1;
#ifdef TEST_FUNCTION_ARGV
	status = TEST_FUNCTION_ARGV(argc, argv);
#else
	(void)argc;
	status = do_test();
#endif
	fflush(stdout);
	if (support_record_failure_is_failed()) {
		printf("error: %d test failures\n", port_failures);
		status = 1;
	}
	return status;
}
#endif

#endif
