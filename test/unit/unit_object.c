/* Unit tests of src/object.c: reading a loaded object (the base copy)
 * from its dynamic section in memory.  Every fact read from memory is
 * checked against the object's file, read independently with libelf, so
 * the expectations do not come from the code under test.
 *
 * Objects read: libc.so.6, libm.so.6, libz.so.1 (what a proxy must be
 * built from in practice) and libunitmod_{gnu,sysv}.so, the same small
 * module linked with only a GNU hash table and with only a SysV one. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "unit.h"

/* ---- The file side, read with libelf. */

struct elf_file {
	int fd;
	Elf *e;
	size_t nsyms;       /* SHT_DYNSYM sh_size / sh_entsize */
	Elf_Data *dynsym;
	size_t dynstr_ndx;  /* section index of the dynsym's string table */
	Elf_Data *versym;   /* NULL when unversioned */
	Elf_Data *verdef;   /* NULL when no version definitions */
	size_t nverdefs;    /* SHT_GNU_verdef sh_info */
};

static void elf_file_open(struct elf_file *f, const char *path)
{
	ck_assert_uint_ne(elf_version(EV_CURRENT), EV_NONE);
	memset(f, 0, sizeof *f);
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	ck_assert_msg(f->fd >= 0, "cannot open %s", path);
	f->e = elf_begin(f->fd, ELF_C_READ, NULL);
	ck_assert_msg(f->e, "%s: %s", path, elf_errmsg(-1));
	for (Elf_Scn *scn = NULL; (scn = elf_nextscn(f->e, scn));) {
		GElf_Shdr sh;
		ck_assert_ptr_nonnull(gelf_getshdr(scn, &sh));
		switch (sh.sh_type) {
		case SHT_DYNSYM:
			f->nsyms = sh.sh_size / sh.sh_entsize;
			f->dynsym = elf_getdata(scn, NULL);
			f->dynstr_ndx = sh.sh_link;
			break;
		case SHT_GNU_versym:
			f->versym = elf_getdata(scn, NULL);
			break;
		case SHT_GNU_verdef:
			f->verdef = elf_getdata(scn, NULL);
			f->nverdefs = sh.sh_info;
			break;
		}
	}
	ck_assert_msg(f->dynsym && f->nsyms > 1, "%s: no .dynsym", path);
}

static void elf_file_close(struct elf_file *f)
{
	elf_end(f->e);
	close(f->fd);
}

static GElf_Sym file_sym(const struct elf_file *f, size_t i)
{
	GElf_Sym s;
	ck_assert_ptr_nonnull(gelf_getsym(f->dynsym, (int)i, &s));
	return s;
}

static const char *file_sym_name(const struct elf_file *f, size_t i)
{
	GElf_Sym s = file_sym(f, i);
	return elf_strptr(f->e, f->dynstr_ndx, s.st_name);
}

/* A definition ld.so would bind to, as object.c is meant to see it. */
static bool file_sym_defined(const GElf_Sym *s)
{
	return s->st_shndx != SHN_UNDEF &&
	       GELF_ST_BIND(s->st_info) != STB_LOCAL;
}

/* ---- The memory side. */

static struct link_map *link_map_of(void *handle)
{
	struct link_map *lm = NULL;
	ck_assert_ptr_nonnull(handle);
	ck_assert_int_eq(dlinfo(handle, RTLD_DI_LINKMAP, &lm), 0);
	ck_assert_ptr_nonnull(lm);
	return lm;
}

