/* Owns: the machine and process as ld.so sees them (CPU, platform, hwcaps,
 * AT_SECURE, main program, ld.so).  Calls: ldcache.c, object.c, real.c. */
/* All static state is computed once (pthread_once, which glibc restarts in
 * a child forked during initialization) and never freed. */
#define _GNU_SOURCE
#include <gelf.h>
#include <gnu/libc-version.h>
#include <libelf.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h> /* glibc 2.33 and later */
#endif
#endif

#include "internal.h"
#include "ldso.h"

/* ld.so's SYSTEM_DIRS on Debian, with the trailing slash ld.so keeps:
 * the "system search path" lines of `ld.so --help`. */
const char *const system_dirs[NSYSTEM_DIRS] = {
	"/lib/" SEARCH_TRIPLET "/",
	"/usr/lib/" SEARCH_TRIPLET "/",
	"/lib/",
	"/usr/lib/",
};

/* ---- State computed once. */

struct search_state state;

static pthread_once_t state_once = PTHREAD_ONCE_INIT;

/* Fills O from a dynamic section in memory (public link_map fields). */
void mem_obj_read(const ElfW(Dyn) *dyn, ElfW(Addr) base,
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

void state_get(void)
{
	pthread_once(&state_once, state_init);
}
