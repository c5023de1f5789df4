/* Finding files the way glibc's ld.so finds them, without loading
 * anything: which file a dlopen(NAME) from a given object would open, and
 * which objects of a file's DT_NEEDED closure nsshare must proxy (glibc
 * libraries, unique objects).
 *
 * The search order is _dl_map_object's (elf/dl-load.c):
 *   1. DT_RPATH of the loader and of the objects that loaded it, then of
 *      the main program -- all skipped when the loader has a DT_RUNPATH;
 *   2. LD_LIBRARY_PATH (not for AT_SECURE processes);
 *   3. DT_RUNPATH of the loader;
 *   4. /etc/ld.so.cache;
 *   5. the system directories (skipped, like cache hits in them, when the
 *      loader has DF_1_NODEFLIB).
 * Every directory of 1, 2, 3 and 5 is tried with ld.so's subdirectories
 * first: glibc-hwcaps/<level>/ for the levels this CPU supports (glibc
 * 2.33 and later), then the legacy hwcap power set (tls, platform, hwcap
 * names; glibc 2.36 and earlier), then the directory itself.  A
 * candidate of another ELF class or machine is passed over; one that
 * exists but is broken ends the search, as it makes ld.so fail.
 *
 * All static state is computed once (pthread_once, which glibc restarts in
 * a child forked during initialization) and never freed; so is what is
 * read of each file, kept by file identity for later scans. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <gnu/libc-version.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h> /* glibc 2.33 and later */
#endif
#endif

#include "internal.h"

/* ---- What this machine's ld.so accepts. */

/* The Debian multiarch folder ($LIB is "lib/<triplet>" there, as
 * `ld.so --help` shows) and the ld.so.cache flags ldconfig writes for
 * native libraries (FLAG_ELF_LIBC6 | the FLAG_*_LIB64 of the port). */
#if defined(__x86_64__) && !defined(__ILP32__)
#define SEARCH_TRIPLET "x86_64-linux-gnu"
#define SEARCH_MACHINE EM_X86_64
#define SEARCH_CACHE_FLAGS 0x0303
#elif defined(__aarch64__) && !defined(__ILP32__)
#define SEARCH_TRIPLET "aarch64-linux-gnu"
#define SEARCH_MACHINE EM_AARCH64
#define SEARCH_CACHE_FLAGS 0x0a03
#elif defined(__i386__)
#define SEARCH_TRIPLET "i386-linux-gnu"
#define SEARCH_MACHINE EM_386
#elif defined(__arm__) && defined(__ARM_PCS_VFP)
#define SEARCH_TRIPLET "arm-linux-gnueabihf"
#define SEARCH_MACHINE EM_ARM
#define SEARCH_CACHE_FLAGS 0x0903
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SEARCH_TRIPLET "powerpc64le-linux-gnu"
#define SEARCH_MACHINE EM_PPC64
#define SEARCH_CACHE_FLAGS 0x0503
#elif defined(__s390x__)
#define SEARCH_TRIPLET "s390x-linux-gnu"
#define SEARCH_MACHINE EM_S390
#define SEARCH_CACHE_FLAGS 0x0403
#elif defined(__riscv) && __riscv_xlen == 64
#define SEARCH_TRIPLET "riscv64-linux-gnu"
#define SEARCH_MACHINE EM_RISCV
#define SEARCH_CACHE_FLAGS 0x1003
#else
#error "nsshare: search.c does not know this architecture's ld.so"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SEARCH_ELFDATA ELFDATA2LSB
#define SEARCH_ELFDATA_WHY "ELF file data encoding not little-endian"
#else
#define SEARCH_ELFDATA ELFDATA2MSB
#define SEARCH_ELFDATA_WHY "ELF file data encoding not big-endian"
#endif

/* ld.so's SYSTEM_DIRS on Debian, with the trailing slash ld.so keeps:
 * the "system search path" lines of `ld.so --help`. */
static const char *const system_dirs[] = {
	"/lib/" SEARCH_TRIPLET "/",
	"/usr/lib/" SEARCH_TRIPLET "/",
	"/lib/",
	"/usr/lib/",
};
#define NSYSTEM_DIRS (sizeof system_dirs / sizeof system_dirs[0])

#define SEARCH_DST_LIB "lib/" SEARCH_TRIPLET

/* ---- Objects whose search paths are used. */

/* What ld.so keeps of an object for searching on its behalf. */
struct search_obj {
	const char *rpath;   /* DT_RPATH; NULL if absent or if runpath is set */
	const char *runpath; /* DT_RUNPATH, or NULL */
	const char *origin;  /* $ORIGIN, or NULL when unknown */
	bool nodeflib;       /* DF_1_NODEFLIB */
	bool is_main;        /* the main program */
	/* The object that caused this one to be loaded (l_loader): its
	 * DT_RPATH is searched next.  NULL for dlopen'ed objects. */
	const struct search_obj *loader;
};

/* ---- State computed once. */

#define LEGACY_MAX 16   /* 2^4: two hwcap names, the platform and "tls" */
#define LEGACY_LEN 128
#define HWCAPS_MAX 3

struct cache_view {
	const unsigned char *file; /* the whole mapping, NULL if none */
	size_t size;
	/* The table ld.so searches: new format if present, else old. */
	const unsigned char *libs;
	uint32_t nlibs;
	size_t entsize;            /* 24 (new) or 12 (old) */
	const char *strings;       /* base of key/value offsets */
	size_t strings_size;
	bool is_new;
	const uint32_t *hwcaps;    /* glibc-hwcaps name offsets, or NULL */
	uint32_t nhwcaps;
};

static struct {
	bool secure;
	const char *platform;      /* $PLATFORM, or NULL */
	char platform_buf[64];
	/* Subdirectories tried in each directory, "" last. */
	const char *subdirs[HWCAPS_MAX + LEGACY_MAX];
	size_t nsubdirs, subdir_maxlen;
	char legacy_buf[LEGACY_MAX][LEGACY_LEN];
	/* Active glibc-hwcaps names, best first (priority = index + 1). */
	const char *hwcaps[HWCAPS_MAX];
	size_t nhwcaps;
	unsigned isa_1;            /* x86 ISA level bits the CPU supports */
	uint64_t hwcap_masked;     /* GLRO(dl_hwcap) & HWCAP_IMPORTANT */
	uint64_t platform_bit;     /* ld.so.cache platform bit, or ~0 */
	struct search_obj main;
	const ElfW(Dyn) *main_dyn;
	char main_origin[PATH_MAX];
	char rtld_base[NAME_MAX + 1];
	bool rtld_id_valid;
	dev_t rtld_dev;
	ino_t rtld_ino;
	struct cache_view cache;
} state;

static pthread_once_t state_once = PTHREAD_ONCE_INIT;

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* Fills O from a dynamic section in memory (public link_map fields). */
static void mem_obj_read(const ElfW(Dyn) *dyn, ElfW(Addr) base,
			 struct search_obj *o)
{
	const char *strtab = NULL;
	size_t strsz = 0;
	ElfW(Xword) rpath = 0, runpath = 0;
	bool has_rpath = false, has_runpath = false;

	memset(o, 0, sizeof *o);
	for (const ElfW(Dyn) *d = dyn; d && d->d_tag != DT_NULL; d++) {
		switch (d->d_tag) {
		case DT_STRTAB: strtab = nsshare_dyn_pointer(base, d->d_un.d_ptr); break;
		case DT_STRSZ: strsz = d->d_un.d_val; break;
		case DT_RPATH: rpath = d->d_un.d_val; has_rpath = true; break;
		case DT_RUNPATH: runpath = d->d_un.d_val; has_runpath = true; break;
		case DT_FLAGS_1: o->nodeflib = d->d_un.d_val & DF_1_NODEFLIB; break;
		}
	}
	if (!strtab)
		return;
	/* get-dynamic-info.h: "If both RUNPATH and RPATH are given, the
	 * latter is ignored." */
	if (has_runpath && runpath < strsz)
		o->runpath = strtab + runpath;
	else if (has_rpath && !has_runpath && rpath < strsz)
		o->rpath = strtab + rpath;
}

struct phdr_walk {
	bool first_done;
	ElfW(Addr) interp_base;
	const char *interp;
	ElfW(Addr) at_base;
	const char *at_base_name;
};

