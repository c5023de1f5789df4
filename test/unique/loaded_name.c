/* A bare name that a namespace already holds is that object, as ld.so
 * matches a name against the namespace's objects (their names and
 * SONAMEs) before it searches the disk: here A and its UNIQ's proxy,
 * asked for by SONAME from the program, whose search path finds neither.
 * Stock dlmopen returns them; nsshare must too (a unique one being its
 * proxy), with and without RTLD_NOLOAD. */
#include "unique_util.h"

int main(void)
{
	const char *a_name = "libunique-a-origin.so";
	/* The premise: the program's search path does not find them. */
	REQUIRE(dlopen(UNIQ, RTLD_NOW) == NULL && dlopen(a_name, RTLD_NOW) == NULL,
		"the test modules are on the program's search path");
	dlerror();
	void *a = dlmopen(LM_ID_NEWLM, it_module(a_name), RTLD_NOW);
	REQUIRE(a, "dlmopen(NEWLM, A): %s", dlerror());
	Lmid_t ns = it_handle_ns(a);

	for (int pass = 0; pass < 2; pass++) {
		int mode = RTLD_NOW | (pass ? 0 : RTLD_NOLOAD);
		const char *how = pass ? "plain" : "RTLD_NOLOAD";

		void *again = dlmopen(ns, a_name, mode);
		CHECK(again == a, "%s dlmopen(ns, %s): %p (%s), A %p", how, a_name,
		      again, again ? handle_file(again) : dlerror(), a);
		if (again)
			dlclose(again);

		void *u = dlmopen(ns, UNIQ, mode);
		CHECK(u && is_proxy(u) && it_handle_ns(u) == ns &&
		      it_code_ns(u, "mod_bump") == LM_ID_BASE,
		      "%s dlmopen(ns, %s): %p (%s)", how, UNIQ, u,
		      u ? handle_file(u) : dlerror());
		if (u)
			dlclose(u);
	}
	CHECK(dlclose(a) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
