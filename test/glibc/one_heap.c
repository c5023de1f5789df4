/* Behaviour 6 of issue 2, the heap: a plain dlmopen into a fresh namespace
 * (no RTLD_ISOLATE) binds the module to the program's malloc, free, realloc
 * and calloc, and memory crosses the boundary both ways, also between two
 * namespaces. */
#include "glibc_util.h"

#include <malloc.h>

struct mod {
	void *handle;
	void *(*free_addr)(void);
	void *(*malloc_addr)(void);
	void *(*realloc_addr)(void);
	void *(*calloc_addr)(void);
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*realloc)(void *, size_t);
};

static struct mod mod_open(void)
{
	struct mod m = { .handle = open_new(LIBCUSER_MOD, RTLD_NOW) };
	SYM(m.free_addr, m.handle, "mod_free_addr");
	SYM(m.malloc_addr, m.handle, "mod_malloc_addr");
	SYM(m.realloc_addr, m.handle, "mod_realloc_addr");
	SYM(m.calloc_addr, m.handle, "mod_calloc_addr");
	SYM(m.malloc, m.handle, "mod_malloc");
	SYM(m.free, m.handle, "mod_free");
	SYM(m.realloc, m.handle, "mod_realloc");
	return m;
}

/* The module's own code is private to its namespace; the allocator it is
 * bound to is the program's, in the base namespace. */
static void bound_to_base(const struct mod *m)
{
	Lmid_t ns = it_handle_ns(m->handle);
	CHECK(it_code_ns(m->handle, "mod_malloc") == ns,
	      "module code in ns %ld, handle in %ld",
	      (long)it_code_ns(m->handle, "mod_malloc"), (long)ns);
	const struct {
		const char *name;
		void *mod, *prog;
	} fns[] = {
		{ "free", m->free_addr(), (void *)&free },
		{ "malloc", m->malloc_addr(), (void *)&malloc },
		{ "realloc", m->realloc_addr(), (void *)&realloc },
		{ "calloc", m->calloc_addr(), (void *)&calloc },
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
		CHECK(fns[i].mod == fns[i].prog, "module's %s %p (%s), program's %p (%s)",
		      fns[i].name, fns[i].mod, it_addr_object(fns[i].mod),
		      fns[i].prog, it_addr_object(fns[i].prog));
		CHECK(it_addr_ns(fns[i].mod) == LM_ID_BASE,
		      "module's %s is code of ns %ld", fns[i].name,
		      (long)it_addr_ns(fns[i].mod));
	}
	/* dlsym through the module's handle sees the same libc. */
	CHECK(dlsym(m->handle, "free") == (void *)&free,
	      "dlsym(module, free) %p, program's free %p",
	      dlsym(m->handle, "free"), (void *)&free);
	CHECK(it_code_ns(m->handle, "free") == LM_ID_BASE, "free is code of ns %ld",
	      (long)it_code_ns(m->handle, "free"));
}

/* Whether glibc's malloc statistics count the program's malloc: not when
 * ASan's or valgrind's malloc replaces glibc's (their own checks then
 * catch a foreign pointer given to free). */
static bool glibc_heap;

/* Bytes in use in the program's heap. */
static size_t heap_in_use(void)
{
	return glibc_heap ? it_malloc_in_use() : 0;
}

static bool heap_accounted(void)
{
	size_t before = it_malloc_in_use();
	void *p = malloc(4000);
	bool grew = p && it_malloc_in_use() >= before + 4000;
	free(p);
	return grew;
}

static void crossing(const struct mod *m)
{
	/* Allocated in the namespace, counted in the program's heap. */
	size_t before = heap_in_use();
	char *p = m->malloc(4000);
	size_t after = heap_in_use();
	REQUIRE(p, "module's malloc failed");
	if (glibc_heap)
		CHECK(after >= before + 4000, "module's malloc(4000) grew the "
		      "program's heap by %zu bytes", after - before);
	memset(p, 'm', 4000);
	/* ... and freed by the program: the heap shrinks back. */
	free(p);
	CHECK(heap_in_use() == before, "in use %zu after free, %zu before",
	      heap_in_use(), before);

	/* Allocated by the program, freed in the namespace. */
	before = heap_in_use();
	char *q = malloc(3000);
	REQUIRE(q, "malloc");
	memset(q, 'p', 3000);
	m->free(q);
	CHECK(heap_in_use() == before, "module's free left %zu bytes in use, %zu before",
	      heap_in_use(), before);

	/* realloc back and forth keeps the contents. */
	char *r = m->malloc(16);
	REQUIRE(r, "module's malloc failed");
	strcpy(r, "one heap");
	r = realloc(r, 1 << 20); /* large enough to move, maybe to mmap */
	REQUIRE(r, "realloc of the module's block failed");
	CHECK(strcmp(r, "one heap") == 0, "program's realloc lost \"%.8s\"", r);
	r = m->realloc(r, 64);
	REQUIRE(r, "module's realloc of the program's block failed");
	CHECK(strcmp(r, "one heap") == 0, "module's realloc lost \"%.8s\"", r);
	char *s = malloc(24);
	REQUIRE(s, "malloc");
	strcpy(s, "the other way");
	s = m->realloc(s, 100000);
	REQUIRE(s, "module's realloc failed");
	CHECK(strcmp(s, "the other way") == 0, "module's realloc lost \"%.13s\"", s);
	m->free(r);
	free(s);
}

int main(void)
{
	glibc_heap = heap_accounted();
	if (!glibc_heap)
		fprintf(stderr, "note: mallinfo does not see the program's "
			"malloc (%s): heap sizes not checked\n",
			it_addr_object((void *)&malloc));
	struct mod a = mod_open();
	bound_to_base(&a);
	crossing(&a);

	/* A second namespace shares the same heap with the first. */
	struct mod b = mod_open();
	CHECK(it_handle_ns(b.handle) != it_handle_ns(a.handle),
	      "two fresh namespaces are both %ld", (long)it_handle_ns(a.handle));
	bound_to_base(&b);
	CHECK(b.free_addr() == a.free_addr(), "two namespaces, two frees");
	char *p = a.malloc(5000);
	REQUIRE(p, "malloc in the first namespace");
	size_t before = heap_in_use();
	b.free(p);
	if (glibc_heap)
		CHECK(heap_in_use() + 5000 <= before, "free in the second "
		      "namespace of the first's block: %zu in use, %zu before",
		      heap_in_use(), before);

	CHECK(dlclose(b.handle) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(a.handle) == 0, "dlclose: %s", dlerror());
	/* The heap outlives the namespaces that used it. */
	char *after = malloc(100);
	CHECK(after != NULL, "malloc after the namespaces closed");
	free(after);
	return it_finish();
}
