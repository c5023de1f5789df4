/* Behaviour 11 of issue 2, first half: nothing else changes.  With
 * namespaces opened through nsshare (plain, RTLD_SHARED, into existing
 * ones), the rest of the dl* API answers as it does without nsshare:
 * dlsym(RTLD_NEXT) from the program and from a library linked into it,
 * dladdr, dlinfo, dl_iterate_phdr, RTLD_NOLOAD, RTLD_NODELETE and
 * dlopen(NULL).  What "as without nsshare" means for each was checked with
 * stock glibc 2.36 (the same calls in a program without nsshare). */
#include "it.h"

#include <limits.h>
#include <stdbool.h>

#define PLAIN_MOD "libcompat-plain.so"
#define COUNTER_MOD "libcompat-counter.so"
#define MATH_MOD "libcompat-math.so"
#define NODELETE_MOD "libcompat-nodelete.so"

/* From libcompat-next-a.so and libcompat-next-b.so, linked in that order.
 * Both define compat_next_which; the program binds a's. */
const char *compat_next_which(void);
void *compat_next_from_a(const char *name);
void *compat_next_from_b(const char *name);

typedef const char *(*which_fn)(void);
typedef int (*int_fn)(void);
typedef void *(*ptr_fn)(void);

static const char *plain_path, *counter_path, *math_path, *nodelete_path;

/* The definition of NAME in the base namespace's libc.so.6. */
static void *libc_sym(const char *name)
{
	void *libc = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
	REQUIRE(libc, "dlopen(libc.so.6, RTLD_NOLOAD): %s", dlerror());
	void *addr = dlsym(libc, name);
	dlclose(libc);
	return addr;
}

/* The malloc every object after the program binds: libc's, or under
 * ASan the sanitizer's interceptor, which comes first after the program. */
static void *base_malloc(void)
{
#ifdef __SANITIZE_ADDRESS__
	const bool asan = true;
#else
	const bool asan = false;
#endif
	return asan ? dlsym(RTLD_DEFAULT, "malloc") : libc_sym("malloc");
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* ---- dlsym(RTLD_NEXT) */

/* RTLD_NEXT is relative to the object that calls dlsym: from the program
 * it reaches next-a, from next-a it reaches next-b, from next-b nothing;
 * malloc is libc's from each.  A dlsym wrapper would shift all of it. */
static void rtld_next(const char *when)
{
	void *libc_malloc = libc_sym("malloc");
	REQUIRE(libc_malloc, "libc's malloc");

	/* (Under ASan the sanitizer comes right after the program.) */
	void *from_prog = dlsym(RTLD_NEXT, "malloc");
	CHECK(from_prog == base_malloc(), "%s: RTLD_NEXT malloc from the "
	      "program %p, want %p", when, from_prog, base_malloc());
	void *from_a = compat_next_from_a("malloc");
	CHECK(from_a == libc_malloc, "%s: RTLD_NEXT malloc from next-a %p, "
	      "libc's %p", when, from_a, libc_malloc);

	void *a = dlopen("libcompat-next-a.so", RTLD_NOLOAD | RTLD_LAZY);
	void *b = dlopen("libcompat-next-b.so", RTLD_NOLOAD | RTLD_LAZY);
	REQUIRE(a && b, "next-a and next-b are loaded");
	void *a_which = dlsym(a, "compat_next_which");
	void *b_which = dlsym(b, "compat_next_which");
	REQUIRE(a_which && b_which && a_which != b_which, "their compat_next_which");

	void *prog_next = dlsym(RTLD_NEXT, "compat_next_which");
	CHECK(prog_next == a_which, "%s: RTLD_NEXT from the program gave %p "
	      "(%s), next-a's is %p", when, prog_next, it_addr_object(prog_next),
	      a_which);
	void *a_next = compat_next_from_a("compat_next_which");
	CHECK(a_next == b_which, "%s: RTLD_NEXT from next-a gave %p (%s), "
	      "next-b's is %p", when, a_next, it_addr_object(a_next), b_which);
	if (a_next)
		CHECK(strcmp(((which_fn)a_next)(), "b") == 0, "%s: next-a's next", when);
	void *b_next = compat_next_from_b("compat_next_which");
	CHECK(!b_next, "%s: RTLD_NEXT from next-b gave %p (%s)", when, b_next,
	      it_addr_object(b_next));
	dlerror();
	CHECK(strcmp(compat_next_which(), "a") == 0, "%s: the program binds next-a", when);
	dlclose(a);
	dlclose(b);
}

/* ---- dlopen(NULL) */

static void main_handle(const char *when)
{
	void *h = dlopen(NULL, RTLD_NOW);
	REQUIRE(h, "%s: dlopen(NULL): %s", when, dlerror());
	CHECK(it_handle_ns(h) == LM_ID_BASE, "%s: dlopen(NULL) handle ns %ld",
	      when, (long)it_handle_ns(h));
	struct link_map *lm = NULL;
	CHECK(dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm, "%s: RTLD_DI_LINKMAP: %s",
	      when, dlerror());
	if (lm) {
		CHECK(lm->l_name && lm->l_name[0] == '\0', "%s: main l_name \"%s\"",
		      when, lm->l_name ? lm->l_name : "(null)");
		CHECK(lm == _r_debug.r_map && !lm->l_prev,
		      "%s: dlopen(NULL) is not the first object of the base", when);
	}
	void *m = dlmopen(LM_ID_BASE, NULL, RTLD_NOW);
	CHECK(m == h, "%s: dlmopen(LM_ID_BASE, NULL) %p, dlopen(NULL) %p", when, m, h);
	/* Its scope is the global one: the program's binding of
	 * compat_next_which is next-a's. */
	void *which = dlsym(h, "compat_next_which");
	CHECK(which && which == (void *)compat_next_which,
	      "%s: dlsym(main, compat_next_which) %p (%s)", when, which,
	      it_addr_object(which));
	if (m)
		dlclose(m);
	CHECK(dlclose(h) == 0, "%s: dlclose(main): %s", when, dlerror());
}

/* ---- dl_iterate_phdr */

struct names {
	char *name[256];
	int count;
};

static int collect(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)size;
	struct names *names = arg;
	if (names->count < 256)
		names->name[names->count++] = strdup(info->dlpi_name ? info->dlpi_name : "");
	return 0;
}