/* The first object dl_iterate_phdr reports is the main program. */
static int phdr_walk_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct phdr_walk *w = arg;
	(void)size;
	if (!w->first_done) {
		w->first_done = true;
		for (ElfW(Half) i = 0; i < info->dlpi_phnum; i++) {
			const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
			if (ph->p_type == PT_DYNAMIC)
				state.main_dyn = (const void *)(info->dlpi_addr +
							     ph->p_vaddr);
			else if (ph->p_type == PT_INTERP)
				w->interp = (const char *)(info->dlpi_addr +
							   ph->p_vaddr);
		}
		mem_obj_read(state.main_dyn, info->dlpi_addr, &state.main);
		state.main.is_main = true;
	}
	if (w->at_base && info->dlpi_addr == w->at_base)
		w->at_base_name = info->dlpi_name;
	return 0;
}

/* _dl_get_origin: the folder of /proc/self/exe. */
static void main_origin_init(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf);
	if (n <= 0 || (size_t)n >= sizeof buf || buf[0] != '/')
		return;
	while (n > 1 && buf[n - 1] != '/')
		n--;
	if (n > 1)
		n--; /* drop the slash unless the folder is "/" */
	memcpy(state.main_origin, buf, (size_t)n);
	state.main_origin[n] = '\0';
	state.main.origin = state.main_origin;
}

/* The running ld.so, never searched for: it is shared by all
 * namespaces.  Known by the main program's PT_INTERP, or AT_BASE. */
static void rtld_init(const struct phdr_walk *w)
{
	const char *path = w->interp ? w->interp : w->at_base_name;
	if (!path || !*path)
		return;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	if (strlen(base) < sizeof state.rtld_base)
		strcpy(state.rtld_base, base);
	struct stat sb;
	if (stat(path, &sb) == 0) {
		state.rtld_dev = sb.st_dev;
		state.rtld_ino = sb.st_ino;
		state.rtld_id_valid = true;
	}
}

#if defined(__x86_64__) && defined(CPU_FEATURE_ACTIVE)
/* x86_cpu_present/x86_cpu_active of <sys/platform/x86.h>, with an
 * unsigned shift (the header's "1 << 31" is undefined behaviour). */
static bool x86_cpu_bit(unsigned index, bool active)
{
	const struct cpuid_feature *f = __x86_get_cpuid_feature_leaf(index / 128);
	unsigned reg = (index % 128) / 32, bit = index % 32;
	return ((active ? f->active_array : f->cpuid_array)[reg] >> bit) & 1u;
}
#undef CPU_FEATURE_ACTIVE
#undef CPU_FEATURE_PRESENT
#define CPU_FEATURE_ACTIVE(name) x86_cpu_bit(x86_cpu_##name, true)
#define CPU_FEATURE_PRESENT(name) x86_cpu_bit(x86_cpu_##name, false)
#elif defined(__x86_64__)
/* Built against glibc 2.31 or 2.32, which have no <sys/platform/x86.h>:
 * CPUID read here, with the checks that make ld.so call a feature usable
 * (the OS saves the AVX or AVX-512 state, XCR0).  GLIBC_TUNABLES'
 * glibc.cpu.hwcaps masks are not seen.  Each feature: the CPUID word
 * (0: leaf 1 ECX, 1: leaf 1 EDX, 2: leaf 7 EBX, 3: leaf 0x80000001 ECX),
 * the bit, and the register state it needs (0, 1: AVX, 2: AVX-512). */
#define X86_FEATURE(word, bit, needs) ((word) << 8 | (needs) << 5 | (bit))
enum {
	x86_cpu_SSE3 = X86_FEATURE(0, 0, 0), x86_cpu_SSSE3 = X86_FEATURE(0, 9, 0),
	x86_cpu_FMA = X86_FEATURE(0, 12, 1),
	x86_cpu_CMPXCHG16B = X86_FEATURE(0, 13, 0),
	x86_cpu_SSE4_1 = X86_FEATURE(0, 19, 0),
	x86_cpu_SSE4_2 = X86_FEATURE(0, 20, 0),
	x86_cpu_MOVBE = X86_FEATURE(0, 22, 0),
	x86_cpu_POPCNT = X86_FEATURE(0, 23, 0),
	x86_cpu_AVX = X86_FEATURE(0, 28, 1), x86_cpu_F16C = X86_FEATURE(0, 29, 1),
	x86_cpu_FPU = X86_FEATURE(1, 0, 0), x86_cpu_CX8 = X86_FEATURE(1, 8, 0),
	x86_cpu_CMOV = X86_FEATURE(1, 15, 0), x86_cpu_MMX = X86_FEATURE(1, 23, 0),
	x86_cpu_FXSR = X86_FEATURE(1, 24, 0), x86_cpu_SSE = X86_FEATURE(1, 25, 0),
	x86_cpu_SSE2 = X86_FEATURE(1, 26, 0), x86_cpu_BMI1 = X86_FEATURE(2, 3, 0),
	x86_cpu_AVX2 = X86_FEATURE(2, 5, 1), x86_cpu_BMI2 = X86_FEATURE(2, 8, 0),
	x86_cpu_AVX512F = X86_FEATURE(2, 16, 2),
	x86_cpu_AVX512DQ = X86_FEATURE(2, 17, 2),
	x86_cpu_AVX512PF = X86_FEATURE(2, 26, 2),
	x86_cpu_AVX512ER = X86_FEATURE(2, 27, 2),
	x86_cpu_AVX512CD = X86_FEATURE(2, 28, 2),
	x86_cpu_AVX512BW = X86_FEATURE(2, 30, 2),
	x86_cpu_AVX512VL = X86_FEATURE(2, 31, 2),
	x86_cpu_LAHF64_SAHF64 = X86_FEATURE(3, 0, 0),
	x86_cpu_LZCNT = X86_FEATURE(3, 5, 0),
};

static bool x86_cpu_bit(unsigned feature, bool active)
{
	unsigned r[4] = { 0 }, a, b, c, d, word = feature >> 8;
	if (__get_cpuid(1, &a, &b, &c, &d)) {
		r[0] = c;
		r[1] = d;
	}
	if (__get_cpuid_count(7, 0, &a, &b, &c, &d))
		r[2] = b;
	if (__get_cpuid(0x80000001, &a, &b, &c, &d))
		r[3] = c;
	if (!((r[word] >> (feature & 31)) & 1u))
		return false;
	unsigned needs = (feature >> 5) & 3;
	if (!active || !needs)
		return true;
	if (!((r[0] >> 27) & 1u)) /* OSXSAVE */
		return false;
	unsigned xcr0, xcr0_high;
	__asm__("xgetbv" : "=a"(xcr0), "=d"(xcr0_high) : "c"(0));
	/* AVX: SSE and YMM state; AVX-512 also opmask and ZMM state. */
	unsigned want = needs == 1 ? 0x6u : 0xe6u;
	return (xcr0 & want) == want;
}
#define CPU_FEATURE_ACTIVE(name) x86_cpu_bit(x86_cpu_##name, true)
#define CPU_FEATURE_PRESENT(name) x86_cpu_bit(x86_cpu_##name, false)
#endif

#if defined(__x86_64__)

/* sysdeps/x86/get-isa-level.h, with the BMI1/BMI2 check the 2.36
 * release branch added to x86-64-v3.  CPU_FEATURE_ACTIVE reads ld.so's
 * own "usable" bits, tunables included. */
