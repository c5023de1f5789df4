/* Issue 11 B: a unique object without DT_SONAME is never also loaded
 * privately, whichever name its dependents give it.  A-BARE needs it as
 * "libunique-nosoname.so", A-PATH by its path.  Opened into a fresh
 * namespace and into an existing one, each A binds to the base copy,
 * and no object of the namespace is a private copy of the file (ld.so
 * would add one when no object of the namespace answers to the name). */
#include "unique_util.h"

#define NOSONAME "nosoname/libunique-nosoname.so"

/* The objects of namespace NS loaded from the file of NOSONAME (a proxy
 * is loaded from /proc/PID/fd/N). */
static int private_copies(Lmid_t ns)
{
	void *any = dlmopen(ns, "libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	struct link_map *lm = NULL;
	if (!any || dlinfo(any, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		dlerror();
		return -1;
	}
	while (lm->l_prev)
		lm = lm->l_prev;
	int n = 0;
	for (; lm; lm = lm->l_next)
		n += ends_with(lm->l_name, "libunique-nosoname.so") &&
		     !it_is_image_path(lm->l_name);
	dlclose(any);
	return n;
}

/* A, opened as WHAT into NS, is private and bound to the base copy. */
static void check_a(void *a, const char *what, int *base_counter)
{
	void *(*counter_addr)(void), *(*bump_addr)(void);
	SYM(counter_addr, a, "a_counter_addr");
	SYM(bump_addr, a, "a_bump_addr");
	Lmid_t ns = it_handle_ns(a);
	CHECK(ns > 0 && !is_proxy(a), "%s: ns %ld, %s", what, (long)ns,
	      handle_file(a));
	CHECK(it_addr_ns(bump_addr()) == LM_ID_BASE,
	      "%s: A's mod_bump in ns %ld (%s)", what,
	      (long)it_addr_ns(bump_addr()), it_addr_object(bump_addr()));
	CHECK(counter_addr() == base_counter, "%s: A's mod_counter %p (%s), "
	      "base copy's %p", what, counter_addr(),
	      it_addr_object(counter_addr()), (void *)base_counter);
	int copies = private_copies(ns);
	CHECK(copies == 0, "%s: ns %ld holds %d private copies of %s", what,
	      (long)ns, copies, NOSONAME);
}

int main(void)
{
	const char *bare = it_module("libunique-a-bare.so");
	const char *path = it_module("libunique-a-path.so");

	void *a1 = dlmopen(LM_ID_NEWLM, bare, RTLD_NOW);
	REQUIRE(a1, "dlmopen(NEWLM, A-BARE): %s", dlerror());
	void *base = base_copy(it_module(NOSONAME));
	REQUIRE(base, "no base copy of %s", NOSONAME);
	int *counter = dlsym(base, "mod_counter");
	REQUIRE(counter, "dlsym(base copy, mod_counter): %s", dlerror());
	check_a(a1, "A-BARE in a fresh namespace", counter);

	/* The other name, in the same namespace and in a fresh one. */
	void *a2 = dlmopen(it_handle_ns(a1), path, RTLD_NOW);
	REQUIRE(a2, "dlmopen(ns, A-PATH): %s", dlerror());
	check_a(a2, "A-PATH in A-BARE's namespace", counter);
	void *a3 = dlmopen(LM_ID_NEWLM, path, RTLD_NOW);
	REQUIRE(a3, "dlmopen(NEWLM, A-PATH): %s", dlerror());
	check_a(a3, "A-PATH in a fresh namespace", counter);
	void *a4 = dlmopen(it_handle_ns(a3), bare, RTLD_NOW);
	REQUIRE(a4, "dlmopen(ns, A-BARE): %s", dlerror());
	check_a(a4, "A-BARE in A-PATH's namespace", counter);

	/* Asked for by its bare name, each namespace answers with a proxy. */
	void *u = dlmopen(it_handle_ns(a1), "libunique-nosoname.so", RTLD_NOW);
	CHECK(u && is_proxy(u), "dlmopen(ns, libunique-nosoname.so): %s",
	      u ? handle_file(u) : dlerror());
	if (u)
		dlclose(u);

	int before = *counter;
	int (*bump)(void);
	SYM(bump, a3, "a_bump");
	bump();
	CHECK(*counter == before + 1, "a bump through A-PATH left the base "
	      "copy's counter at %d", *counter);
	for (void **h = (void *[]){ a4, a3, a2, a1, NULL }; *h; h++)
		CHECK(dlclose(*h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
