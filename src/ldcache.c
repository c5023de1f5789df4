/* Owns: /etc/ld.so.cache, mapped once, and its choice among entries (hwcaps,
 * ISA level, platform).  Calls: nothing; reads machine.c's state. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ldso.h"

/* ---- /etc/ld.so.cache (elf/dl-cache.c, sysdeps/generic/dl-cache.h). */

#ifndef SEARCH_LD_SO_CACHE
#define SEARCH_LD_SO_CACHE "/etc/ld.so.cache"
#endif
#define CACHE_MAGIC_OLD "ld.so-1.7.0"
#define CACHE_MAGIC_NEW "glibc-ld.so.cache1.1"
#define CACHE_OLD_HDR 16     /* magic[11], pad, uint32 nlibs */
#define CACHE_NEW_HDR 48
#define CACHE_OLD_ENT 12     /* int32 flags; uint32 key, value */
#define CACHE_NEW_ENT 24     /* + uint32 osversion; uint64 hwcap */
#define CACHE_EXT_MAGIC 0xeaa42174u
#define CACHE_HWCAP_EXTENSION (1ull << 62)
#define CACHE_ISA_LEVEL_MASK 0x3ffu
#define CACHE_HWCAP_TLS (1ull << 63)

static uint32_t get_u32(const unsigned char *p)
{
	uint32_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* cache_file_new_matches_endian: flags 0 means unknown. */
static bool cache_endian_ok(const unsigned char *hdr)
{
	unsigned flags = hdr[28];
	unsigned want = SEARCH_ELFDATA == ELFDATA2LSB ? 2 : 3;
	return flags == 0 || (flags & 3) == want;
}

/* cache_extension_load, keeping the glibc-hwcaps section only. */
static void cache_ext_init(struct cache_view *c, const unsigned char *hdr)
{
	uint64_t off = get_u32(hdr + 32);
	if (off == 0 || off % 4 || off + 8 > c->size)
		return;
	const unsigned char *ext = c->file + off;
	uint64_t count = get_u32(ext + 4);
	if (get_u32(ext) != CACHE_EXT_MAGIC || count > (c->size - off - 8) / 16)
		return;
	for (uint64_t i = 0; i < count; i++) {
		const unsigned char *sec = ext + 8 + 16 * i;
		uint64_t soff = get_u32(sec + 8), ssize = get_u32(sec + 12);
		if (soff + ssize > c->size)
			return;
		if (get_u32(sec) == 1 && ssize && soff % 4 == 0 && ssize % 4 == 0) {
			c->hwcaps = (const uint32_t *)(c->file + soff);
			c->nhwcaps = (uint32_t)(ssize / 4);
		}
	}
}

/* Maps the cache once; glibc re-reads it after each dlopen, so a cache
 * rewritten by ldconfig while we run is not seen (documented gap). */
void cache_init(void)
{
	struct cache_view *c = &state.cache;
	int fd = open(SEARCH_LD_SO_CACHE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	struct stat sb;
	void *map = MAP_FAILED;
	if (fstat(fd, &sb) == 0 && sb.st_size > CACHE_NEW_HDR &&
	    (uint64_t)sb.st_size < UINT32_MAX)
		map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return;
	const unsigned char *f = map, *hdr = NULL;
	size_t size = (size_t)sb.st_size;
	if (memcmp(f, CACHE_MAGIC_NEW, strlen(CACHE_MAGIC_NEW)) == 0) {
		hdr = f;
	} else if (memcmp(f, CACHE_MAGIC_OLD, strlen(CACHE_MAGIC_OLD)) == 0) {
		uint64_t nold = get_u32(f + 12);
		if (nold > (size - CACHE_OLD_HDR) / CACHE_OLD_ENT)
			goto bad;
		/* ALIGN_CACHE: the new header follows, 8-byte aligned. */
		uint64_t off = (CACHE_OLD_HDR + nold * CACHE_OLD_ENT + 7) & ~7ull;
		if (off + CACHE_NEW_HDR <= size &&
		    memcmp(f + off, CACHE_MAGIC_NEW, strlen(CACHE_MAGIC_NEW)) == 0) {
			hdr = f + off;
		} else {
			c->libs = f + CACHE_OLD_HDR;
			c->nlibs = (uint32_t)nold;
			c->entsize = CACHE_OLD_ENT;
			c->strings = (const char *)c->libs + nold * CACHE_OLD_ENT;
			c->strings_size = size - (size_t)(c->strings - (const char *)f);
		}
	} else {
		goto bad;
	}
	c->file = f;
	c->size = size;
	if (hdr) {
		uint64_t n = get_u32(hdr + 20);
		size_t avail = size - (size_t)(hdr - f) - CACHE_NEW_HDR;
		if (!cache_endian_ok(hdr) || n > avail / CACHE_NEW_ENT)
			goto bad;
		c->is_new = true;
		c->libs = hdr + CACHE_NEW_HDR;
		c->nlibs = (uint32_t)n;
		c->entsize = CACHE_NEW_ENT;
		c->strings = (const char *)hdr;
		c->strings_size = size - (size_t)(hdr - f);
		cache_ext_init(c, hdr);
	}
	if (c->nlibs > INT_MAX)
		goto bad;
	return;
bad:
	memset(c, 0, sizeof *c);
	munmap(map, size);
}

/* A NUL-terminated string at offset OFF of the string table, or NULL. */
static const char *cache_str(const struct cache_view *c, uint32_t off)
{
	if (off >= c->strings_size)
		return NULL;
	if (!memchr(c->strings + off, '\0', c->strings_size - off))
		return NULL;
	return c->strings + off;
}

/* _dl_cache_libcmp: digits compare as numbers (so the table's order,
 * and what counts as equal, is ldconfig's). */
static int cache_libcmp(const char *p1, const char *p2)
{
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			if (!(*p2 >= '0' && *p2 <= '9'))
				return 1;
			unsigned v1 = 0, v2 = 0;
			while (*p1 >= '0' && *p1 <= '9')
				v1 = v1 * 10 + (unsigned)(*p1++ - '0');
			while (*p2 >= '0' && *p2 <= '9')
				v2 = v2 * 10 + (unsigned)(*p2++ - '0');
			if (v1 != v2)
				return v1 < v2 ? -1 : 1;
		} else if (*p2 >= '0' && *p2 <= '9') {
			return -1;
		} else if (*p1 != *p2) {
			return (unsigned char)*p1 - (unsigned char)*p2;
		} else {
			p1++;
			p2++;
		}
	}
	return (unsigned char)*p1 - (unsigned char)*p2;
}

