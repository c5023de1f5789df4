/* Unit tests of src/image.c: writing a proxy image.  Each test writes an
 * image from a spec, reads the memfd back with libelf and checks it field
 * by field against the spec; then glibc's own dlmopen loads it into a new
 * namespace and dlsym/dlvsym, and a module binding its symbols, must see
 * exactly the spec's absolute values.
 *
 * This program does not link libnsshare: it compiles the sources it needs,
 * so dlmopen here is glibc's. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <gnu/libc-version.h>
#include <libelf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "unit.h"

/* ---- What the proxies in these tests point at: code and data of this
 * program, in the base namespace. */

int unit_impl_old(void);
int unit_impl_new(void);
int unit_impl_old(void)
{
	return 101;
}
int unit_impl_new(void)
{
	return 202;
}
int unit_data = 303;

/* A value no load address was added to: SHN_ABS is taken at face value. */
#define UNIT_CONST ((ElfW(Addr))0x12345670)

#define ADDR(p) ((ElfW(Addr))(uintptr_t)(p))

/* ---- Specs */

/* SONAME libunitstub.so with the versions unituser.c was linked against;
 * stub_func twice, the UNITSTUB_1 one hidden. */
static const struct nsshare_verdef stub_verdefs[] = {
	{ 1, VER_FLG_BASE, "libunitstub.so" },
	{ 2, 0, "UNITSTUB_1" },
	{ 3, 0, "UNITSTUB_2" },
};

static struct nsshare_image_sym stub_syms[5];

static void stub_syms_init(void)
{
	struct nsshare_image_sym syms[] = {
		{ "stub_func", ADDR(unit_impl_old), 16,
		  ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 0x8000 | 2 },
		{ "stub_func", ADDR(unit_impl_new), 24,
		  ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 3 },
		{ "stub_data", ADDR(&unit_data), sizeof unit_data,
		  ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 2 },
		{ "stub_const", UNIT_CONST, 8,
		  ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 2 },
		{ "stub_weak", ADDR(unit_impl_new), 0,
		  ELF64_ST_INFO(STB_WEAK, STT_FUNC), 3 },
	};
	memcpy(stub_syms, syms, sizeof syms);
}

static const char *const fake_needed[] = { "libunitneed1.so",
					   "libunitneed2.so.3" };
static const char *const user_needed[] = { UNIT_USER };

static struct nsshare_image_spec stub_spec(const char *const *needed,
					   size_t nneeded)
{
	stub_syms_init();
	return (struct nsshare_image_spec){
		.soname = "libunitstub.so",
		.needed = needed,
		.nneeded = nneeded,
		.syms = stub_syms,
		.nsyms = sizeof stub_syms / sizeof *stub_syms,
		.verdefs = stub_verdefs,
		.nverdefs = sizeof stub_verdefs / sizeof *stub_verdefs,
		.sysv_hash = true, /* both tables, so that both are checked */
	};
}

/* No version definitions at all. */
static struct nsshare_image_sym plain_syms[2];

static struct nsshare_image_spec plain_spec(void)
{
	struct nsshare_image_sym syms[] = {
		{ "plain_func", ADDR(unit_impl_new), 0,
		  ELF64_ST_INFO(STB_GLOBAL, STT_FUNC), 1 },
		{ "plain_const", UNIT_CONST, 0,
		  ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE), 1 },
	};
	memcpy(plain_syms, syms, sizeof syms);
	return (struct nsshare_image_spec){
		.soname = "libunitplain.so",
		.syms = plain_syms,
		.nsyms = sizeof plain_syms / sizeof *plain_syms,
	};
}

/* ---- Reading an image back */

struct image {
	int fd;
	Elf *e;
	GElf_Ehdr eh;
	size_t shstrndx;
	Elf_Data *dynsym, *hash; /* looked up once: lookups walk them a lot */
	size_t dynstr_ndx;
};

static int write_image(const struct nsshare_image_spec *spec, const char *name)
{
	int fd = nsshare_image_write(spec, name);
	ck_assert_msg(fd >= 0, "nsshare_image_write: %s", dlerror());
	return fd;
}

static void image_close(struct image *im)
{
	elf_end(im->e);
	close(im->fd);
}

/* The section called NAME, or NULL. */
static Elf_Scn *image_section(const struct image *im, const char *name,
			      GElf_Shdr *sh)
{
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im->e, scn));) {
		ck_assert_ptr_nonnull(gelf_getshdr(scn, sh));
		const char *n = elf_strptr(im->e, im->shstrndx, sh->sh_name);
		if (n && strcmp(n, name) == 0)
			return scn;
	}
	return NULL;
}

