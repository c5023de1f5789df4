/* it.h: the small harness of nsshare's integration programs.
 *
 * A program runs its checks, each one counted, and ends with
 * `return it_finish();`, which prints "N passed, N failed" and exits
 * non-zero if anything failed or nothing was checked.  Helpers answer the
 * questions the tests ask of a handle: which namespace it belongs to, and
 * which namespace holds the code a symbol resolves to. */
#ifndef NSSHARE_IT_H
#define NSSHARE_IT_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image_path.h"

#include <nsshare.h>

/* Bytes in use on glibc's malloc heap: mallinfo2 since glibc 2.33, where
 * mallinfo (int fields) is deprecated; mallinfo before.  Zero when
 * another malloc (valgrind's, ASan's) replaces glibc's. */
static inline size_t it_malloc_in_use(void)
{
#if __GLIBC_PREREQ(2, 33)
	return mallinfo2().uordblks;
#else
	return (size_t)mallinfo().uordblks;
#endif
}

/* VmRSS of this process in KiB, from /proc/self/status; 0 when it cannot
 * be read.  For "info:" lines only: no verdict rests on it. */
static inline long it_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "VmRSS: %ld", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

static int it_passed, it_failed;

#define CHECK(cond, ...)                                                      \
	do {                                                                  \
		if (cond) {                                                   \
			it_passed++;                                          \
		} else {                                                      \
			it_failed++;                                          \
			fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__,        \
				__LINE__, #cond);                             \
			fprintf(stderr, __VA_ARGS__);                         \
			fputc('\n', stderr);                                  \
		}                                                             \
	} while (0)

/* Stops the program when a step the rest depends on failed. */
#define REQUIRE(cond, ...)                                                    \
	do {                                                                  \
		int it_failed_before = it_failed;                             \
		CHECK(cond, __VA_ARGS__);                                     \
		if (it_failed != it_failed_before)                            \
			exit(it_finish());                                    \
	} while (0)

static inline int it_finish(void)
{
	fflush(stdout);
	fprintf(stderr, "%d passed, %d failed\n", it_passed, it_failed);
	return it_failed || !it_passed ? 1 : 0;
}

/* dlsym that must succeed: the function pointer, typed as LVALUE. */
#define SYM(lvalue, handle, name)                                             \
	do {                                                                  \
		*(void **)&(lvalue) = dlsym((handle), (name));                \
		REQUIRE((lvalue) != NULL, "dlsym %s: %s", (name), dlerror()); \
	} while (0)

/* Whether S ends with SUFFIX. */
static inline bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}


/* A module of the test build, by file name: IT_MODDIR "/" name.  The
 * string lives until exit. */
static inline const char *it_module(const char *name)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", IT_MODDIR, name) < 0)
		abort();
	return path;
}

/* The secondary namespaces a program can open: glibc's DL_NNS is 16, the
 * base namespace and 15 others, less one for each LD_AUDIT module (each
 * takes a namespace of its own). */
static inline int it_max_namespaces(void)
{
	int n = 15;
	const char *audit = getenv("LD_AUDIT");
	for (const char *p = audit; p && *p; p += strcspn(p, ":")) {
		p += strspn(p, ":");
		n -= *p != '\0';
	}
	return n;
}

/* The namespace of a handle, or -100 if dlinfo fails. */
static inline Lmid_t it_handle_ns(void *handle)
{
	Lmid_t ns = -100;
	if (!handle || dlinfo(handle, RTLD_DI_LMID, &ns) != 0)
		return -100;
	return ns;
}

/* The namespace of the object holding ADDR, or -100. */
static inline Lmid_t it_addr_ns(const void *addr)
{
	Dl_info info;
	struct link_map *lm = NULL;
	if (!addr || !dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP) || !lm)
		return -100;
	return it_handle_ns(lm);
}

/* The namespace of the code SYM resolves to through HANDLE, or -100. */
static inline Lmid_t it_code_ns(void *handle, const char *sym)
{
	return it_addr_ns(handle ? dlsym(handle, sym) : NULL);
}

/* The file name of the object holding ADDR ("" if none). */
static inline const char *it_addr_object(const void *addr)
{
	Dl_info info;
	if (!addr || !dladdr(addr, &info) || !info.dli_fname)
		return "";
	return info.dli_fname;
}

#endif
