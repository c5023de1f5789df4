/* Writing synthesized shared objects (proxies and namespace roots) with
 * libelf into sealed memfds.
 *
 * The image is one PT_LOAD of the whole file at address 0, so every
 * section's address equals its file offset.  Before glibc 2.35 it must be
 * writable: ld.so rewrites d_ptr values of .dynamic in place, copying the
 * page in every namespace.  From 2.35 ld.so leaves a read-only .dynamic
 * alone (l_ld_readonly), so the image is read-only and every namespace
 * maps the same pages (test/glibc/image_pages.c).  PT_GNU_STACK says RW
 * (glibc 2.41 refuses objects without it).  Symbols are SHN_ABS, so ld.so
 * uses their values as they are (glibc >= 2.28). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <gnu/libc-version.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define HOOK_STUB_SIZE 33

#if __ELF_NATIVE_CLASS == 64
#define elfw_newehdr elf64_newehdr
#define elfw_newphdr elf64_newphdr
#define elfw_getshdr elf64_getshdr
#else
#define elfw_newehdr elf32_newehdr
#define elfw_newphdr elf32_newphdr
#define elfw_getshdr elf32_getshdr
#endif

/* In file order.  The sections after .dynamic are a proxy's with a hook
 * (spec->hook) or TLS symbols only, each on pages of its own. */
enum { SEC_HASH, SEC_GNU_HASH, SEC_DYNSYM, SEC_DYNSTR, SEC_VERSYM, SEC_VERDEF,
       SEC_RELA, SEC_DYNAMIC, SEC_TEXT, SEC_DATA, SEC_TBSS, SEC_SHSTRTAB,
       SEC_COUNT };

static const char *const section_name[SEC_COUNT] = {
	".hash", ".gnu.hash", ".dynsym", ".dynstr", ".gnu.version",
	".gnu.version_d", ".rela.dyn",
	".dynamic", ".text", ".data", ".tbss", ".shstrtab",
};

/* Sections that only some images have. */
static bool section_optional(int i)
{
	/* An empty version table beside a symbol table of one entry (a
	 * root's) is what BFD warns of in gdb: "version count (0) does not
	 * match symbol count (1)". */
	return i == SEC_RELA || i == SEC_TEXT || i == SEC_DATA ||
	       i == SEC_TBSS || i == SEC_VERSYM || i == SEC_VERDEF;
}

struct section {
	void *buf;
	size_t size;
	size_t align;
	size_t offset;
	ElfW(Word) type;
	ElfW(Xword) flags;
	ElfW(Xword) entsize;
};

/* A growing string table; offset 0 is the empty string.  It may start as
 * a copy of BASE (BASE_LEN bytes): a string that lies in BASE is found
 * there rather than added. */
struct strtab {
	char *buf;
	size_t len, cap;
	bool failed;
	const char *base;
	size_t base_len;
};

static bool strtab_start(struct strtab *st, const char *base, size_t len)
{
	/* A table to start from begins and ends with a NUL. */
	if (!base || len == 0 || base[0] != '\0' || base[len - 1] != '\0')
		return true;
	st->cap = len + 4096;
	st->buf = malloc(st->cap);
	if (!st->buf)
		return false;
	memcpy(st->buf, base, len);
	st->len = len;
	st->base = base;
	st->base_len = len;
	return true;
}

static size_t strtab_add(struct strtab *st, const char *s)
{
	uintptr_t at = (uintptr_t)s, base = (uintptr_t)st->base;
	if (st->base && at >= base && at < base + st->base_len)
		return at - base;
	size_t n = strlen(s) + 1;
	if (st->len + n + 1 > st->cap) {
		size_t cap = st->cap ? st->cap * 2 : 4096;
		while (cap < st->len + n + 1)
			cap *= 2;
		char *buf = realloc(st->buf, cap);
		if (!buf) {
			st->failed = true;
			return 0;
		}
		st->buf = buf;
		st->cap = cap;
	}
	if (st->len == 0)
		st->buf[st->len++] = '\0';
	if (n == 1)
		return 0;
	size_t off = st->len;
	memcpy(st->buf + off, s, n);
	st->len += n;
	return off;
}

