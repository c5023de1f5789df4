/* real_util.h: what the programs of test/real share besides it.h:
 * opening a distro library by soname in a fresh namespace, and checking
 * that the namespace shares the program's heap. */
#ifndef REAL_UTIL_H
#define REAL_UTIL_H

#include "it.h"

#include <malloc.h>

/* A fresh namespace holding LIB (a soname or a path), opened with a plain
 * dlmopen: no RTLD_SHARED, so LIB and its own dependencies are private to
 * the namespace and only glibc is shared.  Stops the program on failure. */
static inline void *open_lib(const char *lib)
{
	void *h = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW);
	REQUIRE(h, "dlmopen(LM_ID_NEWLM, %s): %s", lib, dlerror());
	Lmid_t ns = it_handle_ns(h);
	REQUIRE(ns > 0, "%s: handle namespace %ld", lib, (long)ns);
	return h;
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

/* Whether glibc's malloc keeps the books heap_in_use() reads: not under
 * valgrind, whose malloc replaces glibc's and leaves mallinfo2 zero. */
static inline bool heap_counted(void)
{
	return mallinfo2().arena != 0;
}

/* Bytes in use on the program's malloc heap. */
static inline size_t heap_in_use(void)
{
	return mallinfo2().uordblks;
}

#endif
