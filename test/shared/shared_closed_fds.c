/* A program that closes every descriptor it did not open itself (as
 * daemons do) takes nsshare's proxy images with them.  Later loads must
 * still get proxies, never whatever file took over a closed number. */
#include "shared_util.h"

#include <fcntl.h>
#include <unistd.h>

/* Closes descriptors 3 and up, then fills the lowest numbers with an
 * unrelated file, so that an old image path would now name that file. */
static int close_foreign_fds(int *fillers, int nfillers)
{
	int closed = 0;
	for (int fd = 3; fd < 1024; fd++)
		closed += close(fd) == 0;
	for (int i = 0; i < nfillers; i++)
		fillers[i] = open("/proc/self/status", O_RDONLY);
	return closed;
}

int main(void)
{
	const char *counter = module_path(COUNTER_MOD);
	void *a = dlmopen(LM_ID_NEWLM, counter, RTLD_NOW | RTLD_SHARED);
	REQUIRE(a, "first RTLD_SHARED open: %s", dlerror());
	int *(*addr_a)(void) = (int *(*)(void))dlsym(a, "shared_counter_addr");
	REQUIRE(addr_a, "dlsym: %s", dlerror());

	int fillers[8];
	CHECK(close_foreign_fds(fillers, 8) >= 2,
	      "the proxy images of libc and the module were open");

	void *b = dlmopen(LM_ID_NEWLM, counter, RTLD_NOW | RTLD_SHARED);
	CHECK(b, "RTLD_SHARED open after the images were closed: %s", dlerror());
	if (b) {
		CHECK(it_handle_ns(b) > 0, "handle in a secondary namespace");
		CHECK(it_handle_ns(b) != it_handle_ns(a), "a new namespace");
		CHECK(it_code_ns(b, "shared_counter_addr") == 0,
		      "code still in the base copy");
		int *(*addr_b)(void) = (int *(*)(void))dlsym(b, "shared_counter_addr");
		CHECK(addr_b && addr_b() == addr_a(), "the same counter");
		dlclose(b);
	}

	void *c = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	CHECK(c, "plain open after the images were closed: %s", dlerror());
	if (c) {
		char *(*dup)(const char *) = (char *(*)(const char *))dlsym(c, "plain_dup");
		void *(*ns_malloc)(size_t) = NULL;
		CHECK(dup != NULL, "plain_dup");
		/* One heap: what the namespace allocates the program frees. */
		char *s = dup ? dup("x") : NULL;
		CHECK(s && strcmp(s, "x") == 0, "plain_dup works");
		free(s);
		(void)ns_malloc;
		dlclose(c);
	}
	dlclose(a);
	for (int i = 0; i < 8; i++)
		close(fillers[i]);
	return it_finish();
}
