/* Behaviours 1 and 2 of issue 2: RTLD_SHARED into the base namespace is a
 * plain open; RTLD_SHARED into a new or an existing secondary namespace
 * gives that namespace a proxy whose symbols are the base copy's, and
 * every object of the namespace that needs X binds the base copy. */
#include "shared_util.h"

typedef int *(*addr_fn)(void);
typedef int (*int_fn)(void);
typedef void *(*ptr_fn)(void);

/* Behaviour 1: the base namespace ignores RTLD_SHARED.  Runs before
 * anything else opens X, so that a pinned copy would be visible. */
static void base_open(void)
{
	const char *x = module_path(COUNTER_MOD);
	void *h = dlmopen(LM_ID_BASE, x, RTLD_NOW | RTLD_SHARED);
	REQUIRE(h, "dlmopen(LM_ID_BASE, X, RTLD_SHARED): %s", dlerror());
	CHECK(it_handle_ns(h) == LM_ID_BASE, "handle ns %ld", (long)it_handle_ns(h));
	CHECK(it_code_ns(h, "shared_counter_addr") == LM_ID_BASE, "code ns %ld",
	      (long)it_code_ns(h, "shared_counter_addr"));
	void *again = dlopen(x, RTLD_NOW | RTLD_NOLOAD);
	CHECK(again == h, "dlopen(X, RTLD_NOLOAD) gave %p, dlmopen %p", again, h);
	if (again)
		dlclose(again);
	/* A plain open is not pinned: the last dlclose unloads X. */
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	CHECK(!base_has(COUNTER_MOD), "X still loaded after its last dlclose");
}

/* dlsym/dlvsym through the proxy P equal those through the base copy B. */
static void same_symbols(void *p, void *b)
{
	static const char *const names[] = {
		"shared_counter", "shared_counter_addr", "shared_counter_bump",
		"shared_counter_get", "shared_foo",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		void *vp = dlsym(p, names[i]), *vb = dlsym(b, names[i]);
		CHECK(vb && vp == vb, "dlsym %s: proxy %p, base %p", names[i], vp, vb);
	}
	void *p1 = dlvsym(p, "shared_foo", "V1"), *b1 = dlvsym(b, "shared_foo", "V1");
	void *p2 = dlvsym(p, "shared_foo", "V2"), *b2 = dlvsym(b, "shared_foo", "V2");
	CHECK(b1 && p1 == b1, "dlvsym shared_foo@V1: proxy %p, base %p", p1, b1);
	CHECK(b2 && p2 == b2, "dlvsym shared_foo@V2: proxy %p, base %p", p2, b2);
	CHECK(p1 != p2, "both versions at %p", p1);
	/* The default version is V2, through the proxy as through the base. */
	CHECK(dlsym(p, "shared_foo") == b2, "dlsym shared_foo is not @@V2");
	if (p1 && p2) {
		CHECK(((int_fn)p1)() == 1, "shared_foo@V1 via proxy");
		CHECK(((int_fn)p2)() == 2, "shared_foo@V2 via proxy");
	}
	CHECK(dlvsym(p, "shared_counter_get", "V1") == dlsym(b, "shared_counter_get"),
	      "dlvsym shared_counter_get@V1 differs");
	CHECK(!dlvsym(p, "shared_foo", "V3"), "dlvsym of a version X lacks");
	dlerror();
	CHECK(!dlsym(p, "shared_foo_v1"), "a local symbol of X shows through the proxy");
	dlerror();
}

/* Y, loaded plainly into the namespace of the proxy P, binds the base
 * copy B; the counter it increments is the base copy's. */
static void user_binds_base(Lmid_t ns, void *b)
{
	void *y = dlmopen(ns, module_path(USER_MOD), RTLD_NOW);
	REQUIRE(y, "dlmopen(%ld, Y): %s", (long)ns, dlerror());
	CHECK(it_handle_ns(y) == ns, "Y's handle ns %ld", (long)it_handle_ns(y));
	CHECK(it_code_ns(y, "user_bump") == ns, "Y's code ns %ld",
	      (long)it_code_ns(y, "user_bump"));
	addr_fn user_counter_addr = (addr_fn)dlsym(y, "user_counter_addr");
	addr_fn user_counter_var = (addr_fn)dlsym(y, "user_counter_var");
	int_fn user_bump = (int_fn)dlsym(y, "user_bump");
	int_fn user_foo = (int_fn)dlsym(y, "user_foo");
	ptr_fn user_counter_fn = (ptr_fn)dlsym(y, "user_counter_fn");
	ptr_fn user_foo_fn = (ptr_fn)dlsym(y, "user_foo_fn");
	REQUIRE(user_counter_addr && user_counter_var && user_bump && user_foo &&
		user_counter_fn && user_foo_fn, "Y's functions");

	int *base_counter = dlsym(b, "shared_counter");
	int_fn base_get = (int_fn)dlsym(b, "shared_counter_get");
	REQUIRE(base_counter && base_get, "base copy's symbols");
	CHECK(user_counter_addr() == base_counter, "Y's X returns counter %p, base %p",
	      (void *)user_counter_addr(), (void *)base_counter);
	CHECK(user_counter_var() == base_counter, "Y binds shared_counter to %p, base %p",
	      (void *)user_counter_var(), (void *)base_counter);
	CHECK(user_counter_fn() == dlsym(b, "shared_counter_addr"),
	      "Y binds shared_counter_addr to %s", it_addr_object(user_counter_fn()));
	CHECK(it_addr_ns(user_counter_fn()) == LM_ID_BASE, "Y's X in ns %ld",
	      (long)it_addr_ns(user_counter_fn()));
	CHECK(user_foo_fn() == dlvsym(b, "shared_foo", "V2"),
	      "Y binds shared_foo@V2 to %p", user_foo_fn());
	CHECK(user_foo() == 2, "Y's shared_foo gave %d", user_foo());

	int before = base_get();
	CHECK(user_bump() == before + 1, "Y's bump");
	CHECK(base_get() == before + 1, "base sees %d after Y's bump from %d",
	      base_get(), before);
	CHECK(*base_counter == before + 1, "base counter %d", *base_counter);
	CHECK(dlclose(y) == 0, "dlclose(Y): %s", dlerror());
}