static Elf_Data *image_data(const struct image *im, const char *name,
			    GElf_Shdr *sh)
{
	Elf_Scn *scn = image_section(im, name, sh);
	ck_assert_msg(scn, "no section %s", name);
	Elf_Data *d = elf_getdata(scn, NULL);
	ck_assert_msg(d || sh->sh_size == 0, "%s: %s", name, elf_errmsg(-1));
	return d;
}

static void image_open(struct image *im, int fd)
{
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	im->fd = fd;
	im->e = elf_begin(fd, ELF_C_READ, NULL);
	ck_assert_msg(im->e, "elf_begin: %s", elf_errmsg(-1));
	ck_assert_int_eq(elf_kind(im->e), ELF_K_ELF);
	ck_assert_ptr_nonnull(gelf_getehdr(im->e, &im->eh));
	ck_assert_int_eq(elf_getshdrstrndx(im->e, &im->shstrndx), 0);
	GElf_Shdr sh;
	im->dynsym = image_data(im, ".dynsym", &sh);
	im->dynstr_ndx = sh.sh_link;
	im->hash = image_data(im, ".hash", &sh);
}

/* Value of the first dynamic entry with TAG; false if there is none
 * before DT_NULL. */
static bool image_dyn(const struct image *im, GElf_Sxword tag, GElf_Xword *val)
{
	GElf_Shdr sh;
	Elf_Data *d = image_data(im, ".dynamic", &sh);
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Dyn dyn;
		ck_assert_ptr_nonnull(gelf_getdyn(d, (int)i, &dyn));
		if (dyn.d_tag == DT_NULL)
			return false;
		if (dyn.d_tag == tag) {
			if (val)
				*val = dyn.d_un.d_val;
			return true;
		}
	}
	ck_abort_msg(".dynamic has no DT_NULL");
	return false;
}

static const char *image_dynstr(const struct image *im, size_t off)
{
	GElf_Shdr sh;
	Elf_Scn *scn = image_section(im, ".dynstr", &sh);
	ck_assert_ptr_nonnull(scn);
	const char *s = elf_strptr(im->e, elf_ndxscn(scn), off);
	ck_assert_ptr_nonnull(s);
	return s;
}

static const char *image_sym_name(const struct image *im, size_t i)
{
	GElf_Sym sym;
	ck_assert_ptr_nonnull(gelf_getsym(im->dynsym, (int)i, &sym));
	const char *s = elf_strptr(im->e, im->dynstr_ndx, sym.st_name);
	ck_assert_ptr_nonnull(s);
	return s;
}

/* The SysV ABI's hash function, written out independently of object.c. */
static uint32_t ref_elf_hash(const char *name)
{
	uint32_t h = 0;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		uint32_t g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

/* Whether symbol index WANT is on the DT_HASH chain NAME hashes to, as
 * ld.so walks it (every entry of a name must be reachable: it picks the
 * one whose version matches). */
static bool hash_reaches(const struct image *im, const char *name, size_t want)
{
	const uint32_t *w = im->hash->d_buf;
	uint32_t nbucket = w[0];
	const uint32_t *bucket = w + 2, *chain = bucket + nbucket;
	for (uint32_t i = bucket[ref_elf_hash(name) % nbucket]; i; i = chain[i])
		if (i == want)
			return true;
	return false;
}

/* The image index of spec symbol S: the image orders symbols by GNU hash
 * bucket, so it is found by name and value. */
static size_t image_index_of(const struct image *im,
			     const struct nsshare_image_sym *s, size_t nsyms)
{
	for (size_t i = 1; i <= nsyms; i++) {
		GElf_Sym sym;
		ck_assert_ptr_nonnull(gelf_getsym(im->dynsym, (int)i, &sym));
		if (sym.st_value == s->value &&
		    strcmp(image_sym_name(im, i), s->name) == 0)
			return i;
	}
	return 0;
}

/* The GNU hash function, written out independently of object.c. */
static uint32_t ref_gnu_hash(const char *name)
{
	uint32_t h = 5381;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h << 5) + h + *p;
	return h;
}

/* Whether symbol index WANT passes NAME's Bloom filter and is on NAME's
 * DT_GNU_HASH chain, as ld.so walks it. */
static bool gnu_hash_reaches(const struct image *im, const char *name,
			     size_t want)
{
	GElf_Shdr sh;
	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(im->e, scn))) {
		gelf_getshdr(scn, &sh);
		if (sh.sh_type == SHT_GNU_HASH)
			break;
	}
	ck_assert_ptr_nonnull(scn);
	const uint32_t *gh = elf_getdata(scn, NULL)->d_buf;
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2];
	uint32_t shift = gh[3];
	const uint64_t *bloom = (const uint64_t *)(gh + 4);
	const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
	const uint32_t *chain = buckets + nbuckets;
	uint32_t h = ref_gnu_hash(name);
	uint64_t word = bloom[(h / 64) % bloom_size];
	if (!((word >> (h % 64)) & 1) || !((word >> ((h >> shift) % 64)) & 1))
		return false;
	for (uint32_t i = buckets[h % nbuckets]; i >= symoffset && i; i++) {
		uint32_t h2 = chain[i - symoffset];
		if (i == want)
			return (h | 1) == (h2 | 1);
		if (h2 & 1)
			break;
	}
	return false;
}

