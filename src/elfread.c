/* Owns: the reader of ELF files on disk, as ld.so's open_verify and its
 * dynamic section reader see them (elf_info).  Calls: object.c's glibc rule. */
#define _GNU_SOURCE
#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ldso.h"

/* ---- Candidate files (open_verify). */

ssize_t read_full(int fd, void *buf, size_t n, off_t off)
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
enum verdict ehdr_check(const ElfW(Ehdr) *eh, ssize_t n, off_t fsize,
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

/* ---- Reading files with libelf. */

void elf_info_free(struct elf_info *info)
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

/* The dynamic string table, read a window at a time around the strings
 * asked for: a file's few names (SONAME, NEEDED, RPATH, versions) are
 * all that is read of it, where the whole table can be 300 KiB
 * (libstdc++).  ld.so bounds no string by DT_STRSZ (glibc-facts 33), only
 * the mapping does: a string must end within its segment's file bytes.
 * A string returned stays valid until the next strtab_at. */
#define STRTAB_WINDOW 4096

struct strtab {
	struct span sp;
	uint64_t base; /* the table offset of buf[0] */
	size_t len;    /* bytes of the table in buf */
	char *buf;
	size_t cap;
	bool oom;      /* a window could not be had */
};

static const char *strtab_at(struct strtab *t, uint64_t off)
{
	if (off >= t->sp.avail)
		return NULL;
	if (t->buf && off >= t->base && off - t->base < t->len &&
	    memchr(t->buf + (off - t->base), '\0', t->len - (off - t->base)))
		return t->buf + (off - t->base);
	/* From the window's boundary below OFF, so that names close to each
	 * other (a file's version names) are read once; wider for a string
	 * that runs past it. */
	uint64_t start = off - off % STRTAB_WINDOW;
	for (size_t want = STRTAB_WINDOW + (size_t)(off - start);;
	     want *= 2) {
		uint64_t left = t->sp.avail - start;
		size_t n = want < left ? want : (size_t)left;
		if (n > t->cap) {
			char *buf = realloc(t->buf, n);
			if (!buf) {
				t->oom = true;
				return NULL;
			}
			t->buf = buf;
			t->cap = n;
		}
		t->len = 0;
		if (!span_read(&t->sp, start, t->buf, n))
			return NULL;
		t->base = start;
		t->len = n;
		if (memchr(t->buf + (off - start), '\0', n - (size_t)(off - start)))
			return t->buf + (off - start);
		if (n == left)
			return NULL;
	}
}

/* The string at OFF copied into *DST; false when there is none (see
 * strtab_at) or no memory for it (T->oom then). */
static bool strtab_dup(struct strtab *t, uint64_t off, char **dst)
{
	const char *s = strtab_at(t, off);
	if (s && !(*dst = strdup(s)))
		t->oom = true;
	return s && *dst;
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
	/* To its DT_NULL, a few entries at a time: the rest of the segment
	 * may be a megabyte of data (libpython's). */
	uint64_t max = (dsp.avail < DYNAMIC_MAX ? dsp.avail : DYNAMIC_MAX) /
		       sizeof(ElfW(Dyn));
	ElfW(Dyn) *dyn = NULL;
	size_t ndyn = 0;
	for (bool ended = false; !ended && ndyn < max;) {
		size_t more = ndyn ? ndyn : 64;
		if (more > max - ndyn)
			more = (size_t)(max - ndyn);
		ElfW(Dyn) *grown = realloc(dyn, (ndyn + more) * sizeof *dyn);
		if (!grown) {
			free(dyn);
			info->oom = true;
			snprintf(why, whysz, "out of memory");
			return false;
		}
		dyn = grown;
		if (!span_read(&dsp, ndyn * sizeof *dyn, dyn + ndyn,
			       more * sizeof *dyn)) {
			free(dyn);
			snprintf(why, whysz, "truncated ELF object");
			return false;
		}
		size_t end = ndyn + more;
		for (; ndyn < end && !ended; ndyn++)
			ended = dyn[ndyn].d_tag == DT_NULL;
		if (ended)
			ndyn--;
	}
	GElf_Addr strtab_addr = 0, verdef = 0, verneed = 0;
	uint64_t nverdef = 0x10000, nverneed = 0x10000;
	uint64_t soname = 0, rpath = 0, runpath = 0;
	bool has_strtab = false, has_soname = false, has_rpath = false,
	     has_runpath = false, has_verdef = false, has_verneed = false;
	size_t nneeded = 0;
	for (size_t i = 0; i < ndyn; i++) {
		const ElfW(Dyn) d = dyn[i];
		switch (d.d_tag) {
		case DT_NEEDED: nneeded++; break;
		case DT_STRTAB: strtab_addr = d.d_un.d_ptr; has_strtab = true; break;
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

	struct strtab t = { 0 };
	struct span sp;
	bool ok = false;
	if (has_strtab && !span_at(elf, phnum, fd, strtab_addr, &t.sp))
		goto malformed;

	/* Strings ld.so would read out of bounds make it fail or crash:
	 * call the object malformed.  Each is copied before the next is
	 * read. */
	if ((has_soname && !strtab_dup(&t, soname, &info->soname)) ||
	    (has_rpath && !strtab_dup(&t, rpath, &info->rpath)) ||
	    (has_runpath && !strtab_dup(&t, runpath, &info->runpath)))
		goto malformed_or_oom;
	/* RPATH is ignored next to RUNPATH; an empty path list counts as
	 * none (decompose_rpath). */
	if (info->runpath || (info->rpath && !*info->rpath)) {
		free(info->rpath);
		info->rpath = NULL;
	}
	if (info->runpath && !*info->runpath) {
		free(info->runpath);
		info->runpath = NULL;
	}

	info->needed = calloc(nneeded ? nneeded : 1, sizeof *info->needed);
	if (!info->needed)
		goto oom;
	for (size_t i = 0; i < ndyn; i++) {
		if (dyn[i].d_tag != DT_NEEDED)
			continue;
		if (!strtab_dup(&t, dyn[i].d_un.d_val, &info->needed[info->nneeded]))
			goto malformed_or_oom;
		info->nneeded++;
	}

	if (has_verdef && span_at(elf, phnum, fd, verdef, &sp))
		info->glibc = verdef_glibc(&sp, nverdef, &t);
	if (!info->glibc && has_verneed && span_at(elf, phnum, fd, verneed, &sp))
		info->glibc = verneed_glibc_private(&sp, nverneed, &t);
	ok = true;
	goto out;
malformed_or_oom:
	if (t.oom)
		goto oom;
malformed:
	snprintf(why, whysz, "malformed dynamic section");
	goto out;
oom:
	info->oom = true;
	snprintf(why, whysz, "out of memory");
out:
	free(dyn);
	free(t.buf);
	return ok;
}

/* Reads the file open as FD, of status SB, as a shared object of this
 * machine.  False with the reason in WHY when ld.so could not load it;
 * the file's identity is filled in either way. */
bool elf_info_read(int fd, const struct stat *sb, struct elf_info *info,
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