static unsigned x86_isa_level(void)
{
	unsigned level = 0;
	if (!(CPU_FEATURE_ACTIVE(CMOV) && CPU_FEATURE_ACTIVE(CX8) &&
	      CPU_FEATURE_PRESENT(FPU) && CPU_FEATURE_ACTIVE(FXSR) &&
	      CPU_FEATURE_ACTIVE(MMX) && CPU_FEATURE_ACTIVE(SSE) &&
	      CPU_FEATURE_ACTIVE(SSE2)))
		return level;
	level |= 1; /* baseline */
	if (!(CPU_FEATURE_ACTIVE(CMPXCHG16B) &&
	      CPU_FEATURE_ACTIVE(LAHF64_SAHF64) && CPU_FEATURE_ACTIVE(POPCNT) &&
	      CPU_FEATURE_ACTIVE(SSE3) && CPU_FEATURE_ACTIVE(SSSE3) &&
	      CPU_FEATURE_ACTIVE(SSE4_1) && CPU_FEATURE_ACTIVE(SSE4_2)))
		return level;
	level |= 2; /* x86-64-v2 */
	if (!(CPU_FEATURE_ACTIVE(AVX) && CPU_FEATURE_ACTIVE(AVX2) &&
	      CPU_FEATURE_ACTIVE(BMI1) && CPU_FEATURE_ACTIVE(BMI2) &&
	      CPU_FEATURE_ACTIVE(F16C) && CPU_FEATURE_ACTIVE(FMA) &&
	      CPU_FEATURE_ACTIVE(LZCNT) && CPU_FEATURE_ACTIVE(MOVBE)))
		return level;
	level |= 4; /* x86-64-v3 */
	if (CPU_FEATURE_ACTIVE(AVX512F) && CPU_FEATURE_ACTIVE(AVX512BW) &&
	    CPU_FEATURE_ACTIVE(AVX512CD) && CPU_FEATURE_ACTIVE(AVX512DQ) &&
	    CPU_FEATURE_ACTIVE(AVX512VL))
		level |= 8; /* x86-64-v4 */
	return level;
}

static bool x86_is_intel(void)
{
	unsigned a, b, c, d;
	/* arch_kind_intel: vendor "GenuineIntel". */
	return __get_cpuid(0, &a, &b, &c, &d) && b == 0x756e6547 &&
	       d == 0x49656e69 && c == 0x6c65746e;
}
#endif

/* GLRO(dl_platform), GLRO(dl_hwcap) and the glibc-hwcaps levels, as
 * sysdeps/x86/cpu-features.c and dl-hwcaps-subdirs.c set them.  Other
 * ports: AT_PLATFORM and no hwcap names (an approximation). */
static const char *hwcap_names[2];
static size_t nhwcap_names;

static void platform_init(void)
{
	const char *at = (const char *)getauxval(AT_PLATFORM);
	if (at && strlen(at) < sizeof state.platform_buf) {
		strcpy(state.platform_buf, at);
		state.platform = state.platform_buf;
	}
	state.platform_bit = ~(uint64_t)0;
#if defined(__x86_64__)
	state.isa_1 = x86_isa_level();
	hwcap_names[nhwcap_names++] = "x86_64";
	state.hwcap_masked = 1u << 1; /* HWCAP_X86_64 */
	if (x86_is_intel()) {
		const char *platform = NULL;
		if (CPU_FEATURE_ACTIVE(AVX512CD)) {
			if (CPU_FEATURE_ACTIVE(AVX512ER)) {
				if (CPU_FEATURE_ACTIVE(AVX512PF))
					platform = "xeon_phi";
			} else if (CPU_FEATURE_ACTIVE(AVX512BW) &&
				   CPU_FEATURE_ACTIVE(AVX512DQ) &&
				   CPU_FEATURE_ACTIVE(AVX512VL)) {
				hwcap_names[nhwcap_names++] = "avx512_1";
				state.hwcap_masked |= 1u << 2;
			}
		}
		if (!platform && CPU_FEATURE_ACTIVE(AVX2) &&
		    CPU_FEATURE_ACTIVE(FMA) && CPU_FEATURE_ACTIVE(BMI1) &&
		    CPU_FEATURE_ACTIVE(BMI2) && CPU_FEATURE_ACTIVE(LZCNT) &&
		    CPU_FEATURE_ACTIVE(MOVBE) && CPU_FEATURE_ACTIVE(POPCNT))
			platform = "haswell";
		if (platform) {
			strcpy(state.platform_buf, platform);
			state.platform = state.platform_buf;
		}
	}
	/* _dl_string_platform: "haswell" and "xeon_phi" are platforms 2
	 * and 3, counted from bit 48. */
	if (state.platform && strcmp(state.platform, "haswell") == 0)
		state.platform_bit = 1ull << 50;
	else if (state.platform && strcmp(state.platform, "xeon_phi") == 0)
		state.platform_bit = 1ull << 51;
	static const char *const levels[] = { "x86-64-v4", "x86-64-v3",
					      "x86-64-v2" };
	for (size_t i = 0; i < 3; i++)
		if (state.isa_1 & (8u >> i))
			state.hwcaps[state.nhwcaps++] = levels[i];
#endif
}

static void subdirs_add(const char *s)
{
	state.subdirs[state.nsubdirs++] = s;
	if (strlen(s) > state.subdir_maxlen)
		state.subdir_maxlen = strlen(s);
}

/* _dl_important_hwcaps: glibc-hwcaps subdirectories, then the power set
 * of [hwcap names..., platform, "tls"], entry R holding the components
 * whose bit is clear in R, last component first ("tls/x86_64/x86_64/",
 * ..., ""). */
static void subdirs_init(void)
{
	/* glibc-hwcaps came with 2.33, and 2.37 dropped the legacy power set
	 * (its ldconfig no longer puts such entries in the cache either). */
	const char *version = gnu_get_libc_version();
	if (!nsshare_glibc_at_least(version, 2, 33))
		state.nhwcaps = 0;
	static char hwcaps_buf[HWCAPS_MAX][32];
	for (size_t i = 0; i < state.nhwcaps; i++) {
		snprintf(hwcaps_buf[i], sizeof hwcaps_buf[i],
			 "glibc-hwcaps/%s/", state.hwcaps[i]);
		subdirs_add(hwcaps_buf[i]);
	}
	const char *comp[4];
	size_t ncomp = 0;
	for (size_t i = 0; i < nhwcap_names; i++)
		comp[ncomp++] = hwcap_names[i];
	if (state.platform)
		comp[ncomp++] = state.platform;
	comp[ncomp++] = "tls";
	if (nsshare_glibc_at_least(version, 2, 37)) {
		subdirs_add("");
		return;
	}
	for (unsigned r = 0; r < (1u << ncomp); r++) {
		char *buf = state.legacy_buf[r];
		size_t len = 0;
		buf[0] = '\0';
		for (size_t j = ncomp; j-- > 0;) {
			if (r & (1u << j))
				continue;
			int n = snprintf(buf + len, LEGACY_LEN - len, "%s/",
					 comp[j]);
			if (n < 0 || (size_t)n >= LEGACY_LEN - len)
				break; /* cannot happen: names are short */
			len += (size_t)n;
		}
		subdirs_add(buf);
	}
}

static void cache_init(void);

static void state_init(void)
{
	elf_version(EV_CURRENT);
	state.secure = getauxval(AT_SECURE) != 0;
	struct phdr_walk w = { .at_base = getauxval(AT_BASE) };
	dl_iterate_phdr(phdr_walk_cb, &w);
	main_origin_init();
	rtld_init(&w);
	platform_init();
	subdirs_init();
	cache_init();
}

static void state_get(void)
{
	pthread_once(&state_once, state_init);
}

/* ---- Dynamic string tokens (_dl_dst_substitute). */

/* is_dst: "$NAME" not followed by an identifier character, or
 * "${NAME}".  INPUT points past the '$'.  Returns the length consumed. */
