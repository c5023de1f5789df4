/* Behaviour 5 of issue 3, NSSHARE_SHARE set before the program starts
 * (by soname, by the file's path or by a link to it: see CMakeLists.txt):
 * the untagged NORM is shared as if tagged, whichever name it is opened
 * by, alone or as a dependency; OTHER, not listed, stays private. */
#include "unique_util.h"

int main(void)
{
	REQUIRE(getenv("NSSHARE_SHARE"), "NSSHARE_SHARE is not set");
	const char *norm = it_module(NORM), *file = it_module(NORM ".1.0");

	/* By its link name. */
	void *p1 = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW);
	REQUIRE(p1, "dlmopen(NEWLM, norm): %s", dlerror());
	void *base = base_copy(norm);
	REQUIRE(base, "no base copy of norm");
	int *counter = dlsym(base, "mod_counter");
	CHECK_PROXY(p1, "norm into NEWLM", counter);

	/* By the file's own name. */
	void *p2 = dlmopen(LM_ID_NEWLM, file, RTLD_NOW);
	REQUIRE(p2, "dlmopen(NEWLM, %s): %s", file, dlerror());
	CHECK_PROXY(p2, "norm by file name into NEWLM", counter);

	/* As a dependency (DT_NEEDED libunique-norm.so.1): A is private,
	 * its NORM is the base copy. */
	void *a = dlmopen(LM_ID_NEWLM, it_module("libunique-a-norm.so"), RTLD_NOW);
	REQUIRE(a, "dlmopen(NEWLM, A needing norm): %s", dlerror());
	void *(*counter_addr)(void), *(*bump_addr)(void);
	SYM(counter_addr, a, "a_counter_addr");
	SYM(bump_addr, a, "a_bump_addr");
	CHECK(it_code_ns(a, "a_bump") == it_handle_ns(a), "A's code in ns %ld",
	      (long)it_code_ns(a, "a_bump"));
	CHECK(counter_addr() == counter, "A's mod_counter %p, base copy's %p",
	      counter_addr(), (void *)counter);
	CHECK(it_addr_ns(bump_addr()) == LM_ID_BASE, "A's mod_bump in ns %ld",
	      (long)it_addr_ns(bump_addr()));

	/* Not listed: private, nothing in the base. */
	const char *other = it_module(OTHER);
	void *o = dlmopen(LM_ID_NEWLM, other, RTLD_NOW);
	REQUIRE(o, "dlmopen(NEWLM, other): %s", dlerror());
	CHECK_PRIVATE(o, "other into NEWLM", false);
	CHECK(base_copy(other) == NULL, "other loaded into the base namespace");

	/* RTLD_ISOLATE still wins over the list. */
	void *iso = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(iso, "dlmopen(NEWLM, norm, RTLD_ISOLATE): %s", dlerror());
	CHECK_PRIVATE(iso, "norm into NEWLM, RTLD_ISOLATE", true);

	void *handles[] = { iso, o, a, p2, p1 };
	for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
		CHECK(dlclose(handles[i]) == 0, "dlclose %zu: %s", i, dlerror());
	return it_finish();
}
