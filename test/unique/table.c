/* Behaviours 1, 3 (refusal), 4 and 6 of issue 3: the patch series' table
 * for a unique object UNIQ (-z unique) and an untagged NORM, both mod.c.
 * Each step checks the handle's namespace, where the code runs (private:
 * the handle's namespace; proxy: the base), the free the module is bound
 * to (the base's unless RTLD_ISOLATE), and refusals. */
#include "unique_util.h"

int main(void)
{
	const char *uniq = it_module(UNIQ), *norm = it_module(NORM);

	/* UNIQ into a fresh namespace, plain: shared as if RTLD_SHARED. */
	void *p1 = dlmopen(LM_ID_NEWLM, uniq, RTLD_NOW);
	REQUIRE(p1, "dlmopen(NEWLM, uniq): %s", dlerror());
	CHECK_PROXY(p1, "uniq into NEWLM", NULL);
	void *base = base_copy(uniq);
	REQUIRE(base, "no base copy of %s", uniq);
	int *counter = dlsym(base, "mod_counter");
	CHECK(view_of(p1).counter == counter, "proxy's counter is not the base copy's");

	/* With RTLD_SHARED: the same, in another namespace. */
	void *p2 = dlmopen(LM_ID_NEWLM, uniq, RTLD_NOW | RTLD_SHARED);
	REQUIRE(p2, "dlmopen(NEWLM, uniq, RTLD_SHARED): %s", dlerror());
	CHECK_PROXY(p2, "uniq into NEWLM, RTLD_SHARED", counter);
	CHECK(it_handle_ns(p2) != it_handle_ns(p1), "both in ns %ld",
	      (long)it_handle_ns(p1));

	/* NORM into a fresh namespace: private. */
	void *n = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW);
	REQUIRE(n, "dlmopen(NEWLM, norm): %s", dlerror());
	CHECK_PRIVATE(n, "norm into NEWLM", false);
	CHECK(base_copy(norm) == NULL, "norm loaded into the base namespace");
	Lmid_t ns_n = it_handle_ns(n);

	/* UNIQ into that existing namespace, plain: a proxy there. */
	void *p3 = dlmopen(ns_n, uniq, RTLD_NOW);
	REQUIRE(p3, "dlmopen(%ld, uniq): %s", (long)ns_n, dlerror());
	CHECK_PROXY(p3, "uniq into norm's namespace", counter);
	CHECK(it_handle_ns(p3) == ns_n, "proxy in ns %ld, want %ld",
	      (long)it_handle_ns(p3), (long)ns_n);
	/* Opened again there: the same proxy. */
	void *p3again = dlmopen(ns_n, uniq, RTLD_NOW);
	CHECK(p3again == p3, "reopen gave %p, first %p", p3again, p3);
	if (p3again)
		dlclose(p3again);
	/* NORM's code is still private beside the proxy. */
	CHECK(it_code_ns(n, "mod_bump") == ns_n, "norm's code moved to ns %ld",
	      (long)it_code_ns(n, "mod_bump"));

	/* State is one: bumped through a proxy, seen through the base. */
	int (*bump)(void);
	SYM(bump, p3, "mod_bump");
	int before = *counter;
	bump();
	CHECK(*counter == before + 1, "counter %d, want %d", *counter, before + 1);

	/* UNIQ into the base namespace: a plain open of the base copy the
	 * proxies lead to, whether by dlopen or dlmopen(LM_ID_BASE). */
	void *b = dlopen(uniq, RTLD_NOW);
	REQUIRE(b, "dlopen(uniq): %s", dlerror());
	CHECK(b == base, "dlopen(uniq) gave %p, base copy %p", b, base);
	CHECK(it_handle_ns(b) == LM_ID_BASE, "base open in ns %ld",
	      (long)it_handle_ns(b));
	CHECK(!is_proxy(b) && strcmp(handle_file(b), uniq) == 0,
	      "base open is %s", handle_file(b));
	CHECK(it_code_ns(b, "mod_bump") == LM_ID_BASE, "base code ns %ld",
	      (long)it_code_ns(b, "mod_bump"));
	CHECK(dlsym(b, "mod_bump") == dlsym(p1, "mod_bump"),
	      "proxy's mod_bump is not the base copy's");
	void *bm = dlmopen(LM_ID_BASE, uniq, RTLD_NOW | RTLD_SHARED);
	CHECK(bm == b, "dlmopen(LM_ID_BASE, uniq) gave %p (%s), want %p", bm,
	      bm ? handle_file(bm) : dlerror(), b);
	if (bm)
		dlclose(bm);

	/* RTLD_ISOLATE: a private copy, bound to the namespace's own free. */
	void *iso = dlmopen(LM_ID_NEWLM, uniq, RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(iso, "dlmopen(NEWLM, uniq, RTLD_ISOLATE): %s", dlerror());
	CHECK_PRIVATE(iso, "uniq into NEWLM, RTLD_ISOLATE", true);
	CHECK(view_of(iso).counter != counter, "isolated copy shares the counter");
	Lmid_t ns_i = it_handle_ns(iso);

	/* That namespace now refuses UNIQ, plain or with RTLD_SHARED. */
	void *r = dlmopen(ns_i, uniq, RTLD_NOW);
	CHECK_DEMOTE_REFUSED(r, uniq, "uniq into the isolated namespace", dlerror);
	r = dlmopen(ns_i, uniq, RTLD_NOW | RTLD_SHARED);
	CHECK_DEMOTE_REFUSED(r, uniq, "uniq into the isolated namespace, "
			     "RTLD_SHARED", dlerror);
	/* The refusals changed nothing: RTLD_ISOLATE still finds the copy. */
	void *iso2 = dlmopen(ns_i, uniq, RTLD_NOW | RTLD_ISOLATE);
	CHECK(iso2 == iso, "isolated reopen gave %p, first %p", iso2, iso);
	if (iso2)
		dlclose(iso2);

	/* UNIQ into a namespace that RTLD_ISOLATE made for NORM (private
	 * glibc, no UNIQ): a proxy, still bound to the base's free. */
	void *ni = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(ni, "dlmopen(NEWLM, norm, RTLD_ISOLATE): %s", dlerror());
	CHECK_PRIVATE(ni, "norm into NEWLM, RTLD_ISOLATE", true);
	void *pi = dlmopen(it_handle_ns(ni), uniq, RTLD_NOW);
	REQUIRE(pi, "dlmopen(isolated ns, uniq): %s", dlerror());
	CHECK_PROXY(pi, "uniq into an isolated namespace", counter);
	CHECK(it_handle_ns(pi) == it_handle_ns(ni), "proxy in ns %ld, want %ld",
	      (long)it_handle_ns(pi), (long)it_handle_ns(ni));

	/* UNIQ into the base namespace first, then a fresh namespace: the
	 * proxy leads to that base copy (a second file with the same SONAME,
	 * so the order is new). */
	const char *sub = it_module("sub/" UNIQ);
	void *sb = dlopen(sub, RTLD_NOW);
	REQUIRE(sb, "dlopen(sub/uniq): %s", dlerror());
	void *sp = dlmopen(LM_ID_NEWLM, sub, RTLD_NOW);
	REQUIRE(sp, "dlmopen(NEWLM, sub/uniq): %s", dlerror());
	CHECK_PROXY(sp, "sub/uniq into NEWLM after a base open",
		    dlsym(sb, "mod_counter"));

	void *handles[] = { sp, sb, pi, ni, iso, b, p3, n, p2, p1 };
	for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
		CHECK(dlclose(handles[i]) == 0, "dlclose %zu: %s", i, dlerror());
	return it_finish();
}
