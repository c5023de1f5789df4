/* Behaviour 4 of issue 2: RTLD_SHARED of X into a namespace that holds a
 * private copy of X is refused with "<path of X>: object cannot be demoted
 * to a proxy", reported once, and the refusal changes nothing. */
#include "shared_util.h"

#define DEMOTE_REASON ": object cannot be demoted to a proxy"

/* dlmopen(NS, X, RTLD_SHARED) must fail with the refusal naming X. */
static void refused(Lmid_t ns, const char *what)
{
	const char *x = module_path(COUNTER_MOD);
	int fds = count_fds();
	void *h = dlmopen(ns, x, RTLD_NOW | RTLD_SHARED);
	CHECK(!h, "%s: RTLD_SHARED over a private copy gave %p", what, h);
	const char *msg = dlerror();
	REQUIRE(msg, "%s: no dlerror()", what);
	CHECK(ends_with(msg, DEMOTE_REASON), "%s: \"%s\"", what, msg);
	CHECK(strstr(msg, COUNTER_MOD) != NULL, "%s: \"%s\" does not name X", what, msg);
	/* "<path of X>: reason": here the path given was X's absolute path. */
	char want[4096];
	snprintf(want, sizeof want, "%s%s", x, DEMOTE_REASON);
	CHECK(strcmp(msg, want) == 0, "%s: \"%s\", want \"%s\"", what, msg, want);
	CHECK(dlerror() == NULL, "%s: error reported twice", what);
	CHECK(count_fds() == fds, "%s: fds %d, were %d", what, count_fds(), fds);
	/* No base copy was loaded for the proxy that was not made. */
	CHECK(!base_has(COUNTER_MOD), "%s: X loaded into the base namespace", what);
}

/* NS's private copy is still the one a plain open finds. */
static void private_intact(Lmid_t ns, void *priv, const char *what)
{
	void *again = dlmopen(ns, module_path(COUNTER_MOD), RTLD_NOW);
	CHECK(again == priv, "%s: plain reopen %p, private copy %p", what, again, priv);
	if (again)
		dlclose(again);
	CHECK(it_code_ns(priv, "shared_counter_bump") == ns, "%s: code ns %ld", what,
	      (long)it_code_ns(priv, "shared_counter_bump"));
}

/* X loaded privately by a plain dlmopen(LM_ID_NEWLM, X). */
static void private_first(void)
{
	void *priv = dlmopen(LM_ID_NEWLM, module_path(COUNTER_MOD), RTLD_NOW);
	REQUIRE(priv, "dlmopen(LM_ID_NEWLM, X): %s", dlerror());
	Lmid_t ns = it_handle_ns(priv);
	CHECK(ns > 0, "ns %ld", (long)ns);
	refused(ns, "X created N");
	private_intact(ns, priv, "X created N");
	/* Refused again: the first refusal left no state behind. */
	refused(ns, "X created N, again");
	CHECK(dlclose(priv) == 0, "dlclose: %s", dlerror());
}

/* X loaded privately into a namespace another library created. */
static void private_added(void)
{
	void *plain = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	REQUIRE(plain, "dlmopen plain: %s", dlerror());
	Lmid_t ns = it_handle_ns(plain);
	void *priv = dlmopen(ns, module_path(COUNTER_MOD), RTLD_NOW);
	REQUIRE(priv, "dlmopen(%ld, X): %s", (long)ns, dlerror());
	refused(ns, "X added to N");
	private_intact(ns, priv, "X added to N");
	CHECK(dlclose(priv) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(plain) == 0, "dlclose: %s", dlerror());
}

/* X loaded privately as Y's dependency. */
static void private_dependency(void)
{
	void *y = dlmopen(LM_ID_NEWLM, module_path(USER_MOD), RTLD_NOW);
	REQUIRE(y, "dlmopen(LM_ID_NEWLM, Y): %s", dlerror());
	Lmid_t ns = it_handle_ns(y);
	void *priv = dlmopen(ns, module_path(COUNTER_MOD), RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(priv, "Y did not bring X into N: %s", dlerror());
	refused(ns, "X needed by Y");
	private_intact(ns, priv, "X needed by Y");
	dlclose(priv);
	CHECK(dlclose(y) == 0, "dlclose: %s", dlerror());
}

int main(void)
{
	private_first();
	private_added();
	private_dependency();
	/* After all refusals, RTLD_SHARED into a fresh namespace still works. */
	void *p = dlmopen(LM_ID_NEWLM, module_path(COUNTER_MOD), RTLD_NOW | RTLD_SHARED);
	CHECK(p && it_code_ns(p, "shared_counter_get") == LM_ID_BASE,
	      "RTLD_SHARED after refusals: %s", p ? "code not in base" : dlerror());
	if (p)
		dlclose(p);
	return it_finish();
}
