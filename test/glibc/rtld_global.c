/* RTLD_GLOBAL inside a namespace (issue 9, points 1 to 4, 7): code in a
 * namespace calls dlopen(A, RTLD_GLOBAL), as Mesa's EGL loader and Python
 * with setdlopenflags(RTLD_GLOBAL) do.  The base namespace is the model:
 *   - A joins the namespace's global scope: B, loaded later with no
 *     DT_NEEDED on A, binds to A's copy in that namespace, and
 *     dlsym(RTLD_DEFAULT) from inside finds A's symbols;
 *   - with RTLD_SHARED too, A's proxy joins it, and B binds to the base
 *     copy;
 *   - containment: neither the base nor another namespace sees them, and
 *     B fails to load in the other namespace with glibc's error;
 *   - dlopen(C, RTLD_NOLOAD | RTLD_GLOBAL) promotes C, loaded local;
 *   - dlclose of A takes it out of the scope again, and a namespace made
 *     afterwards in the same slot starts with a scope of its own;
 *   - dlmopen(N, C, RTLD_GLOBAL) and the promotion from the base do the
 *     same to an existing namespace N, and where N runs no code of its
 *     own for glibc to take as the caller, the load is refused.
 * Stock glibc crashes in all of this (glibc-facts 15). */
#include "glibc_util.h"

#define LOADER_MOD "libglibc-loader.so"
#define A_MOD "libglibc-gmod-a.so"
#define B_MOD "libglibc-gmod-b.so"
#define C_MOD "libglibc-gmod-c.so"

struct loader {
	void *handle;
	Lmid_t ns;
	void *(*load)(const char *, int);
	void *(*sym)(void *, const char *);
	int (*unload)(void *);
};

static struct loader loader_open(void)
{
	struct loader l = { .handle = open_new(LOADER_MOD, RTLD_NOW) };
	l.ns = it_handle_ns(l.handle);
	SYM(l.load, l.handle, "loader_dlopen");
	SYM(l.sym, l.handle, "loader_dlsym");
	SYM(l.unload, l.handle, "loader_dlclose");
	return l;
}

/* dlsym(RTLD_DEFAULT, NAME) as code inside L's namespace calls it. */
static void *inside_default(const struct loader *l, const char *name)
{
	return l->sym(RTLD_DEFAULT, name);
}