static bool cache_flags_ok(int32_t flags)
{
#ifdef SEARCH_CACHE_FLAGS
	return flags == SEARCH_CACHE_FLAGS;
#else
	return flags == 1 || flags == 3; /* generic _dl_cache_check_flags */
#endif
}

static bool cache_flags_exact(int32_t flags)
{
#ifdef SEARCH_CACHE_FLAGS
	return flags == SEARCH_CACHE_FLAGS;
#else
	return flags == 3;
#endif
}

/* dl_cache_hwcap_isa_level_compatible (x86; true elsewhere). */
static bool cache_isa_ok(uint64_t hwcap)
{
#if defined(__x86_64__)
	unsigned level = (hwcap >> 32) & CACHE_ISA_LEVEL_MASK;
	if (level >= 32)
		return false;
	return ((1u << level) & state.isa_1) == (1u << level);
#else
	(void)hwcap;
	return true;
#endif
}

/* glibc_hwcaps_priority: 1 + rank of the entry's glibc-hwcaps name
 * among the active ones, 0 when it is not active. */
static uint32_t cache_hwcaps_priority(const struct cache_view *c, uint32_t index)
{
	if (!c->hwcaps || index >= c->nhwcaps)
		return 0;
	uint32_t off = get_u32((const unsigned char *)&c->hwcaps[index]);
	if (off >= c->size || !memchr(c->file + off, '\0', c->size - off))
		return 0;
	const char *name = (const char *)c->file + off;
	for (size_t i = 0; i < state.nhwcaps; i++)
		if (strcmp(name, state.hwcaps[i]) == 0)
			return (uint32_t)i + 1;
	return 0;
}

/* The legacy hwcap test of search_cache, for entries that are not
 * glibc-hwcaps ones. */
static bool cache_legacy_ok(uint64_t hwcap)
{
#if defined(__x86_64__)
	const uint64_t platforms = 0xfull << 48;
	uint64_t exclude = ~(state.hwcap_masked | platforms | CACHE_HWCAP_TLS);
	if (hwcap & exclude)
		return false;
	if ((hwcap & platforms) && (hwcap & platforms) != state.platform_bit)
		return false;
	return true;
#else
	return (hwcap & ~CACHE_HWCAP_TLS) == 0;
#endif
}

/* search_cache: binary search for NAME, then the best of the entries
 * with that key.  Returns a pointer into the mapping, or NULL. */
const char *cache_search(const struct cache_view *c, const char *name)
{
	int left = 0, right = (int)c->nlibs - 1;
	const char *best = NULL;
	uint32_t best_priority = 0;
#define ENT(i) (c->libs + (size_t)(i) * c->entsize)
	while (left <= right) {
		int middle = left + (right - left) / 2;
		const char *key = cache_str(c, get_u32(ENT(middle) + 4));
		if (!key)
			return NULL;
		int cmp = cache_libcmp(name, key);
		if (cmp == 0) {
			left = middle;
			while (middle > 0) {
				key = cache_str(c, get_u32(ENT(middle - 1) + 4));
				if (!key || cache_libcmp(name, key) != 0)
					break;
				middle--;
			}
			do {
				const unsigned char *e = ENT(middle);
				int32_t flags = (int32_t)get_u32(e);
				if (middle > left &&
				    (!(key = cache_str(c, get_u32(e + 4))) ||
				     cache_libcmp(name, key) != 0))
					break;
				const char *value = cache_str(c, get_u32(e + 8));
				if (!cache_flags_ok(flags) || !value)
					continue;
				bool named = false;
				if (c->is_new) {
					uint64_t hwcap = get_u64(e + 16);
					named = ((hwcap >> 32) & ~(uint64_t)CACHE_ISA_LEVEL_MASK) ==
						(CACHE_HWCAP_EXTENSION >> 32);
					if (named && !cache_isa_ok(hwcap))
						continue;
					/* glibc-hwcaps entries come first. */
					if (!named && best)
						break;
					if (!named && !cache_legacy_ok(hwcap))
						continue;
					if (named) {
						uint32_t p = cache_hwcaps_priority(c, (uint32_t)hwcap);
						if (p == 0 || (best && p >= best_priority))
							continue;
						best_priority = p;
					}
				}
				best = value;
				if (!named && cache_flags_exact(flags))
					break;
			} while (++middle <= right);
			break;
		}
		if (cmp < 0)
			left = middle + 1;
		else
			right = middle - 1;
	}
#undef ENT
	return best;
}