static size_t dst_match(const char *input, const char *ref)
{
	bool curly = input[0] == '{';
	if (curly)
		input++;
	size_t len = strlen(ref);
	if (strncmp(input, ref, len) != 0)
		return 0; /* before reading input[len]: it may be past the end */
	char c = input[len];
	if ((curly && c != '}') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return 0;
	return curly ? len + 2 : len;
}

static size_t dst_count(const char *s)
{
	size_t n = 0;
	for (s = strchr(s, '$'); s; s = strchr(s, '$')) {
		s++;
		size_t len;
		if ((len = dst_match(s, "ORIGIN")) || (len = dst_match(s, "PLATFORM")) ||
		    (len = dst_match(s, "LIB")))
			n++;
		s += len;
	}
	return n;
}

/* is_trusted_path_normalize: whether PATH, with "." and ".." resolved
 * textually, lies in a system directory. */
static bool dst_trusted(const char *path)
{
	size_t len = strlen(path);
	char *npath = malloc(len + 2), *w = npath;
	if (!npath || len == 0) {
		free(npath);
		return false;
	}
	while (*path) {
		if (path[0] == '/') {
			if (path[1] == '.') {
				if (path[2] == '.' && (path[3] == '/' || !path[3])) {
					while (w > npath && *--w != '/')
						;
					path += 3;
					continue;
				}
				if (path[2] == '/' || !path[2]) {
					path += 2;
					continue;
				}
			}
			if (w > npath && w[-1] == '/') {
				path++;
				continue;
			}
		}
		*w++ = *path++;
	}
	if (w == npath || w[-1] != '/')
		*w++ = '/';
	bool ok = false;
	for (size_t i = 0; i < NSYSTEM_DIRS && !ok; i++) {
		size_t n = strlen(system_dirs[i]);
		ok = (size_t)(w - npath) >= n && memcmp(system_dirs[i], npath, n) == 0;
	}
	free(npath);
	return ok;
}

/* Expands $ORIGIN, $PLATFORM and $LIB in IN for object O.  Returns a
 * malloc'd string, "" when ld.so would drop the element (a known token
 * without a value, or $ORIGIN refused in a secure process), NULL when
 * out of memory. */
static char *dst_expand(const char *in, const struct search_obj *o)
{
	size_t cnt = dst_count(in);
	if (cnt == 0)
		return strdup(in);
	const char *origin = o ? o->origin : NULL;
	size_t repl_max = strlen(SEARCH_DST_LIB);
	if (origin && strlen(origin) > repl_max)
		repl_max = strlen(origin);
	if (state.platform && strlen(state.platform) > repl_max)
		repl_max = strlen(state.platform);
	char *out = malloc(strlen(in) + cnt * repl_max + 1), *w = out;
	if (!out)
		return NULL;
	const char *start = in;
	bool check_trusted = false;
	while (*in) {
		if (*in != '$') {
			*w++ = *in++;
			continue;
		}
		const char *repl = NULL;
		bool refused = false;
		size_t len;
		in++;
		if ((len = dst_match(in, "ORIGIN"))) {
			/* Secure processes take $ORIGIN only as the whole
			 * first path component. */
			if (state.secure && !(in == start + 1 &&
					   (in[len] == '\0' || in[len] == '/')))
				refused = true;
			else
				repl = origin;
			check_trusted = state.secure && o && o->is_main;
		} else if ((len = dst_match(in, "PLATFORM"))) {
			repl = state.platform;
		} else if ((len = dst_match(in, "LIB"))) {
			repl = SEARCH_DST_LIB;
		}
		if (repl && !refused) {
			w = stpcpy(w, repl);
			in += len;
		} else if (len != 0) {
			out[0] = '\0';
			return out;
		} else {
			*w++ = '$';
		}
	}
	*w = '\0';
	if (check_trusted && !dst_trusted(out))
		out[0] = '\0';
	return out;
}

/* ---- Candidate files (open_verify). */

enum verdict {
	V_OK,     /* ld.so takes this file */
	V_SKIP,   /* absent, or another class or machine: keep searching */
	V_FATAL,  /* ld.so takes it and fails on it */
	V_GIVEUP, /* an odd open error: ld.so leaves this path list */
};

static ssize_t read_full(int fd, void *buf, size_t n, off_t off)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done,
				  off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static const char *class_name(unsigned c)
{
	switch (c) {
	case ELFCLASSNONE: return "ELFCLASSNONE";
	case ELFCLASS32: return "ELFCLASS32";
	case ELFCLASS64: return "ELFCLASS64";
	default: return NULL;
	}
}

/* Checks an ELF header read from a file of FSIZE bytes (N of them read)
 * as open_verify does.  Returns the verdict; for anything but V_OK,
 * writes the reason into WHY. */
static enum verdict ehdr_check(const ElfW(Ehdr) *eh, ssize_t n, off_t fsize,
			       char *why, size_t whysz)
{
	size_t got = n < 0 ? 0 : (size_t)n;
	if (n < 0) {
		snprintf(why, whysz, "cannot read file data: %s",
			 strerror(errno));
		return V_FATAL;
	}
	/* open_verify's words, in its order. */
	if (got < sizeof *eh) {
		snprintf(why, whysz, "file too short");
		return V_FATAL;
	}
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0) {
		snprintf(why, whysz, "invalid ELF header");
		return V_FATAL;
	}
	unsigned cls = eh->e_ident[EI_CLASS];
	if (cls != (sizeof(void *) == 8 ? ELFCLASS64 : ELFCLASS32)) {
		if (class_name(cls))
			snprintf(why, whysz, "wrong ELF class: %s", class_name(cls));
		else
			snprintf(why, whysz, "wrong ELF class: %u", cls);
		return V_SKIP;
	}
	if (eh->e_ident[EI_DATA] != SEARCH_ELFDATA) {
		snprintf(why, whysz, SEARCH_ELFDATA_WHY);
		return V_FATAL;
	}
	if (eh->e_ident[EI_VERSION] != EV_CURRENT) {
		snprintf(why, whysz,
			 "ELF file version ident does not match current one");
		return V_FATAL;
	}
	/* Linux's VALID_ELF_OSABI / VALID_ELF_ABIVERSION (LIBC_ABI_MAX 4). */
	unsigned osabi = eh->e_ident[EI_OSABI], abiver = eh->e_ident[EI_ABIVERSION];
	if (osabi != ELFOSABI_SYSV && osabi != ELFOSABI_GNU) {
		snprintf(why, whysz, "ELF file OS ABI invalid");
		return V_FATAL;
	}
	if (osabi == ELFOSABI_SYSV ? abiver != 0 : abiver >= 4) {
		snprintf(why, whysz, "ELF file ABI version invalid");
		return V_FATAL;
	}
	for (size_t i = EI_PAD; i < EI_NIDENT; i++) {
		if (eh->e_ident[i]) {
			snprintf(why, whysz, "nonzero padding in e_ident");
			return V_FATAL;
		}
	}
	if (eh->e_version != EV_CURRENT) {
		snprintf(why, whysz, "ELF file version does not match current one");
		return V_FATAL;
	}
	if (eh->e_machine != SEARCH_MACHINE) {
		snprintf(why, whysz, "wrong architecture (e_machine %u)",
			 (unsigned)eh->e_machine);
		return V_SKIP;
	}
	if (eh->e_type != ET_DYN && eh->e_type != ET_EXEC) {
		snprintf(why, whysz, "only ET_DYN and ET_EXEC can be loaded");
		return V_FATAL;
	}
	if (eh->e_phentsize != sizeof(ElfW(Phdr))) {
		snprintf(why, whysz, "ELF file's phentsize not the expected size");
		return V_FATAL;
	}
	if (eh->e_phoff > (uint64_t)fsize ||
	    (uint64_t)eh->e_phnum * sizeof(ElfW(Phdr)) > (uint64_t)fsize - eh->e_phoff) {
		snprintf(why, whysz, "cannot read file data");
		return V_FATAL;
	}
	return V_OK;
}

static bool file_known_ok(const struct stat *sb);

/* The stat() of the candidate the search accepted last in this thread:
 * the closure scan reads that file next and need not stat it again. */
static _Thread_local struct {
	char path[256];
	struct stat sb;
} last_found;

static enum verdict candidate_check(const char *path)
{
	/* A file the closure scan has read and found loadable, with the same
	 * identity, size and time, needs no second look.  A missing one is
	 * passed over as open() would have it. */
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
			return V_SKIP;
	} else if (S_ISREG(sb.st_mode) && file_known_ok(&sb)) {
		if (strlen(path) < sizeof last_found.path) {
			strcpy(last_found.path, path);
			last_found.sb = sb;
		}
		return V_OK;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES
			       ? V_SKIP : V_GIVEUP;
	ElfW(Ehdr) eh;
	char why[128];
	enum verdict v = V_FATAL;
	if (fstat(fd, &sb) == 0) {
		ssize_t got = read_full(fd, &eh, sizeof eh, 0);
		v = ehdr_check(&eh, got, sb.st_size, why, sizeof why);
	}
	close(fd);
	return v;
}

/* ---- Searching directories (open_path). */

struct search {
	const char *name;
	char *found;  /* malloc'd result */
	bool done;    /* found, or ld.so stops here */
};

/* Tries NAME in DIR (DIRLEN bytes, no trailing slash except for "/";
 * empty for the current directory) and its subdirectories.  Returns
 * false when the rest of this path list is to be skipped. */
