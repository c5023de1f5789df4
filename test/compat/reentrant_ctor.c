/* Reentrancy (nsshare.h: "may be called ... from constructors run by a
 * dlmopen()").  libcompat-reent.so's constructor calls
 * dlmopen(LM_ID_NEWLM, plain), dlopen(inner) and
 * dlmopen(LM_ID_NEWLM, X, RTLD_SHARED) while glibc is still inside the
 * program's dlmopen of it.  The program opens it three ways: into a fresh
 * namespace, with RTLD_SHARED (the constructor then runs in the base
 * namespace, inside nsshare's load of the base copy), and into an existing
 * namespace.  Each time nothing deadlocks (a hang is ctest's TIMEOUT),
 * and the handles the constructor got work and belong where they
 * should. */
#include "it.h"


#define REENT_MOD "libcompat-reent.so"
#define PLAIN_MOD "libcompat-plain.so"
#define INNER_MOD "libcompat-inner.so"
#define COUNTER_MOD "libcompat-counter.so"

typedef int (*int_fn)(void);
typedef void *(*handle_fn)(int);
typedef const char *(*error_fn)(int);

/* Bumps made through proxies of X, to compare with X's base copy. */
static int bumps;

/* The base copy of X's counter (X is pinned there by now). */
static int base_counter(void)
{
	void *x = dlopen(it_module(COUNTER_MOD), RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(x, "X has a base copy");
	int_fn get = (int_fn)dlsym(x, "compat_counter_get");
	int value = get ? get() : -1;
	dlclose(x);
	return value;
}

/* What the constructor of the copy of the module behind OUTER opened.
 * The copy's own namespace is CTOR_NS (where dlopen loads); OUTER_NS is
 * the namespace of the handle OUTER. */
static void check_inner(const char *label, void *outer, Lmid_t outer_ns,
			Lmid_t ctor_ns)
{
	int_fn runs = (int_fn)dlsym(outer, "compat_reent_ctor_runs");
	handle_fn handle = (handle_fn)dlsym(outer, "compat_reent_handle");
	error_fn error = (error_fn)dlsym(outer, "compat_reent_error");
	int_fn close_all = (int_fn)dlsym(outer, "compat_reent_close");
	REQUIRE(runs && handle && error && close_all, "%s: reent's functions", label);
	CHECK(runs() == 1, "%s: constructor ran %d times", label, runs());
	CHECK(it_code_ns(outer, "compat_reent_handle") == ctor_ns,
	      "%s: reent's code ns %ld, expected %ld", label,
	      (long)it_code_ns(outer, "compat_reent_handle"), (long)ctor_ns);

	/* a: dlmopen(LM_ID_NEWLM, plain), a namespace of its own. */
	void *a = handle(0);
	CHECK(a, "%s: constructor's dlmopen(NEWLM, plain): %s", label, error(0));
	Lmid_t a_ns = it_handle_ns(a);
	if (a) {
		CHECK(a_ns > 0 && a_ns != outer_ns && a_ns != ctor_ns,
		      "%s: a's handle ns %ld (outer %ld)", label, (long)a_ns,
		      (long)outer_ns);
		CHECK(it_code_ns(a, "compat_plain_value") == a_ns,
		      "%s: a's code ns %ld", label,
		      (long)it_code_ns(a, "compat_plain_value"));
		int_fn value = (int_fn)dlsym(a, "compat_plain_value");
		CHECK(value && value() == 7001, "%s: a's function", label);
	}

	/* b: dlopen(inner), into the constructor's own namespace. */
	void *b = handle(1);
	CHECK(b, "%s: constructor's dlopen(inner): %s", label, error(1));
	if (b) {
		CHECK(it_handle_ns(b) == ctor_ns, "%s: b's handle ns %ld, "
		      "expected %ld", label, (long)it_handle_ns(b), (long)ctor_ns);
		CHECK(it_code_ns(b, "compat_inner_value") == ctor_ns,
		      "%s: b's code ns %ld", label,
		      (long)it_code_ns(b, "compat_inner_value"));
		int_fn value = (int_fn)dlsym(b, "compat_inner_value");
		CHECK(value && value() == 5150, "%s: b's function", label);
		CHECK(strcmp(it_addr_object((void *)value), it_module(INNER_MOD)) == 0,
		      "%s: b is %s", label, it_addr_object((void *)value));
	}

	/* c: dlmopen(LM_ID_NEWLM, X, RTLD_SHARED), a proxy of the base copy. */
	void *c = handle(2);
	CHECK(c, "%s: constructor's dlmopen(NEWLM, X, RTLD_SHARED): %s", label,
	      error(2));
	Lmid_t c_ns = it_handle_ns(c);
	if (c) {
		CHECK(c_ns > 0 && c_ns != outer_ns && c_ns != a_ns,
		      "%s: c's handle ns %ld", label, (long)c_ns);
		CHECK(it_code_ns(c, "compat_counter_bump") == LM_ID_BASE,
		      "%s: c's code ns %ld", label,
		      (long)it_code_ns(c, "compat_counter_bump"));
		int_fn bump = (int_fn)dlsym(c, "compat_counter_bump");
		REQUIRE(bump, "%s: c's compat_counter_bump", label);
		bump();
		bumps++;
		CHECK(base_counter() == bumps, "%s: base counter %d after %d bumps "
		      "through proxies", label, base_counter(), bumps);
	}

	/* dlclose from inside the module's namespace; the namespaces its
	 * constructor made go away with the handles. */
	CHECK(close_all() == 0, "%s: the module's dlclose failed", label);
	if (a) {
		void *again = dlmopen(a_ns, it_module(PLAIN_MOD), RTLD_NOW | RTLD_NOLOAD);
		CHECK(!again, "%s: plain still in namespace %ld", label, (long)a_ns);
	}
	if (b) {
		void *again = dlmopen(ctor_ns, it_module(INNER_MOD), RTLD_NOW | RTLD_NOLOAD);
		CHECK(!again, "%s: inner still in namespace %ld", label, (long)ctor_ns);
	}
	if (c) {
		void *again = dlmopen(c_ns, it_module(COUNTER_MOD), RTLD_NOW | RTLD_NOLOAD);
		CHECK(!again, "%s: X's proxy still in namespace %ld", label, (long)c_ns);
	}
	dlerror();
}

int main(void)
{
	const char *reent = it_module(REENT_MOD);

	/* Into a fresh namespace: the constructor runs there. */
	void *outer = dlmopen(LM_ID_NEWLM, reent, RTLD_NOW);
	REQUIRE(outer, "dlmopen(NEWLM, reent): %s", dlerror());
	Lmid_t ns = it_handle_ns(outer);
	CHECK(ns > 0, "reent's handle ns %ld", (long)ns);
	check_inner("fresh", outer, ns, ns);
	CHECK(dlclose(outer) == 0, "dlclose(reent): %s", dlerror());

	/* RTLD_SHARED: the constructor runs in the base namespace, while
	 * nsshare loads the base copy. */
	outer = dlmopen(LM_ID_NEWLM, reent, RTLD_NOW | RTLD_SHARED);
	REQUIRE(outer, "dlmopen(NEWLM, reent, RTLD_SHARED): %s", dlerror());
	ns = it_handle_ns(outer);
	CHECK(ns > 0, "reent's proxy handle ns %ld", (long)ns);
	check_inner("shared", outer, ns, LM_ID_BASE);
	CHECK(dlclose(outer) == 0, "dlclose(reent's proxy): %s", dlerror());

	/* Into an existing namespace. */
	void *plain = dlmopen(LM_ID_NEWLM, it_module(PLAIN_MOD), RTLD_NOW);
	REQUIRE(plain, "dlmopen(NEWLM, plain): %s", dlerror());
	ns = it_handle_ns(plain);
	outer = dlmopen(ns, reent, RTLD_NOW);
	REQUIRE(outer, "dlmopen(%ld, reent): %s", (long)ns, dlerror());
	CHECK(it_handle_ns(outer) == ns, "reent's handle ns %ld, expected %ld",
	      (long)it_handle_ns(outer), (long)ns);
	check_inner("existing", outer, ns, ns);
	CHECK(dlclose(outer) == 0, "dlclose(reent): %s", dlerror());
	CHECK(dlclose(plain) == 0, "dlclose(plain): %s", dlerror());

	return it_finish();
}
