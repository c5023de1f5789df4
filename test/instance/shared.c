/* What is shared, inside an instance (issue 14, point 1): RTLD_SHARED,
 * unique objects (-z unique) and NSSHARE_SHARE (set by CMakeLists.txt to
 * libunique-norm.so.1).  Each case is asked of a real namespace R first,
 * which nsshare's namespace path answers (test/unique checks that one
 * against its contract), then of an instance I, and the answers are
 * compared: whether the module's state reached through the handle, or
 * through A for a dependency, is the base copy's, and where A's code and
 * libc binding are.  The one difference is stated: a shared object
 * opened into an instance is the base copy's own handle (an instance is
 * made of base objects), where a namespace gets a proxy of it. */
#include "../unique/unique_util.h"

#define COUNTER "libinstance-counter.so"

/* A case: FILE opened with MODE; THROUGH_A when FILE is an A, whose
 * dependency is the shared one. */
struct shared_case {
	const char *file;
	int mode;
	bool through_a;
	const char *base_of; /* the module whose base copy holds the state */
};

static const struct shared_case cases[] = {
	{ OTHER, RTLD_NOW | RTLD_SHARED, false, OTHER },
	{ UNIQ, RTLD_NOW, false, UNIQ },
	{ NORM, RTLD_NOW, false, NORM },
	{ "libunique-a-origin.so", RTLD_NOW, true, UNIQ },
	{ "libunique-a-norm.so", RTLD_NOW, true, NORM },
};

/* What a handle of a case shows. */
struct answer {
	bool state_is_base;  /* mod_counter, through the handle or A */
	bool bump_is_base;   /* a_bump() (or mod_bump()) bumps the base copy */
	bool free_is_base;   /* the free A (or the module) is bound to */
	Lmid_t ns;
};

static struct answer ask(void *h, const struct shared_case *c)
{
	struct answer a = { .ns = it_handle_ns(h) };
	void *base = base_copy(it_module(c->base_of));
	REQUIRE(base, "%s: no base copy of %s", c->file, c->base_of);
	int *counter = dlsym(base, "mod_counter");
	REQUIRE(counter, "%s: mod_counter of the base copy", c->file);
	void *(*counter_addr)(void) = NULL, *(*free_addr)(void) = NULL;
	int (*bump)(void) = NULL;
	if (c->through_a) {
		SYM(counter_addr, h, "a_counter_addr");
		SYM(free_addr, h, "a_free_addr");
		SYM(bump, h, "a_bump");
		a.state_is_base = counter_addr() == counter;
	} else {
		SYM(free_addr, h, "mod_free_addr");
		SYM(bump, h, "mod_bump");
		a.state_is_base = dlsym(h, "mod_counter") == counter;
	}
	int before = *counter;
	bump();
	a.bump_is_base = *counter == before + 1;
	a.free_is_base = free_addr() == (void *)&free;
	return a;
}

