/* The ELF half of nsshare-tag: reads a shared library's dynamic array
 * from the file's bytes in memory and rewrites the entry that holds
 * DF_GNU_1_UNIQUE there, in the file's class and byte order.
 *
 * The tag goes into a spare DT_NULL entry of the dynamic array (GNU ld
 * leaves some after the terminator), so nothing moves: the output is the
 * input with one dynamic entry rewritten, and the value of the DT_NULL
 * it took moved into the next one, the new terminator.
 *
 * Which dynamic array counts is the one ld.so reads: PT_DYNAMIC, up to
 * its first DT_NULL.  libnsshare reads it the same way (the last
 * DT_GNU_FLAGS_1 entry before the terminator wins). */
#define _GNU_SOURCE /* nsshare.h: dlmopen and the rest */
#include "tag_elf.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsshare.h"

/* Records why t cannot be handled and returns false, so callers can
 * `return fail(...)`. */
__attribute__((format(printf, 2, 3)))
static bool fail(struct tag_image *t, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->error, sizeof t->error, fmt, ap);
	va_end(ap);
	return false;
}

static const char *elf_type_name(GElf_Half type)
{
	switch (type) {
	case ET_REL: return "a relocatable object";
	case ET_EXEC: return "an executable";
	case ET_CORE: return "a core file";
	default: return "of an unknown ELF type";
	}
}

/* Finds the single PT_DYNAMIC.  ld.so would take the last of several;
 * a file with more than one is not something to patch blindly. */
static bool find_dynamic_segment(struct tag_image *t, GElf_Phdr *dynph)
{
	size_t phnum;
	if (elf_getphdrnum(t->elf, &phnum) != 0)
		return fail(t, "malformed ELF file: %s", elf_errmsg(-1));
	size_t found = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(t->elf, (int)i, &ph))
			return fail(t, "truncated or malformed program "
				    "headers: %s", elf_errmsg(-1));
		if (ph.p_type == PT_DYNAMIC && found++ == 0)
			*dynph = ph;
	}
	if (found == 0)
		return fail(t, "not a shared object (no PT_DYNAMIC)");
	if (found > 1)
		return fail(t, "malformed ELF file: %zu PT_DYNAMIC segments",
			    found);
	return true;
}

/* True when [offset, offset + size) lies within the file. */
static bool within_file(const struct tag_image *t, GElf_Off offset,
			GElf_Xword size)
{
	return offset <= t->size && size <= t->size - offset;
}

/* Bytes of a header table of count entries of entsize bytes each, as
 * libelf reads it: in entries of the class's own size, whatever entsize
 * says. */
static GElf_Xword table_size(const struct tag_image *t, Elf_Type type,
			     GElf_Xword count, GElf_Half entsize)
{
	size_t own = gelf_fsize(t->elf, type, 1, EV_CURRENT);
	return count * (entsize > own ? entsize : own);
}

/* Bytes of the section header table, 0 when there is none. */
static bool section_table_size(struct tag_image *t, const GElf_Ehdr *eh,
			       GElf_Xword *size)
{
	size_t shnum;
	if (elf_getshdrnum(t->elf, &shnum) != 0)
		return fail(t, "malformed section headers: %s", elf_errmsg(-1));
	GElf_Xword count = shnum > eh->e_shnum ? shnum : eh->e_shnum;
	if (count == 0)
		count = 1; /* section 0 holds the extended count */
	*size = eh->e_shoff ? table_size(t, ELF_T_SHDR, count,
					 eh->e_shentsize) : 0;
	return true;
}

/* libelf quietly ignores a section header table that runs past the end
 * of the file and does not look at segment contents, so a truncated file
 * would otherwise pass for a whole one, and --set would write it back as
 * if it were.  Every table and every loaded byte must be in the file
 * (the sections: check_sections). */
static bool check_extents(struct tag_image *t, const GElf_Ehdr *eh)
{
	GElf_Xword shsize;
	if (!section_table_size(t, eh, &shsize))
		return false;
	if (!within_file(t, eh->e_shoff, shsize))
		return fail(t, "truncated or damaged file: the section header "
			    "table ends past the end of the file");
	size_t phnum;
	if (elf_getphdrnum(t->elf, &phnum) != 0)
		return fail(t, "malformed ELF file: %s", elf_errmsg(-1));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(t->elf, (int)i, &ph))
			return fail(t, "truncated or malformed program "
				    "headers: %s", elf_errmsg(-1));
		if (ph.p_type == PT_LOAD &&
		    !within_file(t, ph.p_offset, ph.p_filesz))
			return fail(t, "truncated or damaged file: a PT_LOAD "
				    "segment ends past the end of the file");
	}
	return true;
}

