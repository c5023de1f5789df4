/* Past glibc's namespaces (issue 14): dlmopen(LM_ID_NEWLM) keeps working
 * for hundreds of instances of a library with global state, each with its
 * own globals, constructors and destructors run once, an id of its own,
 * and libc shared; dlmopen(ID, Y) loads into the instance; closing one
 * frees its id for the next. */
#include "it.h"

#define MOD "libinstance-counter.so"
#define N 300

static void *h[N];
static Lmid_t ids[N];

/* What dl_iterate_ns_phdr reports of an instance. */
struct seen {
	int objects, module, libz, image_names;
};

static int seen_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct seen *s = arg;
	(void)size;
	s->objects++;
	s->module += ends_with(info->dlpi_name, "/" MOD);
	s->libz += strstr(info->dlpi_name, "/libz.so") != NULL;
	s->image_names += it_is_image_path(info->dlpi_name) ||
			  strncmp(info->dlpi_name, "/proc/", 6) == 0;
	return 0;
}

int main(void)
{
	int dtors = 0;
	for (int i = 0; i < N; i++) {
		h[i] = dlmopen(LM_ID_NEWLM, it_module(MOD), RTLD_NOW);
		REQUIRE(h[i], "instance %d: %s", i, dlerror());
		ids[i] = it_handle_ns(h[i]);
		int *runs = dlsym(h[i], "counter_ctor_runs");
		CHECK(runs && *runs == 1, "instance %d: constructor ran %d times",
		      i, runs ? *runs : -1);
		int **target = dlsym(h[i], "counter_dtor_target");
		REQUIRE(target, "counter_dtor_target");
		*target = &dtors;
	}
	printf("info: namespaces 1 to %ld, then instances\n", (long)ids[0]);
	int distinct = 1;
	for (int i = 0; i < N; i++)
		for (int j = 0; j < i; j++)
			if (ids[i] == ids[j] || ids[i] <= 0)
				distinct = 0;
	CHECK(distinct, "every instance has an id of its own, none 0");
	CHECK(ids[N - 1] >= 16, "instances past glibc's namespaces: %ld",
	      (long)ids[N - 1]);
	/* Own globals: instance i counts to i + 1 alone. */
	for (int i = 0; i < N; i++) {
		int (*next)(void);
		SYM(next, h[i], "counter_next");
		for (int k = 0; k < i; k++)
			next();
	}
	int own = 0;
	for (int i = 0; i < N; i++) {
		int *value = dlsym(h[i], "counter_value");
		own += value && *value == i;
	}
	CHECK(own == N, "%d of %d instances kept their own counter", own, N);
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	CHECK(libc && dlsym(h[N - 1], "malloc") == dlsym(libc, "malloc"),
	      "an instance's libc is the base one");
	if (libc)
		dlclose(libc);
	void *(*alloc)(void);
	SYM(alloc, h[N - 1], "counter_alloc");
	free(alloc()); /* one heap: the base's free takes it */
	CHECK(dlsym(RTLD_DEFAULT, "counter_next") == NULL,
	      "no instance is in the base's global scope");
	Dl_info info;
	CHECK(dladdr(dlsym(h[N - 1], "counter_next"), &info) &&
	      ends_with(info.dli_fname, MOD),
	      "dladdr names the library: %s", info.dli_fname);

	/* Closing runs the destructor once and frees the id. */
	Lmid_t freed = ids[N - 1];
	CHECK(dlclose(h[N - 1]) == 0, "dlclose of the last instance");
	CHECK(dtors == 1, "its destructor ran %d times", dtors);
	h[N - 1] = dlmopen(LM_ID_NEWLM, it_module(MOD), RTLD_NOW);
	REQUIRE(h[N - 1], "an instance again: %s", dlerror());
	CHECK(it_handle_ns(h[N - 1]) == freed, "the freed id %ld is reused: %ld",
	      (long)freed, (long)it_handle_ns(h[N - 1]));
	int *value = dlsym(h[N - 1], "counter_value");
	CHECK(value && *value == 0, "a new instance starts afresh");
	int **target = dlsym(h[N - 1], "counter_dtor_target");
	*target = &dtors;
	/* dlmopen(ID, ...) into an instance: the library again is the same
	 * handle; another library joins it with an instance's copy. */
	void *again = dlmopen(freed, it_module(MOD), RTLD_NOW);
	CHECK(again == h[N - 1], "dlmopen(instance, its library) is its handle");
	if (again)
		CHECK(dlclose(again) == 0, "dlclose of it");
	void *z1 = dlmopen(freed, "libz.so.1", RTLD_NOW);
	void *z2 = dlmopen(ids[N - 2], "libz.so.1", RTLD_NOW);
	REQUIRE(z1 && z2, "libz into two instances: %s", dlerror());
	CHECK(it_handle_ns(z1) == freed && it_handle_ns(z2) == ids[N - 2],
	      "each in its instance: %ld, %ld", (long)it_handle_ns(z1),
	      (long)it_handle_ns(z2));
	CHECK(dlsym(z1, "deflate") != dlsym(z2, "deflate"),
	      "with a copy of its own");
	struct seen seen = { 0 };
	/* Looked up: the preloaded runs are not linked with -lnsshare. */
	int (*iterate_ns)(Lmid_t, int (*)(struct dl_phdr_info *, size_t, void *),
			  void *);
	SYM(iterate_ns, RTLD_DEFAULT, "dl_iterate_ns_phdr");
	CHECK(iterate_ns(freed, seen_cb, &seen) == 0 &&
	      seen.objects == 2 && seen.module == 1 && seen.libz == 1 &&
	      seen.image_names == 0,
	      "dl_iterate_ns_phdr lists the instance's library and libz by "
	      "their files: %d objects, %d, %d, %d under image names",
	      seen.objects, seen.module, seen.libz, seen.image_names);
	CHECK(dlclose(z1) == 0 && dlclose(z2) == 0, "dlclose of libz");
	CHECK(dlmopen(0x7fff0000, "libz.so.1", RTLD_NOW) == NULL,
	      "no such instance");
	const char *err = dlerror();
	CHECK(err && strstr(err, "invalid target namespace"), "glibc's words: %s",
	      err ? err : "");
	dtors = 0;
	int closed = 0;
	for (int i = 0; i < N; i++)
		closed += dlclose(h[i]) == 0;
	CHECK(closed == N, "%d of %d closed", closed, N);
	CHECK(dtors == N, "%d destructors ran for %d instances", dtors, N);
	return it_finish();
}