static bool names_have(const struct names *names, const char *name)
{
	for (int i = 0; i < names->count; i++)
		if (strcmp(names->name[i], name) == 0)
			return true;
	return false;
}

static void names_free(struct names *names)
{
	for (int i = 0; i < names->count; i++)
		free(names->name[i]);
	names->count = 0;
}

/* After the namespaces are open, the program's dl_iterate_phdr sees what
 * it saw before, plus the base copy of what went in with RTLD_SHARED and
 * the glibc libraries the namespaces needed (libm for the libm user):
 * nothing of the namespaces themselves, no proxy, no root. */
static void phdr_compare(const struct names *before, const struct names *after)
{
	for (int i = 0; i < before->count; i++)
		CHECK(names_have(after, before->name[i]),
		      "dl_iterate_phdr no longer reports \"%s\"", before->name[i]);
	int extra = 0;
	for (int i = 0; i < after->count; i++) {
		const char *name = after->name[i];
		CHECK(!it_is_image_path(name), "dl_iterate_phdr reports %s", name);
		if (names_have(before, name))
			continue;
		extra++;
		CHECK(strcmp(name, counter_path) == 0 ||
		      strcmp(base_name(name), "libm.so.6") == 0,
		      "dl_iterate_phdr reports a new object %s", name);
	}
	CHECK(names_have(after, counter_path) && !names_have(before, counter_path),
	      "the base copy of X is new in the base namespace");
	CHECK(extra <= 2, "%d new objects in the base namespace", extra);
	CHECK(after->count == before->count + extra, "%d objects before, %d after, "
	      "%d new", before->count, after->count, extra);
}

/* ---- dladdr and dlinfo */

/* dladdr on SYM of HANDLE names FILE and SYM, with the base address of
 * the object HANDLE designates when SAME_OBJECT. */
static void check_dladdr(void *handle, const char *sym, const char *file,
			 bool same_object)
{
	void *addr = dlsym(handle, sym);
	REQUIRE(addr, "dlsym %s: %s", sym, dlerror());
	Dl_info info;
	REQUIRE(dladdr(addr, &info), "dladdr(%s) failed", sym);
	CHECK(info.dli_fname && strcmp(info.dli_fname, file) == 0,
	      "dladdr(%s) file %s, expected %s", sym, info.dli_fname, file);
	CHECK(info.dli_sname && strcmp(info.dli_sname, sym) == 0,
	      "dladdr(%s) symbol %s", sym, info.dli_sname);
	CHECK(info.dli_saddr == addr, "dladdr(%s) address %p, dlsym %p", sym,
	      info.dli_saddr, addr);
	if (same_object) {
		struct link_map *lm = NULL;
		dlinfo(handle, RTLD_DI_LINKMAP, &lm);
		CHECK(lm && info.dli_fbase == (void *)lm->l_addr,
		      "dladdr(%s) base %p, the handle's object at %p", sym,
		      info.dli_fbase, lm ? (void *)lm->l_addr : NULL);
	}
}

