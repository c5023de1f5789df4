/* Port of glibc's elf/tst-auditmod28.c: dlopen, dlsym, dlerror, dlvsym,
 * dlinfo, dladdr, dladdr1, _dl_find_object and dlmopen, all called from
 * la_version, inside the audit namespace. */
#include "../port.h"

/* glibc's <first-versions.h>: the first version of libc's _exit. */
#if defined __x86_64__ && defined __ILP32__
#define FIRST_VERSION_libc__exit_STRING "GLIBC_2.16"
#elif defined __x86_64__
#define FIRST_VERSION_libc__exit_STRING "GLIBC_2.2.5"
#elif defined __aarch64__
#define FIRST_VERSION_libc__exit_STRING "GLIBC_2.17"
#else
#define FIRST_VERSION_libc__exit_STRING "GLIBC_2.0"
#endif

unsigned int la_version(unsigned int current)
{
	(void)current;
#if __GLIBC_PREREQ(2, 35)
	void *h = xdlopen(LIBM_SO, RTLD_LOCAL | RTLD_NOW);
	void *p = xdlsym(h, "sincos");
	TEST_VERIFY(p != NULL);
	p = dlsym(h, "SINCOS");
	TEST_VERIFY(p == NULL);
	const char *msg = dlerror();
	TEST_VERIFY(msg != NULL && strstr(msg, ": undefined symbol: SINCOS") != NULL);
	p = dlsym(h, "SINCOS");
	TEST_VERIFY(p == NULL);
	xdlclose(h);
	TEST_COMPARE_STRING(dlerror(), NULL);

	h = xdlopen(LIBC_SO, RTLD_LOCAL | RTLD_NOW | RTLD_NOLOAD);

	/* _exit is unlikely to ever get another version. */
	TEST_VERIFY(xdlsym(h, "_exit") ==
		    xdlvsym(h, "_exit", FIRST_VERSION_libc__exit_STRING));

	void *h2 = NULL;
	TEST_COMPARE(dlinfo(h, RTLD_DI_LINKMAP, &h2), 0);
	TEST_VERIFY(h2 == h);

	Dl_info info = { 0 };
	TEST_VERIFY(dladdr((void *)&_exit, &info) != 0);
	/* _Exit is an alias. */
	if (info.dli_sname == NULL || strcmp(info.dli_sname, "_Exit") != 0)
		TEST_COMPARE_STRING(info.dli_sname, "_exit");
	TEST_VERIFY(info.dli_saddr == (void *)&_exit);
	TEST_VERIFY(info.dli_fname != NULL && strstr(info.dli_fname, LIBC_SO));
	void *extra = NULL;
	memset(&info, 0, sizeof(info));
	TEST_VERIFY(dladdr1((void *)&_exit, &info, &extra, RTLD_DL_LINKMAP) != 0);
	TEST_VERIFY(extra == h);

	struct dl_find_object dlfo;
	void *ret = __builtin_extract_return_addr(__builtin_return_address(0));
	int found = _dl_find_object(ret, &dlfo);
	TEST_COMPARE(found, 0);
	/* The caller is ld.so ("ld.so" itself in glibc's build tree). */
	if (found == 0 && strcmp(basename(dlfo.dlfo_link_map->l_name), "ld.so") != 0)
		TEST_COMPARE_STRING(basename(dlfo.dlfo_link_map->l_name), LD_SO);
	found = _dl_find_object(dlsym(h, "environ"), &dlfo);
	TEST_COMPARE(found, 0);
	if (found == 0)
		TEST_COMPARE_STRING(basename(dlfo.dlfo_link_map->l_name), LIBC_SO);
	TEST_COMPARE(_dl_find_object((void *)1, &dlfo), -1);
	TEST_COMPARE(_dl_find_object((void *)-1, &dlfo), -1);

	/* dlmopen makes a new namespace. */
	void *nh = xdlmopen(LM_ID_NEWLM, LIBC_SO, RTLD_NOW);
	TEST_VERIFY(nh != h);
	memset(&info, 0, sizeof(info));
	extra = NULL;
	p = xdlsym(nh, "_exit");
	TEST_VERIFY(dladdr1(p, &info, &extra, RTLD_DL_LINKMAP) != 0);
	TEST_VERIFY(extra == nh);
	xdlclose(nh);

	/* The program cannot see this module's failures: exit here. */
	if (support_record_failure_is_failed()) {
		fflush(stdout);
		fflush(stderr);
		_exit(1);
	}
#endif
	return LAV_CURRENT;
}

char *la_objsearch(const char *name, uintptr_t *cookie, unsigned int flag)
{
	(void)cookie;
	(void)flag;
	if (strcmp(name, "mapped to libc") == 0)
		return (char *)LIBC_SO;
	return (char *)name;
}