static bool search_dir(struct search *s, const char *dir, size_t dirlen)
{
	size_t cap = dirlen + 2 + state.subdir_maxlen + strlen(s->name) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return false;
	for (size_t i = 0; i < state.nsubdirs; i++) {
		/* ld.so keeps directories with a trailing slash and tries
		 * "" + NAME for the current directory; "./" keeps the result
		 * a path for whoever dlopens it next. */
		if (dirlen == 0)
			snprintf(buf, cap, "./%s%s", state.subdirs[i], s->name);
		else
			snprintf(buf, cap, "%.*s%s%s%s", (int)dirlen, dir,
				 dir[dirlen - 1] == '/' ? "" : "/",
				 state.subdirs[i], s->name);
		enum verdict v = candidate_check(buf);
		if (v == V_OK || v == V_FATAL) {
			s->found = buf;
			s->done = true;
			return true;
		}
		if (v == V_GIVEUP) {
			free(buf);
			return false;
		}
	}
	free(buf);
	return true;
}

/* fillin_rpath + open_path over a SEPS-separated list whose tokens are
 * expanded for object O.  An empty element is the current directory;
 * one that expands to nothing is dropped. */
static void search_list(struct search *s, const char *list, const char *seps,
			const struct search_obj *o)
{
	if (!list || !*list)
		return;
	char *copy = strdup(list), *rest = copy, *elem;
	if (!copy)
		return;
	while (!s->done && (elem = strsep(&rest, seps))) {
		char *exp = NULL;
		size_t len = 0;
		if (*elem) {
			exp = dst_expand(elem, o);
			if (!exp || !*exp) {
				free(exp);
				continue;
			}
			len = strlen(exp);
			while (len > 1 && exp[len - 1] == '/')
				len--;
		}
		bool go_on = search_dir(s, exp ? exp : "", len);
		free(exp);
		if (!go_on)
			break;
	}
	free(copy);
}

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
static void cache_init(void)
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
static const char *cache_search(const struct cache_view *c, const char *name)
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

/* ---- The search order (_dl_map_object). */

/* Finds bare NAME for LOADER (the needing or calling object; NULL for
 * none).  Returns a malloc'd path or NULL. */
static char *search_bare(const char *name, const struct search_obj *loader)
{
	struct search s = { .name = name };

	/* DT_RPATH of the loader chain, then of the main program, unless
	 * the loader has a DT_RUNPATH. */
	if (!loader || !loader->runpath) {
		bool did_main = false;
		for (const struct search_obj *o = loader; o && !s.done; o = o->loader) {
			if (!o->rpath)
				continue;
			search_list(&s, o->rpath, ":", o);
			did_main |= o->is_main;
		}
		if (!s.done && !did_main && state.main.rpath)
			search_list(&s, state.main.rpath, ":", &state.main);
	}
	/* LD_LIBRARY_PATH, read now (ld.so read it at startup), with the
	 * main program's $ORIGIN. */
	if (!s.done && !state.secure)
		search_list(&s, getenv("LD_LIBRARY_PATH"), ":;", &state.main);
	if (!s.done && loader && loader->runpath)
		search_list(&s, loader->runpath, ":", loader);
	if (s.done)
		return s.found;

	const struct search_obj *l = loader ? loader : &state.main;
	const char *cached = state.cache.file ? cache_search(&state.cache, name) : NULL;
	if (cached && l->nodeflib)
		for (size_t i = 0; i < NSYSTEM_DIRS && cached; i++)
			if (starts_with(cached, system_dirs[i]))
				cached = NULL;
	if (cached) {
		enum verdict v = candidate_check(cached);
		if (v == V_OK || v == V_FATAL)
			return strdup(cached);
	}

	if (l->nodeflib)
		return NULL;
	for (size_t i = 0; i < NSYSTEM_DIRS && !s.done; i++)
		if (!search_dir(&s, system_dirs[i], strlen(system_dirs[i])))
			break;
	return s.found;
}

/* _dl_new_object's l_origin: the folder of REALNAME, made absolute with
 * the current directory, without resolving links. */
static char *origin_of(const char *realname)
{
	char *cwd = NULL, *origin;
	if (realname[0] == '/') {
		origin = strdup(realname);
	} else {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		size_t n = strlen(cwd);
		if (asprintf(&origin, "%s%s%s", cwd, n && cwd[n - 1] == '/' ? "" : "/",
			     realname) < 0)
			origin = NULL;
		free(cwd);
	}
	if (!origin)
		return NULL;
	char *slash = strrchr(origin, '/');
	if (slash == origin)
		slash[1] = '\0';
	else
		*slash = '\0';
	return origin;
}

char *nsshare_search_resolve(const char *name, const struct link_map *caller)
{
	if (!name || !*name)
		return NULL;
	state_get();

	/* dlopen searches for the calling object, the main program when
	 * the caller is unknown (dl_open_worker_begin). */
	struct search_obj callobj;
	const struct search_obj *loader = &state.main;
	char *origin = NULL;
	if (caller && caller->l_name && caller->l_name[0] &&
	    (!state.main_dyn || caller->l_ld != state.main_dyn)) {
		mem_obj_read(caller->l_ld, caller->l_addr, &callobj);
		origin = origin_of(caller->l_name);
		callobj.origin = origin;
		/* Its l_loader is not public: the chain stops at it and
		 * goes on with the main program's DT_RPATH. */
		loader = &callobj;
	}

	char *path;
	if (strchr(name, '/')) {
		/* expand_dynamic_string_token with the caller. */
		path = dst_expand(name, loader);
		if (path && !*path) {
			free(path);
			path = NULL;
		}
	} else {
		path = search_bare(name, loader);
	}
	free(origin);
	return path;
}

/* ---- Reading files with libelf. */

struct elf_info {
	/* The file read: what the cache is keyed by. */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtim;
	char *soname, *rpath, *runpath;
	char **needed;
	size_t nneeded;
	bool nodeflib, pie, glibc;
	bool unique; /* DT_GNU_FLAGS_1 has DF_GNU_1_UNIQUE */
	bool oom;    /* the failure was ours, not the file's */
};

static void elf_info_free(struct elf_info *info)
{
	free(info->soname);
	free(info->rpath);
	free(info->runpath);
	for (size_t i = 0; i < info->nneeded; i++)
		free(info->needed[i]);
	free(info->needed);
	memset(info, 0, sizeof *info);
}

/* A bounded view of file bytes starting at OFF, AVAIL bytes long. */
struct span {
	int fd;
	off_t off;
	uint64_t avail;
};

static bool span_read(const struct span *sp, uint64_t rel, void *buf, size_t n)
{
	if (rel > sp->avail || n > sp->avail - rel)
		return false;
	return read_full(sp->fd, buf, n, sp->off + (off_t)rel) == (ssize_t)n;
}

/* Maps the address range [ADDR, ADDR+1) to the file through the PT_LOAD
 * holding it; the span runs to the end of that segment's file bytes. */
static bool span_at(Elf *elf, size_t phnum, int fd, GElf_Addr addr,
		    struct span *sp)
{
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		if (addr < ph.p_vaddr || addr - ph.p_vaddr >= ph.p_filesz)
			continue;
		uint64_t rel = addr - ph.p_vaddr;
		if (ph.p_offset > (uint64_t)INT64_MAX - rel)
			return false;
		sp->fd = fd;
		sp->off = (off_t)(ph.p_offset + rel);
		sp->avail = ph.p_filesz - rel;
		return true;
	}
	return false;
}

/* The dynamic string table, read as far as DT_STRSZ says at first.
 * ld.so bounds no string by DT_STRSZ (glibc-facts 33), only the mapping
 * does: a string that runs past the part read gets the table read again
 * to the end of its segment's file bytes. */
struct strtab {
	const char *p;
	size_t size;
	Elf *elf;
	struct span sp;
};

static bool strtab_load(struct strtab *t, size_t size)
{
	Elf_Data *d = elf_getdata_rawchunk(t->elf, t->sp.off, size, ELF_T_BYTE);
	if (!d)
		return false;
	t->p = d->d_buf;
	t->size = d->d_size;
	return true;
}

static const char *strtab_at(struct strtab *t, uint64_t off)
{
	for (;;) {
		if (t->p && off < t->size &&
		    memchr(t->p + off, '\0', t->size - off))
			return t->p + off;
		if (!t->p || t->size >= t->sp.avail || off >= t->sp.avail ||
		    !strtab_load(t, t->sp.avail))
			return NULL;
	}
}