/* Some index whose name is NAME on NAME's chain, or 0. */
static size_t hash_lookup(const struct image *im, const char *name)
{
	const uint32_t *w = im->hash->d_buf;
	uint32_t nbucket = w[0];
	const uint32_t *bucket = w + 2, *chain = bucket + nbucket;
	for (uint32_t i = bucket[ref_elf_hash(name) % nbucket]; i; i = chain[i])
		if (strcmp(image_sym_name(im, i), name) == 0)
			return i;
	return 0;
}

/* The ELF header of this machine's libc, read from its file. */
static GElf_Ehdr host_ehdr(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
	struct link_map *lm = NULL;
	ck_assert_ptr_nonnull(h);
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	int fd = open(lm->l_name, O_RDONLY | O_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	GElf_Ehdr eh;
	ck_assert_ptr_nonnull(gelf_getehdr(e, &eh));
	elf_end(e);
	close(fd);
	dlclose(h);
	return eh;
}

/* ---- The versioned image, read back */

START_TEST(header)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "header"));
	GElf_Ehdr host = host_ehdr();
	ck_assert_int_eq(memcmp(im.eh.e_ident, ELFMAG, SELFMAG), 0);
	ck_assert_uint_eq(im.eh.e_ident[EI_CLASS], host.e_ident[EI_CLASS]);
	ck_assert_uint_eq(im.eh.e_ident[EI_DATA], host.e_ident[EI_DATA]);
	ck_assert_uint_eq(im.eh.e_ident[EI_VERSION], EV_CURRENT);
	ck_assert_uint_eq(im.eh.e_type, ET_DYN);
	ck_assert_uint_eq(im.eh.e_machine, host.e_machine);
	ck_assert_uint_eq(im.eh.e_version, EV_CURRENT);
	ck_assert_uint_eq(im.eh.e_entry, 0);
	image_close(&im);
}
END_TEST

START_TEST(program_headers)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "phdrs"));
	size_t phnum;
	ck_assert_int_eq(elf_getphdrnum(im.e, &phnum), 0);
	GElf_Phdr load = { 0 }, dynamic = { 0 }, stack = { 0 };
	int nload = 0, ndynamic = 0, nstack = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		ck_assert_ptr_nonnull(gelf_getphdr(im.e, (int)i, &ph));
		switch (ph.p_type) {
		case PT_LOAD: load = ph; nload++; break;
		case PT_DYNAMIC: dynamic = ph; ndynamic++; break;
		case PT_GNU_STACK: stack = ph; nstack++; break;
		case PT_INTERP:
			ck_abort_msg("a shared object has no PT_INTERP");
		}
	}
	ck_assert_int_eq(nload, 1);
	ck_assert_int_eq(ndynamic, 1);
	ck_assert_int_eq(nstack, 1);

	/* One segment, never executable; writable only for a glibc that
	 * writes into .dynamic (before 2.35, src/image.c). */
	bool rewrites = !nsshare_glibc_at_least(gnu_get_libc_version(), 2, 35);
	ck_assert_uint_eq(load.p_flags, rewrites ? PF_R | PF_W : PF_R);
	ck_assert_uint_eq(dynamic.p_flags, load.p_flags);
	ck_assert_uint_eq(load.p_offset, 0);
	ck_assert_uint_eq(load.p_vaddr, 0);
	ck_assert_uint_eq(load.p_filesz, load.p_memsz);
	ck_assert_uint_eq(load.p_align, (GElf_Xword)sysconf(_SC_PAGESIZE));

	GElf_Shdr sh;
	ck_assert_ptr_nonnull(image_section(&im, ".dynamic", &sh));
	ck_assert_uint_eq(dynamic.p_offset, sh.sh_offset);
	ck_assert_uint_eq(dynamic.p_vaddr, sh.sh_addr);
	ck_assert_uint_eq(dynamic.p_filesz, sh.sh_size);
	ck_assert_uint_le(dynamic.p_vaddr + dynamic.p_memsz, load.p_memsz);
	ck_assert_uint_eq(dynamic.p_flags & PF_X, 0);

	/* RW, no X: glibc 2.41 refuses executable stacks (glibc-facts 6). */
	ck_assert_uint_eq(stack.p_flags, PF_R | PF_W);

	/* Every allocated section lies in the load segment, at an address
	 * equal to its offset (the image is mapped at its file layout). */
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(im.e, scn));) {
		ck_assert_ptr_nonnull(gelf_getshdr(scn, &sh));
		if (!(sh.sh_flags & SHF_ALLOC))
			continue;
		ck_assert_uint_eq(sh.sh_addr, sh.sh_offset);
		ck_assert_uint_le(sh.sh_offset + sh.sh_size, load.p_filesz);
	}
	image_close(&im);
}
END_TEST

