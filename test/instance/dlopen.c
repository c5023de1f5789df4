/* dlopen called by code inside an instance (issue 14): it loads into that
 * instance, as dlopen from code inside a real namespace loads into the
 * namespace, with the caller's search path; what is shared stays the
 * base copy; code of the base namespace gets glibc's dlopen, whose
 * answers (handles, errors) are the oracle. */
#include "it.h"

#define OPENER "libinstance-opener.so"
#define MOD "libinstance-counter.so"

typedef void *(*open_fn)(const char *, int);

static bool under_asan(void)
{
	return dlsym(RTLD_DEFAULT, "__asan_init") != NULL;
}

/* The namespaces opened before the instances. */
static void *real_ns[20];
static int nreal;

/* Instances of OPENER: the real namespaces are used up first. */
static void *instance_of_opener(Lmid_t *id)
{
	for (int i = 0; i < 20; i++) {
		void *h = dlmopen(LM_ID_NEWLM, it_module(OPENER), RTLD_NOW);
		REQUIRE(h, "dlmopen of " OPENER ": %s", dlerror());
		*id = it_handle_ns(h);
		if (*id >= NSSHARE_INSTANCE_FIRST)
			return h;
		real_ns[nreal++] = h;
	}
	REQUIRE(0, "no instance after 20 dlmopens");
	return NULL;
}

int main(void)
{
	Lmid_t ida, idb;
	void *ha = instance_of_opener(&ida), *hb = instance_of_opener(&idb);
	open_fn open_a, open_b;
	SYM(open_a, ha, "opener_dlopen");
	SYM(open_b, hb, "opener_dlopen");
	CHECK(ida != idb, "two instances: %ld, %ld", (long)ida, (long)idb);

	void *ca = open_a(it_module(MOD), RTLD_NOW);
	void *cb = open_b(it_module(MOD), RTLD_NOW);
	REQUIRE(ca && cb, "dlopen from inside the instances: %s", dlerror());
	if (under_asan()) {
		/* ASan's dlopen interceptor calls glibc's from its own frame
		 * (nsshare.h says what that does). */
		CHECK(it_handle_ns(ca) == LM_ID_BASE,
		      "through ASan's interceptor: the base namespace, %ld",
		      (long)it_handle_ns(ca));
		printf("info: under ASan: the rest is for the plain build\n");
		dlclose(ca), dlclose(cb), dlclose(ha), dlclose(hb);
		for (int i = 0; i < nreal; i++)
			dlclose(real_ns[i]);
		return it_finish();
	}
	CHECK(it_handle_ns(ca) == ida && it_handle_ns(cb) == idb,
	      "each in its caller's instance: %ld (want %ld), %ld (want %ld)",
	      (long)it_handle_ns(ca), (long)ida, (long)it_handle_ns(cb),
	      (long)idb);
	void *again = dlmopen(ida, it_module(MOD), RTLD_NOW);
	CHECK(again == ca, "dlmopen(instance, it) is the same handle");
	if (again)
		dlclose(again);

	/* Own globals: three in one, one in the other, none in the base. */
	int (*next_a)(void), (*next_b)(void);
	SYM(next_a, ca, "counter_next");
	SYM(next_b, cb, "counter_next");
	next_a(), next_a(), next_a();
	next_b();
	int *va = dlsym(ca, "counter_value"), *vb = dlsym(cb, "counter_value");
	CHECK(va && vb && *va == 3 && *vb == 1, "own counters: %d, %d",
	      va ? *va : -1, vb ? *vb : -1);
	CHECK(dlsym(RTLD_DEFAULT, "counter_next") == NULL,
	      "nothing of an instance is in the base's global scope");

	/* The caller's search path: $ORIGIN is the folder of the file the
	 * caller's copy copies, as it is for the original in the base. */
	void *oa = open_a("$ORIGIN/" MOD, RTLD_NOW);
	CHECK(oa == ca, "$ORIGIN/" MOD " from the instance: its copy (%s)",
	      oa ? "another handle" : dlerror());
	if (oa)
		dlclose(oa);
	void *za = open_a("libz.so.1", RTLD_NOW);
	void *zb = open_b("libz.so.1", RTLD_NOW);
	REQUIRE(za && zb, "libz by its bare name: %s", dlerror());
	CHECK(it_handle_ns(za) == ida && it_handle_ns(zb) == idb &&
	      dlsym(za, "deflate") != dlsym(zb, "deflate"),
	      "libz in each instance, with a copy of its own");

	/* What is shared is the base copy. */
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	void *libc_a = open_a("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	CHECK(libc && libc_a && dlsym(libc_a, "malloc") == dlsym(libc, "malloc"),
	      "libc from inside the instance is the base one");

	/* Errors read as glibc's for the same call from the base. */
	CHECK(dlopen("libnsshare-nonesuch.so.9", RTLD_NOW) == NULL, "stock fails");
	char stock[512];
	snprintf(stock, sizeof stock, "%s", dlerror());
	CHECK(open_a("libnsshare-nonesuch.so.9", RTLD_NOW) == NULL,
	      "a missing library from inside the instance fails");
	const char *err = dlerror();
	CHECK(err && strcmp(err, stock) == 0, "in glibc's words: '%s', stock '%s'",
	      err ? err : "(none)", stock);

	/* Code of the base namespace: glibc's dlopen, the base's objects. */
	void *base = dlopen(it_module(MOD), RTLD_NOW);
	REQUIRE(base, "dlopen from the base: %s", dlerror());
	void *hbase = dlopen(it_module(OPENER), RTLD_NOW);
	REQUIRE(hbase, "dlopen of the opener in the base: %s", dlerror());
	open_fn open_base;
	SYM(open_base, hbase, "opener_dlopen");
	void *bb = open_base(it_module(MOD), RTLD_NOW);
	CHECK(it_handle_ns(base) == LM_ID_BASE && bb == base,
	      "from the base, the base's object");
	int *vbase = dlsym(base, "counter_value");
	CHECK(vbase && *vbase == 0, "with the base's own counter");

	CHECK(dlclose(bb) == 0 && dlclose(base) == 0 && dlclose(hbase) == 0,
	      "dlclose in the base");
	if (libc)
		dlclose(libc);
	if (libc_a)
		dlclose(libc_a);
	CHECK(dlclose(za) == 0 && dlclose(zb) == 0 && dlclose(ca) == 0 &&
	      dlclose(cb) == 0, "dlclose of what the instances loaded");
	CHECK(dlclose(ha) == 0 && dlclose(hb) == 0, "dlclose of the instances");
	for (int i = 0; i < nreal; i++)
		dlclose(real_ns[i]);
	return it_finish();
}
