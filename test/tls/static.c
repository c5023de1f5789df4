/* TLS of a shared object flagged DF_STATIC_TLS (its own code uses
 * initial-exec), as Mesa's libglapi is: glibc gives its block static TLS
 * although it is loaded after startup.  The program's first dlmopen loads
 * the base copy and makes its proxy with no TLS access in between, so the
 * thread's DTV does not cover the block yet (dlinfo(RTLD_DI_TLS_DATA) of
 * the base copy answers NULL).  Every access model of a namespace module,
 * initial-exec first, reaches the base copy's variable of the calling
 * thread (issue 10). */
#include "tls_check.h"

#include <elf.h>

static int *(*base_addr)(void);

static void set_77(void *arg)
{
	(void)arg;
	*base_addr() = 77;
}

/* Whether the object of handle H has DF_STATIC_TLS in its DT_FLAGS. */
static bool static_tls_flag(void *h)
{
	struct link_map *map = NULL;
	REQUIRE(dlinfo(h, RTLD_DI_LINKMAP, &map) == 0, "dlinfo: %s", dlerror());
	for (const ElfW(Dyn) *d = map->l_ld; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_FLAGS)
			return d->d_un.d_val & DF_STATIC_TLS;
	return false;
}

int main(void)
{
	tls_dir = IT_MODDIR "/tls-static";
	struct worker before;
	worker_start(&before);
	/* The base copy's value is 5, its initial one, in every thread. */
	void *ie = tls_check_model("ie", &before, 5, 5);
	void *base = dlopen(tls_module(BASE_MOD), RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(base, "the base copy: %s", dlerror());
	CHECK(static_tls_flag(base), "%s has DF_STATIC_TLS", BASE_MOD);
	SYM(base_addr, base, "tls_base_addr");
	*base_addr() = 41;
	worker_run(&before, set_77, NULL);
	void *gd = tls_check_model("gd", &before, 41, 77);
	void *desc = tls_check_model("desc", &before, 41, 77);
	CHECK(dlclose(ie) == 0 && dlclose(gd) == 0 && dlclose(desc) == 0,
	      "dlclose");
	dlclose(base);
	worker_stop(&before);
	return it_finish();
}