START_TEST(sections)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "sections"));
	static const struct {
		const char *name;
		GElf_Word type;
		const char *link;
	} want[] = {
		{ ".hash", SHT_HASH, ".dynsym" },
		{ ".gnu.hash", SHT_GNU_HASH, ".dynsym" },
		{ ".dynsym", SHT_DYNSYM, ".dynstr" },
		{ ".dynstr", SHT_STRTAB, NULL },
		{ ".gnu.version", SHT_GNU_versym, ".dynsym" },
		{ ".gnu.version_d", SHT_GNU_verdef, ".dynstr" },
		{ ".dynamic", SHT_DYNAMIC, ".dynstr" },
		{ ".shstrtab", SHT_STRTAB, NULL },
	};
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		GElf_Shdr sh, linked;
		Elf_Scn *scn = image_section(&im, want[i].name, &sh);
		ck_assert_msg(scn, "no section %s", want[i].name);
		ck_assert_msg(sh.sh_type == want[i].type, "%s: type %u",
			      want[i].name, sh.sh_type);
		if (want[i].link) {
			Elf_Scn *l = image_section(&im, want[i].link, &linked);
			ck_assert_msg(sh.sh_link == elf_ndxscn(l),
				      "%s: sh_link %u", want[i].name,
				      sh.sh_link);
		}
	}
	GElf_Shdr sh;
	image_section(&im, ".dynsym", &sh);
	ck_assert_uint_eq(sh.sh_entsize, sizeof(ElfW(Sym)));
	ck_assert_uint_eq(sh.sh_size, (spec.nsyms + 1) * sizeof(ElfW(Sym)));
	ck_assert_uint_eq(sh.sh_info, 1); /* no local symbols but index 0 */
	image_section(&im, ".gnu.version_d", &sh);
	ck_assert_uint_eq(sh.sh_info, spec.nverdefs);
	image_close(&im);
}
END_TEST

START_TEST(symbols)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "symbols"));
	GElf_Shdr sh;
	Elf_Data *d = image_data(&im, ".dynsym", &sh);
	GElf_Sym sym;
	ck_assert_ptr_nonnull(gelf_getsym(d, 0, &sym));
	ck_assert_uint_eq(sym.st_name, 0);
	ck_assert_uint_eq(sym.st_value, 0);
	ck_assert_uint_eq(sym.st_shndx, SHN_UNDEF);
	for (size_t i = 0; i < spec.nsyms; i++) {
		const struct nsshare_image_sym *s = &spec.syms[i];
		size_t k = image_index_of(&im, s, spec.nsyms);
		ck_assert_msg(k, "%s not in the image", s->name);
		ck_assert_ptr_nonnull(gelf_getsym(d, (int)k, &sym));
		ck_assert_uint_eq(sym.st_shndx, SHN_ABS);
		ck_assert_uint_eq(sym.st_value, s->value);
		ck_assert_uint_eq(sym.st_size, s->size);
		ck_assert_uint_eq(sym.st_info, s->info);
		ck_assert_uint_eq(GELF_ST_VISIBILITY(sym.st_other), STV_DEFAULT);
	}
	image_close(&im);
}
END_TEST

START_TEST(versions)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "versions"));
	GElf_Shdr sh;
	Elf_Data *d = image_data(&im, ".gnu.version", &sh);
	ck_assert_uint_eq(sh.sh_size, (spec.nsyms + 1) * sizeof(ElfW(Half)));
	GElf_Versym v;
	ck_assert_ptr_nonnull(gelf_getversym(d, 0, &v));
	ck_assert_uint_eq(v, 0);
	for (size_t i = 0; i < spec.nsyms; i++) {
		size_t k = image_index_of(&im, &spec.syms[i], spec.nsyms);
		ck_assert_ptr_nonnull(gelf_getversym(d, (int)k, &v));
		ck_assert_uint_eq(v, spec.syms[i].versym);
	}
	/* The hidden stub_func really carries the hidden bit. */
	ck_assert_ptr_nonnull(gelf_getversym(
		d, (int)image_index_of(&im, &spec.syms[0], spec.nsyms), &v));
	ck_assert_uint_eq(v, 0x8002);

	d = image_data(&im, ".gnu.version_d", &sh);
	size_t off = 0;
	for (size_t i = 0; i < spec.nverdefs; i++) {
		GElf_Verdef vd;
		GElf_Verdaux aux;
		ck_assert_ptr_nonnull(gelf_getverdef(d, (int)off, &vd));
		ck_assert_ptr_nonnull(gelf_getverdaux(d, (int)(off + vd.vd_aux),
						      &aux));
		const char *name = image_dynstr(&im, aux.vda_name);
		ck_assert_uint_eq(vd.vd_version, VER_DEF_CURRENT);
		ck_assert_uint_eq(vd.vd_ndx, spec.verdefs[i].ndx);
		ck_assert_uint_eq(vd.vd_flags, spec.verdefs[i].flags);
		ck_assert_uint_eq(vd.vd_cnt, 1);
		ck_assert_str_eq(name, spec.verdefs[i].name);
		/* ld.so matches a needed version by vd_hash first. */
		ck_assert_msg(vd.vd_hash == ref_elf_hash(name),
			      "%s: vd_hash %#x", name, vd.vd_hash);
		ck_assert_uint_eq(aux.vda_next, 0);
		if (i + 1 == spec.nverdefs)
			ck_assert_uint_eq(vd.vd_next, 0);
		else
			ck_assert_uint_ne(vd.vd_next, 0);
		off += vd.vd_next;
	}
	image_close(&im);
}
END_TEST

