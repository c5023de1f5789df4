/* Private to the files that find and read objects as ld.so would, without
 * loading them, bottom up: machine.c, dst.c, ldcache.c, elfread.c,
 * filecache.c, search.c, closure.c.  Each calls only files before it,
 * but for machine.c's one-time setup, which maps the cache with the rest
 * of the state.  What the rest of libnsshare uses is in internal.h. */
#ifndef NSSHARE_LDSO_H
#define NSSHARE_LDSO_H

#include <elf.h>
#include <link.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Shared by the files of the search and the closure scan only: direct
 * accesses, not through the GOT. */
#pragma GCC visibility push(hidden)

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
#error "nsshare: ldso.h does not know this architecture's ld.so"
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define SEARCH_ELFDATA ELFDATA2LSB
#define SEARCH_ELFDATA_WHY "ELF file data encoding not little-endian"
#else
#define SEARCH_ELFDATA ELFDATA2MSB
#define SEARCH_ELFDATA_WHY "ELF file data encoding not big-endian"
#endif

/* ld.so's SYSTEM_DIRS (machine.c). */
#define NSYSTEM_DIRS 4
extern const char *const system_dirs[NSYSTEM_DIRS];

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

/* ---- The machine (machine.c) and the cache (ldcache.c). */

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

/* ---- State computed once (machine.c). */
struct search_state {
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
};
extern struct search_state state;

/* Shared by search.c and closure.c. */
static inline bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* ---- machine.c (the comments at the definitions say more) */
void state_get(void);
void mem_obj_read(const ElfW(Dyn) *dyn, ElfW(Addr) base,
		  struct search_obj *o);

/* ---- dst.c */
size_t dst_count(const char *s);
char *dst_expand(const char *in, const struct search_obj *o);

/* ---- ldcache.c */
void cache_init(void);
const char *cache_search(const struct cache_view *c, const char *name);

/* ---- elfread.c */
enum verdict {
	V_OK,     /* ld.so takes this file */
	V_SKIP,   /* absent, or another class or machine: keep searching */
	V_FATAL,  /* ld.so takes it and fails on it */
	V_GIVEUP, /* an odd open error: ld.so leaves this path list */
};
ssize_t read_full(int fd, void *buf, size_t n, off_t off);
enum verdict ehdr_check(const ElfW(Ehdr) *eh, ssize_t n, off_t fsize,
			char *why, size_t whysz);

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
void elf_info_free(struct elf_info *info);
bool elf_info_read(int fd, const struct stat *sb, struct elf_info *info,
		   char *why, size_t whysz);

/* ---- filecache.c */
struct file_entry {
	struct file_entry *next;
	struct elf_info info; /* the dynamic information, and the key */
	bool ok;              /* ld.so could load the file */
	char why[160];        /* why not, when !ok */
};
/* The stat() of the candidate the search accepted last in this thread:
 * the closure scan reads that file next and need not stat it again. */
extern _Thread_local struct found_stat {
	char path[256];
	struct stat sb;
} last_found;
bool file_known_ok(const struct stat *sb);
const struct file_entry *file_get(const char *path, char *why,
				  size_t whysz, bool *oom);
/* Whether the search directory PATH (its first LEN bytes) was found not to
 * exist, as ld.so remembers it; search_dir_check looks, once, after a
 * candidate in it was missing. */
bool search_dir_missing(const char *path, size_t len);
void search_dir_check(const char *path, size_t len);

/* ---- search.c */
enum verdict candidate_check(const char *path);
char *search_bare(const char *name, const struct search_obj *loader);
char *origin_of(const char *realname);

#pragma GCC visibility pop

#endif
