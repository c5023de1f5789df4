/* Port of glibc's elf/tst-audit23.c: the audit protocol of a program
 * that dlopens a module and dlmopens libc into a new namespace (with and
 * without closing it), as tst-auditmod23.so logs it: every
 * la_activity(LA_ACT_CONSISTENT) follows an LA_ACT_ADD or LA_ACT_DELETE
 * of the same namespace, la_objclose follows LA_ACT_DELETE, every object
 * opened is closed, and the new namespace holds libc and ld.so only.
 * Adapted: the program is restarted as "-- PROGRAM" names it. */
static int restart;
static int do_dlclose;
#define CMDLINE_OPTIONS                                                       \
	{ "restart", no_argument, &restart, 1 },                              \
		{ "dlclose", no_argument, &do_dlclose, 1 },
#define TEST_FUNCTION_ARGV do_test
#define PORT_MAIN
#include "port.h"
#include <inttypes.h>

static int handle_restart(void)
{
	xdlopen("tst-audit23mod.so", RTLD_NOW);
	void *h = xdlmopen(LM_ID_NEWLM, LIBC_SO, RTLD_NOW);
	if (do_dlclose)
		xdlclose(h);
	return 0;
}

static bool startswith(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool is_vdso(const char *name)
{
	return startswith(name, "linux-gate") || startswith(name, "linux-vdso");
}

static int count_harness_object(struct dl_phdr_info *info, size_t size,
				void *count)
{
	const char *name = info->dlpi_name;

	(void)size;
	if (name[0] != '\0' && !is_vdso(name) && !endswith(name, "/" LD_SO) &&
	    !endswith(name, "/" LIBC_SO))
		++*(size_t *)count;
	return 0;
}

/* Adapted: the objects the harness adds to the program's initial ones
 * (libnsshare and its dependencies when preloaded or linked; libdl and
 * libpthread before glibc 2.34), as glibc allows for libgcc_s.  The
 * restarted program has the same. */
static size_t harness_objects(void)
{
	size_t count = 0;

	dl_iterate_phdr(count_harness_object, &count);
	return count;
}

static void do_one_test(int argc, char **argv, bool pass_dlclose)
{
	char *spargv[10];
	int i = 0;

	TEST_VERIFY_EXIT(argc - 1 + 3 < (int)array_length(spargv));
	for (; i < argc - 1; i++)
		spargv[i] = argv[i + 1];
	spargv[i++] = (char *)"--direct";
	spargv[i++] = (char *)"--restart";
	if (pass_dlclose)
		spargv[i++] = (char *)"--dlclose";
	spargv[i] = NULL;

	setenv("LD_AUDIT", "tst-auditmod23.so", 0);
	struct support_capture_subprocess result =
		support_capture_subprogram(spargv[0], spargv, NULL);
	support_capture_subprocess_check(&result, "tst-audit22", 0,
					 sc_allow_stderr);

	FILE *log = xfmemopen(result.err.buffer, result.err.length, "r");
	char *buf = NULL;
	size_t buflen = 0;
	unsigned line = 0;
	puts("info: *** audit log start ***");
	while (xgetline(&buf, &buflen, log))
		printf("%6u\t%s", ++line, buf);
	puts("info: *** audit log end ***");
	xfclose(log);

	/* Expected la_objopen/la_objclose: the program, ld.so, libc,
	 * (libgcc_s on some targets, for glibc's libsupport),
	 * tst-audit23mod.so; in the new namespace libc and ld.so's proxy
	 * link map.  The vDSO is ignored. */
	size_t max_objs = 7 + harness_objects();
	struct {
		char *lname;
		uintptr_t laddr;
		Lmid_t lmid;
		bool closed;
	} *objs = calloc(max_objs, sizeof(*objs));
	TEST_VERIFY_EXIT(objs != NULL);
	size_t nobjs = 0;

	/* The audit module's, the program's and the dlmopen's. */
	enum { max_ns = 3 };
	uintptr_t acts[max_ns] = { 0 };
	size_t nacts = 0;
	int last_act = -1;
	uintptr_t last_act_cookie = -1;
	bool seen_first_objclose = false;

	log = xfmemopen(result.err.buffer, result.err.length, "r");
	line = 0;
	while (xgetline(&buf, &buflen, log)) {
		line++;
		if (startswith(buf, "la_activity: ")) {
			uintptr_t cookie;
			int act;
			int r = sscanf(buf, "la_activity: %d %" SCNxPTR, &act,
				       &cookie);
			TEST_COMPARE(r, 2);

			/* The cookie names the head of the namespace: a
			 * change means another namespace.  A namespace
			 * deleted whole gets no LA_ACT_CONSISTENT (BZ
			 * 32068), hence not with --dlclose. */
			if (cookie != last_act_cookie &&
			    last_act_cookie != (uintptr_t)-1 && !pass_dlclose)
				TEST_COMPARE(last_act, LA_ACT_CONSISTENT);

			if (act == LA_ACT_ADD && nacts < max_ns &&
			    acts[nacts] != cookie) {
				acts[nacts++] = cookie;
				last_act_cookie = cookie;
			} else if (act == LA_ACT_DELETE) {
				/* In reverse order of LA_ACT_ADD at exit. */
				TEST_VERIFY_EXIT(nacts > 0);
				last_act_cookie = acts[--nacts];
				TEST_COMPARE(acts[nacts], cookie);
				acts[nacts] = 0;
			} else if (act == LA_ACT_CONSISTENT) {
				TEST_COMPARE(cookie, last_act_cookie);
				/* LA_ACT_DELETE is followed by la_objclose. */
				if (last_act == LA_ACT_DELETE)
					TEST_COMPARE(seen_first_objclose, true);
				else
					TEST_COMPARE(last_act, LA_ACT_ADD);
			} else if (act == LA_ACT_ADD && nacts == max_ns) {
				FAIL_EXIT1("(line %u) more than %d namespaces",
					   line, max_ns);
			}
			last_act = act;
			seen_first_objclose = false;
		} else if (startswith(buf, "la_objopen: ")) {
			char *lname;
			uintptr_t laddr, cookie;
			Lmid_t lmid;
			int r = sscanf(buf,
				       "la_objopen: %" SCNxPTR "  %ms %" SCNxPTR " %ld",
				       &cookie, &lname, &laddr, &lmid);
			TEST_COMPARE(r, 4);
			if (r != 4)
				continue;
			/* glibc never unloads the vDSO. */
			if (is_vdso(lname)) {
				free(lname);
				continue;
			}
			if (nobjs == max_objs)
				FAIL_EXIT1("(line %u) non expected la_objopen: %s %" PRIxPTR " %ld",
					   line, lname, laddr, (long)lmid);
			objs[nobjs].lname = lname;
			objs[nobjs].laddr = laddr;
			objs[nobjs].lmid = lmid;
			objs[nobjs].closed = false;
			nobjs++;
			/* la_objopen comes before la_objclose between two
			 * la_activity calls. */
			seen_first_objclose = false;
		} else if (startswith(buf, "la_objclose: ")) {
			char *lname;
			uintptr_t laddr, cookie;
			Lmid_t lmid;
			int r = sscanf(buf,
				       "la_objclose: %" SCNxPTR " %ms %" SCNxPTR " %ld",
				       &cookie, &lname, &laddr, &lmid);
			TEST_COMPARE(r, 4);
			if (r != 4)
				continue;
			for (size_t j = 0; j < nobjs; j++)
				if (strcmp(lname, objs[j].lname) == 0 &&
				    lmid == objs[j].lmid) {
					TEST_COMPARE(objs[j].closed, false);
					objs[j].closed = true;
					break;
				}
			free(lname);
			/* After la_activity(LA_ACT_DELETE) of its namespace. */
			TEST_COMPARE(last_act, LA_ACT_DELETE);
			if (!seen_first_objclose) {
				TEST_COMPARE(last_act_cookie, cookie);
				seen_first_objclose = true;
			}
		}
	}

	Lmid_t lmid_other = LM_ID_NEWLM;
	unsigned other_count = 0;
	for (size_t j = 0; j < nobjs; j++) {
		if (objs[j].lmid != LM_ID_BASE) {
			if (lmid_other == LM_ID_NEWLM)
				lmid_other = objs[j].lmid;
			TEST_COMPARE(objs[j].lmid, lmid_other);
			other_count++;
			if (!(endswith(objs[j].lname, "/" LIBC_SO) ||
			      endswith(objs[j].lname, "/" LD_SO)))
				FAIL("unexpected object in secondary namespace: %s",
				     objs[j].lname);
		}
		if (!objs[j].closed)
			printf("error: %s (namespace %ld) was not closed\n",
			       objs[j].lname, (long)objs[j].lmid);
		TEST_COMPARE(objs[j].closed, true);
		free(objs[j].lname);
	}
	free(objs);
	/* libc and ld.so. */
	TEST_COMPARE(other_count, 2);

	/* Only one namespace is inconsistent at a time: a CONSISTENT last
	 * means every namespace ended consistent. */
	TEST_COMPARE(last_act, LA_ACT_CONSISTENT);

	free(buf);
	xfclose(log);
	support_capture_subprocess_free(&result);
}

static int do_test(int argc, char **argv)
{
	if (restart)
		return handle_restart();
	do_one_test(argc, argv, false);
	do_one_test(argc, argv, true);
	return 0;
}
