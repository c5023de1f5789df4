/* Issue 11: in a secure process (AT_SECURE: set-user-ID, set-group-ID)
 * nsshare ignores NSSHARE_SHARE and NSSHARE_DEBUG(_OUTPUT), as ld.so
 * ignores LD_LIBRARY_PATH and LD_DEBUG_OUTPUT there, and nothing else
 * changes: RTLD_SHARED still shares.
 *   share_secure          NSSHARE_SHARE lists NORM: NORM is shared
 *   share_secure secure   the same, run set-user-ID (share_secure.sh):
 *                         NORM is private, nothing of it in the base
 * Exit status 77 if "secure" is asked for and AT_SECURE is not set (a
 * nosuid mount, say): the caller then tries elsewhere or skips. */
#include "unique_util.h"

#include <sys/auxv.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
/* A set-user-ID process cannot read its own /proc/self/environ, where the
 * runtime looks for ASAN_OPTIONS; and LeakSanitizer cannot ptrace it. */
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "detect_leaks=0:abort_on_error=1";
}
#endif

int main(int argc, char **argv)
{
	bool secure = argc > 1 && strcmp(argv[1], "secure") == 0;
	if (secure && getauxval(AT_SECURE) != 1) {
		fprintf(stderr, "share_secure: AT_SECURE is %lu, not 1\n",
			getauxval(AT_SECURE));
		return 77;
	}
	REQUIRE(getauxval(AT_SECURE) == secure, "AT_SECURE is %lu",
		getauxval(AT_SECURE));
	REQUIRE(getenv("NSSHARE_SHARE"), "NSSHARE_SHARE is not set");
	fprintf(stderr, "AT_SECURE %lu, euid %ld, NSSHARE_SHARE=%s\n",
		getauxval(AT_SECURE), (long)geteuid(), getenv("NSSHARE_SHARE"));

	const char *norm = it_module(NORM);
	void *h = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW);
	REQUIRE(h, "dlmopen(NEWLM, norm): %s", dlerror());
	if (secure) {
		CHECK_PRIVATE(h, "norm listed, secure", false);
		CHECK(base_copy(norm) == NULL, "norm loaded into the base namespace");
	} else {
		void *base = base_copy(norm);
		REQUIRE(base, "no base copy of norm");
		CHECK_PROXY(h, "norm listed", dlsym(base, "mod_counter"));
	}

	/* nsshare is at work all the same: asked for, OTHER is shared. */
	const char *other = it_module(OTHER);
	void *o = dlmopen(LM_ID_NEWLM, other, RTLD_NOW | RTLD_SHARED);
	REQUIRE(o, "dlmopen(NEWLM, other, RTLD_SHARED): %s", dlerror());
	void *base = base_copy(other);
	REQUIRE(base, "no base copy of other");
	CHECK_PROXY(o, "other, RTLD_SHARED", dlsym(base, "mod_counter"));

	/* NSSHARE_DEBUG=all with NSSHARE_DEBUG_OUTPUT (share_secure.sh sets
	 * both, in a folder this process may write to): a log, but none in
	 * a secure process. */
	const char *out = getenv("NSSHARE_DEBUG_OUTPUT");
	REQUIRE(out && getenv("NSSHARE_DEBUG"), "NSSHARE_DEBUG is not set");
	char log[4096];
	snprintf(log, sizeof log, "%s.%ld", out, (long)getpid());
	bool written = access(log, F_OK) == 0;
	CHECK(written == !secure, "NSSHARE_DEBUG_OUTPUT: %s %s", log,
	      written ? "written" : "not written");
	if (written)
		unlink(log);

	CHECK(dlclose(o) == 0, "dlclose(other): %s", dlerror());
	CHECK(dlclose(h) == 0, "dlclose(norm): %s", dlerror());
	return it_finish();
}