/* Whether [a, a + alen) and [b, b + blen) share a byte, without
 * overflowing whatever the sizes. */
static bool overlap(GElf_Off a, GElf_Xword alen, GElf_Off b, GElf_Xword blen)
{
	if (alen == 0 || blen == 0)
		return false;
	return a >= b ? a - b < blen : b - a < alen;
}

/* The entries --set and --clear rewrite must be nothing but dynamic
 * entries: an array that overlaps the headers would have them rewritten
 * with it. */
static bool check_dynamic_placement(struct tag_image *t, const GElf_Ehdr *eh,
				    const GElf_Phdr *dynph)
{
	GElf_Off at = dynph->p_offset;
	GElf_Xword len = dynph->p_filesz, shsize;
	size_t phnum;
	if (overlap(at, len, 0, gelf_fsize(t->elf, ELF_T_EHDR, 1, EV_CURRENT)))
		return fail(t, "malformed ELF file: PT_DYNAMIC overlaps the "
			    "ELF header");
	if (elf_getphdrnum(t->elf, &phnum) != 0)
		return fail(t, "malformed ELF file: %s", elf_errmsg(-1));
	if (overlap(at, len, eh->e_phoff,
		    table_size(t, ELF_T_PHDR, phnum, eh->e_phentsize)))
		return fail(t, "malformed ELF file: PT_DYNAMIC overlaps the "
			    "program header table");
	if (!section_table_size(t, eh, &shsize))
		return false;
	if (overlap(at, len, eh->e_shoff, shsize))
		return fail(t, "malformed ELF file: PT_DYNAMIC overlaps the "
			    "section header table");
	return true;
}

/* Every section's contents must be in the file (as in check_extents),
 * and none but .dynamic may share a byte with PT_DYNAMIC (as in
 * check_dynamic_placement).  And readelf, objdump and other tools read
 * .dynamic through the section headers, ld.so through PT_DYNAMIC: if
 * the two disagree, a patch seen by one would be invisible to the
 * other.  Refuse such files. */