/* The symbols in the order the image lists them: DT_GNU_HASH needs the
 * symbols of each bucket next to each other. */
struct ordered_sym {
	const struct nsshare_image_sym *sym;
	uint32_t gnu_hash;
	uint32_t bucket;
};

/* A counting sort by bucket: stable, so each bucket keeps the spec's
 * order, and linear (libc has some 3000 symbols, written at startup). */
static struct ordered_sym *symbols_order(const struct nsshare_image_spec *spec,
					 uint32_t nbuckets)
{
	size_t n = spec->nsyms;
	struct ordered_sym *order = calloc(n ? n : 1, sizeof *order);
	size_t *start = calloc((size_t)nbuckets + 1, sizeof *start);
	/* Each name hashed once. */
	uint32_t *hashes = malloc((n ? n : 1) * sizeof *hashes);
	if (!order || !start || !hashes) {
		free(order);
		free(start);
		free(hashes);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		hashes[i] = nsshare_gnu_hash(spec->syms[i].name);
		start[hashes[i] % nbuckets + 1]++;
	}
	for (uint32_t b = 0; b < nbuckets; b++)
		start[b + 1] += start[b];
	for (size_t i = 0; i < n; i++) {
		uint32_t h = hashes[i];
		order[start[h % nbuckets]++] =
			(struct ordered_sym){ &spec->syms[i], h, h % nbuckets };
	}
	free(hashes);
	free(start);
	return order;
}

/* DT_HASH: nbucket, nchain, buckets, chains (32-bit words), for a base
 * copy that has no DT_GNU_HASH (spec->sysv_hash). */
static uint32_t *hash_build(const struct ordered_sym *order, size_t n,
			    size_t *size)
{
	uint32_t nsyms = (uint32_t)n + 1;
	uint32_t nbucket = nsyms / 2 + 1;
	*size = (2 + (size_t)nbucket + nsyms) * sizeof(uint32_t);
	uint32_t *h = calloc(1, *size);
	if (!h)
		return NULL;
	h[0] = nbucket;
	h[1] = nsyms;
	uint32_t *bucket = h + 2, *chain = bucket + nbucket;
	for (uint32_t i = 1; i < nsyms; i++) {
		uint32_t b = (uint32_t)(nsshare_elf_hash(order[i - 1].sym->name) % nbucket);
		chain[i] = bucket[b];
		bucket[b] = i;
	}
	return h;
}

/* DT_GNU_HASH: its Bloom filter lets ld.so skip a proxy for every symbol
 * it does not define without touching its tables.  That matters: the glibc
 * proxies stand early in a namespace's scope, ahead of the library's other
 * dependencies, and every lookup of those passes them. */
static uint32_t *gnu_hash_build(const struct ordered_sym *order, size_t n,
				uint32_t nbuckets, size_t *size)
{
	const unsigned bits = sizeof(ElfW(Addr)) * 8;
	const uint32_t shift = 6;
	uint32_t bloom_words = 1;
	/* About eight filter bits per symbol, two of them set. */
	while ((size_t)bloom_words * bits < n * 8)
		bloom_words <<= 1;
	size_t words = 4 + bloom_words * (sizeof(ElfW(Addr)) / sizeof(uint32_t)) +
		       nbuckets + n;
	*size = words * sizeof(uint32_t);
	uint32_t *gh = calloc(words, sizeof(uint32_t));
	if (!gh)
		return NULL;
	gh[0] = nbuckets;
	gh[1] = 1; /* symoffset: every symbol but the null one is hashed */
	gh[2] = bloom_words;
	gh[3] = shift;
	ElfW(Addr) *bloom = (ElfW(Addr) *)(gh + 4);
	uint32_t *buckets = (uint32_t *)(bloom + bloom_words);
	uint32_t *chain = buckets + nbuckets;
	for (size_t i = 0; i < n; i++) {
		uint32_t h = order[i].gnu_hash;
		bloom[(h / bits) % bloom_words] |=
			((ElfW(Addr))1 << (h % bits)) |
			((ElfW(Addr))1 << ((h >> shift) % bits));
		if (!buckets[order[i].bucket])
			buckets[order[i].bucket] = (uint32_t)(i + 1);
		bool last = i + 1 == n || order[i + 1].bucket != order[i].bucket;
		chain[i] = (h & ~1u) | last;
	}
	return gh;
}

