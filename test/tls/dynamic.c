/* TLS of a shared object whose base copy nsshare loads after startup
 * (dynamic TLS): global-dynamic and TLS descriptors reach the base copy's
 * variable of the calling thread; initial-exec cannot, and the dlmopen
 * fails saying so, loading nothing (issue 10, points 1, 3, 4). */
#include "tls_check.h"

static int *(*base_addr)(void);

static void set_77(void *arg)
{
	(void)arg;
	*base_addr() = 77;
}

int main(void)
{
	struct worker before;
	worker_start(&before);
	/* The base copy, as nsshare loads it: pinned, in the base. */
	void *shared = dlmopen(LM_ID_NEWLM, it_module(BASE_MOD),
			       RTLD_NOW | RTLD_SHARED);
	REQUIRE(shared, "dlmopen(%s, RTLD_SHARED): %s", BASE_MOD, dlerror());
	void *base = dlopen(it_module(BASE_MOD), RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(base, "the base copy: %s", dlerror());
	SYM(base_addr, base, "tls_base_addr");
	CHECK(dlsym(shared, "tls_counter") == base_addr(),
	      "dlsym(proxy, \"tls_counter\") is the base copy's variable");
	*base_addr() = 41;
	worker_run(&before, set_77, NULL);
	void *gd = tls_check_model("gd", &before, 41, 77);
	void *desc = tls_check_model("desc", &before, 41, 77);

	tls_check_ie_refused();
	CHECK(dlclose(gd) == 0 && dlclose(desc) == 0 && dlclose(shared) == 0,
	      "dlclose");
	dlclose(base);
	worker_stop(&before);
	return it_finish();
}