/* Defines a GLIBC_* version other than its base one (object.c's rule). */
static bool verdef_glibc(const struct span *sp, uint64_t count,
			 struct strtab *t)
{
	uint64_t pos = 0;
	for (uint64_t i = 0; i < count && i < 0x10000; i++) {
		ElfW(Verdef) vd;
		if (!span_read(sp, pos, &vd, sizeof vd))
			return false;
		ElfW(Verdaux) va;
		if (vd.vd_cnt &&
		    span_read(sp, pos + vd.vd_aux, &va, sizeof va)) {
			const char *n = strtab_at(t, va.vda_name);
			if (n && nsshare_glibc_verdef(n, vd.vd_flags))
				return true;
		}
		if (!vd.vd_next)
			break;
		pos += vd.vd_next;
	}
	return false;
}

/* Needs version GLIBC_PRIVATE (object.c's rule). */
static bool verneed_glibc_private(const struct span *sp, uint64_t count,
				  struct strtab *t)
{
	uint64_t pos = 0;
	for (uint64_t i = 0; i < count && i < 0x10000; i++) {
		ElfW(Verneed) vn;
		if (!span_read(sp, pos, &vn, sizeof vn))
			return false;
		uint64_t apos = pos + vn.vn_aux;
		for (unsigned j = 0; j < vn.vn_cnt; j++) {
			ElfW(Vernaux) va;
			if (!span_read(sp, apos, &va, sizeof va))
				break;
			const char *n = strtab_at(t, va.vna_name);
			if (n && nsshare_glibc_verneed(n))
				return true;
			if (!va.vna_next)
				break;
			apos += va.vna_next;
		}
		if (!vn.vn_next)
			break;
		pos += vn.vn_next;
	}
	return false;
}

static bool strdup_opt(char **dst, const char *src)
{
	if (!src)
		return true;
	*dst = strdup(src);
	return *dst != NULL;
}

/* At most this much of a segment is taken for the dynamic section. */
#define DYNAMIC_MAX (64 * 1024 * sizeof(ElfW(Dyn)))

/* What the dynamic section of an open file says; strings copied.  ld.so
 * finds the section at PT_DYNAMIC's p_vaddr in the mapped image, never
 * through p_offset or p_filesz (glibc-facts 31), and reads it to its
 * DT_NULL: here to the end of its segment's file bytes at most (zeros,
 * a DT_NULL, follow in memory). */
static bool elf_dynamic_read(Elf *elf, int fd, size_t phnum,
			     const GElf_Phdr *dynph, struct elf_info *info,
			     char *why, size_t whysz)
{
	struct span dsp;
	if (!span_at(elf, phnum, fd, dynph->p_vaddr, &dsp) ||
	    dsp.avail < sizeof(ElfW(Dyn))) {
		snprintf(why, whysz, "malformed dynamic section");
		return false;
	}
	uint64_t dsize = dsp.avail < DYNAMIC_MAX ? dsp.avail : DYNAMIC_MAX;
	Elf_Data *dd = elf_getdata_rawchunk(elf, dsp.off,
					    dsize - dsize % sizeof(ElfW(Dyn)),
					    ELF_T_DYN);
	if (!dd) {
		snprintf(why, whysz, "truncated ELF object");
		return false;
	}
	GElf_Addr strtab_addr = 0, verdef = 0, verneed = 0;
	uint64_t strsz = 0, nverdef = 0x10000, nverneed = 0x10000;
	uint64_t soname = 0, rpath = 0, runpath = 0;
	bool has_strtab = false, has_soname = false, has_rpath = false,
	     has_runpath = false, has_verdef = false, has_verneed = false;
	size_t nneeded = 0, ndyn = dd->d_size / sizeof(ElfW(Dyn));
	for (size_t i = 0; i < ndyn; i++) {
		GElf_Dyn d;
		if (!gelf_getdyn(dd, (int)i, &d) || d.d_tag == DT_NULL) {
			ndyn = i;
			break;
		}
		switch (d.d_tag) {
		case DT_NEEDED: nneeded++; break;
		case DT_STRTAB: strtab_addr = d.d_un.d_ptr; has_strtab = true; break;
		case DT_STRSZ: strsz = d.d_un.d_val; break;
		case DT_SONAME: soname = d.d_un.d_val; has_soname = true; break;
		case DT_RPATH: rpath = d.d_un.d_val; has_rpath = true; break;
		case DT_RUNPATH: runpath = d.d_un.d_val; has_runpath = true; break;
		case DT_FLAGS_1:
			info->nodeflib = d.d_un.d_val & DF_1_NODEFLIB;
			info->pie = d.d_un.d_val & DF_1_PIE;
			break;
		case DT_VERDEF: verdef = d.d_un.d_ptr; has_verdef = true; break;
		case DT_VERDEFNUM: nverdef = d.d_un.d_val; break;
		case DT_VERNEED: verneed = d.d_un.d_ptr; has_verneed = true; break;
		case DT_VERNEEDNUM: nverneed = d.d_un.d_val; break;
		case DT_GNU_FLAGS_1:
			info->unique = d.d_un.d_val & DF_GNU_1_UNIQUE;
			break;
		}
	}

	struct strtab t = { .elf = elf };
	struct span sp;
	if (has_strtab) {
		if (!span_at(elf, phnum, fd, strtab_addr, &t.sp)) {
			snprintf(why, whysz, "malformed dynamic section");
			return false;
		}
		/* A damaged DT_STRSZ: a first part, the rest if needed. */
		if (strsz == 0 || strsz > t.sp.avail)
			strsz = t.sp.avail < 65536 ? t.sp.avail : 65536;
		if (!strtab_load(&t, strsz)) {
			snprintf(why, whysz, "truncated ELF object");
			return false;
		}
	}

	/* Strings ld.so would read out of bounds make it fail or crash:
	 * call the object malformed. */
	const char *s_soname = has_soname ? strtab_at(&t, soname) : NULL;
	const char *s_rpath = has_rpath ? strtab_at(&t, rpath) : NULL;
	const char *s_runpath = has_runpath ? strtab_at(&t, runpath) : NULL;
	if ((has_soname && !s_soname) || (has_rpath && !s_rpath) ||
	    (has_runpath && !s_runpath)) {
		snprintf(why, whysz, "malformed dynamic section");
		return false;
	}
	if (s_runpath)
		s_rpath = NULL; /* RPATH is ignored next to RUNPATH */
	/* An empty path list counts as none (decompose_rpath). */
	if (s_rpath && !*s_rpath)
		s_rpath = NULL;
	if (s_runpath && !*s_runpath)
		s_runpath = NULL;
	if (!strdup_opt(&info->soname, s_soname) ||
	    !strdup_opt(&info->rpath, s_rpath) ||
	    !strdup_opt(&info->runpath, s_runpath))
		goto oom;

	info->needed = calloc(nneeded ? nneeded : 1, sizeof *info->needed);
	if (!info->needed)
		goto oom;
	for (size_t i = 0; i < ndyn; i++) {
		GElf_Dyn d;
		if (!gelf_getdyn(dd, (int)i, &d) || d.d_tag != DT_NEEDED)
			continue;
		const char *n = strtab_at(&t, d.d_un.d_val);
		if (!n) {
			snprintf(why, whysz, "malformed dynamic section");
			return false;
		}
		if (!(info->needed[info->nneeded] = strdup(n)))
			goto oom;
		info->nneeded++;
	}

	if (has_verdef && span_at(elf, phnum, fd, verdef, &sp))
		info->glibc = verdef_glibc(&sp, nverdef, &t);
	if (!info->glibc && has_verneed && span_at(elf, phnum, fd, verneed, &sp))
		info->glibc = verneed_glibc_private(&sp, nverneed, &t);
	return true;
oom:
	info->oom = true;
	snprintf(why, whysz, "out of memory");
	return false;
}

/* Reads the file open as FD, of status SB, as a shared object of this
 * machine.  False with the reason in WHY when ld.so could not load it;
 * the file's identity is filled in either way. */
