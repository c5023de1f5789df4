/* real_util.h: what the programs of test/real share besides it.h:
 * opening a distro library by soname in a fresh namespace, and checking
 * that the namespace shares the program's heap. */
#ifndef REAL_UTIL_H
#define REAL_UTIL_H

#include "it.h"

/* A fresh namespace holding the first of NAMES (a NULL-terminated list of
 * sonames or paths) that this system has, opened with a plain dlmopen: no
 * RTLD_SHARED, so the library and its own dependencies are private to the
 * namespace and only glibc is shared.  Sets *WHICH to the index of the one
 * opened when WHICH is not NULL.  Stops the program when none opens.  The
 * sonames of OpenSSL and libpython change from one Debian release to the
 * next, hence the list. */
static inline void *open_lib_of(const char *const names[], size_t *which)
{
	for (size_t i = 0; names[i]; i++) {
		void *h = dlmopen(LM_ID_NEWLM, names[i], RTLD_NOW);
		if (!h)
			continue;
		REQUIRE(it_handle_ns(h) > 0, "%s: handle namespace %ld",
			names[i], (long)it_handle_ns(h));
		if (which)
			*which = i;
		return h;
	}
	REQUIRE(false, "dlmopen(LM_ID_NEWLM, %s%s): %s", names[0],
		names[1] ? " or the others" : "", dlerror());
	return NULL;
}

/* open_lib_of for one library. */
static inline void *open_lib(const char *lib)
{
	const char *const names[] = { lib, NULL };
	return open_lib_of(names, NULL);
}

/* Checks that SYM, looked up through H, is the namespace's private code
 * (the library is not shared), while the namespace's malloc and free are
 * the base's (glibc is).  Without the latter, memory could not cross. */
#define CHECK_PRIVATE_LIB_SHARED_LIBC(h, sym, name)                           \
	do {                                                                  \
		Lmid_t ns_ = it_handle_ns(h);                                 \
		CHECK(it_code_ns((h), (sym)) == ns_,                          \
		      "%s: %s runs in namespace %ld, handle is in %ld",       \
		      (name), (sym), (long)it_code_ns((h), (sym)),            \
		      (long)ns_);                                             \
		CHECK(dlsym((h), "malloc") == (void *)malloc &&               \
		      dlsym((h), "free") == (void *)free,                     \
		      "%s: namespace %ld binds malloc %p free %p, program "   \
		      "%p %p",                                                \
		      (name), (long)ns_, dlsym((h), "malloc"),                \
		      dlsym((h), "free"), (void *)malloc, (void *)free);      \
	} while (0)

/* Whether the namespace of handle H holds an object whose file is named
 * NAME.<something> or NAME-<something> (libEGL_mesa.so.0,
 * _ctypes.cpython-311-...so, libgallium-25.0.7.so), in a directory whose
 * path has DIR in it when DIR is not NULL. */
static inline bool has_object(void *h, const char *dir, const char *name)
{
	struct link_map *map = NULL;
	REQUIRE(dlinfo(h, RTLD_DI_LINKMAP, &map) == 0, "dlinfo: %s", dlerror());
	while (map->l_prev)
		map = map->l_prev;
	size_t len = strlen(name);
	for (; map; map = map->l_next) {
		const char *base = strrchr(map->l_name, '/');
		if (base && (!dir || strstr(map->l_name, dir)) &&
		    strncmp(base + 1, name, len) == 0 &&
		    (base[1 + len] == '.' || base[1 + len] == '-'))
			return true;
	}
	return false;
}

/* Whether glibc's malloc keeps the books heap_in_use() reads: not under
 * valgrind, whose malloc replaces glibc's.  The program has allocated by
 * the time this is asked (stdio, dlerror), so glibc's count is not zero. */
static inline bool heap_counted(void)
{
	return it_malloc_in_use() != 0;
}

/* Bytes in use on the program's malloc heap. */
static inline size_t heap_in_use(void)
{
	return it_malloc_in_use();
}

#endif
