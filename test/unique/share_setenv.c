/* Behaviour 5 of issue 3, NSSHARE_SHARE changed while the program runs:
 * it is read at each dlmopen.  NORM is private while unlisted, shared
 * once listed (and a namespace with a private NORM then refuses it), and
 * private again once the variable is gone. */
#include "unique_util.h"

int main(void)
{
	const char *norm = it_module(NORM);
	unsetenv("NSSHARE_SHARE");

	void *priv = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW);
	REQUIRE(priv, "dlmopen(NEWLM, norm): %s", dlerror());
	CHECK_PRIVATE(priv, "norm, unlisted", false);
	CHECK(base_copy(norm) == NULL, "norm loaded into the base namespace");

	setenv("NSSHARE_SHARE", "libunique-norm.so.1", 1);
	void *p = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW);
	REQUIRE(p, "dlmopen(NEWLM, norm), listed: %s", dlerror());
	void *base = base_copy(norm);
	REQUIRE(base, "no base copy of norm");
	CHECK_PROXY(p, "norm, listed", dlsym(base, "mod_counter"));
	/* The namespace that holds a private NORM refuses it now. */
	void *r = dlmopen(it_handle_ns(priv), norm, RTLD_NOW);
	CHECK_DEMOTE_REFUSED(r, norm, "listed norm over a private copy", dlerror);

	unsetenv("NSSHARE_SHARE");
	void *again = dlmopen(LM_ID_NEWLM, norm, RTLD_NOW);
	REQUIRE(again, "dlmopen(NEWLM, norm), unlisted again: %s", dlerror());
	CHECK_PRIVATE(again, "norm, unlisted again", false);

	void *handles[] = { again, p, priv };
	for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
		CHECK(dlclose(handles[i]) == 0, "dlclose %zu: %s", i, dlerror());
	return it_finish();
}