int main(void)
{
	struct loader l = loader_open();
	CHECK(inside_default(&l, "gmod_a_value") == NULL,
	      "gmod_a_value is not in the fresh namespace's scope");

	/* 1. A global in namespace N. */
	void *a = l.load(it_module(A_MOD), RTLD_NOW | RTLD_GLOBAL);
	REQUIRE(a, "dlopen(A, RTLD_GLOBAL) from inside: %s", dlerror());
	CHECK(it_handle_ns(a) == l.ns, "A in namespace %ld, loader in %ld",
	      (long)it_handle_ns(a), (long)l.ns);
	void *a_value = dlsym(a, "gmod_a_value");
	CHECK(it_addr_ns(dlsym(a, "sqrt")) == LM_ID_BASE,
	      "A's libm is the base copy (through its proxy)");

	void *b = l.load(it_module(B_MOD), RTLD_NOW);
	REQUIRE(b, "B, with no DT_NEEDED on A: %s", dlerror());
	int (*b_value)(void);
	void *(*b_a_addr)(void);
	SYM(b_value, b, "gmod_b_value");
	SYM(b_a_addr, b, "gmod_b_a_addr");
	CHECK(b_value() == 43, "B calls A: %d", b_value());
	CHECK(b_a_addr() == a_value, "B is bound to A's copy in namespace N");

	/* dlsym(RTLD_DEFAULT) from inside finds A.  (The lookup makes the
	 * loader depend on A, as in the base: A then stays until the loader
	 * goes, so the unloading below is checked on another namespace.) */
	struct loader seer = loader_open();
	CHECK(inside_default(&l, "gmod_a_value") == a_value,
	      "dlsym(RTLD_DEFAULT) from inside finds A's gmod_a_value");

	/* 3. Containment: the base and another namespace do not see A. */
	CHECK(dlsym(RTLD_DEFAULT, "gmod_a_value") == NULL,
	      "the base does not see N's global A");
	struct loader other = loader_open();
	CHECK(other.ns != l.ns, "a second namespace");
	CHECK(inside_default(&other, "gmod_a_value") == NULL,
	      "another namespace does not see N's global A");
	CHECK(other.load(it_module(B_MOD), RTLD_NOW) == NULL,
	      "B does not load in another namespace");
	const char *err = dlerror();
	CHECK(err && strstr(err, "undefined symbol: gmod_a_value"),
	      "glibc's error: %s", err ? err : "(none)");

	/* 4. Promotion of a local object. */
	void *c = l.load(it_module(C_MOD), RTLD_NOW);
	REQUIRE(c, "C, local: %s", dlerror());
	CHECK(inside_default(&l, "gmod_c_value") == NULL,
	      "C loaded local is not in the scope");
	void *c_again = l.load(it_module(C_MOD), RTLD_NOW | RTLD_NOLOAD |
						 RTLD_GLOBAL);
	CHECK(c_again == c, "dlopen(C, RTLD_NOLOAD | RTLD_GLOBAL): %p, %p",
	      c_again, c);
	CHECK(inside_default(&l, "gmod_c_value") == dlsym(c, "gmod_c_value"),
	      "C promoted is in the scope");
	CHECK(l.load(it_module(LIBCUSER_MOD), RTLD_NOW | RTLD_NOLOAD |
						  RTLD_GLOBAL) == NULL,
	      "RTLD_NOLOAD | RTLD_GLOBAL of an object not loaded fails");
	dlerror();

	CHECK(l.unload(b) == 0, "dlclose of B");
	if (c_again)
		CHECK(l.unload(c_again) == 0, "dlclose of C (promoted)");
	CHECK(l.unload(c) == 0, "dlclose of C");

	/* 2. RTLD_GLOBAL | RTLD_SHARED from inside: A's proxy joins the
	 * scope, and B, loaded later, binds to the base copy of A. */
	struct loader sl = loader_open();
	void *spa = sl.load(it_module(A_MOD), RTLD_NOW | RTLD_GLOBAL |
						  RTLD_SHARED);
	REQUIRE(spa, "dlopen(A, RTLD_GLOBAL | RTLD_SHARED): %s", dlerror());
	void *base_a = dlopen(it_module(A_MOD), RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(base_a, "A's base copy: %s", dlerror());
	void *base_a_value = dlsym(base_a, "gmod_a_value");
	CHECK(dlsym(spa, "gmod_a_value") == base_a_value,
	      "the handle is A's proxy");
	CHECK(inside_default(&sl, "gmod_a_value") == base_a_value,
	      "dlsym(RTLD_DEFAULT) inside finds the base copy");
	void *sb2 = sl.load(it_module(B_MOD), RTLD_NOW);
	REQUIRE(sb2, "B after the shared global A: %s", dlerror());
	void *(*sb2_a_addr)(void);
	SYM(sb2_a_addr, sb2, "gmod_b_a_addr");
	CHECK(sb2_a_addr() == base_a_value, "B is bound to A's base copy");
	CHECK(it_handle_ns(sb2) == sl.ns, "B is private to the namespace");
	CHECK(dlsym(RTLD_DEFAULT, "gmod_a_value") == NULL,
	      "the base's own scope is unchanged (A's base copy is local)");
	CHECK(sl.unload(sb2) == 0 && sl.unload(spa) == 0,
	      "dlclose of B and of A's proxy");
	CHECK(dlclose(base_a) == 0, "dlclose of the base copy's handle");
	CHECK(dlclose(sl.handle) == 0, "dlclose of that loader");

	/* Unloading in a namespace where nothing looked A up: the last
	 * dlclose of A takes it out of the global scope, and B cannot load
	 * there any more. */
	void *sa = seer.load(it_module(A_MOD), RTLD_NOW | RTLD_GLOBAL);
	REQUIRE(sa, "A global in a third namespace: %s", dlerror());
	void *sb = seer.load(it_module(B_MOD), RTLD_NOW);
	CHECK(sb != NULL, "B there: %s", sb ? "" : dlerror());
	if (sb)
		CHECK(seer.unload(sb) == 0, "dlclose of B there");
	CHECK(seer.unload(sa) == 0, "dlclose of A there");
	CHECK(seer.load(it_module(B_MOD), RTLD_NOW) == NULL,
	      "B no longer loads once A is closed");
	err = dlerror();
	CHECK(err && strstr(err, "undefined symbol: gmod_a_value"),
	      "glibc's error: %s", err ? err : "(none)");
	CHECK(dlclose(seer.handle) == 0, "dlclose of the third loader");

	/* dlmopen(LM_ID_NEWLM, A, RTLD_GLOBAL) from the base: A and its
	 * closure are the new namespace's global scope. */
	void *ga = dlmopen(LM_ID_NEWLM, it_module(A_MOD), RTLD_NOW | RTLD_GLOBAL);
	REQUIRE(ga, "dlmopen(LM_ID_NEWLM, A, RTLD_GLOBAL): %s", dlerror());
	Lmid_t gns = it_handle_ns(ga);
	CHECK(gns > 0, "A in namespace %ld", (long)gns);
	void *gb = dlmopen(gns, it_module(B_MOD), RTLD_NOW);
	CHECK(gb != NULL, "B into A's namespace: %s", gb ? "" : dlerror());
	if (gb) {
		void *(*gb_a_addr)(void);
		SYM(gb_a_addr, gb, "gmod_b_a_addr");
		CHECK(gb_a_addr() == dlsym(ga, "gmod_a_value"),
		      "B bound to A in the namespace A made");
	}
	/* dlmopen(existing, C, RTLD_GLOBAL) from the base: C joins that
	 * namespace's scope, as dlopen(C, RTLD_GLOBAL) from inside it would
	 * make it, and only there. */
	struct loader gl = { .handle = dlmopen(gns, it_module(LOADER_MOD),
					       RTLD_NOW) };
	REQUIRE(gl.handle, "the loader into A's namespace: %s", dlerror());
	gl.ns = it_handle_ns(gl.handle);
	SYM(gl.sym, gl.handle, "loader_dlsym");
	CHECK(gl.ns == gns, "loader in %ld, A in %ld", (long)gl.ns, (long)gns);
	void *gc = dlmopen(gns, it_module(C_MOD), RTLD_NOW | RTLD_GLOBAL);
	REQUIRE(gc, "dlmopen(existing, C, RTLD_GLOBAL): %s", dlerror());
	CHECK(it_handle_ns(gc) == gns, "C in namespace %ld",
	      (long)it_handle_ns(gc));
	CHECK(inside_default(&gl, "gmod_c_value") == dlsym(gc, "gmod_c_value"),
	      "dlsym(RTLD_DEFAULT) inside the namespace finds C");
	CHECK(dlsym(RTLD_DEFAULT, "gmod_c_value") == NULL,
	      "the base does not see C");
	CHECK(inside_default(&other, "gmod_c_value") == NULL,
	      "another namespace does not see C");
	/* Promotion from the base: C loaded local into a namespace, then
	 * dlmopen(that namespace, C, RTLD_NOLOAD | RTLD_GLOBAL). */
	void *lc = dlmopen(LM_ID_NEWLM, it_module(LOADER_MOD), RTLD_NOW);
	REQUIRE(lc, "a loader: %s", dlerror());
	Lmid_t lcns = it_handle_ns(lc);
	struct loader lcl = { .handle = lc, .ns = lcns };
	SYM(lcl.sym, lc, "loader_dlsym");
	void *c_local = dlmopen(lcns, it_module(C_MOD), RTLD_NOW);
	REQUIRE(c_local, "C local: %s", dlerror());
	CHECK(inside_default(&lcl, "gmod_c_value") == NULL,
	      "C loaded local is not in its namespace's scope");
	void *c_prom = dlmopen(lcns, it_module(C_MOD),
			       RTLD_NOW | RTLD_NOLOAD | RTLD_GLOBAL);
	CHECK(c_prom == c_local, "dlmopen(ns, C, RTLD_NOLOAD | RTLD_GLOBAL) "
	      "from the base: %p, %p (%s)", c_prom, c_local,
	      c_prom ? "" : dlerror());
	CHECK(inside_default(&lcl, "gmod_c_value") ==
		      dlsym(c_local, "gmod_c_value"),
	      "C promoted from the base is in the scope");
	if (c_prom)
		CHECK(dlclose(c_prom) == 0, "dlclose of C (promoted)");
	CHECK(dlclose(c_local) == 0, "dlclose of C there");
	CHECK(dlclose(lc) == 0, "dlclose of that loader");

	/* 7. Where glibc's dlopen has no caller to see in the namespace
	 * (it holds shared objects only), the load is refused, saying why,
	 * and nothing is loaded. */
	void *sh = dlmopen(LM_ID_NEWLM, it_module(C_MOD), RTLD_NOW | RTLD_SHARED);
	REQUIRE(sh, "C shared into a namespace: %s", dlerror());
	Lmid_t shns = it_handle_ns(sh);
	CHECK(dlmopen(shns, it_module(A_MOD), RTLD_NOW | RTLD_GLOBAL) == NULL,
	      "dlmopen(proxies only, A, RTLD_GLOBAL) fails");
	err = dlerror();
	CHECK(err && strstr(err, A_MOD) && strstr(err, "RTLD_GLOBAL") &&
	      strstr(err, "no code of its own"),
	      "the error names A, RTLD_GLOBAL and why: %s", err ? err : "(none)");
	CHECK(dlmopen(shns, it_module(A_MOD), RTLD_NOW | RTLD_NOLOAD) == NULL,
	      "and A was not loaded");
	dlerror();
	CHECK(dlclose(sh) == 0, "dlclose of shared C");
	CHECK(dlclose(gc) == 0, "dlclose of C");
	CHECK(dlclose(gl.handle) == 0, "dlclose of the loader in A's namespace");
	if (gb)
		CHECK(dlclose(gb) == 0, "dlclose of B");
	CHECK(dlclose(ga) == 0, "dlclose of A");

	/* A namespace made after N is gone, likely in N's slot, starts with
	 * an empty global scope and RTLD_GLOBAL works there again. */
	Lmid_t old_ns = l.ns;
	CHECK(dlclose(l.handle) == 0, "dlclose of the loader");
	struct loader again = loader_open();
	printf("info: namespace %ld, then %ld\n", (long)old_ns,
	       (long)again.ns);
	CHECK(inside_default(&again, "gmod_a_value") == NULL,
	      "a new namespace's scope is its own");
	void *a2 = again.load(it_module(A_MOD), RTLD_NOW | RTLD_GLOBAL);
	CHECK(a2 && inside_default(&again, "gmod_a_value") ==
			    dlsym(a2, "gmod_a_value"),
	      "RTLD_GLOBAL in the new namespace: %s", a2 ? "" : dlerror());
	if (a2)
		again.unload(a2);
	CHECK(dlclose(again.handle) == 0, "dlclose of the second loader");
	CHECK(dlclose(other.handle) == 0, "dlclose of the other loader");
	return it_finish();
}