static ElfW(Verdef) *verdef_build(const struct nsshare_image_spec *spec,
				  struct strtab *dynstr, size_t *size)
{
	const size_t entry = sizeof(ElfW(Verdef)) + sizeof(ElfW(Verdaux));
	*size = spec->nverdefs * entry;
	char *buf = calloc(1, *size ? *size : 1);
	if (!buf)
		return NULL;
	for (size_t i = 0; i < spec->nverdefs; i++) {
		ElfW(Verdef) *vd = (ElfW(Verdef) *)(buf + i * entry);
		ElfW(Verdaux) *aux = (ElfW(Verdaux) *)(vd + 1);
		vd->vd_version = VER_DEF_CURRENT;
		vd->vd_flags = spec->verdefs[i].flags;
		vd->vd_ndx = spec->verdefs[i].ndx;
		vd->vd_cnt = 1;
		vd->vd_hash = (ElfW(Word))nsshare_elf_hash(spec->verdefs[i].name);
		vd->vd_aux = sizeof *vd;
		vd->vd_next = i + 1 < spec->nverdefs ? (ElfW(Word))entry : 0;
		aux->vda_name = (ElfW(Word))strtab_add(dynstr, spec->verdefs[i].name);
	}
	return (ElfW(Verdef) *)buf;
}

/* The ELF header fields that say what kind of machine this is, taken from
 * libnsshare's own header so the image matches every port it builds on. */
static const ElfW(Ehdr) *own_ehdr(void)
{
	Dl_info info;
	if (!dladdr((void *)own_ehdr, &info) || !info.dli_fbase)
		return NULL;
	return info.dli_fbase;
}

struct layout {
	struct section sec[SEC_COUNT];
	int index[SEC_COUNT];  /* section header index, 0 when left out */
	size_t phoff, shoff, load_end, page, nphdr;
	ElfW(Word) flags; /* of PT_LOAD and PT_DYNAMIC */
	bool hook;        /* .text and .data are there */
};

static void layout_place(struct layout *lo)
{
	lo->nphdr = lo->hook ? 5 : 3;
	size_t off = sizeof(ElfW(Ehdr));
	lo->phoff = off;
	off += lo->nphdr * sizeof(ElfW(Phdr));
	int index = 1; /* index 0 is SHN_UNDEF */
	for (int i = 0; i < SEC_COUNT; i++) {
		struct section *s = &lo->sec[i];
		if (section_optional(i) && s->size == 0)
			continue;
		lo->index[i] = index++;
		/* The code and the word it writes get pages of their own:
		 * one mapped executable, one writable. */
		size_t align = i == SEC_TEXT || i == SEC_DATA ? lo->page : s->align;
		off = (off + align - 1) & ~(align - 1);
		s->offset = off;
		if (s->type != SHT_NOBITS)
			off += s->size;
		if (i == SEC_DYNAMIC)
			lo->load_end = off;
	}
	lo->shoff = (off + 7) & ~(size_t)7;
}

/* The flags of the image's PT_LOAD and PT_DYNAMIC: writable only for a
 * glibc that writes into .dynamic (see the top of this file). */
static ElfW(Word) image_flags(void)
{
	return nsshare_glibc_at_least(gnu_get_libc_version(), 2, 35)
		       ? PF_R : PF_R | PF_W;
}