/* libc is always there: open it without loading anything. */
static void *open_libc(void)
{
	void *h = dlopen("libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
	ck_assert_msg(h, "libc.so.6: %s", dlerror());
	return h;
}

static void *open_lib(const char *name)
{
	void *h = dlopen(name, RTLD_LAZY);
	ck_assert_msg(h, "%s: %s", name, dlerror());
	return h;
}

static void read_object(void *handle, struct nsshare_object *obj)
{
	struct link_map *lm = link_map_of(handle);
	ck_assert_msg(nsshare_object_read(lm, obj), "%s: %s", lm->l_name,
		      dlerror());
	ck_assert_ptr_eq(obj->lm, lm);
}

/* Index of the symbol a lookup returned, checking it points into the
 * object's own table. */
static size_t sym_index(const struct nsshare_object *obj, const ElfW(Sym) *s)
{
	ck_assert_ptr_nonnull(s);
	ck_assert(s >= obj->symtab && s < obj->symtab + obj->nsyms);
	return (size_t)(s - obj->symtab);
}

/* The whole dynamic symbol table as read from memory is the file's: same
 * count (what readelf --dyn-syms lists), same entries, same versions. */
static void check_symbols_match_file(const struct nsshare_object *obj)
{
	struct elf_file f;
	elf_file_open(&f, obj->lm->l_name);
	ck_assert_msg(obj->nsyms == f.nsyms, "%s: nsyms %zu, file has %zu",
		      obj->lm->l_name, obj->nsyms, f.nsyms);
	for (size_t i = 0; i < f.nsyms; i++) {
		GElf_Sym fs = file_sym(&f, i);
		const ElfW(Sym) *ms = &obj->symtab[i];
		ck_assert_uint_eq(ms->st_name, fs.st_name);
		ck_assert_uint_eq(ms->st_info, fs.st_info);
		ck_assert_uint_eq(ms->st_shndx, fs.st_shndx);
		ck_assert_uint_eq(ms->st_value, fs.st_value);
		ck_assert_uint_eq(ms->st_size, fs.st_size);
		ck_assert_str_eq(obj->strtab + ms->st_name,
				 file_sym_name(&f, i));
	}
	ck_assert_int_eq(obj->versym != NULL, f.versym != NULL);
	for (size_t i = 0; f.versym && i < f.nsyms; i++) {
		GElf_Versym v;
		ck_assert_ptr_nonnull(gelf_getversym(f.versym, (int)i, &v));
		ck_assert_msg(obj->versym[i] == v, "%s: versym[%zu] %#x, file %#x",
			      obj->lm->l_name, i, obj->versym[i], v);
	}
	elf_file_close(&f);
}

/* Version definitions as read from memory are the file's, in order. */
static void check_verdefs_match_file(const struct nsshare_object *obj)
{
	struct elf_file f;
	elf_file_open(&f, obj->lm->l_name);
	ck_assert_uint_eq(obj->nverdefs, f.nverdefs);
	size_t off = 0;
	for (size_t i = 0; i < f.nverdefs; i++) {
		GElf_Verdef vd;
		GElf_Verdaux aux;
		ck_assert_ptr_nonnull(gelf_getverdef(f.verdef, (int)off, &vd));
		ck_assert_ptr_nonnull(
			gelf_getverdaux(f.verdef, (int)(off + vd.vd_aux), &aux));
		ck_assert_uint_eq(obj->verdefs[i].ndx, vd.vd_ndx);
		ck_assert_uint_eq(obj->verdefs[i].flags, vd.vd_flags);
		ck_assert_str_eq(obj->verdefs[i].name,
				 elf_strptr(f.e, f.dynstr_ndx, aux.vda_name));
		off += vd.vd_next;
	}
	elf_file_close(&f);
}

/* For every name in the file's dynamic symbol table, the lookup finds a
 * definition of that name exactly when the file has one. */
static void check_lookup_matches_file(const struct nsshare_object *obj)
{
	struct elf_file f;
	elf_file_open(&f, obj->lm->l_name);
	size_t checked_undef = 0;
	for (size_t i = 1; i < f.nsyms; i++) {
		const char *name = file_sym_name(&f, i);
		GElf_Sym fs = file_sym(&f, i);
		bool defined = false;
		if (file_sym_defined(&fs)) {
			defined = true;
		} else {
			for (size_t j = 1; j < f.nsyms && !defined; j++) {
				GElf_Sym o = file_sym(&f, j);
				defined = file_sym_defined(&o) &&
					  strcmp(file_sym_name(&f, j), name) == 0;
			}
			checked_undef += !defined;
		}
		const ElfW(Sym) *s = nsshare_object_lookup(obj, name);
		if (!defined) {
			ck_assert_msg(s == NULL, "%s: %s is not defined there "
				      "but was found", obj->lm->l_name, name);
			continue;
		}
		ck_assert_msg(s != NULL, "%s: defined symbol %s not found",
			      obj->lm->l_name, name);
		size_t k = sym_index(obj, s);
		GElf_Sym ks = file_sym(&f, k);
		ck_assert_str_eq(file_sym_name(&f, k), name);
		ck_assert(file_sym_defined(&ks));
	}
	/* Every object here references something it does not define, so
	 * the negative side was exercised. */
	ck_assert_uint_gt(checked_undef, 0);
	ck_assert_ptr_null(nsshare_object_lookup(obj, "nsshare_no_such_symbol"));
	ck_assert_ptr_null(nsshare_object_lookup(obj, ""));
	elf_file_close(&f);
}

/* ---- libc, libm, libz */

START_TEST(libc_read)
{
	void *h = open_libc();
	struct nsshare_object obj;
	read_object(h, &obj);
	ck_assert_str_eq(obj.soname, "libc.so.6");
	ck_assert_ptr_nonnull(obj.versym);
	ck_assert(obj.hash || obj.gnu_hash);
	check_symbols_match_file(&obj);
	check_verdefs_match_file(&obj);
	/* The first definition is the base one, named after the SONAME. */
	ck_assert_uint_gt(obj.nverdefs, 2);
	ck_assert_uint_eq(obj.verdefs[0].ndx, 1);
	ck_assert_uint_eq(obj.verdefs[0].flags & VER_FLG_BASE, VER_FLG_BASE);
	ck_assert_str_eq(obj.verdefs[0].name, "libc.so.6");
	for (size_t i = 1; i < obj.nverdefs; i++)
		ck_assert_uint_eq(obj.verdefs[i].flags & VER_FLG_BASE, 0);
	/* libc needs GLIBC_PRIVATE of ld.so. */
	ck_assert(obj.needs_glibc_private);
	ck_assert(nsshare_object_is_glibc(&obj));
	nsshare_object_free(&obj);
	ck_assert_ptr_null(obj.verdefs);
	ck_assert_uint_eq(obj.nverdefs, 0);
	dlclose(h);
}
END_TEST

START_TEST(libc_lookup)
{
	void *h = open_libc();
	struct nsshare_object obj;
	read_object(h, &obj);
	check_lookup_matches_file(&obj);

	/* A plain (non-IFUNC) function: the definition found, relocated by
	 * the load address, is what dlsym returns. */
	const ElfW(Sym) *s = nsshare_object_lookup(&obj, "malloc");
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(obj.strtab + s->st_name, "malloc");
	ck_assert_uint_eq(ELF64_ST_TYPE(s->st_info), STT_FUNC);
	ck_assert_ptr_eq((void *)(obj.lm->l_addr + s->st_value),
			 dlsym(h, "malloc"));
	const char *v = nsshare_object_version(&obj,
					       obj.versym[sym_index(&obj, s)]);
	ck_assert_ptr_nonnull(v);
	ck_assert_msg(strncmp(v, "GLIBC_2.", 8) == 0, "malloc@%s", v);
	ck_assert_str_eq(nsshare_object_version(&obj, 1), "libc.so.6");
	ck_assert_ptr_null(nsshare_object_version(&obj, 0));
	ck_assert_ptr_null(nsshare_object_version(&obj, 0x7fff));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

START_TEST(libm_read)
{
	void *h = open_lib("libm.so.6");
	struct nsshare_object obj;
	read_object(h, &obj);
	ck_assert_str_eq(obj.soname, "libm.so.6");
	check_symbols_match_file(&obj);
	check_verdefs_match_file(&obj);
	check_lookup_matches_file(&obj);
	/* libm binds errno@GLIBC_PRIVATE (glibc-facts 8). */
	ck_assert(obj.needs_glibc_private);
	ck_assert(nsshare_object_is_glibc(&obj));
	const ElfW(Sym) *s = nsshare_object_lookup(&obj, "frexp");
	ck_assert_ptr_nonnull(s);
	ck_assert_ptr_eq((void *)(obj.lm->l_addr + s->st_value),
			 dlsym(h, "frexp"));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

START_TEST(libz_read)
{
	void *h = open_lib("libz.so.1");
	struct nsshare_object obj;
	read_object(h, &obj);
	ck_assert_str_eq(obj.soname, "libz.so.1");
	check_symbols_match_file(&obj);
	check_verdefs_match_file(&obj);
	check_lookup_matches_file(&obj);
	/* Versioned (ZLIB_*), needs GLIBC_2.* of libc: still not glibc. */
	ck_assert_uint_gt(obj.nverdefs, 1);
	ck_assert(!obj.needs_glibc_private);
	ck_assert(!nsshare_object_is_glibc(&obj));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

/* ---- The test module, GNU hash only and SysV hash only. */

static const char *const module_path[] = { UNIT_MOD_GNU, UNIT_MOD_SYSV };
static const char *const module_soname[] = { "libunitmod_gnu.so",
					     "libunitmod_sysv.so" };

START_TEST(module_read)
{
	void *h = open_lib(module_path[_i]);
	struct nsshare_object obj;
	read_object(h, &obj);
	ck_assert_str_eq(obj.soname, module_soname[_i]);
	/* Each variant has exactly the hash table it was linked with, so
	 * both ways of counting symbols and of looking them up are used. */
	if (_i == 0) {
		ck_assert_ptr_nonnull(obj.gnu_hash);
		ck_assert_ptr_null(obj.hash);
	} else {
		ck_assert_ptr_nonnull(obj.hash);
		ck_assert_ptr_null(obj.gnu_hash);
	}
	check_symbols_match_file(&obj);
	check_verdefs_match_file(&obj);

	/* The version script's definitions, independently of the file. */
	ck_assert_uint_eq(obj.nverdefs, 3);
	ck_assert_uint_eq(obj.verdefs[0].ndx, 1);
	ck_assert_uint_eq(obj.verdefs[0].flags, VER_FLG_BASE);
	ck_assert_str_eq(obj.verdefs[0].name, module_soname[_i]);
	ck_assert_uint_eq(obj.verdefs[1].ndx, 2);
	ck_assert_uint_eq(obj.verdefs[1].flags, 0);
	ck_assert_str_eq(obj.verdefs[1].name, "UNITMOD_1");
	ck_assert_uint_eq(obj.verdefs[2].ndx, 3);
	ck_assert_uint_eq(obj.verdefs[2].flags, 0);
	ck_assert_str_eq(obj.verdefs[2].name, "UNITMOD_2");

	ck_assert(!obj.needs_glibc_private);
	ck_assert(!nsshare_object_is_glibc(&obj));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

START_TEST(module_versions)
{
	void *h = open_lib(module_path[_i]);
	struct nsshare_object obj;
	read_object(h, &obj);

	/* unitmod_f has two entries: @UNITMOD_1 hidden, @@UNITMOD_2. */
	size_t old_i = 0, new_i = 0;
	for (size_t i = 1; i < obj.nsyms; i++) {
		if (strcmp(obj.strtab + obj.symtab[i].st_name, "unitmod_f"))
			continue;
		const char *v = nsshare_object_version(&obj, obj.versym[i]);
		ck_assert_ptr_nonnull(v);
		if (strcmp(v, "UNITMOD_1") == 0)
			old_i = i;
		else if (strcmp(v, "UNITMOD_2") == 0)
			new_i = i;
	}
	ck_assert_uint_ne(old_i, 0);
	ck_assert_uint_ne(new_i, 0);
	ck_assert_uint_eq(obj.versym[old_i], 0x8000 | 2);
	ck_assert_uint_eq(obj.versym[new_i], 3);
	ck_assert_ptr_eq((void *)(obj.lm->l_addr + obj.symtab[old_i].st_value),
			 dlvsym(h, "unitmod_f", "UNITMOD_1"));
	ck_assert_ptr_eq((void *)(obj.lm->l_addr + obj.symtab[new_i].st_value),
			 dlvsym(h, "unitmod_f", "UNITMOD_2"));

	ck_assert_str_eq(nsshare_object_version(&obj, 1), module_soname[_i]);
	ck_assert_str_eq(nsshare_object_version(&obj, 0x8000 | 2), "UNITMOD_1");
	ck_assert_ptr_null(nsshare_object_version(&obj, 0));
	ck_assert_ptr_null(nsshare_object_version(&obj, 4));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

START_TEST(module_lookup)
{
	void *h = open_lib(module_path[_i]);
	struct nsshare_object obj;
	read_object(h, &obj);
	check_lookup_matches_file(&obj);

	static const char *const defined[] = { "unitmod_data", "unitmod_len",
					       "unitmod_plain" };
	for (size_t i = 0; i < sizeof defined / sizeof *defined; i++) {
		const ElfW(Sym) *s = nsshare_object_lookup(&obj, defined[i]);
		ck_assert_msg(s, "%s not found", defined[i]);
		ck_assert_str_eq(obj.strtab + s->st_name, defined[i]);
		ck_assert_ptr_eq((void *)(obj.lm->l_addr + s->st_value),
				 dlsym(h, defined[i]));
	}
	/* Either version of unitmod_f is a definition of it. */
	const ElfW(Sym) *f = nsshare_object_lookup(&obj, "unitmod_f");
	ck_assert_ptr_nonnull(f);
	void *fa = (void *)(obj.lm->l_addr + f->st_value);
	ck_assert(fa == dlvsym(h, "unitmod_f", "UNITMOD_1") ||
		  fa == dlvsym(h, "unitmod_f", "UNITMOD_2"));
	/* Referenced, not defined; and local to the version script. */
	ck_assert_ptr_null(nsshare_object_lookup(&obj, "strlen"));
	ck_assert_ptr_null(nsshare_object_lookup(&obj, "unitmod_f_old"));
	ck_assert_ptr_null(nsshare_object_lookup(&obj, "unitmod_f_new"));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

/* ---- Other objects */

START_TEST(main_program_has_no_soname)
{
	void *h = dlopen(NULL, RTLD_LAZY);
	struct nsshare_object obj;
	read_object(h, &obj);
	ck_assert_ptr_null(obj.soname);
	ck_assert_uint_gt(obj.nsyms, 1);
	ck_assert_uint_eq(obj.nverdefs, 0);
	ck_assert(!nsshare_object_is_glibc(&obj));
	nsshare_object_free(&obj);
	dlclose(h);
}
END_TEST

START_TEST(unloaded_object_is_an_error)
{
	/* A link map of no loaded object, its dynamic section in no
	 * segment of one: nothing of it is read. */
	ElfW(Dyn) dyn[] = { { DT_NULL, { 0 } } };
	struct link_map lm = { .l_addr = 0, .l_name = (char *)"/x/libbare.so",
			       .l_ld = dyn };
	struct nsshare_object obj;
	ck_assert(!nsshare_object_read(&lm, &obj));
	/* dlerror() here is error.c's: the error reaches the program. */
	const char *err = dlerror();
	ck_assert_ptr_nonnull(err);
	ck_assert_str_eq(err, "/x/libbare.so: not a loaded object");
	ck_assert_ptr_null(dlerror());
}
END_TEST

/* A file shorter than its last segment's p_filesz, as fuzz-proxy made
 * one (Debian 13): ld.so maps it all, and the pages past the file's end
 * raise SIGBUS when read.  The reader's segment ends at the first of
 * them, and the object is still read.  The module is cut at the end of
 * that segment's bytes and the segment grown by two pages past the page
 * holding the file's end, .bss included in that page (checked). */
START_TEST(segment_past_file_end)
{
	FILE *in = fopen(UNIT_MOD_GNU, "rb");
	ck_assert_ptr_nonnull(in);
	static unsigned char buf[1 << 20];
	size_t size = fread(buf, 1, sizeof buf, in);
	fclose(in);
	ck_assert_uint_lt(size, sizeof buf);
	ElfW(Ehdr) eh;
	memcpy(&eh, buf, sizeof eh);
	ElfW(Phdr) ph[32];
	ck_assert_uint_le(eh.e_phnum, 32);
	memcpy(ph, buf + eh.e_phoff, eh.e_phnum * sizeof *ph);
	size_t last = eh.e_phnum;
	for (size_t i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD)
			last = i;
	ck_assert_uint_lt(last, eh.e_phnum);
	const ElfW(Addr) page = (ElfW(Addr))sysconf(_SC_PAGESIZE);
	ElfW(Phdr) *seg = &ph[last];
	size_t cut = seg->p_offset + seg->p_filesz;
	/* Where the first page past the cut file lies, as a vaddr. */
	ElfW(Addr) past = seg->p_vaddr + (((cut + page - 1) & -page) - seg->p_offset);
	ck_assert_msg(seg->p_vaddr + seg->p_memsz <= past,
		      "the module's .bss leaves the page of the file's end");
	seg->p_filesz = seg->p_memsz = past + 2 * page - seg->p_vaddr;
	memcpy(buf + eh.e_phoff, ph, eh.e_phnum * sizeof *ph);

	int fd = memfd_create("segment-past-file-end", MFD_CLOEXEC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, cut), (ssize_t)cut);
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	void *h = open_lib(path);
	struct nsshare_object obj;
	read_object(h, &obj);
	ElfW(Addr) base = link_map_of(h)->l_addr;
	bool found = false;
	for (size_t i = 0; i < obj.nsegs; i++)
		if (obj.segs[i].start == base + seg->p_vaddr) {
			ck_assert_uint_eq(obj.segs[i].end, base + past);
			found = true;
		}
	ck_assert(found);
	/* The symbols are the whole module's: the cut file has no section
	 * headers for libelf, and the module itself is the reference. */
	struct nsshare_object whole;
	read_object(open_lib(UNIT_MOD_GNU), &whole);
	ck_assert_str_eq(obj.soname, whole.soname);
	ck_assert_uint_eq(obj.nsyms, whole.nsyms);
	ck_assert(nsshare_object_lookup(&obj, "unitmod_plain"));
	nsshare_object_free(&whole);
	nsshare_object_free(&obj);
	close(fd);
}
END_TEST

/* ---- nsshare_elf_hash */

/* The SysV ABI's reference function, written out independently. */
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

START_TEST(elf_hash_known_values)
{
	static const struct {
		const char *s;
		unsigned long h;
	} known[] = {
		{ "", 0 },
		{ "a", 0x61 },
		{ "exit", 0x0006cf04 },
		{ "printf", 0x077905a6 },
		{ "libc.so.6", 0x0865f4e6 },
		{ "GLIBC_2.2.5", 0x09691a75 },
		{ "GLIBC_2.14", 0x06969194 },
		{ "GLIBC_PRIVATE", 0x0963cf85 },
		{ "__libc_start_main", 0x0177ff8e },
		{ "abcdefghijklmnopqrstuvwxyz", 0x08d1e00a },
		/* Bytes above 0x7f must count as unsigned. */
		{ "\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7", 0x0dcca897 },
	};
	for (size_t i = 0; i < sizeof known / sizeof *known; i++) {
		ck_assert_msg(ref_elf_hash(known[i].s) == known[i].h,
			      "reference hash of entry %zu", i);
		ck_assert_msg(nsshare_elf_hash(known[i].s) == known[i].h,
			      "nsshare_elf_hash(\"%s\") = %#lx, want %#lx",
			      known[i].s, nsshare_elf_hash(known[i].s),
			      known[i].h);
	}
}
END_TEST

/* The linker wrote vd_hash for every version of libc and libm, and the
 * DT_HASH table of libc: nsshare_elf_hash agrees with all of it. */
START_TEST(elf_hash_matches_linker)
{
	static const char *const libs[] = { "libc.so.6", "libm.so.6" };
	for (size_t l = 0; l < 2; l++) {
		void *h = open_lib(libs[l]);
		struct link_map *lm = link_map_of(h);
		struct elf_file f;
		elf_file_open(&f, lm->l_name);
		ck_assert_ptr_nonnull(f.verdef);
		size_t off = 0;
		for (size_t i = 0; i < f.nverdefs; i++) {
			GElf_Verdef vd;
			GElf_Verdaux aux;
			gelf_getverdef(f.verdef, (int)off, &vd);
			gelf_getverdaux(f.verdef, (int)(off + vd.vd_aux), &aux);
			const char *name = elf_strptr(f.e, f.dynstr_ndx,
						      aux.vda_name);
			ck_assert_msg(nsshare_elf_hash(name) == vd.vd_hash,
				      "%s: vd_hash of %s", libs[l], name);
			off += vd.vd_next;
		}
		elf_file_close(&f);

		struct nsshare_object obj;
		read_object(h, &obj);
		if (obj.hash) {
			/* Each symbol is on the chain of its hash's bucket. */
			uint32_t nbucket = obj.hash[0];
			const uint32_t *bucket = obj.hash + 2;
			const uint32_t *chain = bucket + nbucket;
			for (uint32_t i = 1; i < obj.nsyms; i++) {
				const char *name = obj.strtab +
						   obj.symtab[i].st_name;
				uint32_t k = bucket[nsshare_elf_hash(name) %
						    nbucket];
				while (k && k != i)
					k = chain[k];
				ck_assert_msg(k == i, "%s: %s off its chain",
					      libs[l], name);
			}
		}
		nsshare_object_free(&obj);
		dlclose(h);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("object");
	TCase *tc = unit_tcase("glibc");
	tcase_add_test(tc, libc_read);
	tcase_add_test(tc, libc_lookup);
	tcase_add_test(tc, libm_read);
	tcase_add_test(tc, libz_read);
	suite_add_tcase(s, tc);

	tc = unit_tcase("module");
	tcase_add_loop_test(tc, module_read, 0, 2);
	tcase_add_loop_test(tc, module_versions, 0, 2);
	tcase_add_loop_test(tc, module_lookup, 0, 2);
	tcase_add_test(tc, main_program_has_no_soname);
	tcase_add_test(tc, unloaded_object_is_an_error);
	tcase_add_test(tc, segment_past_file_end);
	suite_add_tcase(s, tc);

	tc = unit_tcase("elf_hash");
	tcase_add_test(tc, elf_hash_known_values);
	tcase_add_test(tc, elf_hash_matches_linker);
	suite_add_tcase(s, tc);

	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
