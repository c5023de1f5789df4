/* Port of glibc's ctype/tst-ctype-tls-dlmopen.c (tst-ctype-tls-skeleton.c
 * with DO_STATIC_TEST 0): isalpha, toupper and tolower of a module in a
 * new namespace, from the main thread and from a new thread (the ctype
 * tables are per-thread TLS pointers).  Adapted: the module is found
 * next to the program, not under support_objdir_root. */
#define PORT_MAIN
#include "port.h"

static int (*my_isalpha)(int);
static int (*my_toupper)(int);
static int (*my_tolower)(int);

static void *checks(void *unused)
{
	(void)unused;
	TEST_VERIFY(my_isalpha('a'));
	TEST_VERIFY(!my_isalpha('0'));
	TEST_COMPARE(my_toupper('a'), 'A');
	TEST_COMPARE(my_toupper('A'), 'A');
	TEST_COMPARE(my_tolower('a'), 'a');
	TEST_COMPARE(my_tolower('A'), 'a');
	return NULL;
}

static int do_test(void)
{
	void *h = xdlmopen(LM_ID_NEWLM, "$ORIGIN/tst-ctype-tls-mod.so", RTLD_LAZY);

	my_isalpha = (int (*)(int))xdlsym(h, "my_isalpha");
	my_toupper = (int (*)(int))xdlsym(h, "my_toupper");
	my_tolower = (int (*)(int))xdlsym(h, "my_tolower");
	checks(NULL);
	xpthread_join(xpthread_create(NULL, checks, NULL));
	xdlclose(h);
	return 0;
}