/* dlinfo on a handle from a plain dlmopen of PATH into namespace NS. */
static void check_dlinfo(void *handle, const char *path, Lmid_t ns)
{
	CHECK(it_handle_ns(handle) == ns, "%s: handle ns %ld, expected %ld",
	      base_name(path), (long)it_handle_ns(handle), (long)ns);
	struct link_map *lm = NULL;
	CHECK(dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm,
	      "RTLD_DI_LINKMAP: %s", dlerror());
	if (lm)
		CHECK(lm->l_name && strcmp(lm->l_name, path) == 0,
		      "RTLD_DI_LINKMAP l_name %s, expected %s", lm->l_name, path);
	char origin[PATH_MAX] = "";
	CHECK(dlinfo(handle, RTLD_DI_ORIGIN, origin) == 0, "RTLD_DI_ORIGIN: %s",
	      dlerror());
	CHECK(strcmp(origin, IT_MODDIR) == 0, "%s: RTLD_DI_ORIGIN %s, expected %s",
	      base_name(path), origin, IT_MODDIR);
}

/* ---- RTLD_NOLOAD */

static void noload(Lmid_t ns_plain, void *h_plain, Lmid_t ns_shared, void *h_shared)
{
	/* Not loaded anywhere: NULL, and no error, as glibc does. */
	dlerror();
	void *h = dlmopen(ns_plain, nodelete_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(!h, "RTLD_NOLOAD of an object not loaded gave %p", h);
	const char *err = dlerror();
	CHECK(!err, "RTLD_NOLOAD miss left an error: %s", err);
	h = dlopen(nodelete_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(!h, "RTLD_NOLOAD in the base gave %p", h);
	dlerror();

	/* X has a base copy and a proxy elsewhere, none in ns_plain. */
	h = dlmopen(ns_plain, counter_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(!h, "RTLD_NOLOAD of X into a namespace without it gave %p", h);
	h = dlmopen(ns_plain, counter_path, RTLD_NOW | RTLD_NOLOAD | RTLD_SHARED);
	CHECK(!h, "RTLD_NOLOAD|RTLD_SHARED of X into a namespace without it "
	      "gave %p", h);
	h = dlmopen(ns_plain, counter_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(!h, "RTLD_NOLOAD|RTLD_SHARED left X in the namespace: %p", h);
	dlerror();

	/* Loaded: the same handle, one more reference. */
	h = dlmopen(ns_plain, plain_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(h == h_plain, "RTLD_NOLOAD of a loaded object %p, handle %p", h, h_plain);
	if (h)
		dlclose(h);
	h = dlmopen(ns_shared, counter_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(h == h_shared, "RTLD_NOLOAD of a proxied object %p, handle %p", h,
	      h_shared);
	if (h)
		dlclose(h);
}

/* ---- RTLD_NODELETE */

static void nodelete(Lmid_t ns_plain)
{
	/* Without RTLD_NODELETE the last dlclose unloads: what makes the
	 * checks below mean something. */
	void *h = dlmopen(ns_plain, math_path, RTLD_NOW);
	REQUIRE(h, "dlmopen(%ld, math): %s", (long)ns_plain, dlerror());
	CHECK(dlclose(h) == 0, "dlclose(math): %s", dlerror());
	h = dlmopen(ns_plain, math_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(!h, "math still loaded after its last dlclose");
	dlerror();

	/* Into an existing namespace. */
	h = dlmopen(ns_plain, nodelete_path, RTLD_NOW | RTLD_NODELETE);
	REQUIRE(h, "dlmopen(%ld, nodelete, RTLD_NODELETE): %s", (long)ns_plain,
		dlerror());
	check_dlinfo(h, nodelete_path, ns_plain);
	CHECK(dlclose(h) == 0, "dlclose(nodelete): %s", dlerror());
	void *again = dlmopen(ns_plain, nodelete_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(again == h, "after dlclose, RTLD_NOLOAD gave %p, first handle %p",
	      again, h);
	if (again) {
		int_fn value = (int_fn)dlsym(again, "compat_nodelete_value");
		CHECK(value && value() == 9090, "nodelete's function");
		dlclose(again);
	}

	/* Into a fresh namespace: the module outlives the handle that
	 * created the namespace. */
	h = dlmopen(LM_ID_NEWLM, nodelete_path, RTLD_NOW | RTLD_NODELETE);
	REQUIRE(h, "dlmopen(NEWLM, nodelete, RTLD_NODELETE): %s", dlerror());
	Lmid_t ns = it_handle_ns(h);
	CHECK(ns > 0 && ns != ns_plain, "fresh namespace %ld", (long)ns);
	check_dlinfo(h, nodelete_path, ns);
	CHECK(dlclose(h) == 0, "dlclose(nodelete): %s", dlerror());
	again = dlmopen(ns, nodelete_path, RTLD_NOW | RTLD_NOLOAD);
	CHECK(again == h, "after dlclose, RTLD_NOLOAD into %ld gave %p (%s), "
	      "first handle %p", (long)ns, again, again ? "" : dlerror(), h);
	if (again) {
		check_dladdr(again, "compat_nodelete_value", nodelete_path, true);
		int_fn value = (int_fn)dlsym(again, "compat_nodelete_value");
		CHECK(value && value() == 9090, "nodelete's function");
		dlclose(again);
	}
}

int main(void)
{
	plain_path = it_module(PLAIN_MOD);
	counter_path = it_module(COUNTER_MOD);
	math_path = it_module(MATH_MOD);
	nodelete_path = it_module(NODELETE_MOD);

	rtld_next("before");
	main_handle("before");
	struct names before = { .count = 0 }, after = { .count = 0 };
	dl_iterate_phdr(collect, &before);
	REQUIRE(before.count > 0 && before.name[0][0] == '\0',
		"dl_iterate_phdr reports the program first");

	void *h_plain = dlmopen(LM_ID_NEWLM, plain_path, RTLD_NOW);
	REQUIRE(h_plain, "dlmopen(NEWLM, plain): %s", dlerror());
	Lmid_t ns_plain = it_handle_ns(h_plain);
	void *h_math = dlmopen(LM_ID_NEWLM, math_path, RTLD_NOW);
	REQUIRE(h_math, "dlmopen(NEWLM, math): %s", dlerror());
	void *h_shared = dlmopen(LM_ID_NEWLM, counter_path, RTLD_NOW | RTLD_SHARED);
	REQUIRE(h_shared, "dlmopen(NEWLM, X, RTLD_SHARED): %s", dlerror());
	Lmid_t ns_shared = it_handle_ns(h_shared);
	void *h_plain2 = dlmopen(ns_shared, plain_path, RTLD_NOW);
	REQUIRE(h_plain2, "dlmopen(%ld, plain): %s", (long)ns_shared, dlerror());
	REQUIRE(ns_plain > 0 && ns_shared > 0 && ns_plain != ns_shared &&
		it_handle_ns(h_math) > 0, "three secondary namespaces");

	check_dlinfo(h_plain, plain_path, ns_plain);
	check_dlinfo(h_plain2, plain_path, ns_shared);
	check_dlinfo(h_math, math_path, it_handle_ns(h_math));

	check_dladdr(h_plain, "compat_plain_value", plain_path, true);
	check_dladdr(h_plain2, "compat_plain_value", plain_path, true);
	check_dladdr(h_math, "compat_math_hypot", math_path, true);
	/* Through the proxy: the base copy, under its own name. */
	check_dladdr(h_shared, "compat_counter_value", counter_path, false);
	CHECK(dlsym(h_plain, "compat_plain_value") != dlsym(h_plain2, "compat_plain_value"),
	      "two private copies of plain at one address");
	/* glibc in a namespace is the base libc, named as the base names it. */
	ptr_fn malloc_addr = (ptr_fn)dlsym(h_plain, "compat_plain_malloc_addr");
	REQUIRE(malloc_addr, "compat_plain_malloc_addr");
	Dl_info libc_info;
	REQUIRE(dladdr(base_malloc(), &libc_info), "dladdr(the base's malloc)");
	CHECK(strcmp(it_addr_object(malloc_addr()), libc_info.dli_fname) == 0,
	      "the namespace's malloc is in %s, the base's in %s",
	      it_addr_object(malloc_addr()), libc_info.dli_fname);

	dl_iterate_phdr(collect, &after);
	phdr_compare(&before, &after);

	noload(ns_plain, h_plain, ns_shared, h_shared);
	nodelete(ns_plain);

	rtld_next("after");
	main_handle("after");

	CHECK(dlclose(h_plain2) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h_shared) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h_math) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h_plain) == 0, "dlclose: %s", dlerror());

	/* Closing them takes nothing away from the base namespace but what
	 * the namespaces added, and adds nothing. */
	struct names closed = { .count = 0 };
	dl_iterate_phdr(collect, &closed);
	for (int i = 0; i < before.count; i++)
		CHECK(names_have(&closed, before.name[i]),
		      "after dlclose, dl_iterate_phdr no longer reports %s",
		      before.name[i]);
	for (int i = 0; i < closed.count; i++)
		CHECK(names_have(&after, closed.name[i]),
		      "after dlclose, dl_iterate_phdr reports a new %s",
		      closed.name[i]);
	names_free(&before);
	names_free(&after);
	names_free(&closed);
	return it_finish();
}