int main(void)
{
	Lmid_t r, i = 0;
	void *hr = dlmopen(LM_ID_NEWLM, it_module(COUNTER), RTLD_NOW);
	REQUIRE(hr, "dlmopen of " COUNTER ": %s", dlerror());
	r = it_handle_ns(hr);
	REQUIRE(r > LM_ID_BASE && r < NSSHARE_INSTANCE_FIRST,
		"the first dlmopen: a real namespace, %ld", (long)r);
	void *fill[20];
	int nfill = 0;
	while (nfill < 20) {
		void *h = dlmopen(LM_ID_NEWLM, it_module(COUNTER), RTLD_NOW);
		REQUIRE(h, "dlmopen of " COUNTER ": %s", dlerror());
		fill[nfill++] = h;
		if ((i = it_handle_ns(h)) >= NSSHARE_INSTANCE_FIRST)
			break;
	}
	REQUIRE(i >= NSSHARE_INSTANCE_FIRST, "no instance after 20 dlmopens");

	void *opened[2 * sizeof cases / sizeof cases[0] + 1];
	int nopened = 0;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		const struct shared_case *c = &cases[k];
		void *in_r = dlmopen(r, it_module(c->file), c->mode);
		REQUIRE(in_r, "dlmopen(R, %s): %s", c->file, dlerror());
		void *in_i = dlmopen(i, it_module(c->file), c->mode);
		REQUIRE(in_i, "dlmopen(I, %s): %s", c->file, dlerror());
		opened[nopened++] = in_r;
		opened[nopened++] = in_i;
		struct answer ar = ask(in_r, c), ai = ask(in_i, c);
		CHECK(ar.state_is_base && ai.state_is_base,
		      "%s: its state is the base copy's: namespace %d, "
		      "instance %d", c->file, ar.state_is_base,
		      ai.state_is_base);
		CHECK(ai.bump_is_base == ar.bump_is_base &&
		      ai.free_is_base == ar.free_is_base,
		      "%s: bump and free as in a namespace: %d %d, there %d %d",
		      c->file, ai.bump_is_base, ai.free_is_base,
		      ar.bump_is_base, ar.free_is_base);
		CHECK(ar.ns == r, "%s: the namespace's handle is in it: %ld",
		      c->file, (long)ar.ns);
		if (c->through_a) {
			/* A is private to each: a copy of the instance's. */
			CHECK(ai.ns == i, "%s: in the instance: %ld (want %ld)",
			      c->file, (long)ai.ns, (long)i);
			CHECK(it_code_ns(in_i, "a_bump") != it_code_ns(in_r, "a_bump") &&
			      dlsym(in_i, "a_bump") != dlsym(in_r, "a_bump"),
			      "%s: A's code is its own in each", c->file);
		} else {
			CHECK(ai.ns == LM_ID_BASE && in_i == base_copy(it_module(c->file)),
			      "%s: the instance's handle is the base copy's: "
			      "namespace %ld", c->file, (long)ai.ns);
		}
	}

	/* Full isolation needs a libc of its own, which an instance, made
	 * of base objects, cannot have; in a namespace it is stock's. */
	void *iso_r = dlmopen(r, it_module("libunique-a-sub.so"),
			      RTLD_NOW | RTLD_ISOLATE);
	CHECK(iso_r && it_handle_ns(iso_r) == r, "RTLD_ISOLATE into R: %s",
	      iso_r ? "another namespace" : dlerror());
	if (iso_r)
		opened[nopened++] = iso_r;
	void *iso_i = dlmopen(i, it_module("libunique-a-sub.so"),
			      RTLD_NOW | RTLD_ISOLATE);
	const char *err = dlerror();
	char want[512];
	snprintf(want, sizeof want, "%s: RTLD_ISOLATE needs a namespace of "
		 "its own; an instance shares glibc with the base namespace",
		 it_module("libunique-a-sub.so"));
	CHECK(!iso_i && err && strcmp(err, want) == 0,
	      "RTLD_ISOLATE into an instance: %s", err ? err : "no error");
	void *both = dlmopen(i, it_module(OTHER),
			     RTLD_NOW | RTLD_SHARED | RTLD_ISOLATE);
	err = dlerror();
	snprintf(want, sizeof want, "%s: RTLD_SHARED and RTLD_ISOLATE exclude "
		 "each other", it_module(OTHER));
	CHECK(!both && err && strcmp(err, want) == 0,
	      "RTLD_SHARED | RTLD_ISOLATE into an instance: %s",
	      err ? err : "no error");

	/* A new instance of a shared object would be the base copy again. */
	void *again = dlmopen(LM_ID_NEWLM, it_module(UNIQ), RTLD_NOW);
	err = dlerror();
	CHECK(!again && err && strstr(err, "a shared object has no instance "
					   "of its own"),
	      "dlmopen(NEWLM, a unique object) past the namespaces: %s",
	      err ? err : "no error");

	while (nopened > 0)
		CHECK(dlclose(opened[--nopened]) == 0, "dlclose: %s", dlerror());
	while (nfill > 0)
		CHECK(dlclose(fill[--nfill]) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(hr) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
