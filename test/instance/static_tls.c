/* The static TLS limit of instances (issue 14, point 4): every copy of a
 * library with initial-exec TLS takes static TLS of its own, as each
 * namespace's private copy does under stock glibc, until glibc has none
 * left.  Then dlmopen fails with stock's text for it, naming the library
 * the caller asked for (never nsshare's copy), and the reason after it;
 * the instances made before it still work. */
#include "it.h"

#define MOD "libinstance-ietls.so"
#define MAX 4000

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
	snprintf(want, sizeof want, "%s: cannot allocate memory in static "
		 "TLS block (each instance's copy of a library with "
		 "initial-exec TLS takes static TLS of its own; from glibc "
		 "2.32 on, GLIBC_TUNABLES=glibc.rtld.optional_static_tls=BYTES "
		 "reserves more)", file);
	CHECK(strcmp(err, want) == 0, "after %d handles: \"%s\"", n, err);
	CHECK(dlerror() == NULL, "the error reported twice");
	printf("info: %d handles before static TLS ran out\n", n);
	int (*touch)(void);
	SYM(touch, h[n - 1], "ietls_touch");
	CHECK(touch() == 2, "the last instance still works");
	while (n > 0)
		CHECK(dlclose(h[--n]) == 0, "dlclose %d: %s", n, dlerror());
	return it_finish();
}
