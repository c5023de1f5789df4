/* Behaviour 3 of issue 3: RTLD_ISOLATE suppresses implicit sharing for
 * the call: A and its unique dependency UNIQ load privately, glibc too in
 * a fresh namespace.  The namespace then refuses UNIQ. */
#include "unique_util.h"

/* Where A's references lead, through handle A. */
static void a_refs(void *a, Lmid_t *bump_ns, Lmid_t *counter_ns, Lmid_t *free_ns)
{
	void *(*counter_addr)(void), *(*bump_addr)(void), *(*free_addr)(void);
	SYM(counter_addr, a, "a_counter_addr");
	SYM(bump_addr, a, "a_bump_addr");
	SYM(free_addr, a, "a_free_addr");
	*bump_ns = it_addr_ns(bump_addr());
	*counter_ns = it_addr_ns(counter_addr());
	*free_ns = it_addr_ns(free_addr());
}

int main(void)
{
	const char *uniq = it_module(UNIQ), *a_path = it_module("libunique-a-origin.so");
	Lmid_t bump_ns, counter_ns, free_ns;

	/* A fresh namespace: everything private, nothing in the base. */
	void *a = dlmopen(LM_ID_NEWLM, a_path, RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(a, "dlmopen(NEWLM, A, RTLD_ISOLATE): %s", dlerror());
	Lmid_t ns = it_handle_ns(a);
	CHECK(ns > 0, "handle ns %ld", (long)ns);
	CHECK(it_code_ns(a, "a_bump") == ns, "A's code in ns %ld",
	      (long)it_code_ns(a, "a_bump"));
	a_refs(a, &bump_ns, &counter_ns, &free_ns);
	CHECK(bump_ns == ns, "A's mod_bump in ns %ld, handle ns %ld",
	      (long)bump_ns, (long)ns);
	CHECK(counter_ns == ns, "A's mod_counter in ns %ld", (long)counter_ns);
	CHECK(free_ns == ns, "A's free in ns %ld", (long)free_ns);
	CHECK(base_copy(uniq) == NULL, "RTLD_ISOLATE loaded a base copy");

	/* Its private UNIQ is what glibc finds there... */
	void *priv = dlmopen(ns, uniq, RTLD_NOW | RTLD_ISOLATE | RTLD_NOLOAD);
	CHECK(priv && !is_proxy(priv) && it_code_ns(priv, "mod_bump") == ns,
	      "private uniq in ns %ld: %s", (long)ns,
	      priv ? handle_file(priv) : dlerror());
	if (priv)
		dlclose(priv);
	/* ...and a later open of UNIQ there is refused, plain or shared. */
	void *r = dlmopen(ns, uniq, RTLD_NOW);
	CHECK_DEMOTE_REFUSED(r, uniq, "uniq into A's isolated namespace", dlerror);
	r = dlmopen(ns, uniq, RTLD_NOW | RTLD_SHARED);
	CHECK_DEMOTE_REFUSED(r, uniq, "uniq into A's isolated namespace, "
			     "RTLD_SHARED", dlerror);
	CHECK(base_copy(uniq) == NULL, "a refusal loaded a base copy");

	/* Into an existing namespace that shares glibc: A's UNIQ is private,
	 * its glibc is the namespace's (the base's, through the proxies). */
	void *host = dlmopen(LM_ID_NEWLM, it_module(LOADER), RTLD_NOW);
	REQUIRE(host, "dlmopen(NEWLM, loader): %s", dlerror());
	Lmid_t ns2 = it_handle_ns(host);
	void *a2 = dlmopen(ns2, a_path, RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(a2, "dlmopen(%ld, A, RTLD_ISOLATE): %s", (long)ns2, dlerror());
	a_refs(a2, &bump_ns, &counter_ns, &free_ns);
	CHECK(bump_ns == ns2, "A's mod_bump in ns %ld, handle ns %ld",
	      (long)bump_ns, (long)ns2);
	CHECK(free_ns == LM_ID_BASE, "A's free in ns %ld", (long)free_ns);

	/* A plain open of A into a namespace RTLD_ISOLATE made: UNIQ is
	 * proxied, the namespace's private glibc stays whole.  (The loader
	 * makes it: a mod.c build first in the namespace would define
	 * mod_bump in its global scope, ahead of any dependency of A.) */
	void *iso = dlmopen(LM_ID_NEWLM, it_module(LOADER), RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(iso, "dlmopen(NEWLM, loader, RTLD_ISOLATE): %s", dlerror());
	Lmid_t ns3 = it_handle_ns(iso);
	void *a4 = dlmopen(ns3, a_path, RTLD_NOW);
	REQUIRE(a4, "dlmopen(%ld, A): %s", (long)ns3, dlerror());
	a_refs(a4, &bump_ns, &counter_ns, &free_ns);
	CHECK(bump_ns == LM_ID_BASE, "A's mod_bump in ns %ld", (long)bump_ns);
	CHECK(free_ns == ns3, "A's free in ns %ld, want %ld", (long)free_ns,
	      (long)ns3);

	/* RTLD_ISOLATE does not stick: a plain open shares UNIQ again. */
	void *a3 = dlmopen(LM_ID_NEWLM, a_path, RTLD_NOW);
	REQUIRE(a3, "dlmopen(NEWLM, A): %s", dlerror());
	a_refs(a3, &bump_ns, &counter_ns, &free_ns);
	CHECK(bump_ns == LM_ID_BASE, "A's mod_bump in ns %ld", (long)bump_ns);
	CHECK(free_ns == LM_ID_BASE, "A's free in ns %ld", (long)free_ns);
	CHECK(base_copy(uniq) != NULL, "no base copy after a plain open");

	void *handles[] = { a4, iso, a3, a2, host, a };
	for (size_t i = 0; i < sizeof handles / sizeof handles[0]; i++)
		CHECK(dlclose(handles[i]) == 0, "dlclose %zu: %s", i, dlerror());
	return it_finish();
}