static bool elf_info_read(int fd, const struct stat *sb, struct elf_info *info,
			  char *why, size_t whysz)
{
	memset(info, 0, sizeof *info);
	info->dev = sb->st_dev;
	info->ino = sb->st_ino;
	info->size = sb->st_size;
	info->mtim = sb->st_mtim;
	bool ok = false;
	Elf *elf = NULL;
	ElfW(Ehdr) eh;
	if (!S_ISREG(sb->st_mode)) {
		snprintf(why, whysz, "not a regular file");
		goto out;
	}
	ssize_t got = read_full(fd, &eh, sizeof eh, 0);
	if (ehdr_check(&eh, got, sb->st_size, why, whysz) != V_OK)
		goto out;
	if (eh.e_type != ET_DYN) {
		snprintf(why, whysz, "cannot dynamically load executable");
		goto out;
	}
	/* ELF_C_READ reads what is asked for with pread: a file truncated
	 * under us gives errors, not SIGBUS. */
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		snprintf(why, whysz, "not an ELF object");
		goto out;
	}
	size_t phnum;
	if (elf_getphdrnum(elf, &phnum) != 0) {
		snprintf(why, whysz, "truncated ELF object");
		goto out;
	}
	/* ld.so takes the last PT_DYNAMIC and refuses an empty one, the
	 * only use it makes of p_filesz there. */
	GElf_Phdr dynph;
	bool has_dyn = false;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, (int)i, &ph)) {
			snprintf(why, whysz, "truncated ELF object");
			goto out;
		}
		if (ph.p_type == PT_DYNAMIC) {
			dynph = ph;
			has_dyn = true;
		}
	}
	if (!has_dyn || dynph.p_filesz == 0) {
		snprintf(why, whysz, "object file has no dynamic section");
		goto out;
	}
	if (!elf_dynamic_read(elf, fd, phnum, &dynph, info, why, whysz))
		goto out;
	if (info->pie) {
		snprintf(why, whysz,
			 "cannot dynamically load position-independent executable");
		goto out;
	}
	ok = true;
out:
	if (elf)
		elf_end(elf);
	if (!ok) {
		struct elf_info keep = { .dev = info->dev, .ino = info->ino,
					 .size = info->size, .mtim = info->mtim,
					 .oom = info->oom };
		elf_info_free(info);
		*info = keep;
	}
	return ok;
}

/* ---- What was read of each file, kept by file identity.
 *
 * Entries are immutable once in the table and never freed, so a scan uses
 * them without the lock.  A file that changes gets a new entry (its size
 * or mtime differs); the table grows by one entry per file version ever
 * read.  The lock covers the table only: files are read outside it. */

struct file_entry {
	struct file_entry *next;
	struct elf_info info; /* the dynamic information, and the key */
	bool ok;              /* ld.so could load the file */
	char why[160];        /* why not, when !ok */
};

#define FILE_BUCKETS 256
static struct file_entry *file_table[FILE_BUCKETS];
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;

/* Called by lock.c's fork handlers after the loader lock, the order in
 * which every thread takes them: a handler of its own, run by glibc
 * before lock.c's, would hold file_lock while the fork waits for a
 * thread that waits for file_lock. */
void nsshare_search_fork_prepare(void)
{
	pthread_mutex_lock(&file_lock);
}

void nsshare_search_fork_parent(void)
{
	pthread_mutex_unlock(&file_lock);
}

void nsshare_search_fork_child(void)
{
	pthread_mutex_unlock(&file_lock);
}

static size_t file_bucket(dev_t dev, ino_t ino)
{
	return (size_t)((dev * 31 + ino) % FILE_BUCKETS);
}

static bool file_is(const struct elf_info *i, const struct stat *sb)
{
	return i->dev == sb->st_dev && i->ino == sb->st_ino &&
	       i->size == sb->st_size && i->mtim.tv_sec == sb->st_mtim.tv_sec &&
	       i->mtim.tv_nsec == sb->st_mtim.tv_nsec;
}

/* Call with file_lock held. */
static struct file_entry *file_find(const struct stat *sb)
{
	struct file_entry *e = file_table[file_bucket(sb->st_dev, sb->st_ino)];
	while (e && !file_is(&e->info, sb))
		e = e->next;
	return e;
}

static bool file_known_ok(const struct stat *sb)
{
	pthread_mutex_lock(&file_lock);
	const struct file_entry *e = file_find(sb);
	bool ok = e && e->ok;
	pthread_mutex_unlock(&file_lock);
	return ok;
}

/* What PATH holds now: from the table when a file of the same identity
 * was read before, else read and added.  NULL with the reason in WHY
 * when the file cannot be opened or memory ran out (*OOM set); neither
 * is remembered. */
static const struct file_entry *file_get(const char *path, char *why,
					 size_t whysz, bool *oom)
{
	struct stat sb;
	if (last_found.path[0] && strcmp(path, last_found.path) == 0) {
		sb = last_found.sb; /* taken once, microseconds ago */
		last_found.path[0] = '\0';
	} else if (stat(path, &sb) != 0) {
		snprintf(why, whysz, "cannot open shared object file: %s",
			 strerror(errno));
		return NULL;
	}
	pthread_mutex_lock(&file_lock);
	struct file_entry *e = file_find(&sb);
	pthread_mutex_unlock(&file_lock);
	if (e)
		return e;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysz, "cannot open shared object file: %s",
			 strerror(errno));
		return NULL;
	}
	/* The file may have been replaced since the stat: key the entry by
	 * what is actually read. */
	struct file_entry *n = NULL;
	bool stat_ok = fstat(fd, &sb) == 0;
	if (!stat_ok) {
		snprintf(why, whysz, "cannot stat shared object: %s",
			 strerror(errno));
	} else if ((n = calloc(1, sizeof *n)) &&
		   !(n->ok = elf_info_read(fd, &sb, &n->info, n->why,
					   sizeof n->why)) &&
		   n->info.oom) {
		free(n);
		n = NULL;
	}
	close(fd);
	if (!n) {
		if (stat_ok) {
			*oom = true;
			snprintf(why, whysz, "out of memory");
		}
		return NULL;
	}

	pthread_mutex_lock(&file_lock);
	if ((e = file_find(&sb))) {
		/* Another thread read the same file meanwhile. */
		elf_info_free(&n->info);
		free(n);
	} else {
		e = n;
		size_t b = file_bucket(sb.st_dev, sb.st_ino);
		e->next = file_table[b];
		file_table[b] = e;
	}
	pthread_mutex_unlock(&file_lock);
	return e;
}

/* ---- NSSHARE_SHARE, read for each scan: objects treated as unique. */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct share_list {
	char *copy;          /* the variable; NAMES point into it */
	const char **names;  /* entries without a '/' */
	size_t nnames;
	struct file_id *ids; /* files named by entries with a '/' */
	size_t nids;
};

/* False when out of memory. */
static bool share_init(struct share_list *l)
{
	memset(l, 0, sizeof *l);
	/* An unsafe variable, as LD_LIBRARY_PATH is to ld.so. */
	const char *env = state.secure ? NULL : getenv("NSSHARE_SHARE");
	if (!env || !*env)
		return true;
	size_t max = 1;
	for (const char *c = env; *c; c++)
		max += *c == ':';
	l->copy = strdup(env);
	l->names = calloc(max, sizeof *l->names);
	l->ids = calloc(max, sizeof *l->ids);
	if (!l->copy || !l->names || !l->ids)
		return false;
	char *rest = l->copy, *entry;
	while ((entry = strsep(&rest, ":"))) {
		struct stat sb;
		if (!strchr(entry, '/')) {
			if (*entry)
				l->names[l->nnames++] = entry;
		} else if (stat(entry, &sb) == 0) {
			l->ids[l->nids++] = (struct file_id){ sb.st_dev, sb.st_ino };
		}
	}
	return true;
}

static void share_free(struct share_list *l)
{
	free(l->copy);
	free(l->names);
	free(l->ids);
}

/* Whether the list names the file INFO read from PATH, asked for as
 * WANT: by identity (so a link to the file counts), or by the soname,
 * the requested name or the file name. */
static bool share_has(const struct share_list *l, const char *path,
		      const char *want, const struct elf_info *info)
{
	for (size_t i = 0; i < l->nids; i++)
		if (l->ids[i].dev == info->dev && l->ids[i].ino == info->ino)
			return true;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	for (size_t i = 0; i < l->nnames; i++) {
		const char *n = l->names[i];
		if (strcmp(n, base) == 0 || strcmp(n, want) == 0 ||
		    (info->soname && strcmp(n, info->soname) == 0))
			return true;
	}
	return false;
}