static bool elf_emit(int fd, const struct layout *lo, const ElfW(Ehdr) *own,
		     size_t shstr_off[SEC_COUNT], size_t nverdefs)
{
	Elf *e = elf_begin(fd, ELF_C_WRITE, NULL);
	if (!e)
		return false;
	bool ok = false;
	elf_flagelf(e, ELF_C_SET, ELF_F_LAYOUT);
	ElfW(Ehdr) *eh = elfw_newehdr(e);
	if (!eh)
		goto out;
	memcpy(eh->e_ident, own->e_ident, EI_NIDENT);
	eh->e_type = ET_DYN;
	eh->e_machine = own->e_machine;
	eh->e_version = EV_CURRENT;
	eh->e_flags = own->e_flags;
	eh->e_phoff = lo->phoff;
	eh->e_shoff = lo->shoff;
	eh->e_shstrndx = (ElfW(Half))lo->index[SEC_SHSTRTAB];

	ElfW(Phdr) *ph = elfw_newphdr(e, lo->nphdr);
	if (!ph)
		goto out;
	size_t np = 0;
	ph[np++] = (ElfW(Phdr)){ .p_type = PT_LOAD, .p_flags = lo->flags,
		.p_filesz = lo->load_end, .p_memsz = lo->load_end,
		.p_align = lo->page };
	for (int i = SEC_TEXT; lo->hook && i <= SEC_DATA; i++) {
		const struct section *s = &lo->sec[i];
		ph[np++] = (ElfW(Phdr)){ .p_type = PT_LOAD,
			.p_flags = i == SEC_TEXT ? PF_R | PF_X : PF_R | PF_W,
			.p_offset = s->offset, .p_vaddr = s->offset,
			.p_paddr = s->offset, .p_filesz = s->size,
			.p_memsz = s->size, .p_align = lo->page };
	}
	const struct section *dyn = &lo->sec[SEC_DYNAMIC];
	ph[np++] = (ElfW(Phdr)){ .p_type = PT_DYNAMIC, .p_flags = lo->flags,
		.p_offset = dyn->offset, .p_vaddr = dyn->offset,
		.p_paddr = dyn->offset, .p_filesz = dyn->size,
		.p_memsz = dyn->size, .p_align = sizeof(ElfW(Addr)) };
	ph[np++] = (ElfW(Phdr)){ .p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W,
		.p_align = 16 };

	for (int i = 0; i < SEC_COUNT; i++) {
		const struct section *s = &lo->sec[i];
		if (!lo->index[i])
			continue;
		Elf_Scn *scn = elf_newscn(e);
		Elf_Data *data = scn ? elf_newdata(scn) : NULL;
		ElfW(Shdr) *sh = scn ? elfw_getshdr(scn) : NULL;
		if (!data || !sh)
			goto out;
		data->d_buf = s->type == SHT_NOBITS ? NULL : s->buf;
		data->d_size = s->size;
		data->d_type = ELF_T_BYTE;
		data->d_align = s->align;
		data->d_off = 0;
		data->d_version = EV_CURRENT;
		sh->sh_name = (ElfW(Word))shstr_off[i];
		sh->sh_type = s->type;
		sh->sh_flags = s->flags;
		sh->sh_addr = i == SEC_SHSTRTAB || i == SEC_TBSS ? 0 : s->offset;
		sh->sh_offset = s->offset;
		sh->sh_size = s->size;
		sh->sh_addralign = s->align;
		sh->sh_entsize = s->entsize;
		switch (i) {
		case SEC_HASH: case SEC_GNU_HASH: case SEC_VERSYM:
		case SEC_RELA:
			sh->sh_link = (ElfW(Word))lo->index[SEC_DYNSYM]; break;
		case SEC_DYNSYM:
			sh->sh_link = (ElfW(Word))lo->index[SEC_DYNSTR];
			sh->sh_info = 1; break;
		case SEC_VERDEF:
			sh->sh_link = (ElfW(Word))lo->index[SEC_DYNSTR];
			sh->sh_info = (ElfW(Word))nverdefs; break;
		case SEC_DYNAMIC:
			sh->sh_link = (ElfW(Word))lo->index[SEC_DYNSTR]; break;
		}
	}
	ok = elf_update(e, ELF_C_WRITE) >= 0;
out:
	elf_end(e);
	return ok;
}

/* The hook's code: an IRELATIVE resolver that calls HOOK(ARG, its own
 * address).  ld.so calls it while it relocates the image, with no
 * arguments; its own address is the one thing that tells the hook which
 * link map, of all the namespaces that load the image, is being made. */