/* The control: Y in a namespace without a proxy of X gets a private X.
 * Shows that the checks above can tell the copies apart. */
static void user_without_proxy(void *b)
{
	void *y = dlmopen(LM_ID_NEWLM, module_path(USER_MOD), RTLD_NOW);
	REQUIRE(y, "dlmopen(LM_ID_NEWLM, Y): %s", dlerror());
	addr_fn user_counter_addr = (addr_fn)dlsym(y, "user_counter_addr");
	ptr_fn user_counter_fn = (ptr_fn)dlsym(y, "user_counter_fn");
	REQUIRE(user_counter_addr && user_counter_fn, "Y's functions");
	CHECK(user_counter_addr() != dlsym(b, "shared_counter"),
	      "Y without a proxy reached the base counter");
	CHECK(it_addr_ns(user_counter_fn()) == it_handle_ns(y),
	      "Y's private X in ns %ld, Y in %ld", (long)it_addr_ns(user_counter_fn()),
	      (long)it_handle_ns(y));
	CHECK(dlclose(y) == 0, "dlclose: %s", dlerror());
}

/* Behaviour 2 with N = LM_ID_NEWLM. */
static void *shared_new_namespace(void)
{
	const char *x = module_path(COUNTER_MOD);
	void *p = dlmopen(LM_ID_NEWLM, x, RTLD_NOW | RTLD_SHARED);
	REQUIRE(p, "dlmopen(LM_ID_NEWLM, X, RTLD_SHARED): %s", dlerror());
	Lmid_t ns = it_handle_ns(p);
	CHECK(ns > 0, "handle ns %ld", (long)ns);
	CHECK(it_code_ns(p, "shared_counter_addr") == LM_ID_BASE, "code ns %ld",
	      (long)it_code_ns(p, "shared_counter_addr"));
	CHECK(it_code_ns(p, "shared_counter") == LM_ID_BASE, "data ns %ld",
	      (long)it_code_ns(p, "shared_counter"));

	void *b = dlopen(x, RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(b, "no base copy of X: %s", dlerror());
	CHECK(it_handle_ns(b) == LM_ID_BASE, "base handle ns %ld", (long)it_handle_ns(b));
	CHECK(b != p, "the proxy is the base handle");
	same_symbols(p, b);
	user_binds_base(ns, b);
	user_without_proxy(b);
	dlclose(b);
	return p;
}

/* Behaviour 2 with N an existing namespace created by another library. */
static void shared_existing_namespace(void *first_proxy)
{
	const char *x = module_path(COUNTER_MOD);
	void *plain = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	REQUIRE(plain, "dlmopen(LM_ID_NEWLM, plain): %s", dlerror());
	Lmid_t ns = it_handle_ns(plain);
	CHECK(ns > 0 && ns != it_handle_ns(first_proxy), "plain ns %ld", (long)ns);

	void *p = dlmopen(ns, x, RTLD_NOW | RTLD_SHARED);
	REQUIRE(p, "dlmopen(%ld, X, RTLD_SHARED): %s", (long)ns, dlerror());
	CHECK(it_handle_ns(p) == ns, "handle ns %ld, want %ld", (long)it_handle_ns(p),
	      (long)ns);
	CHECK(it_code_ns(p, "shared_counter_bump") == LM_ID_BASE, "code ns %ld",
	      (long)it_code_ns(p, "shared_counter_bump"));
	CHECK(p != first_proxy, "one handle for two namespaces");
	/* One base copy for every namespace. */
	CHECK(dlsym(p, "shared_counter") == dlsym(first_proxy, "shared_counter"),
	      "two namespaces' proxies disagree");

	void *b = dlopen(x, RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(b, "no base copy of X: %s", dlerror());
	same_symbols(p, b);
	user_binds_base(ns, b);
	dlclose(b);
	CHECK(dlclose(p) == 0, "dlclose(proxy): %s", dlerror());
	CHECK(dlclose(plain) == 0, "dlclose(plain): %s", dlerror());
}

int main(void)
{
	base_open();
	void *p = shared_new_namespace();
	shared_existing_namespace(p);
	CHECK(dlclose(p) == 0, "dlclose: %s", dlerror());
	/* Pinned: the base copy outlives every proxy. */
	CHECK(base_has(COUNTER_MOD), "base copy gone after the proxies closed");
	return it_finish();
}