START_TEST(dynamic)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "dynamic"));
	GElf_Shdr sh, dynstr;
	Elf_Data *d = image_data(&im, ".dynamic", &sh);
	ck_assert_ptr_nonnull(image_section(&im, ".dynstr", &dynstr));

	/* DT_NEEDED in the spec's order, DT_SONAME once. */
	size_t nneeded = 0, nsoname = 0;
	for (size_t i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
		GElf_Dyn dyn;
		ck_assert_ptr_nonnull(gelf_getdyn(d, (int)i, &dyn));
		if (dyn.d_tag == DT_NULL)
			break;
		if (dyn.d_tag == DT_NEEDED) {
			ck_assert_uint_lt(nneeded, spec.nneeded);
			ck_assert_str_eq(image_dynstr(&im, dyn.d_un.d_val),
					 spec.needed[nneeded]);
			nneeded++;
		} else if (dyn.d_tag == DT_SONAME) {
			ck_assert_str_eq(image_dynstr(&im, dyn.d_un.d_val),
					 "libunitstub.so");
			nsoname++;
		}
		/* Nothing that would make ld.so run or relocate anything. */
		ck_assert(dyn.d_tag != DT_TEXTREL && dyn.d_tag != DT_INIT &&
			  dyn.d_tag != DT_RELA && dyn.d_tag != DT_JMPREL &&
			  dyn.d_tag != DT_VERNEED);
	}
	ck_assert_uint_eq(nneeded, spec.nneeded);
	ck_assert_uint_eq(nsoname, 1);

	/* The table tags point at the sections (address == offset). */
	static const struct {
		GElf_Sxword tag;
		const char *section;
	} ptrs[] = {
		{ DT_HASH, ".hash" },	     { DT_STRTAB, ".dynstr" },
		{ DT_SYMTAB, ".dynsym" },    { DT_VERSYM, ".gnu.version" },
		{ DT_VERDEF, ".gnu.version_d" },
	};
	for (size_t i = 0; i < sizeof ptrs / sizeof *ptrs; i++) {
		GElf_Xword val;
		GElf_Shdr s;
		ck_assert_msg(image_dyn(&im, ptrs[i].tag, &val), "no tag %s",
			      ptrs[i].section);
		ck_assert_ptr_nonnull(image_section(&im, ptrs[i].section, &s));
		ck_assert_msg(val == s.sh_addr, "tag for %s: %#lx, section at "
			      "%#lx", ptrs[i].section, (unsigned long)val,
			      (unsigned long)s.sh_addr);
	}
	GElf_Xword val;
	ck_assert(image_dyn(&im, DT_STRSZ, &val));
	ck_assert_uint_eq(val, dynstr.sh_size);
	ck_assert(image_dyn(&im, DT_SYMENT, &val));
	ck_assert_uint_eq(val, sizeof(ElfW(Sym)));
	ck_assert(image_dyn(&im, DT_VERDEFNUM, &val));
	ck_assert_uint_eq(val, spec.nverdefs);
	image_close(&im);
}
END_TEST

