/* Issue 9 point 5: dl_iterate_ns_phdr(N) lists N's objects as
 * dl_iterate_phdr called from inside N does, and both are what stock's
 * dl_iterate_phdr gives inside an RTLD_ISOLATE namespace of the same
 * module, each proxy standing for its base copy: the same objects, names
 * and program header counts, libc and libm reported at their base copies'
 * addresses, nothing named after one of nsshare's images. */
#include "glibc_util.h"

#include "modules/iterate.h"

#define ITERATE_MOD "libglibc-iterate.so"

struct record {
	char name[512];
	ElfW(Addr) addr;
	const ElfW(Phdr) *phdr;
	ElfW(Half) phnum;
	size_t tls_modid;
	void *tls_data;
	size_t size;
};

struct list {
	struct record r[64];
	size_t count;
	size_t stop_at; /* the callback returns 7 at this record; 0: never */
};

static int collect(struct dl_phdr_info *info, size_t size, void *data)
{
	struct list *l = data;
	if (l->count == sizeof l->r / sizeof l->r[0])
		return 1;
	struct record *r = &l->r[l->count++];
	snprintf(r->name, sizeof r->name, "%s", info->dlpi_name);
	r->addr = info->dlpi_addr;
	r->phdr = info->dlpi_phdr;
	r->phnum = info->dlpi_phnum;
	r->tls_modid = info->dlpi_tls_modid;
	r->tls_data = info->dlpi_tls_data;
	r->size = size;
	return l->stop_at && l->count == l->stop_at ? 7 : 0;
}

/* The record of LIST whose name ends with SUFFIX, or NULL. */
static const struct record *find(const struct list *l, const char *suffix)
{
	for (size_t i = 0; i < l->count; i++)
		if (ends_with(l->r[i].name, suffix))
			return &l->r[i];
	return NULL;
}

static void print(const char *what, const struct list *l)
{
	fprintf(stderr, "%s:\n", what);
	for (size_t i = 0; i < l->count; i++)
		fprintf(stderr, "  %s %#lx phnum %u tls %zu\n", l->r[i].name,
			(unsigned long)l->r[i].addr, l->r[i].phnum,
			l->r[i].tls_modid);
}

/* Same objects in the same order, every field. */
static bool same(const struct list *a, const struct list *b)
{
	if (a->count != b->count)
		return false;
	for (size_t i = 0; i < a->count; i++)
		if (strcmp(a->r[i].name, b->r[i].name) != 0 ||
		    a->r[i].addr != b->r[i].addr ||
		    a->r[i].phdr != b->r[i].phdr ||
		    a->r[i].phnum != b->r[i].phnum ||
		    a->r[i].tls_modid != b->r[i].tls_modid ||
		    a->r[i].tls_data != b->r[i].tls_data)
			return false;
	return true;
}

static struct list stock, inside, outside, base, base_ns;

/* Linked or preloaded alike: the program finds libnsshare's by name. */
static int (*iterate_ns)(Lmid_t, int (*)(struct dl_phdr_info *, size_t,
					 void *), void *);
#define dl_iterate_ns_phdr(ns, callback, data) iterate_ns(ns, callback, data)