/* ---- The DT_NEEDED closure (_dl_map_object_deps, breadth first). */

struct scan_node {
	struct search_obj obj; /* obj.loader: the needing node's obj */
	char *origin;
	const struct elf_info *info; /* in the file table */
};

struct scan_id {
	dev_t dev;
	ino_t ino;
	unsigned kind;
};

struct scan {
	struct scan_node **nodes;
	size_t nnodes, nodecap;
	char **names; /* names ld.so matches requests against */
	size_t nnames, namecap;
	struct scan_id *ids; /* the files taken, with what was reported */
	size_t nids, idcap;
	struct share_list list;
	nsshare_loaded_fn *loaded;
	nsshare_found_fn *found;
	void *arg;
	bool rtld_seen; /* ld.so's stand-in is reported */
	bool oom; /* a dependency may have been missed */
};

static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = reallocarray(*arr, ncap, elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static bool scan_has_name(const struct scan *sc, const char *name)
{
	for (size_t i = 0; i < sc->nnames; i++)
		if (strcmp(sc->names[i], name) == 0)
			return true;
	return false;
}

/* Out of memory here only costs a later duplicate look-up. */
static void scan_add_name(struct scan *sc, const char *name)
{
	if (!name || scan_has_name(sc, name) ||
	    !grow((void **)&sc->names, &sc->namecap, sc->nnames, sizeof *sc->names))
		return;
	char *copy = strdup(name);
	if (copy)
		sc->names[sc->nnames++] = copy;
}

/* The file INFO was taken before under another name, or NULL. */
static const struct scan_id *scan_find_id(const struct scan *sc,
					  const struct elf_info *info)
{
	for (size_t i = 0; i < sc->nids; i++)
		if (sc->ids[i].dev == info->dev && sc->ids[i].ino == info->ino)
			return &sc->ids[i];
	return NULL;
}

static void scan_add_id(struct scan *sc, const struct elf_info *info,
			unsigned kind)
{
	if (grow((void **)&sc->ids, &sc->idcap, sc->nids, sizeof *sc->ids))
		sc->ids[sc->nids++] = (struct scan_id){ info->dev, info->ino, kind };
}

static bool is_rtld_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	return (state.rtld_base[0] && strcmp(base, state.rtld_base) == 0) ||
	       starts_with(base, "ld-linux") || starts_with(base, "ld64.so") ||
	       strcmp(base, "ld.so") == 0 || starts_with(base, "ld.so.");
}

/* The running ld.so, by identity or by soname. */
static bool is_rtld(const struct elf_info *info)
{
	return (state.rtld_id_valid && info->dev == state.rtld_dev &&
		info->ino == state.rtld_ino) ||
	       (info->soname && is_rtld_name(info->soname));
}

/* Takes the object INFO read from PATH, asked for as WANT, into the
 * closure: reports it, and queues it to have its DT_NEEDED looked at with
 * LOADER next in its loader chain.  A unique object's dependencies are
 * its base copy's business; a glibc library's are glibc libraries and
 * ld.so, which stand in the namespace's search list where stock puts
 * them (ld.so after libc, for one). */
static void scan_take(struct scan *sc, const char *path, const char *want,
		      const struct elf_info *info, const struct search_obj *loader)
{
	scan_add_name(sc, want);
	scan_add_name(sc, path);
	scan_add_name(sc, info->soname);
	unsigned kind = info->glibc ? NSSHARE_SHARE_GLIBC : 0;
	if (info->unique || share_has(&sc->list, path, want, info))
		kind |= NSSHARE_SHARE_UNIQUE;
	scan_add_id(sc, info, kind);
	sc->found(path, want, kind, sc->arg);
	if (kind == NSSHARE_SHARE_UNIQUE)
		return;
	struct scan_node *n = calloc(1, sizeof *n);
	if (!n || !grow((void **)&sc->nodes, &sc->nodecap, sc->nnodes,
			sizeof *sc->nodes)) {
		free(n);
		sc->oom = true;
		return;
	}
	/* Unknown $ORIGIN (getcwd failed) drops $ORIGIN elements, as in
	 * ld.so. */
	n->origin = origin_of(path);
	n->info = info;
	n->obj.rpath = info->rpath;
	n->obj.runpath = info->runpath;
	n->obj.origin = n->origin;
	n->obj.nodeflib = info->nodeflib;
	n->obj.loader = loader;
	sc->nodes[sc->nnodes++] = n;
}

/* ld.so, asked for as WANT: it gives each namespace a stand-in of
 * itself, once, where it is first needed.  Only a new namespace's root
 * names it; an existing namespace gets it from ld.so as it needs it.  It
 * is never asked about: a dlmopen(RTLD_NOLOAD) of its name opens the
 * stand-in directly, which gives it a search list but never marks it
 * relocated (its real map is), and glibc 2.41 and later then assert
 * ("new->l_relocated") at the next such open. */
static void scan_rtld(struct scan *sc, const char *want)
{
	if (!sc->rtld_seen && !sc->loaded)
		sc->found(want, want, NSSHARE_CLOSURE_RTLD, sc->arg);
	sc->rtld_seen = true;
}

/* One DT_NEEDED entry NAME of node FROM. */
static void scan_needed(struct scan *sc, struct scan_node *from, const char *name)
{
	if (is_rtld_name(name)) {
		scan_rtld(sc, name);
		return;
	}
	/* expand_dst: tokens are expanded for the needing object, and
	 * refused in secure processes. */
	char *want;
	if (dst_count(name)) {
		if (state.secure)
			return;
		want = dst_expand(name, &from->obj);
	} else {
		want = strdup(name);
	}
	if (!want || !*want || scan_has_name(sc, want)) {
		free(want);
		return;
	}
	char *path = NULL;
	if (sc->loaded && sc->loaded(want, sc->arg)) {
		scan_add_name(sc, want); /* not asked twice */
		goto out;
	}
	if (strchr(want, '/'))
		path = candidate_check(want) == V_OK ? strdup(want) : NULL;
	else
		path = search_bare(want, &from->obj);
	if (!path)
		goto out;
	char why[160];
	const struct file_entry *e = file_get(path, why, sizeof why, &sc->oom);
	/* A file ld.so cannot load: it will say why. */
	if (!e || !e->ok)
		goto out;
	const struct scan_id *taken;
	if (is_rtld(&e->info)) {
		scan_rtld(sc, want);
	} else if ((taken = scan_find_id(sc, &e->info))) {
		/* Loaded under another name: ld.so adds the name to it.  A
		 * proxy must answer to the name too, as an alias. */
		scan_add_name(sc, want);
		if (taken->kind)
			sc->found(path, want, taken->kind, sc->arg);
	} else {
		scan_take(sc, path, want, &e->info, &from->obj);
	}
out:
	free(path);
	free(want);
}

int nsshare_search_closure(const char *path, nsshare_loaded_fn *loaded,
			   nsshare_found_fn *found, void *arg)
{
	state_get();
	char why[160];
	bool oom = false;
	const struct file_entry *top = file_get(path, why, sizeof why, &oom);
	if (!top || !top->ok) {
		nsshare_error(path, "%s", top ? top->why : why);
		return -1;
	}
	struct scan sc = { .loaded = loaded, .found = found,
			   .arg = arg };
	if (!share_init(&sc.list))
		sc.oom = true;
	else if (!is_rtld(&top->info))
		/* dlopen'ed objects have no l_loader: the chain starts here. */
		scan_take(&sc, path, path, &top->info, NULL);
	for (size_t i = 0; i < sc.nnodes; i++) {
		struct scan_node *n = sc.nodes[i];
		for (size_t j = 0; j < n->info->nneeded; j++)
			scan_needed(&sc, n, n->info->needed[j]);
	}
	int ret = 0;
	if (sc.oom) {
		nsshare_error(path, "out of memory");
		ret = -1;
	}
	share_free(&sc.list);
	for (size_t i = 0; i < sc.nnodes; i++) {
		free(sc.nodes[i]->origin);
		free(sc.nodes[i]);
	}
	free(sc.nodes);
	for (size_t i = 0; i < sc.nnames; i++)
		free(sc.names[i]);
	free(sc.names);
	free(sc.ids);
	return ret;
}
