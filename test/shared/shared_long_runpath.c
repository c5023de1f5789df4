/* A dependency found through a RUNPATH of some 12 KiB (Y linked with
 * hundreds of folders that do not exist before $ORIGIN): nsshare reads a
 * file's strings a window at a time (src/elfread.c), and this one spans
 * several windows.  Stock glibc finds X there; so must nsshare's closure
 * scan, in a fresh namespace (X private) and with X shared (Y bound to the
 * base copy). */
#include "shared_util.h"

#define LONG_MOD "libshared-user-longpath.so"

typedef int *(*addr_fn)(void);

int main(void)
{
	const char *y = module_path(LONG_MOD);
	void *h = dlmopen(LM_ID_NEWLM, y, RTLD_NOW);
	REQUIRE(h, "dlmopen %s: %s", LONG_MOD, dlerror());
	Lmid_t ns = it_handle_ns(h);
	CHECK(ns > 0, "Y in namespace %ld", (long)ns);
	addr_fn addr = (addr_fn)dlsym(h, "user_counter_addr");
	REQUIRE(addr, "dlsym user_counter_addr: %s", dlerror());
	CHECK(it_addr_ns(addr()) == ns, "Y's X is in namespace %ld, Y in %ld",
	      (long)it_addr_ns(addr()), (long)ns);

	/* X shared: Y, found the same way, binds the base copy. */
	void *x = dlmopen(LM_ID_NEWLM, module_path(COUNTER_MOD),
			  RTLD_NOW | RTLD_SHARED);
	REQUIRE(x, "dlmopen X RTLD_SHARED: %s", dlerror());
	Lmid_t xns = it_handle_ns(x);
	void *y2 = dlmopen(xns, y, RTLD_NOW);
	REQUIRE(y2, "dlmopen %s into %ld: %s", LONG_MOD, (long)xns, dlerror());
	addr_fn addr2 = (addr_fn)dlsym(y2, "user_counter_addr");
	CHECK(addr2 && it_addr_ns(addr2()) == LM_ID_BASE,
	      "with X shared, Y's X is in namespace %ld",
	      addr2 ? (long)it_addr_ns(addr2()) : -1L);
	CHECK(dlclose(y2) == 0 && dlclose(x) == 0 && dlclose(h) == 0,
	      "dlclose: %s", dlerror());
	return it_finish();
}
