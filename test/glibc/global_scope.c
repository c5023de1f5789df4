/* Behaviour 8 of issue 2: a namespace keeps the global scope stock dlmopen
 * gives it.  A plugin P loaded later into the namespace of a host H, with
 * no DT_NEEDED on H, resolves H's host_value there, and H's definition of
 * a libc name comes ahead of glibc's.  Closing the last handle to H
 * unloads the namespace's contents (H's destructor runs, RTLD_NOLOAD finds
 * nothing, nothing stays mapped), as stock dlclose does; and a new
 * namespace for H works again. */
#include "glibc_util.h"

#include "modules/host.h"

static int counters[2]; /* HOST_CTOR, HOST_DTOR */

/* Mappings of FILE in this process. */
static int mapped(const char *file)
{
	FILE *f = fopen("/proc/self/maps", "r");
	REQUIRE(f, "/proc/self/maps");
	char line[4096];
	int n = 0;
	while (fgets(line, sizeof line, f))
		n += strstr(line, file) != NULL;
	fclose(f);
	return n;
}

/* Whether namespace NS still holds the module NAME. */
static bool ns_has(Lmid_t ns, const char *name)
{
	void *h = dlmopen(ns, it_module(name), RTLD_NOW | RTLD_NOLOAD);
	dlerror();
	if (!h)
		return false;
	dlclose(h);
	return true;
}

/* P, loaded into the namespace of H, is bound to H's definitions. */
static void *plugin_open(void *host)
{
	Lmid_t ns = it_handle_ns(host);
	void *p = dlmopen(ns, it_module(PLUGIN_MOD), RTLD_NOW);
	REQUIRE(p, "dlmopen(%ld, %s): %s", (long)ns, PLUGIN_MOD, dlerror());
	CHECK(it_handle_ns(p) == ns, "plugin's handle ns %ld, host's %ld",
	      (long)it_handle_ns(p), (long)ns);

	int *(*value_addr)(void);
	int (*host_get)(void);
	void *(*strfry_addr)(void);
	SYM(value_addr, p, "plugin_host_value_addr");
	SYM(host_get, p, "plugin_host_get");
	SYM(strfry_addr, p, "plugin_strfry_addr");
	void *host_value = dlsym(host, "host_value");
	CHECK(host_value && (void *)value_addr() == host_value,
	      "plugin's &host_value %p (%s), host's %p", (void *)value_addr(),
	      it_addr_object(value_addr()), host_value);
	CHECK(host_get() == HOST_VALUE, "plugin reads host_value %d", host_get());

	void *host_strfry = dlsym(host, "strfry");
	CHECK(it_addr_ns(host_strfry) == ns, "dlsym(host, strfry) is code of ns %ld",
	      (long)it_addr_ns(host_strfry));
	CHECK(strfry_addr() == host_strfry, "plugin's strfry %p (%s), host's %p",
	      strfry_addr(), it_addr_object(strfry_addr()), host_strfry);
	return p;
}

int main(void)
{
	char env[64];
	snprintf(env, sizeof env, "%p", (void *)counters);
	REQUIRE(setenv(HOST_COUNTERS_ENV, env, 1) == 0, "setenv");

	/* Close P, then H: everything goes. */
	void *host = open_new(HOST_MOD, RTLD_NOW);
	Lmid_t ns = it_handle_ns(host);
	CHECK(counters[HOST_CTOR] == 1 && counters[HOST_DTOR] == 0,
	      "after dlmopen: constructor ran %d times, destructor %d",
	      counters[HOST_CTOR], counters[HOST_DTOR]);
	void *plugin = plugin_open(host);
	CHECK(dlclose(plugin) == 0, "dlclose(plugin): %s", dlerror());
	CHECK(counters[HOST_DTOR] == 0, "host's destructor ran when the plugin closed");
	CHECK(dlclose(host) == 0, "dlclose(host): %s", dlerror());
	CHECK(counters[HOST_DTOR] == 1, "host's destructor ran %d times at its "
	      "last dlclose", counters[HOST_DTOR]);
	CHECK(!ns_has(ns, HOST_MOD), "namespace %ld still holds the host", (long)ns);
	CHECK(!ns_has(ns, PLUGIN_MOD), "namespace %ld still holds the plugin", (long)ns);
	CHECK(mapped(HOST_MOD) == 0, "%s still mapped", HOST_MOD);
	CHECK(mapped(PLUGIN_MOD) == 0, "%s still mapped", PLUGIN_MOD);

	/* Again, closing H first: as stock, H stays while P, which bound
	 * host_value, is loaded, and goes with P. */
	host = open_new(HOST_MOD, RTLD_NOW);
	ns = it_handle_ns(host);
	CHECK(counters[HOST_CTOR] == 2, "constructor ran %d times in all",
	      counters[HOST_CTOR]);
	plugin = plugin_open(host);
	CHECK(dlclose(host) == 0, "dlclose(host): %s", dlerror());
	CHECK(counters[HOST_DTOR] == 1, "host's destructor ran %d times in all, "
	      "wanted 1: the plugin still uses the host", counters[HOST_DTOR]);
	int (*host_get)(void);
	SYM(host_get, plugin, "plugin_host_get");
	CHECK(host_get() == HOST_VALUE, "plugin reads host_value %d after the "
	      "host's handle closed", host_get());
	CHECK(dlclose(plugin) == 0, "dlclose(plugin): %s", dlerror());
	CHECK(counters[HOST_DTOR] == 2, "host's destructor ran %d times in all",
	      counters[HOST_DTOR]);
	CHECK(!ns_has(ns, HOST_MOD), "namespace %ld still holds the host", (long)ns);
	CHECK(mapped(HOST_MOD) == 0, "%s still mapped", HOST_MOD);
	CHECK(mapped(PLUGIN_MOD) == 0, "%s still mapped", PLUGIN_MOD);

	/* A fresh namespace for H works. */
	host = open_new(HOST_MOD, RTLD_NOW);
	CHECK(counters[HOST_CTOR] == 3, "constructor ran %d times in all",
	      counters[HOST_CTOR]);
	int (*get)(void);
	SYM(get, host, "host_get");
	CHECK(get() == HOST_VALUE, "host_get() %d", get());
	plugin = plugin_open(host);
	CHECK(dlclose(plugin) == 0, "dlclose(plugin): %s", dlerror());
	CHECK(dlclose(host) == 0, "dlclose(host): %s", dlerror());
	CHECK(counters[HOST_DTOR] == 3, "host's destructor ran %d times in all",
	      counters[HOST_DTOR]);
	return it_finish();
}
