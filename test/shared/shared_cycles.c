/* Behaviour 5 of issue 2: dlclose of a proxy releases the proxy only (the
 * pinned base copy, its code and its data stay), X can be opened again,
 * and thousands of open/close cycles leave nothing behind. */
#include "shared_util.h"

#define CYCLES 3000
/* More than the 15 namespaces there are: a leaked one would show. */
#define NEWLM_CYCLES 200

typedef int (*int_fn)(void);

struct usage {
	int objects, fds, maps;
};

static struct usage usage_now(void)
{
	return (struct usage){ count_base_objects(), count_fds(), count_maps() };
}

static void usage_same(struct usage before, const char *what)
{
	struct usage after = usage_now();
	CHECK(after.objects == before.objects, "%s: base objects %d, were %d", what,
	      after.objects, before.objects);
	CHECK(after.fds == before.fds, "%s: fds %d, were %d", what, after.fds,
	      before.fds);
	CHECK(after.maps <= before.maps, "%s: mappings %d, were %d", what,
	      after.maps, before.maps);
}

/* The handle of X in NS if it holds X, else NULL (reference given back). */
static void *ns_x(Lmid_t ns)
{
	void *h = dlmopen(ns, module_path(COUNTER_MOD), RTLD_NOW | RTLD_NOLOAD);
	dlerror();
	if (h)
		dlclose(h);
	return h;
}

static void release_keeps_base(Lmid_t ns)
{
	const char *x = module_path(COUNTER_MOD);
	void *p = dlmopen(ns, x, RTLD_NOW | RTLD_SHARED);
	REQUIRE(p, "dlmopen(%ld, X, RTLD_SHARED): %s", (long)ns, dlerror());
	int_fn bump = (int_fn)dlsym(p, "shared_counter_bump");
	REQUIRE(bump, "dlsym: %s", dlerror());
	int start = bump() - 1;
	bump();
	bump();

	void *b = dlopen(x, RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(b, "no base copy: %s", dlerror());
	int_fn get = (int_fn)dlsym(b, "shared_counter_get");
	REQUIRE(get, "dlsym: %s", dlerror());
	CHECK(dlclose(p) == 0, "dlclose(proxy): %s", dlerror());
	CHECK(!ns_x(ns), "N still holds X after dlclose(proxy)");
	/* The program's own handle is closed too: the pin alone keeps X. */
	CHECK(dlclose(b) == 0, "dlclose(base): %s", dlerror());
	CHECK(base_has(COUNTER_MOD), "base copy unloaded with its proxy");
	CHECK(get() == start + 3, "counter %d after the close, want %d", get(),
	      start + 3);
	CHECK(bump() == start + 4, "base copy's code after the close");

	/* Opening again gives a working proxy onto the same data. */
	p = dlmopen(ns, x, RTLD_NOW | RTLD_SHARED);
	REQUIRE(p, "reopen: %s", dlerror());
	int_fn get2 = (int_fn)dlsym(p, "shared_counter_get");
	CHECK(get2 == get, "reopened proxy's shared_counter_get %p, base %p",
	      (void *)get2, (void *)get);
	CHECK(get2 && get2() == start + 4, "counter through the reopened proxy");
	CHECK(it_handle_ns(p) == ns, "reopened handle ns %ld", (long)it_handle_ns(p));
	CHECK(dlclose(p) == 0, "dlclose: %s", dlerror());
}

/* A proxy that created its namespace: closing it ends the namespace,
 * not the base copy. */
static void release_new_namespace(void)
{
	void *p = dlmopen(LM_ID_NEWLM, module_path(COUNTER_MOD), RTLD_NOW | RTLD_SHARED);
	REQUIRE(p, "dlmopen(LM_ID_NEWLM, X, RTLD_SHARED): %s", dlerror());
	int_fn get = (int_fn)dlsym(p, "shared_counter_get");
	int_fn bump = (int_fn)dlsym(p, "shared_counter_bump");
	REQUIRE(get && bump, "dlsym: %s", dlerror());
	int value = bump();
	CHECK(dlclose(p) == 0, "dlclose: %s", dlerror());
	CHECK(base_has(COUNTER_MOD), "base copy unloaded with its proxy");
	CHECK(get() == value, "counter %d, want %d", get(), value);
}

/* CYCLES opens and closes of the proxy in the existing namespace of
 * PLAIN. */
static void cycles_existing(void *plain)
{
	const char *x = module_path(COUNTER_MOD);
	Lmid_t ns = it_handle_ns(plain);
	int failures = 0, wrong = 0;
	struct usage before = usage_now();
	int ns_objects = count_ns_objects(plain);
	for (int i = 0; i < CYCLES; i++) {
		void *p = dlmopen(ns, x, i % 2 ? RTLD_LAZY | RTLD_SHARED
					       : RTLD_NOW | RTLD_SHARED);
		if (!p) {
			if (!failures++)
				fprintf(stderr, "cycle %d: %s\n", i, dlerror());
			continue;
		}
		wrong += it_handle_ns(p) != ns;
		/* While open, N holds one object more: the proxy. */
		if (i == 0)
			CHECK(count_ns_objects(plain) == ns_objects + 1,
			      "N has %d objects with the proxy, %d without",
			      count_ns_objects(plain), ns_objects);
		failures += dlclose(p) != 0;
	}
	CHECK(failures == 0, "%d of %d cycles failed", failures, CYCLES);
	CHECK(wrong == 0, "%d handles in the wrong namespace", wrong);
	usage_same(before, "existing namespace cycles");
	CHECK(count_ns_objects(plain) == ns_objects, "N has %d objects, had %d",
	      count_ns_objects(plain), ns_objects);
	CHECK(!ns_x(ns), "N holds X after the cycles");
}

/* Cycles that each create and end a namespace. */
static void cycles_new(void)
{
	const char *x = module_path(COUNTER_MOD);
	int failures = 0;
	struct usage before = usage_now();
	int available = namespaces_available();
	for (int i = 0; i < NEWLM_CYCLES; i++) {
		void *p = dlmopen(LM_ID_NEWLM, x, RTLD_NOW | RTLD_SHARED);
		if (!p) {
			if (!failures++)
				fprintf(stderr, "cycle %d: %s\n", i, dlerror());
			continue;
		}
		failures += dlclose(p) != 0;
	}
	CHECK(failures == 0, "%d of %d new-namespace cycles failed", failures,
	      NEWLM_CYCLES);
	CHECK(namespaces_available() == available, "namespaces available %d, were %d",
	      namespaces_available(), available);
	usage_same(before, "new namespace cycles");
}

int main(void)
{
	void *plain = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	REQUIRE(plain, "dlmopen plain: %s", dlerror());
	Lmid_t ns = it_handle_ns(plain);

	release_keeps_base(ns);
	release_new_namespace();

	/* Warm up: the first cycles build what is kept for the process (the
	 * proxy image, nsshare's tables, malloc's arenas). */
	for (int i = 0; i < 20; i++) {
		void *p = dlmopen(ns, module_path(COUNTER_MOD), RTLD_NOW | RTLD_SHARED);
		if (p)
			dlclose(p);
	}
	namespaces_available();
	cycles_existing(plain);
	cycles_new();

	CHECK(it_code_ns(plain, "plain_len") == ns, "N's own library gone");
	CHECK(dlclose(plain) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
