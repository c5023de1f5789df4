/* Port of glibc's elf/tst-single_threaded-pthread.c: once a thread is
 * created, __libc_single_threaded is false everywhere: in the program,
 * in modules linked, dlopen'd before and after, in a new namespace, in
 * every thread and in forked children. */
#define PORT_MAIN
#include "port.h"

#if __GLIBC_PREREQ(2, 32)
#include <sys/single_threaded.h>

/* Main thread and both threads; main thread and the second thread. */
static pthread_barrier_t barrier1, barrier2;

extern _Bool single_threaded_1(void);

static _Bool (*single_threaded_2)(void);
static _Bool (*single_threaded_3)(void);
static _Bool (*single_threaded_4)(void);

static void verify_multi_threaded(int loaded)
{
	TEST_VERIFY(!__libc_single_threaded);
	TEST_VERIFY(!single_threaded_1());
	TEST_VERIFY(!single_threaded_2());
	if (loaded > 2)
		TEST_VERIFY(!single_threaded_3());
	if (loaded > 3)
		TEST_VERIFY(!single_threaded_4());
}

static void *threadfunc(void *second)
{
	verify_multi_threaded(2);
	/* The main thread loads more modules meanwhile. */
	xpthread_barrier_wait(&barrier1);
	verify_multi_threaded(4);
	if (second != NULL)
		xpthread_barrier_wait(&barrier2);
	verify_multi_threaded(4);
	return NULL;
}

static char expected_false = 0;
static char expected_true = 1;

/* A child inherits the parent's state (glibc does not reset it). */
static void subprocess(void *closure)
{
	const char *expected = closure;

	TEST_COMPARE(__libc_single_threaded, *expected);
	TEST_COMPARE(single_threaded_1(), *expected);
	if (single_threaded_2 != NULL)
		TEST_COMPARE(single_threaded_2(), *expected);
	if (single_threaded_3 != NULL)
		TEST_COMPARE(single_threaded_3(), *expected);
	if (single_threaded_4 != NULL)
		TEST_VERIFY(!single_threaded_4());
}

static int do_test(void)
{
	printf("info: main __libc_single_threaded address: %p\n",
	       (void *)&__libc_single_threaded);
	TEST_VERIFY(__libc_single_threaded);
	TEST_VERIFY(single_threaded_1());
	support_isolate_in_subprocess(subprocess, &expected_true);

	void *mod2 = xdlopen("tst-single_threaded-mod2.so", RTLD_LAZY);
	single_threaded_2 = (_Bool (*)(void))xdlsym(mod2, "single_threaded_2");
	TEST_VERIFY(single_threaded_2());

	xpthread_barrier_init(&barrier1, NULL, 3);
	xpthread_barrier_init(&barrier2, NULL, 2);

	pthread_t thr1 = xpthread_create(NULL, threadfunc, NULL);
	verify_multi_threaded(2);
	support_isolate_in_subprocess(subprocess, &expected_false);

	pthread_t thr2 = xpthread_create(NULL, threadfunc, &thr2);
	verify_multi_threaded(2);
	support_isolate_in_subprocess(subprocess, &expected_false);

	/* Loaded once already multi-threaded. */
	void *mod3 = xdlopen("tst-single_threaded-mod3.so", RTLD_LAZY);
	single_threaded_3 = (_Bool (*)(void))xdlsym(mod3, "single_threaded_3");
	verify_multi_threaded(3);
	support_isolate_in_subprocess(subprocess, &expected_false);

	void *mod4 = dlmopen(LM_ID_NEWLM, "tst-single_threaded-mod4.so",
			     RTLD_LAZY);
	single_threaded_4 = (_Bool (*)(void))xdlsym(mod4, "single_threaded_4");
	verify_multi_threaded(4);
	support_isolate_in_subprocess(subprocess, &expected_false);

	/* The threads call the new functions too. */
	xpthread_barrier_wait(&barrier1);
	verify_multi_threaded(4);
	support_isolate_in_subprocess(subprocess, &expected_false);

	/* Joining one thread does not make the process single-threaded. */
	xpthread_join(thr1);
	verify_multi_threaded(4);
	support_isolate_in_subprocess(subprocess, &expected_false);

	/* After both, either state is allowed. */
	xpthread_barrier_wait(&barrier2);
	xpthread_join(thr2);
	printf("info: __libc_single_threaded after joining all threads: %d\n",
	       __libc_single_threaded);

	xdlclose(mod4);
	xdlclose(mod3);
	xdlclose(mod2);
	return 0;
}
#else
static int do_test(void)
{
	puts("__libc_single_threaded needs glibc 2.32");
	return EXIT_UNSUPPORTED;
}
#endif
