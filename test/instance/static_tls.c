/* The static TLS limit of instances (issue 14, point 4): every copy of a
 * library with initial-exec TLS takes static TLS of its own, as each
 * namespace's private copy does under stock glibc, until glibc has none
 * left.  Then dlmopen fails with stock's text for it, naming the library
 * the caller asked for (never nsshare's copy), and the reason after it;
 * the instances made before it still work.  A library with more of it
 * runs out in glibc's namespaces first, with the same error. */
#include "it.h"

#define MOD "libinstance-ietls.so"
#define BIG "libinstance-ietls-big.so"
#define MAX 4000

/* The error for FILE once static TLS ran out: stock's text, and why. */
static void want_error(char *want, size_t cap, const char *file)
{
	snprintf(want, cap, "%s: cannot allocate memory in static "
		 "TLS block (each namespace's or instance's own copy of a "
		 "library with initial-exec TLS takes static TLS, and with "
		 "RTLD_ISOLATE so does each namespace's own libc; "
		 "NSSHARE_SHARE of the library makes one copy of it, and "
		 "from glibc 2.32 on GLIBC_TUNABLES=glibc.rtld."
		 "optional_static_tls=BYTES reserves more)", file);
}

/* A library whose 2 KiB of initial-exec TLS runs out in glibc's own
 * namespaces (at once, after the instances above): the same error, from
 * a namespace's private copy. */
static void in_namespaces(void)
{
	const char *file = it_module(BIG);
	static void *h[20];
	int n = 0;
	const char *err = NULL;
	while (n < 20 && !err) {
		if ((h[n] = dlmopen(LM_ID_NEWLM, file, RTLD_NOW)))
			n++;
		else
			err = dlerror();
	}
	char want[1024];
	want_error(want, sizeof want, file);
	CHECK(err && strcmp(err, want) == 0 &&
	      (n == 0 || it_handle_ns(h[n - 1]) < NSSHARE_INSTANCE_FIRST),
	      "after %d namespaces: \"%s\"", n, err ? err : "no error");
	while (n > 0)
		CHECK(dlclose(h[--n]) == 0, "dlclose %d: %s", n, dlerror());
}

int main(void)
{
	const char *file = it_module(MOD);
	static void *h[MAX];
	int n = 0;
	const char *err = NULL;
	for (; n < MAX; n++) {
		h[n] = dlmopen(LM_ID_NEWLM, file, RTLD_NOW);
		if (!h[n]) {
			err = dlerror();
			break;
		}
		int (*touch)(void);
		SYM(touch, h[n], "ietls_touch");
		CHECK(touch() == 1, "handle %d: its own TLS", n);
	}
	REQUIRE(err, "%d instances and static TLS left", n);
	REQUIRE(n > 0 && it_handle_ns(h[n - 1]) >= NSSHARE_INSTANCE_FIRST,
		"static TLS ran out in glibc's namespaces, after %d: %s", n,
		err);
	/* Stock's text for it, as ld.so gives it for the file. */
	char want[1024];
	want_error(want, sizeof want, file);
	CHECK(strcmp(err, want) == 0, "after %d handles: \"%s\"", n, err);
	CHECK(dlerror() == NULL, "the error reported twice");
	printf("info: %d handles before static TLS ran out\n", n);
	int (*touch)(void);
	SYM(touch, h[n - 1], "ietls_touch");
	CHECK(touch() == 2, "the last instance still works");
	while (n > 0)
		CHECK(dlclose(h[--n]) == 0, "dlclose %d: %s", n, dlerror());
	/* Last: what it takes of static TLS is never given back. */
	in_namespaces();
	return it_finish();
}
