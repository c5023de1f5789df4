/* An object nsshare cannot copy for an instance (issue 14, point 4): one
 * without a PT_NOTE after its PT_LOADs, which a copy turns into the
 * segment of its new names (src/copy.c).  Past glibc's namespaces its
 * dlmopen fails naming the file and the reason, and leaves nothing
 * behind: no descriptor, no instance; the namespaces still work. */
#include "../shared/shared_util.h"

#define MOD "libinstance-nonote.so"

int main(void)
{
	const char *file = it_module(MOD);
	static void *h[20];
	int n = 0;
	Lmid_t last = 0;
	while (n < 20) {
		void *x = dlmopen(LM_ID_NEWLM, file, RTLD_NOW);
		if (!x)
			break;
		h[n++] = x;
		last = it_handle_ns(x);
	}
	REQUIRE(n == it_max_namespaces() && last < NSSHARE_INSTANCE_FIRST,
		"%d namespaces before the refusal (want %d), the last %ld", n,
		it_max_namespaces(), (long)last);
	int fds = count_fds();
	void *x = dlmopen(LM_ID_NEWLM, file, RTLD_NOW);
	const char *err = dlerror();
	char want[1024];
	snprintf(want, sizeof want, "%s: cannot make a copy for an instance: "
		 "no program header to carry its new names (a PT_NOTE after "
		 "its PT_LOADs)", file);
	CHECK(!x && err && strcmp(err, want) == 0, "past the namespaces: %s",
	      x ? "an instance" : err ? err : "no error");
	CHECK(count_fds() == fds, "%d descriptors after the refusal, %d before",
	      count_fds(), fds);
	/* No instance was left: a library that can be copied gets the
	 * first id. */
	void *z = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW);
	CHECK(z && it_handle_ns(z) == NSSHARE_INSTANCE_FIRST,
	      "the next instance's id: %ld", z ? (long)it_handle_ns(z) : -1L);
	if (z)
		dlclose(z);
	int (*next)(void);
	SYM(next, h[n - 1], "nonote_next");
	CHECK(next() == 1, "the last namespace's library still works");
	while (n > 0)
		CHECK(dlclose(h[--n]) == 0, "dlclose %d: %s", n, dlerror());
	return it_finish();
}
