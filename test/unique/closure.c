/* Behaviour 2 of issue 3: A, untagged, needs UNIQ.  Opened into a
 * namespace, A loads privately and its UNIQ is the base copy, reached
 * through a proxy; the namespace holds no private UNIQ.  Built once per
 * way ld.so finds UNIQ (A_MOD, UNIQ_MOD: see CMakeLists.txt). */
#include "unique_util.h"

/* A's view of its dependency, through handle A (opened as WHAT) in a
 * secondary namespace: private A, and UNIQ's code, state and free in the
 * base, BASE_COUNTER being the base copy's counter. */
static void check_a(void *a, const char *what, int *base_counter)
{
	void *(*counter_addr)(void), *(*bump_addr)(void), *(*free_addr)(void);
	int (*bump)(void);
	SYM(counter_addr, a, "a_counter_addr");
	SYM(bump_addr, a, "a_bump_addr");
	SYM(free_addr, a, "a_free_addr");
	SYM(bump, a, "a_bump");
	Lmid_t ns = it_handle_ns(a);
	CHECK(ns > 0, "%s: handle ns %ld", what, (long)ns);
	CHECK(it_code_ns(a, "a_bump") == ns, "%s: A's code in ns %ld", what,
	      (long)it_code_ns(a, "a_bump"));
	CHECK(!is_proxy(a), "%s: A is a proxy", what);
	CHECK(it_addr_ns(bump_addr()) == LM_ID_BASE,
	      "%s: A's mod_bump in ns %ld (%s)", what,
	      (long)it_addr_ns(bump_addr()), it_addr_object(bump_addr()));
	CHECK(counter_addr() == base_counter, "%s: A's mod_counter %p, base "
	      "copy's %p", what, counter_addr(), (void *)base_counter);
	CHECK(it_addr_ns(free_addr()) == LM_ID_BASE, "%s: A's free in ns %ld",
	      what, (long)it_addr_ns(free_addr()));
	int before = *base_counter;
	bump();
	CHECK(*base_counter == before + 1, "%s: a bump through A left the base "
	      "copy's counter at %d", what, *base_counter);
}

/* Namespace NS holds no private UNIQ: asked for it without loading,
 * by path and by soname, it has nothing or the proxy. */
static void check_no_private(Lmid_t ns, const char *uniq, const char *what)
{
	const char *names[] = { uniq, UNIQ };
	for (size_t i = 0; i < 2; i++) {
		void *h = dlmopen(ns, names[i], RTLD_NOW | RTLD_NOLOAD);
		if (!h) {
			dlerror();
			continue;
		}
		CHECK(is_proxy(h) && it_code_ns(h, "mod_bump") == LM_ID_BASE,
		      "%s: ns %ld holds %s as %s, code in ns %ld", what, (long)ns,
		      names[i], handle_file(h), (long)it_code_ns(h, "mod_bump"));
		dlclose(h);
	}
}

int main(void)
{
	const char *uniq = it_module(UNIQ_MOD), *a_path = it_module(A_MOD);

	void *a = dlmopen(LM_ID_NEWLM, a_path, RTLD_NOW);
	REQUIRE(a, "dlmopen(NEWLM, %s): %s", A_MOD, dlerror());
	void *base = base_copy(uniq);
	REQUIRE(base, "no base copy of %s", uniq);
	int *counter = dlsym(base, "mod_counter");
	REQUIRE(counter, "base copy without mod_counter");
	check_a(a, "A into NEWLM", counter);
	check_no_private(it_handle_ns(a), uniq, "A into NEWLM");
	/* UNIQ was found where ld.so finds it for A, nowhere else. */
	if (strcmp(UNIQ_MOD, UNIQ) != 0)
		CHECK(base_copy(it_module(UNIQ)) == NULL,
		      "the base namespace holds %s", it_module(UNIQ));

	/* A second namespace with A shares the same base copy. */
	void *a2 = dlmopen(LM_ID_NEWLM, a_path, RTLD_NOW);
	REQUIRE(a2, "second dlmopen(NEWLM, %s): %s", A_MOD, dlerror());
	check_a(a2, "A into another NEWLM", counter);

	/* A into an existing namespace, which gets the proxy then. */
	void *host = dlmopen(LM_ID_NEWLM, it_module(LOADER), RTLD_NOW);
	REQUIRE(host, "dlmopen(NEWLM, loader): %s", dlerror());
	Lmid_t ns = it_handle_ns(host);
	void *a3 = dlmopen(ns, a_path, RTLD_NOW);
	REQUIRE(a3, "dlmopen(%ld, %s): %s", (long)ns, A_MOD, dlerror());
	CHECK(it_handle_ns(a3) == ns, "A in ns %ld, want %ld",
	      (long)it_handle_ns(a3), (long)ns);
	check_a(a3, "A into an existing namespace", counter);
	check_no_private(ns, uniq, "A into an existing namespace");

	void *handles[] = { a3, host, a2, a };
	for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
		CHECK(dlclose(handles[i]) == 0, "dlclose %zu: %s", i, dlerror());
	return it_finish();
}