START_TEST(hash_table)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	struct image im;
	image_open(&im, write_image(&spec, "hash"));
	GElf_Shdr sh;
	Elf_Data *d = image_data(&im, ".hash", &sh);
	const uint32_t *w = d->d_buf;
	ck_assert_uint_ge(w[0], 1);                /* nbucket */
	ck_assert_uint_eq(w[1], spec.nsyms + 1);   /* nchain == symbols */
	ck_assert_uint_eq(sh.sh_size, (2 + w[0] + w[1]) * sizeof(uint32_t));
	for (size_t i = 0; i < spec.nsyms; i++) {
		size_t idx = image_index_of(&im, &spec.syms[i], spec.nsyms);
		ck_assert_msg(hash_reaches(&im, spec.syms[i].name, idx),
			      "%s (index %zu) is off its chain",
			      spec.syms[i].name, idx);
		ck_assert_msg(gnu_hash_reaches(&im, spec.syms[i].name, idx),
			      "%s (index %zu) is off its GNU hash chain",
			      spec.syms[i].name, idx);
		size_t k = hash_lookup(&im, spec.syms[i].name);
		ck_assert_uint_ne(k, 0);
		ck_assert_str_eq(image_sym_name(&im, k), spec.syms[i].name);
	}
	ck_assert_uint_eq(hash_lookup(&im, "nsshare_no_such_symbol"), 0);
	ck_assert_uint_eq(hash_lookup(&im, "stub_func_"), 0);
	image_close(&im);
}
END_TEST

/* The hash table holds up with many symbols (longer chains, names with
 * the high hash bits set), checked by walking it as ld.so does. */
START_TEST(hash_table_many)
{
	enum { N = 1000 };
	static struct nsshare_image_sym syms[N];
	static char names[N][48];
	for (size_t i = 0; i < N; i++) {
		snprintf(names[i], sizeof names[i], "unit_symbol_with_a_long_name_%zu", i);
		syms[i] = (struct nsshare_image_sym){ names[i], 0x1000 + i, 0,
			ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 1 };
	}
	struct nsshare_image_spec spec = { .soname = "libmany.so",
					   .syms = syms, .nsyms = N,
					   .sysv_hash = true };
	struct image im;
	image_open(&im, write_image(&spec, "many"));
	for (size_t i = 0; i < N; i++) {
		size_t want = image_index_of(&im, &syms[i], N);
		size_t k = hash_lookup(&im, names[i]);
		ck_assert_msg(k && k == want, "%s: found index %zu", names[i], k);
		ck_assert_msg(gnu_hash_reaches(&im, names[i], want),
			      "%s: off its GNU hash chain", names[i]);
	}
	ck_assert(!gnu_hash_reaches(&im, "unit_symbol_not_there", 1));
	image_close(&im);
}
END_TEST

/* Names that lie in spec.strtab keep their offsets in the image's string
 * table, which starts as a copy of it; shared tails stay shared. */
START_TEST(strtab_from_base)
{
	static const char base[] = "\0foo\0barfoo\0";
	struct nsshare_image_sym syms[] = {
		{ base + 1, 0x1000, 0, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 1 },
		{ base + 5, 0x2000, 0, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 1 },
		{ base + 8, 0x3000, 0, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 1 },
		{ "other", 0x4000, 0, ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT), 1 },
	};
	const size_t n = sizeof syms / sizeof *syms;
	struct nsshare_image_spec spec = { .soname = "libbase.so",
					   .syms = syms, .nsyms = n,
					   .strtab = base, .strsz = sizeof base };
	struct image im;
	image_open(&im, write_image(&spec, "base"));
	const size_t want[] = { 1, 5, 8, 0 };
	for (size_t i = 0; i < n; i++) {
		size_t idx = image_index_of(&im, &syms[i], n);
		GElf_Sym sym;
		ck_assert_ptr_nonnull(gelf_getsym(im.dynsym, (int)idx, &sym));
		ck_assert_str_eq(image_sym_name(&im, idx), syms[i].name);
		if (want[i])
			ck_assert_uint_eq(sym.st_name, want[i]);
		else
			ck_assert_uint_ge(sym.st_name, sizeof base);
	}
	GElf_Shdr sh;
	ck_assert_ptr_nonnull(image_section(&im, ".dynstr", &sh));
	/* The copy, "other", "libbase.so". */
	ck_assert_uint_eq(sh.sh_size, sizeof base + 6 + 11);
	image_close(&im);
}
END_TEST

