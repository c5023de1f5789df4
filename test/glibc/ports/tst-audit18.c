/* Port of glibc's elf/tst-audit18.c: under LD_AUDIT=tst-auditmod18.so, a
 * restarted copy of the program dlmopens libc and a module into new
 * namespaces; every audit interface must have been called at least once.
 * Adapted: the program is restarted as "-- PROGRAM" names it (glibc
 * passes its ld.so command line there). */
static int restart;
#define CMDLINE_OPTIONS { "restart", no_argument, &restart, 1 },
#define TEST_FUNCTION_ARGV do_test
#define PORT_MAIN
#include "port.h"

static int handle_restart(void)
{
	void *h = xdlmopen(LM_ID_NEWLM, LIBC_SO, RTLD_NOW);
	pid_t (*s)(void) = (pid_t (*)(void))xdlsym(h, "getpid");

	TEST_COMPARE(s(), getpid());
	xdlclose(h);

	h = xdlmopen(LM_ID_NEWLM, "tst-audit18mod.so", RTLD_NOW);
	int (*foo)(void) = (int (*)(void))xdlsym(h, "foo");
	TEST_COMPARE(foo(), 10);
	xdlclose(h);
	return 0;
}

static int do_test(int argc, char **argv)
{
	if (restart)
		return handle_restart();

	char *spargv[9];
	int i = 0;
	TEST_VERIFY_EXIT(argc >= 2 && argc - 1 + 3 <= (int)array_length(spargv));
	for (; i < argc - 1; i++)
		spargv[i] = argv[i + 1];
	spargv[i++] = (char *)"--direct";
	spargv[i++] = (char *)"--restart";
	spargv[i] = NULL;

	setenv("LD_AUDIT", "tst-auditmod18.so", 0);
	struct support_capture_subprocess result =
		support_capture_subprogram(spargv[0], spargv, NULL);
	support_capture_subprocess_check(&result, "tst-audit18", 0,
					 sc_allow_stderr);

	struct {
		const char *name;
		bool found;
	} iface[] = {
		{ "la_version", false },   { "la_objsearch", false },
		{ "la_activity", false },  { "la_objopen", false },
		{ "la_objclose", false },  { "la_preinit", false },
#if __WORDSIZE == 32
		{ "la_symbind32", false },
#else
		{ "la_symbind64", false },
#endif
	};

	/* Some are called more than once: at least once is the check. */
	FILE *err = xfmemopen(result.err.buffer, result.err.length, "r");
	char *line = NULL;
	size_t len = 0;
	while (xgetline(&line, &len, err))
		for (size_t j = 0; j < array_length(iface); j++)
			if (strncmp(line, iface[j].name, strlen(iface[j].name)) == 0)
				iface[j].found = true;
	free(line);
	xfclose(err);

	for (size_t j = 0; j < array_length(iface); j++) {
		if (!iface[j].found)
			printf("error: %s was not called\n", iface[j].name);
		TEST_COMPARE(iface[j].found, true);
	}
	support_capture_subprocess_free(&result);
	return 0;
}