static bool check_sections(struct tag_image *t, const GElf_Phdr *dynph)
{
	for (Elf_Scn *scn = elf_nextscn(t->elf, NULL); scn;
	     scn = elf_nextscn(t->elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return fail(t, "malformed section headers: %s",
				    elf_errmsg(-1));
		if (sh.sh_type == SHT_NOBITS)
			continue;
		if (!within_file(t, sh.sh_offset, sh.sh_size))
			return fail(t, "truncated or damaged file: section "
				    "%zu ends past the end of the file",
				    elf_ndxscn(scn));
		if (sh.sh_type == SHT_DYNAMIC &&
		    (sh.sh_offset != dynph->p_offset ||
		     sh.sh_size != dynph->p_filesz))
			return fail(t, "the .dynamic section and PT_DYNAMIC "
				    "disagree");
		if (sh.sh_type != SHT_DYNAMIC &&
		    overlap(dynph->p_offset, dynph->p_filesz, sh.sh_offset,
			    sh.sh_size))
			return fail(t, "malformed ELF file: PT_DYNAMIC overlaps "
				    "section %zu", elf_ndxscn(scn));
	}
	return true;
}

/* Decodes the whole of PT_DYNAMIC, spare entries after the terminator
 * included: those are where --set writes. */
static bool read_dynamic(struct tag_image *t, const GElf_Phdr *dynph)
{
	if (!within_file(t, dynph->p_offset, dynph->p_filesz))
		return fail(t, "truncated or damaged file: PT_DYNAMIC ends "
			    "past the end of the file");
	t->dyn_entsize = gelf_fsize(t->elf, ELF_T_DYN, 1, EV_CURRENT);
	if (t->dyn_entsize == 0)
		return fail(t, "malformed dynamic section: %s", elf_errmsg(-1));
	t->dyn_offset = dynph->p_offset;
	t->ndyn = dynph->p_filesz / t->dyn_entsize;
	if (t->ndyn > INT_MAX) /* gelf_getdyn takes an int */
		return fail(t, "malformed dynamic section: too large");
	/* Whole entries only: elfutils 0.188 garbles the entries of a chunk
	 * in the other byte order when a partial one follows them. */
	Elf_Data *dd = elf_getdata_rawchunk(t->elf, (int64_t)dynph->p_offset,
					    t->ndyn * t->dyn_entsize,
					    ELF_T_DYN);
	if (!dd)
		return fail(t, "truncated or malformed dynamic section: %s",
			    elf_errmsg(-1));
	t->dyn = calloc(t->ndyn ? t->ndyn : 1, sizeof *t->dyn);
	if (!t->dyn)
		return fail(t, "%s", strerror(errno));
	t->terminator = t->ndyn;
	for (size_t i = 0; i < t->ndyn; i++) {
		if (!gelf_getdyn(dd, (int)i, &t->dyn[i]))
			return fail(t, "malformed dynamic section: %s",
				    elf_errmsg(-1));
		if (t->dyn[i].d_tag == DT_NULL && t->terminator == t->ndyn)
			t->terminator = i;
	}
	if (t->terminator == t->ndyn)
		return fail(t, "malformed dynamic section: no DT_NULL "
			    "terminator");
	return true;
}

/* ld.so refuses to dlopen a PIE (glibc >= 2.30 checks DF_1_PIE), so
 * nsshare can never share one: tagging it would only mislead. */
static bool is_pie(const struct tag_image *t)
{
	for (size_t i = 0; i < t->terminator; i++)
		if (t->dyn[i].d_tag == DT_FLAGS_1 &&
		    (t->dyn[i].d_un.d_val & DF_1_PIE))
			return true;
	return false;
}

bool tag_image_open(struct tag_image *t, char *bytes, size_t size)
{
	*t = (struct tag_image){ .bytes = bytes, .size = size };
	if (size < EI_NIDENT)
		return fail(t, "not an ELF file");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return fail(t, "libelf: %s", elf_errmsg(-1));
	t->elf = elf_memory(t->bytes, t->size);
	if (!t->elf)
		return fail(t, "malformed ELF file: %s", elf_errmsg(-1));
	switch (elf_kind(t->elf)) {
	case ELF_K_ELF:
		break;
	case ELF_K_AR:
		return fail(t, "not a shared object (an archive)");
	default:
		return fail(t, "not an ELF file");
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(t->elf, &eh))
		return fail(t, "malformed ELF header: %s", elf_errmsg(-1));
	if (eh.e_type != ET_DYN)
		return fail(t, "not a shared object (%s)",
			    elf_type_name(eh.e_type));
	GElf_Phdr dynph = { 0 }; /* set when find_dynamic_segment succeeds */
	if (!check_extents(t, &eh) || !find_dynamic_segment(t, &dynph) ||
	    !check_sections(t, &dynph) ||
	    !check_dynamic_placement(t, &eh, &dynph) ||
	    !read_dynamic(t, &dynph))
		return false;
	if (is_pie(t))
		return fail(t, "not a shared object (a position-independent "
			    "executable)");
	return true;
}

void tag_image_close(struct tag_image *t)
{
	if (t->elf)
		elf_end(t->elf);
	free(t->dyn);
	t->elf = NULL;
	t->dyn = NULL;
}

/* The last DT_GNU_FLAGS_1 before the terminator, as libnsshare reads
 * it; --set and --clear keep all of them in agreement anyway. */
bool tag_image_unique(const struct tag_image *t)
{
	bool unique = false;
	for (size_t i = 0; i < t->terminator; i++)
		if (t->dyn[i].d_tag == DT_GNU_FLAGS_1)
			unique = t->dyn[i].d_un.d_val & DF_GNU_1_UNIQUE;
	return unique;
}

/* Sets the flag in every DT_GNU_FLAGS_1 entry, or turns the terminator
 * into one when there is none.  The next entry then terminates the
 * array, so it must be DT_NULL too.  ld.so reads no value of a DT_NULL,
 * yet the old terminator may hold one: it moves into the new terminator,
 * where apply_clear finds it again.  That entry's own value would have
 * nowhere to go, so it must be zero (ld writes zeros there). */
static bool apply_set(struct tag_image *t, GElf_Dyn *dyn)
{
	bool have_tag = false;
	for (size_t i = 0; i < t->terminator; i++) {
		if (dyn[i].d_tag == DT_GNU_FLAGS_1) {
			dyn[i].d_un.d_val |= DF_GNU_1_UNIQUE;
			have_tag = true;
		}
	}
	if (have_tag)
		return true;
	size_t slot = t->terminator;
	if (slot + 1 >= t->ndyn || dyn[slot + 1].d_tag != DT_NULL)
		return fail(t, "no spare DT_NULL entry in the dynamic section "
			    "to hold the tag; relink with -Wl,-z,unique");
	if (dyn[slot + 1].d_un.d_val != 0)
		return fail(t, "the spare DT_NULL entry holds a value (%#llx) "
			    "that --clear could not give back; relink with "
			    "-Wl,-z,unique",
			    (unsigned long long)dyn[slot + 1].d_un.d_val);
	dyn[slot + 1].d_un.d_val = dyn[slot].d_un.d_val;
	dyn[slot].d_tag = DT_GNU_FLAGS_1;
	dyn[slot].d_un.d_val = DF_GNU_1_UNIQUE;
	return true;
}

/* Clears the flag everywhere.  An entry left with no flags that is the
 * last one before the terminator goes back to being a DT_NULL, taking
 * back the value apply_set moved into the terminator: that is the entry
 * --set adds, so set then clear restores the file byte for byte. */
static bool apply_clear(const struct tag_image *t, GElf_Dyn *dyn)
{
	for (size_t i = 0; i < t->terminator; i++) {
		if (dyn[i].d_tag != DT_GNU_FLAGS_1)
			continue;
		dyn[i].d_un.d_val &= ~(GElf_Xword)DF_GNU_1_UNIQUE;
		if (dyn[i].d_un.d_val == 0 && i + 1 == t->terminator) {
			dyn[i].d_tag = DT_NULL;
			dyn[i].d_un.d_val = dyn[i + 1].d_un.d_val;
			dyn[i + 1].d_un.d_val = 0;
		}
	}
	return true;
}

/* Writes entry d in the file's class and byte order at its place in
 * t->bytes.  Only done once everything has been read through t->elf. */
static bool encode_dyn(struct tag_image *t, size_t index, const GElf_Dyn *d)
{
	union {
		Elf32_Dyn d32;
		Elf64_Dyn d64;
	} mem, file;
	Elf_Data src = { .d_buf = &mem, .d_type = ELF_T_DYN,
			 .d_version = EV_CURRENT };
	if (gelf_getclass(t->elf) == ELFCLASS32) {
		mem.d32.d_tag = (Elf32_Sword)d->d_tag;
		mem.d32.d_un.d_val = (Elf32_Word)d->d_un.d_val;
		src.d_size = sizeof mem.d32;
	} else {
		mem.d64.d_tag = d->d_tag;
		mem.d64.d_un.d_val = d->d_un.d_val;
		src.d_size = sizeof mem.d64;
	}
	Elf_Data dst = { .d_buf = &file, .d_size = sizeof file,
			 .d_version = EV_CURRENT };
	unsigned encoding = (unsigned char)elf_getident(t->elf, NULL)[EI_DATA];
	if (!gelf_xlatetof(t->elf, &dst, &src, encoding) ||
	    dst.d_size != t->dyn_entsize)
		return fail(t, "cannot encode dynamic entry: %s",
			    elf_errmsg(-1));
	memcpy(t->bytes + t->dyn_offset + index * t->dyn_entsize, &file,
	       t->dyn_entsize);
	return true;
}

int tag_image_patch(struct tag_image *t, enum tag_action action)
{
	size_t span = t->ndyn * t->dyn_entsize;
	GElf_Dyn *dyn = malloc(t->ndyn * sizeof *dyn + span);
	if (!dyn)
		return fail(t, "%s", strerror(errno)), -1;
	memcpy(dyn, t->dyn, t->ndyn * sizeof *dyn);
	/* The array as it was, to put back should an entry fail to encode:
	 * the bytes are either all patched or as they were. */
	char *saved = (char *)(dyn + t->ndyn);
	memcpy(saved, t->bytes + t->dyn_offset, span);
	bool ok = action == TAG_SET ? apply_set(t, dyn) : apply_clear(t, dyn);
	bool changed = false;
	for (size_t i = 0; ok && i < t->ndyn; i++) {
		if (dyn[i].d_tag == t->dyn[i].d_tag &&
		    dyn[i].d_un.d_val == t->dyn[i].d_un.d_val)
			continue;
		ok = encode_dyn(t, i, &dyn[i]);
		changed = true;
	}
	if (!ok)
		memcpy(t->bytes + t->dyn_offset, saved, span);
	free(dyn);
	return ok ? changed : -1;
}