START_TEST(fd_sealed)
{
	struct nsshare_image_spec spec = stub_spec(fake_needed, 2);
	int fd = write_image(&spec, "libunitstub.so");

	int seals = fcntl(fd, F_GET_SEALS);
	ck_assert_int_ge(seals, 0);
	ck_assert_int_eq(seals & (F_SEAL_WRITE | F_SEAL_SEAL),
			 F_SEAL_WRITE | F_SEAL_SEAL);
	ck_assert_int_eq(seals & (F_SEAL_SHRINK | F_SEAL_GROW),
			 F_SEAL_SHRINK | F_SEAL_GROW);
	int flags = fcntl(fd, F_GETFD);
	ck_assert_int_ge(flags, 0);
	ck_assert_int_eq(flags & FD_CLOEXEC, FD_CLOEXEC);

	/* The seals hold: the image cannot change under a namespace. */
	errno = 0;
	ck_assert_int_eq(pwrite(fd, "x", 1, 0), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(ftruncate(fd, 0), -1);
	ck_assert_int_eq(fcntl(fd, F_ADD_SEALS, 0), -1);

	/* Named after the object, for whoever lists /proc/PID/fd or maps. */
	char self[64], link[256];
	snprintf(self, sizeof self, "/proc/self/fd/%d", fd);
	ssize_t n = readlink(self, link, sizeof link - 1);
	ck_assert_int_gt(n, 0);
	link[n] = '\0';
	ck_assert_msg(strncmp(link, "/memfd:", 7) == 0 &&
		      strstr(link, "libunitstub.so"), "fd is %s", link);

	/* The path an auditor reads and a debugger opens ends in the name
	 * of what the image stands for, and names this very file. */
	char path[NSSHARE_IMAGE_PATH_MAX];
	nsshare_image_path(fd, "/some/dir/libunitstub.so", path);
	const char *tail = strrchr(path, '/');
	ck_assert_msg(tail && strcmp(tail, "/libunitstub.so") == 0 &&
		      strncmp(path, "/proc/", 6) != 0, "path is %s", path);
	ck_assert_int_eq(nsshare_image_path_fd(path), fd);
	ck_assert_int_eq(nsshare_image_path_fd("/lib/libunitstub.so"), -1);
	/* A second image on the same descriptor gets the same name. */
	char again[NSSHARE_IMAGE_PATH_MAX];
	nsshare_image_path(fd, "libunitstub.so", again);
	ck_assert_str_eq(again, path);
	struct stat a, b;
	ck_assert_int_eq(stat(path, &a), 0);
	ck_assert_int_eq(fstat(fd, &b), 0);
	ck_assert_uint_eq(a.st_ino, b.st_ino);
	ck_assert_uint_eq(a.st_dev, b.st_dev);
	close(fd);
}
END_TEST

/* ---- Loaded by glibc */

static void *load_image(int fd)
{
	char path[NSSHARE_IMAGE_PATH_MAX];
	nsshare_image_path(fd, NULL, path);
	void *h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW);
	ck_assert_msg(h, "dlmopen %s: %s", path, dlerror());
	Lmid_t ns = LM_ID_BASE;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LMID, &ns), 0);
	ck_assert_int_ne(ns, LM_ID_BASE);
	return h;
}

/* The namespace holding the code at ADDR. */
static Lmid_t code_ns(void *addr)
{
	Dl_info info;
	struct link_map *lm = NULL;
	ck_assert(dladdr1(addr, &info, (void **)&lm, RTLD_DL_LINKMAP));
	Lmid_t ns = -1;
	ck_assert_int_eq(dlinfo(lm, RTLD_DI_LMID, &ns), 0);
	return ns;
}

START_TEST(dlmopen_versioned)
{
	/* The image needs unituser.so, which needs libunitstub.so: the image
	 * itself satisfies that by SONAME, so the module binds to it. */
	struct nsshare_image_spec spec = stub_spec(user_needed, 1);
	int fd = write_image(&spec, "libunitstub.so");
	void *h = load_image(fd);

	/* Absolute values, not offset by the image's load address. */
	ck_assert_ptr_eq(dlsym(h, "stub_func"), (void *)unit_impl_new);
	ck_assert_ptr_eq(dlvsym(h, "stub_func", "UNITSTUB_2"),
			 (void *)unit_impl_new);
	ck_assert_ptr_eq(dlvsym(h, "stub_func", "UNITSTUB_1"),
			 (void *)unit_impl_old);
	ck_assert_ptr_eq(dlsym(h, "stub_data"), (void *)&unit_data);
	ck_assert_ptr_eq(dlvsym(h, "stub_data", "UNITSTUB_1"),
			 (void *)&unit_data);
	ck_assert_ptr_eq(dlsym(h, "stub_const"), (void *)UNIT_CONST);
	ck_assert_ptr_eq(dlsym(h, "stub_weak"), (void *)unit_impl_new);
	ck_assert_ptr_null(dlvsym(h, "stub_data", "UNITSTUB_2"));
	ck_assert_ptr_null(dlsym(h, "nsshare_no_such_symbol"));
	dlerror();

	/* The needed module was loaded into the image's namespace, after it. */
	struct link_map *lm = NULL;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	bool found = false;
	for (const struct link_map *l = lm->l_next; l && !found; l = l->l_next)
		found = strcmp(l->l_name, UNIT_USER) == 0;
	ck_assert_msg(found, "%s not loaded after the image", UNIT_USER);

	/* Its bindings, default, hidden version and data, land in this
	 * program's definitions in the base namespace. */
	int (*call_new)(void) = (int (*)(void))dlsym(h, "user_call_new");
	int (*call_old)(void) = (int (*)(void))dlsym(h, "user_call_old");
	int *(*data_addr)(void) = (int *(*)(void))dlsym(h, "user_data_addr");
	ck_assert(call_new && call_old && data_addr);
	Lmid_t ns;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LMID, &ns), 0);
	ck_assert_int_eq(code_ns((void *)call_new), ns);
	ck_assert_int_eq(call_new(), 202);
	ck_assert_int_eq(call_old(), 101);
	ck_assert_ptr_eq(data_addr(), &unit_data);

	ck_assert_int_eq(dlclose(h), 0);
	close(fd);
}
END_TEST