int main(void)
{
	*(void **)&iterate_ns = dlsym(RTLD_DEFAULT, "dl_iterate_ns_phdr");
	REQUIRE(iterate_ns, "no dl_iterate_ns_phdr: %s", dlerror());
	/* The oracle: stock glibc inside an isolated namespace. */
	void *iso = open_new(ITERATE_MOD, RTLD_NOW | RTLD_ISOLATE);
	int (*iterate)(int (*)(struct dl_phdr_info *, size_t, void *), void *);
	int *(*dep_tls)(void);
	SYM(iterate, iso, "mod_iterate");
	SYM(dep_tls, iso, "mod_dep_tls");
	int *iso_tls = dep_tls();
	CHECK(iterate(collect, &stock) == 0, "stock dl_iterate_phdr");

	void *h = open_new(ITERATE_MOD, RTLD_NOW);
	Lmid_t ns = it_handle_ns(h);
	SYM(iterate, h, "mod_iterate");
	SYM(dep_tls, h, "mod_dep_tls");
	int *tls = dep_tls();
	CHECK(iterate(collect, &inside) == 0, "dl_iterate_phdr inside");
	CHECK(dl_iterate_ns_phdr(ns, collect, &outside) == 0,
	      "dl_iterate_ns_phdr: %s", dlerror());
	dl_iterate_phdr(collect, &base);

	CHECK(same(&inside, &outside), "dl_iterate_phdr inside namespace %ld "
	      "differs from dl_iterate_ns_phdr", (long)ns);
	CHECK(outside.count == stock.count, "%zu objects, stock %zu",
	      outside.count, stock.count);
	for (size_t i = 0; i < outside.count && i < stock.count; i++) {
		const struct record *o = &outside.r[i], *s = &stock.r[i];
		CHECK(strcmp(o->name, s->name) == 0, "object %zu is %s, stock %s",
		      i, o->name, s->name);
		CHECK(o->phnum == s->phnum && o->phdr, "%s: %u program headers, "
		      "stock %u", o->name, o->phnum, s->phnum);
		CHECK(o->size == s->size, "%s: size %zu, stock %zu", o->name,
		      o->size, s->size);
		CHECK(!it_is_image_path(o->name) && strncmp(o->name, "/proc/", 6),
		      "object %zu is named %s", i, o->name);
		CHECK((o->tls_modid != 0) == (s->tls_modid != 0),
		      "%s: TLS module %zu, stock %zu", o->name, o->tls_modid,
		      s->tls_modid);
		/* A base copy (libc, libm, ld.so) where stock has a private
		 * copy: the base copy's, as glibc reports it in the base. */
		const struct record *b = find(&base, o->name);
		if (b && *o->name)
			CHECK(o->addr == b->addr && o->phdr == b->phdr &&
			      o->tls_modid == b->tls_modid &&
			      o->tls_data == b->tls_data,
			      "%s at %#lx, base copy at %#lx", o->name,
			      (unsigned long)o->addr, (unsigned long)b->addr);
	}
	const struct record *libc = find(&outside, "/libc.so.6");
	const struct record *base_libc = find(&base, "/libc.so.6");
	REQUIRE(libc && base_libc, "no libc.so.6 reported");
	CHECK(strcmp(libc->name, base_libc->name) == 0 &&
	      libc->addr == base_libc->addr, "libc reported as %s at %#lx, the "
	      "base libc is %s at %#lx", libc->name, (unsigned long)libc->addr,
	      base_libc->name, (unsigned long)base_libc->addr);
	CHECK(find(&outside, "/libm.so.6") && find(&base, "/libm.so.6") &&
	      find(&outside, "/libm.so.6")->addr == find(&base, "/libm.so.6")->addr,
	      "libm is not reported as its base copy");
	/* The module and its private dependency: their own mappings. */
	struct link_map *mod = NULL;
	dlinfo(h, RTLD_DI_LINKMAP, &mod);
	REQUIRE(mod && outside.count, "no link map");
	CHECK(outside.r[0].addr == mod->l_addr &&
	      strcmp(outside.r[0].name, mod->l_name) == 0,
	      "first object %s at %#lx, the module is %s at %#lx",
	      outside.r[0].name, (unsigned long)outside.r[0].addr, mod->l_name,
	      (unsigned long)mod->l_addr);
	const struct record *dep = find(&outside, "/libglibc-iterate-dep.so");
	const struct record *stock_dep = find(&stock, "/libglibc-iterate-dep.so");
	REQUIRE(dep && stock_dep, "the private dependency is not reported");
	CHECK(dep->tls_modid && (char *)dep->tls_data <= (char *)tls &&
	      (char *)tls < (char *)dep->tls_data + 64,
	      "dependency's TLS block %p (module %zu), its variable at %p",
	      dep->tls_data, dep->tls_modid, (void *)tls);
	CHECK((char *)stock_dep->tls_data <= (char *)iso_tls &&
	      (char *)iso_tls < (char *)stock_dep->tls_data + 64,
	      "stock: TLS block %p, variable at %p", stock_dep->tls_data,
	      (void *)iso_tls);
	if (it_failed) {
		print("stock", &stock);
		print("dl_iterate_ns_phdr", &outside);
		print("inside", &inside);
	}

	/* The callback's nonzero value stops the walk and is returned. */
	struct list two = { .stop_at = 2 };
	CHECK(dl_iterate_ns_phdr(ns, collect, &two) == 7 && two.count == 2,
	      "stopped walk returned after %zu objects", two.count);
	/* The isolated namespace: what stock reports inside it. */
	struct list iso_outside = { .count = 0 };
	CHECK(dl_iterate_ns_phdr(it_handle_ns(iso), collect, &iso_outside) == 0 &&
	      same(&iso_outside, &stock), "dl_iterate_ns_phdr of the isolated "
	      "namespace differs from stock's dl_iterate_phdr inside it");
	/* LM_ID_BASE: dl_iterate_phdr of the base namespace. */
	CHECK(dl_iterate_ns_phdr(LM_ID_BASE, collect, &base_ns) == 0 &&
	      same(&base_ns, &base), "dl_iterate_ns_phdr(LM_ID_BASE) differs "
	      "from dl_iterate_phdr");

	/* A namespace not in use: EINVAL, and the reason for dlerror. */
	Lmid_t bad[] = { LM_ID_NEWLM, 15, 16, 1000 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct list none = { .count = 0 };
		errno = 0;
		int rc = dl_iterate_ns_phdr(bad[i], collect, &none);
		const char *err = dlerror();
		CHECK(rc == -1 && errno == EINVAL && none.count == 0,
		      "namespace %ld: %d, errno %d", (long)bad[i], rc, errno);
		CHECK(err && strstr(err, "dl_iterate_ns_phdr") &&
		      strstr(err, "not in use"), "namespace %ld: dlerror %s",
		      (long)bad[i], err ? err : "(none)");
	}
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	struct list closed = { .count = 0 };
	errno = 0;
	CHECK(dl_iterate_ns_phdr(ns, collect, &closed) == -1 && errno == EINVAL,
	      "closed namespace %ld still reported (%zu objects)", (long)ns,
	      closed.count);
	dlerror();
	CHECK(dlclose(iso) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
