/* Behaviour 6 of issue 2, interposers: where the base namespace binds a
 * glibc symbol to something ahead of glibc, namespaces bind the same.
 * This program is linked with a counting malloc interposer: a module in a
 * fresh namespace calling malloc is counted.  And nsshare's own dlmopen,
 * dlclose and dlerror are what a module in a namespace calls, so a
 * dlmopen from inside a namespace also shares glibc. */
#include "glibc_util.h"

unsigned long interposer_count(void);

/* Whether the base namespace's malloc is the counting interposer's. */
static bool counting;

struct mod {
	void *handle;
	void *(*malloc_addr)(void);
	void *(*free_addr)(void);
	void *(*malloc)(size_t);
};

static struct mod mod_bind(void *h)
{
	struct mod m = { .handle = h };
	SYM(m.malloc_addr, h, "mod_malloc_addr");
	SYM(m.free_addr, h, "mod_free_addr");
	SYM(m.malloc, h, "mod_malloc");
	return m;
}

/* The module's malloc is the interposer's, and every call is counted. */
static void counted(const struct mod *m, const char *what)
{
	void *base_malloc = dlsym(RTLD_DEFAULT, "malloc");
	CHECK(m->malloc_addr() == base_malloc, "%s: module's malloc %p (%s), "
	      "the base namespace's %p (%s)", what, m->malloc_addr(),
	      it_addr_object(m->malloc_addr()), base_malloc,
	      it_addr_object(base_malloc));
	unsigned long before = interposer_count();
	void *p = m->malloc(32);
	unsigned long after = interposer_count();
	CHECK(p != NULL, "%s: module's malloc failed", what);
	if (counting)
		CHECK(after - before == 1, "%s: module's malloc counted %lu times",
		      what, after - before);
	free(p);
}

/* The dl* functions a module in a namespace calls are the base's. */
static void dl_wrappers(void *h)
{
	static const struct {
		const char *fn, *prog;
	} names[] = {
		{ "mod_dlmopen_addr", "dlmopen" },
		{ "mod_dlclose_addr", "dlclose" },
		{ "mod_dlerror_addr", "dlerror" },
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		void *(*addr)(void);
		SYM(addr, h, names[i].fn);
		void *mod = addr(), *base = dlsym(RTLD_DEFAULT, names[i].prog);
		CHECK(mod == base, "module's %s %p (%s), the base namespace's %p (%s)",
		      names[i].prog, mod, it_addr_object(mod), base,
		      it_addr_object(base));
		CHECK(strstr(it_addr_object(mod), "/libnsshare.so") ||
		      in_asan_runtime(mod),
		      "module's %s is in %s", names[i].prog, it_addr_object(mod));
	}
	/* The program's own references agree (linked: -lnsshare; preload:
	 * libnsshare.so comes first). */
	CHECK(dlsym(RTLD_DEFAULT, "dlmopen") == (void *)&dlmopen,
	      "program's dlmopen %p, dlsym(RTLD_DEFAULT) %p", (void *)&dlmopen,
	      dlsym(RTLD_DEFAULT, "dlmopen"));
}

int main(void)
{
	/* The setup this program is about: malloc is the interposer's.  Under
	 * ASan the sanitizer's malloc comes first; namespaces must bind that
	 * one, and nothing counts. */
	void *base_malloc = dlsym(RTLD_DEFAULT, "malloc");
	const char *malloc_object = it_addr_object(base_malloc);
	counting = ends_with(malloc_object, "/libglibc-interposer.so");
	REQUIRE(counting || in_asan_runtime(base_malloc),
		"malloc of the base namespace is in %s", malloc_object);
	if (counting) {
		unsigned long before = interposer_count();
		/* volatile: the compiler may drop free(malloc(n)). */
		void *volatile block = malloc(8);
		free(block);
		REQUIRE(interposer_count() == before + 1,
			"the interposer does not count");
	} else {
		fprintf(stderr, "note: malloc of the base namespace is in %s: "
			"calls are not counted\n", malloc_object);
	}

	void *h = open_new(LIBCUSER_MOD, RTLD_NOW);
	struct mod m = mod_bind(h);
	counted(&m, "fresh namespace");
	dl_wrappers(h);

	/* A namespace opened from inside a namespace shares glibc too, and
	 * its malloc is the interposer's. */
	void *(*mod_dlmopen)(Lmid_t, const char *, int);
	int (*mod_dlclose)(void *);
	SYM(mod_dlmopen, h, "mod_dlmopen");
	SYM(mod_dlclose, h, "mod_dlclose");
	void *inner = mod_dlmopen(LM_ID_NEWLM, it_module(LIBCUSER_MOD), RTLD_NOW);
	REQUIRE(inner, "dlmopen from inside a namespace: %s", dlerror());
	Lmid_t inner_ns = it_handle_ns(inner);
	CHECK(inner_ns > 0 && inner_ns != it_handle_ns(h),
	      "namespace opened from inside ns %ld is %ld", (long)it_handle_ns(h),
	      (long)inner_ns);
	struct mod im = mod_bind(inner);
	CHECK(im.free_addr() == (void *)&free, "inner namespace's free %p (%s), "
	      "program's %p", im.free_addr(), it_addr_object(im.free_addr()),
	      (void *)&free);
	counted(&im, "namespace opened from inside");
	CHECK(mod_dlclose(inner) == 0, "dlclose from inside: %s", dlerror());

	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