START_TEST(unversioned)
{
	struct nsshare_image_spec spec = plain_spec();
	int fd = write_image(&spec, "libunitplain.so");
	struct image im;
	image_open(&im, dup(fd));
	ck_assert(!image_dyn(&im, DT_VERSYM, NULL));
	ck_assert(!image_dyn(&im, DT_VERDEF, NULL));
	ck_assert(!image_dyn(&im, DT_VERDEFNUM, NULL));
	/* Not asked for: ld.so reads DT_GNU_HASH only. */
	ck_assert(!image_dyn(&im, DT_HASH, NULL));
	ck_assert(image_dyn(&im, DT_GNU_HASH, NULL));
	GElf_Xword val;
	ck_assert(image_dyn(&im, DT_SONAME, &val));
	ck_assert_str_eq(image_dynstr(&im, val), "libunitplain.so");
	/* No empty version tables either: BFD (gdb) warns of one beside
	 * a symbol table ("version count (0) does not match symbol
	 * count"). */
	GElf_Shdr sh;
	ck_assert_ptr_null(image_section(&im, ".gnu.version", &sh));
	ck_assert_ptr_null(image_section(&im, ".gnu.version_d", &sh));
	Elf_Data *d = image_data(&im, ".dynsym", &sh);
	for (size_t i = 0; i < spec.nsyms; i++) {
		GElf_Sym sym;
		ck_assert_ptr_nonnull(gelf_getsym(d, (int)i + 1, &sym));
		ck_assert_str_eq(image_sym_name(&im, i + 1), spec.syms[i].name);
		ck_assert_uint_eq(sym.st_shndx, SHN_ABS);
		ck_assert_uint_eq(sym.st_value, spec.syms[i].value);
		ck_assert_uint_eq(sym.st_info, spec.syms[i].info);
	}
	image_close(&im);

	void *h = load_image(fd);
	ck_assert_ptr_eq(dlsym(h, "plain_func"), (void *)unit_impl_new);
	ck_assert_ptr_eq(dlsym(h, "plain_const"), (void *)UNIT_CONST);
	ck_assert_int_eq(dlclose(h), 0);
	close(fd);
}
END_TEST

/* What a namespace root looks like: no SONAME, no symbols, only needs. */
START_TEST(root)
{
	const char *const needed[] = { UNIT_MOD_GNU };
	struct nsshare_image_spec spec = { .needed = needed, .nneeded = 1 };
	int fd = write_image(&spec, "root");
	struct image im;
	image_open(&im, dup(fd));
	ck_assert(!image_dyn(&im, DT_SONAME, NULL));
	GElf_Xword val;
	ck_assert(image_dyn(&im, DT_NEEDED, &val));
	ck_assert_str_eq(image_dynstr(&im, val), UNIT_MOD_GNU);
	GElf_Shdr sh;
	ck_assert_ptr_nonnull(image_section(&im, ".dynsym", &sh));
	ck_assert_uint_eq(sh.sh_size, sizeof(ElfW(Sym)));
	image_close(&im);

	void *h = load_image(fd);
	struct link_map *lm = NULL;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	ck_assert_ptr_nonnull(lm->l_next);
	ck_assert_str_eq(lm->l_next->l_name, UNIT_MOD_GNU);
	void *data = dlsym(h, "unitmod_data");
	ck_assert_ptr_nonnull(data);
	Lmid_t ns;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LMID, &ns), 0);
	ck_assert_int_eq(code_ns(data), ns);
	ck_assert_int_eq(*(int *)data, 7);
	ck_assert_int_eq(dlclose(h), 0);
	close(fd);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("image");
	TCase *tc = unit_tcase("read_back");
	tcase_add_test(tc, header);
	tcase_add_test(tc, program_headers);
	tcase_add_test(tc, sections);
	tcase_add_test(tc, symbols);
	tcase_add_test(tc, versions);
	tcase_add_test(tc, dynamic);
	tcase_add_test(tc, hash_table);
	tcase_add_test(tc, hash_table_many);
	tcase_add_test(tc, strtab_from_base);
	tcase_add_test(tc, fd_sealed);
	suite_add_tcase(s, tc);

	tc = unit_tcase("dlmopen");
	tcase_add_test(tc, dlmopen_versioned);
	tcase_add_test(tc, unversioned);
	tcase_add_test(tc, root);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