static void hook_stub(unsigned char *text,
		      ElfW(Addr) (*hook)(void *, const void *), void *arg)
{
	static const unsigned char code[] = {
		0xf3, 0x0f, 0x1e, 0xfa,                   /* endbr64 */
		0x48, 0x8d, 0x35, 0xf5, 0xff, 0xff, 0xff, /* lea -11(%rip), %rsi */
		0x48, 0xbf, 0, 0, 0, 0, 0, 0, 0, 0,       /* movabs $ARG, %rdi */
		0x48, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0,       /* movabs $HOOK, %rax */
		0xff, 0xe0,                               /* jmp *%rax */
	};
	_Static_assert(sizeof code == HOOK_STUB_SIZE, "hook stub size");
	uint64_t a = (uint64_t)(uintptr_t)arg, h = (uint64_t)(uintptr_t)hook;
	memcpy(text, code, sizeof code);
	memcpy(text + 13, &a, sizeof a);
	memcpy(text + 23, &h, sizeof h);
}

bool nsshare_memfd_seal(int fd, unsigned seals)
{
	/* Asked once only where it is unknown: valgrind warns of each. */
	static bool unknown;
	if (__atomic_load_n(&unknown, __ATOMIC_RELAXED))
		return true;
	if (fcntl(fd, F_ADD_SEALS, seals) == 0)
		return true;
	if (errno != EINVAL)
		return false;
	__atomic_store_n(&unknown, true, __ATOMIC_RELAXED);
	return true;
}

