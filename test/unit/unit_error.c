/* Unit tests of src/error.c (with src/real.c): nsshare's errors and
 * glibc's reach the program through one dlerror(), once each, the most
 * recent winning, per thread; and real.c's reading of glibc versions,
 * which decides the floor and the version-specific search.
 *
 * This program compiles error.c in, so its dlerror() is nsshare's for the
 * whole process, as under LD_PRELOAD; dlopen and dlsym stay glibc's.
 * Every test runs in its own child process (forced below): some check
 * what happens before nsshare has looked glibc's functions up. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "unit.h"

#define MISSING "/nonexistent/libunit-missing.so"

/* A failed glibc call: leaves glibc's message pending. */
static void glibc_fails(void)
{
	ck_assert_ptr_null(dlopen(MISSING, RTLD_NOW));
}

static void assert_glibc_message(const char *msg)
{
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strstr(msg, MISSING) &&
		      strstr(msg, "cannot open shared object file"),
		      "not glibc's message: %s", msg);
}

/* An unmodified program under LD_PRELOAD: its first dl* call that
 * reaches nsshare may be the dlerror() after a failed dlopen. */
START_TEST(first_dlerror_reports_glibc_error)
{
	glibc_fails();
	assert_glibc_message(dlerror());
	ck_assert_ptr_null(dlerror());
}
END_TEST

START_TEST(glibc_error_once)
{
	ck_assert_ptr_nonnull(nsshare_real());
	glibc_fails();
	assert_glibc_message(dlerror());
	ck_assert_ptr_null(dlerror());
	/* A successful call leaves nothing to report. */
	ck_assert_ptr_nonnull(dlsym(RTLD_DEFAULT, "malloc"));
	ck_assert_ptr_null(dlerror());
}
END_TEST

START_TEST(own_error_once)
{
	nsshare_error("/x/libfoo.so", "object cannot be demoted to a %s",
		      "proxy");
	const char *msg = dlerror();
	ck_assert_ptr_nonnull(msg);
	ck_assert_str_eq(msg, "/x/libfoo.so: object cannot be demoted to a proxy");
	ck_assert_ptr_null(dlerror());
}
END_TEST

/* Ours is newer than glibc's: glibc's older one is not reported after it. */
START_TEST(own_error_after_glibc_error)
{
	ck_assert_ptr_nonnull(nsshare_real());
	glibc_fails();
	nsshare_error("/x/libfoo.so", "reason");
	ck_assert_str_eq(dlerror(), "/x/libfoo.so: reason");
	ck_assert_ptr_null(dlerror());
}
END_TEST

/* glibc's is newer than ours: it is the one reported. */
START_TEST(glibc_error_after_own_error)
{
	nsshare_error("/x/libfoo.so", "reason");
	glibc_fails();
	assert_glibc_message(dlerror());
	ck_assert_ptr_null(dlerror());
}
END_TEST

/* A failed real call's message survives the cleanup calls after it. */
START_TEST(take_glibc_error)
{
	ck_assert_ptr_nonnull(nsshare_real());
	glibc_fails();
	nsshare_error_take_glibc("/x/libfoo.so");
	ck_assert_ptr_nonnull(dlsym(RTLD_DEFAULT, "malloc"));
	const char *msg = dlerror();
	ck_assert_ptr_nonnull(msg);
	ck_assert_msg(strncmp(msg, "/x/libfoo.so: ", 14) == 0, "%s", msg);
	assert_glibc_message(msg);
	ck_assert_ptr_null(dlerror());

	/* A message that names the object already gets no second name. */
	glibc_fails();
	nsshare_error_take_glibc(MISSING);
	msg = dlerror();
	assert_glibc_message(msg);
	ck_assert_msg(strncmp(msg, MISSING ": ", strlen(MISSING) + 2) == 0 &&
		      !strstr(msg + strlen(MISSING), MISSING), "%s", msg);
}
END_TEST

static void *error_in_thread(void *arg)
{
	(void)arg;
	nsshare_error("/x/libthread.so", "reason");
	return NULL;
}

static void *read_in_thread(void *arg)
{
	const char *msg = dlerror();
	*(bool *)arg = msg && strcmp(msg, "/x/libthread.so: reason") == 0;
	return NULL;
}

/* As glibc's: an error belongs to the thread that caused it. */
START_TEST(errors_are_per_thread)
{
	pthread_t t;
	ck_assert_int_eq(pthread_create(&t, NULL, error_in_thread, NULL), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert_ptr_null(dlerror());

	bool seen = false;
	nsshare_error("/x/libthread.so", "reason");
	ck_assert_int_eq(pthread_create(&t, NULL, read_in_thread, &seen), 0);
	ck_assert_int_eq(pthread_join(t, NULL), 0);
	ck_assert(!seen);
	ck_assert_str_eq(dlerror(), "/x/libthread.so: reason");
}
END_TEST

/* The floor and machine.c's version gates compare versions this way. */
START_TEST(glibc_versions)
{
	ck_assert(nsshare_glibc_at_least("2.28", 2, 28));
	ck_assert(nsshare_glibc_at_least("2.36", 2, 28));
	ck_assert(nsshare_glibc_at_least("2.41.9000", 2, 41));
	ck_assert(nsshare_glibc_at_least("3.0", 2, 99));
	ck_assert(!nsshare_glibc_at_least("2.27", 2, 28));
	ck_assert(!nsshare_glibc_at_least("2.9", 2, 28)); /* not "2.90" */
	ck_assert(!nsshare_glibc_at_least("1.99", 2, 28));
	ck_assert(!nsshare_glibc_at_least("2.32", 2, 33));
	ck_assert(!nsshare_glibc_at_least("2", 2, 0));
	ck_assert(!nsshare_glibc_at_least("2.", 2, 0));
	ck_assert(!nsshare_glibc_at_least("", 2, 0));
	ck_assert(!nsshare_glibc_at_least("glibc 2.36", 2, 0));
	/* The glibc this runs on is one nsshare supports. */
	ck_assert(nsshare_glibc_ok());
}
END_TEST

int main(void)
{
	Suite *s = suite_create("error");
	TCase *tc = unit_tcase("dlerror");
	tcase_add_test(tc, first_dlerror_reports_glibc_error);
	tcase_add_test(tc, glibc_error_once);
	tcase_add_test(tc, own_error_once);
	tcase_add_test(tc, own_error_after_glibc_error);
	tcase_add_test(tc, glibc_error_after_own_error);
	tcase_add_test(tc, take_glibc_error);
	tcase_add_test(tc, errors_are_per_thread);
	suite_add_tcase(s, tc);
	TCase *versions = unit_tcase("glibc version");
	tcase_add_test(versions, glibc_versions);
	suite_add_tcase(s, versions);

	SRunner *sr = srunner_create(s);
	/* Each test starts from a process where nsshare has done nothing. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