static int memfd_sealed(const char *name)
{
	char memfd_name[240];
	snprintf(memfd_name, sizeof memfd_name, "nsshare:%s", name);
	return memfd_create(memfd_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
}

/* NSSHARE_DEBUG=images: the image written into FD for NAME, since T0. */
static void debug_image(const char *name, int fd, const struct timespec *t0)
{
	struct timespec t1;
	struct stat st;
	if (!nsshare_debug_on(NSSHARE_DEBUG_IMAGES) || fstat(fd, &st) < 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	nsshare_debug(NSSHARE_DEBUG_IMAGES, "image=%s;  fd %d, %lld bytes, "
		      "built in %ld us", name, fd, (long long)st.st_size,
		      (long)((t1.tv_sec - t0->tv_sec) * 1000000 +
			     (t1.tv_nsec - t0->tv_nsec) / 1000));
}

int nsshare_image_write(const struct nsshare_image_spec *spec, const char *name)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	const ElfW(Ehdr) *own = own_ehdr();
	if (!own || elf_version(EV_CURRENT) == EV_NONE) {
		nsshare_error(name, "cannot start libelf");
		return -1;
	}
	struct strtab dynstr = { 0 }, shstr = { 0 };
	struct layout lo = { .page = (size_t)sysconf(_SC_PAGESIZE),
			     .flags = image_flags(), .hook = spec->hook != NULL };
	size_t shstr_off[SEC_COUNT];
	/* NEEDED..., SONAME, 6 table tags, 3 version tags, 3 relocation
	 * tags, DT_NULL. */
	size_t ndyn = spec->nneeded + 15;
	unsigned char text[HOOK_STUB_SIZE];
	ElfW(Addr) word = 0;
	ElfW(Rela) rela = { 0 };
	ElfW(Dyn) *dynamic = calloc(ndyn, sizeof *dynamic);
	/* A base copy's table is the image's as it is; symbols of their own
	 * are hashed and sorted into one. */
	const bool table = spec->table != NULL;
	size_t nsyms = table ? spec->table_nsyms - 1 : spec->nsyms;
	ElfW(Sym) *dynsym = table ? spec->table : calloc(nsyms + 1, sizeof *dynsym);
	ElfW(Half) *versym = table ? spec->table_versym
				   : calloc(nsyms + 1, sizeof *versym);
	size_t hash_size = 0, gnu_hash_size = 0, verdef_size = 0;
	/* Chains of two on average: a proxy's lookups then cost what the base
	 * copy's do (dlsym through the proxy measured 5% slower with four). */
	uint32_t nbuckets = (uint32_t)(nsyms / 2 + 1);
	struct ordered_sym *order = table ? NULL : symbols_order(spec, nbuckets);
	uint32_t *hash = order && spec->sysv_hash
				 ? hash_build(order, nsyms, &hash_size) : NULL;
	uint32_t *gnu_hash = NULL;
	if (order) {
		gnu_hash = gnu_hash_build(order, nsyms, nbuckets, &gnu_hash_size);
	} else if (table && (gnu_hash = malloc(spec->table_gnu_hash_size))) {
		gnu_hash_size = spec->table_gnu_hash_size;
		memcpy(gnu_hash, spec->table_gnu_hash, gnu_hash_size);
	}
	bool started = strtab_start(&dynstr, spec->strtab, spec->strsz);
	ElfW(Verdef) *verdef = verdef_build(spec, &dynstr, &verdef_size);
	int fd = -1;
	if (!started || !dynamic || !dynsym || !versym ||
	    (spec->sysv_hash && !hash) || !gnu_hash || !verdef) {
		errno = ENOMEM;
		goto fail;
	}
	/* A table's names are offsets into the string table it came with. */
	if (table && dynstr.base != spec->strtab) {
		errno = EINVAL;
		goto fail;
	}
	for (size_t i = 0; order && i < nsyms; i++) {
		const struct nsshare_image_sym *s = order[i].sym;
		dynsym[i + 1] = (ElfW(Sym)){
			.st_name = (ElfW(Word))strtab_add(&dynstr, s->name),
			.st_info = s->info, .st_shndx = SHN_ABS,
			.st_value = s->value, .st_size = s->size };
		versym[i + 1] = s->versym;
	}
	size_t nd = 0;
	for (size_t i = 0; i < spec->nneeded; i++)
		dynamic[nd++] = (ElfW(Dyn)){ DT_NEEDED,
			{ strtab_add(&dynstr, spec->needed[i]) } };
	if (spec->soname)
		dynamic[nd++] = (ElfW(Dyn)){ DT_SONAME,
			{ strtab_add(&dynstr, spec->soname) } };
	for (int i = 0; i < SEC_COUNT; i++)
		shstr_off[i] = strtab_add(&shstr, section_name[i]);
	if (dynstr.failed || shstr.failed) {
		errno = ENOMEM;
		goto fail;
	}

	bool versioned = spec->nverdefs > 0;
	lo.sec[SEC_HASH] = (struct section){ hash, hash_size, 8, 0, SHT_HASH,
		SHF_ALLOC, sizeof(uint32_t) };
	lo.sec[SEC_GNU_HASH] = (struct section){ gnu_hash, gnu_hash_size, 8, 0,
		SHT_GNU_HASH, SHF_ALLOC, 0 };
	lo.sec[SEC_DYNSYM] = (struct section){ dynsym,
		(nsyms + 1) * sizeof *dynsym, 8, 0, SHT_DYNSYM,
		SHF_ALLOC, sizeof *dynsym };
	lo.sec[SEC_DYNSTR] = (struct section){ dynstr.buf, dynstr.len, 1, 0,
		SHT_STRTAB, SHF_ALLOC, 0 };
	lo.sec[SEC_VERSYM] = (struct section){ versym,
		versioned ? (nsyms + 1) * sizeof *versym : 0, 2, 0,
		SHT_GNU_versym, SHF_ALLOC, sizeof *versym };
	lo.sec[SEC_VERDEF] = (struct section){ verdef, verdef_size, 8, 0,
		SHT_GNU_verdef, SHF_ALLOC, 0 };
	lo.sec[SEC_DYNAMIC] = (struct section){ dynamic, ndyn * sizeof *dynamic,
		8, 0, SHT_DYNAMIC,
		SHF_ALLOC | (lo.flags & PF_W ? SHF_WRITE : 0), sizeof *dynamic };
	lo.sec[SEC_SHSTRTAB] = (struct section){ shstr.buf, shstr.len, 1, 0,
		SHT_STRTAB, 0, 0 };
	if (lo.hook) {
		lo.sec[SEC_RELA] = (struct section){ &rela, sizeof rela, 8, 0,
			SHT_RELA, SHF_ALLOC, sizeof rela };
		lo.sec[SEC_TEXT] = (struct section){ text, sizeof text, 16, 0,
			SHT_PROGBITS, SHF_ALLOC | SHF_EXECINSTR, 0 };
		lo.sec[SEC_DATA] = (struct section){ &word, sizeof word, 8, 0,
			SHT_PROGBITS, SHF_ALLOC | SHF_WRITE, 0 };
	}
	/* What TLS symbols' offsets are in: the base copy's block. */
	lo.sec[SEC_TBSS] = (struct section){ NULL, spec->tls_size, 1, 0,
		SHT_NOBITS, SHF_ALLOC | SHF_WRITE | SHF_TLS, 0 };
	layout_place(&lo);
	for (size_t i = 0; i < nsyms; i++)
		if (ELF64_ST_TYPE(dynsym[i + 1].st_info) == STT_TLS)
			dynsym[i + 1].st_shndx = (ElfW(Half))lo.index[SEC_TBSS];
	if (lo.hook) {
		hook_stub(text, spec->hook, spec->hook_arg);
		rela = (ElfW(Rela)){ .r_offset = lo.sec[SEC_DATA].offset,
			.r_info = ELF64_R_INFO(0, R_X86_64_IRELATIVE),
			.r_addend = (ElfW(Sxword))lo.sec[SEC_TEXT].offset };
		dynamic[nd++] = (ElfW(Dyn)){ DT_RELA, { lo.sec[SEC_RELA].offset } };
		dynamic[nd++] = (ElfW(Dyn)){ DT_RELASZ, { sizeof rela } };
		dynamic[nd++] = (ElfW(Dyn)){ DT_RELAENT, { sizeof rela } };
	}

	/* The dynamic section points at the placed sections. */
	if (spec->sysv_hash)
		dynamic[nd++] = (ElfW(Dyn)){ DT_HASH, { lo.sec[SEC_HASH].offset } };
	dynamic[nd++] = (ElfW(Dyn)){ DT_GNU_HASH, { lo.sec[SEC_GNU_HASH].offset } };
	dynamic[nd++] = (ElfW(Dyn)){ DT_STRTAB, { lo.sec[SEC_DYNSTR].offset } };
	dynamic[nd++] = (ElfW(Dyn)){ DT_SYMTAB, { lo.sec[SEC_DYNSYM].offset } };
	dynamic[nd++] = (ElfW(Dyn)){ DT_STRSZ, { dynstr.len } };
	dynamic[nd++] = (ElfW(Dyn)){ DT_SYMENT, { sizeof *dynsym } };
	if (versioned) {
		dynamic[nd++] = (ElfW(Dyn)){ DT_VERSYM,
			{ lo.sec[SEC_VERSYM].offset } };
		dynamic[nd++] = (ElfW(Dyn)){ DT_VERDEF,
			{ lo.sec[SEC_VERDEF].offset } };
		dynamic[nd++] = (ElfW(Dyn)){ DT_VERDEFNUM, { spec->nverdefs } };
	}
	/* The rest stays DT_NULL. */

	fd = memfd_sealed(name);
	if (fd < 0)
		goto fail;
	if (!elf_emit(fd, &lo, own, shstr_off, spec->nverdefs)) {
		nsshare_error(name, "cannot write proxy image: %s",
			      elf_errmsg(-1));
		close(fd);
		fd = -1;
		goto out;
	}
	if (!nsshare_memfd_seal(fd, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE |
				    F_SEAL_SEAL))
		goto fail;
	debug_image(name, fd, &t0);
	goto out;
fail:
	nsshare_error(name, "cannot write proxy image: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
out:
	free(dynamic);
	if (!table) {
		free(dynsym);
		free(versym);
	}
	free(hash);
	free(gnu_hash);
	free(order);
	free(verdef);
	free(dynstr.buf);
	free(shstr.buf);
	return fd;
}

ino_t nsshare_fd_ino(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? st.st_ino : 0;
}
