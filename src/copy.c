/* Copies of objects with an identity of their own, for instances past
 * glibc's namespaces: the file's bytes in a sealed memfd, with DT_SONAME,
 * DT_NEEDED and the file names of version needs renamed.  Calls only libc
 * and error.c.
 *
 * ld.so matches an object by name, SONAME and device/inode (glibc-facts
 * 1, 14a), so a second instance of a library in one namespace needs a new
 * file whose names are new too.  The names do not fit in the old dynamic
 * string table, so the copy carries its dynamic section and the table
 * again, the new names after it, in a segment of its own at the end: a
 * PT_NOTE that follows every PT_LOAD in the program headers becomes that
 * PT_LOAD (a note is only read for build ids and properties), and
 * PT_DYNAMIC points at the new section.  Symbol names keep their
 * offsets, which the copied table still holds.  The new section also
 * says DT_SYMBOLIC: ld.so then looks a copy's own symbols up in the copy
 * first, so an instance binds to itself even where the base namespace
 * has the same library in its global scope (libelf's libz, say). */
#define _GNU_SOURCE
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ldso.h"

struct image {
	unsigned char *buf;
	size_t size;
	const char *path;
};

/* The file offset of address VADDR, of SIZE bytes, in IM's PT_LOADs; 0
 * when no segment's file part holds it. */
static size_t file_offset(const struct image *im, const ElfW(Phdr) *ph,
			  size_t phnum, ElfW(Addr) vaddr, size_t size)
{
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type != PT_LOAD || vaddr < ph[i].p_vaddr ||
		    vaddr - ph[i].p_vaddr + size > ph[i].p_filesz)
			continue;
		size_t off = ph[i].p_offset + (vaddr - ph[i].p_vaddr);
		if (off + size <= im->size && off + size >= off)
			return off;
	}
	return 0;
}

/* The string table being built: the old one, then the new names. */
struct names {
	char *buf;
	size_t len, cap;
};

/* Appends S; its offset, or 0 when out of memory (the old table comes
 * first, so no new name is at 0). */
static size_t names_add(struct names *t, const char *s)
{
	size_t n = strlen(s) + 1;
	if (t->len + n > t->cap) {
		size_t cap = (t->len + n) * 2;
		char *buf = realloc(t->buf, cap);
		if (!buf)
			return 0;
		t->buf = buf;
		t->cap = cap;
	}
	memcpy(t->buf + t->len, s, n);
	t->len += n;
	return t->len - n;
}

/* The new name of OLD (a DT_NEEDED or version need file name), or NULL. */
static const char *renamed(const struct nsshare_copy_spec *spec,
			   const char *old)
{
	for (size_t i = 0; i < spec->nrenames; i++)
		if (strcmp(spec->from[i], old) == 0)
			return spec->to[i];
	return NULL;
}

static bool refuse(const char *path, const char *why)
{
	nsshare_error(path, "cannot make a copy for an instance: %s", why);
	return false;
}

/* Renames what SPEC says in the file image IM, whose new string table
 * (the old one and the new names) goes into T; *SEG is the program
 * header that becomes its segment. */
static bool copy_patch(struct image *im, const struct nsshare_copy_spec *spec,
		       struct names *t, ElfW(Phdr) **seg)
{
	if (im->size < sizeof(ElfW(Ehdr)))
		return refuse(im->path, "not an ELF file");
	ElfW(Ehdr) *eh = (ElfW(Ehdr) *)im->buf;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_type != ET_DYN ||
	    eh->e_phentsize != sizeof(ElfW(Phdr)) ||
	    eh->e_phoff + (size_t)eh->e_phnum * sizeof(ElfW(Phdr)) > im->size)
		return refuse(im->path, "not a shared object nsshare can read");
	ElfW(Phdr) *ph = (ElfW(Phdr) *)(im->buf + eh->e_phoff);
	size_t phnum = eh->e_phnum;
	ElfW(Phdr) *dyn = NULL;
	size_t last_load = 0;
	ElfW(Addr) end = 0;
	for (size_t i = 0; i < phnum; i++) {
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
		if (ph[i].p_type == PT_LOAD) {
			last_load = i;
			if (ph[i].p_vaddr + ph[i].p_memsz > end)
				end = ph[i].p_vaddr + ph[i].p_memsz;
		}
	}
	*seg = NULL;
	for (size_t i = last_load + 1; i < phnum && !*seg; i++)
		if (ph[i].p_type == PT_NOTE)
			*seg = &ph[i];
	if (!dyn || !*seg)
		return refuse(im->path, "no program header to carry its new "
			      "names (a PT_NOTE after its PT_LOADs)");
	size_t dyn_off = file_offset(im, ph, phnum, dyn->p_vaddr, dyn->p_filesz);
	if (!dyn_off || dyn->p_filesz % sizeof(ElfW(Dyn)))
		return refuse(im->path, "damaged dynamic section");
	ElfW(Dyn) *d = (ElfW(Dyn) *)(im->buf + dyn_off);
	size_t nd = dyn->p_filesz / sizeof *d;
	ElfW(Addr) strtab = 0, verneed = 0;
	size_t strsz = 0, nverneed = 0;
	ElfW(Dyn) *soname = NULL;
	size_t used = 0;
	for (size_t i = 0; i < nd && d[i].d_tag != DT_NULL; i++, used++) {
		switch (d[i].d_tag) {
		case DT_STRTAB: strtab = d[i].d_un.d_ptr; break;
		case DT_STRSZ: strsz = d[i].d_un.d_val; break;
		case DT_SONAME: soname = &d[i]; break;
		case DT_VERNEED: verneed = d[i].d_un.d_ptr; break;
		case DT_VERNEEDNUM: nverneed = d[i].d_un.d_val; break;
		}
	}
	size_t str_off = strtab ? file_offset(im, ph, phnum, strtab, strsz) : 0;
	if (!str_off || !strsz || im->buf[str_off + strsz - 1] != '\0')
		return refuse(im->path, "damaged string table");
	const char *str = (const char *)im->buf + str_off;
	/* The new dynamic section (the old one, DT_SYMBOLIC, a DT_SONAME
	 * if there was none, DT_NULL), then the old table, at the same
	 * offsets from its start. */
	size_t dyn_size = (used + 3) * sizeof(ElfW(Dyn));
	char *buf = malloc(dyn_size + strsz + 256);
	if (!buf)
		return refuse(im->path, "out of memory");
	t->buf = buf;
	t->cap = dyn_size + strsz + 256;
	memcpy(t->buf + dyn_size, str, strsz);
	t->len = dyn_size + strsz;
	for (size_t i = 0; i < nd && d[i].d_tag != DT_NULL; i++) {
		if (d[i].d_tag != DT_NEEDED || d[i].d_un.d_val >= strsz)
			continue;
		const char *to = renamed(spec, str + d[i].d_un.d_val);
		size_t at = to ? names_add(t, to) : 0;
		if (to && !at)
			return refuse(im->path, "out of memory");
		if (to)
			d[i].d_un.d_val = at - dyn_size;
	}
	ElfW(Dyn) added[2];
	size_t nadded = 0;
	if (spec->soname) {
		size_t at = names_add(t, spec->soname);
		if (!at)
			return refuse(im->path, "out of memory");
		if (soname)
			soname->d_un.d_val = at - dyn_size;
		else
			added[nadded++] = (ElfW(Dyn)){ DT_SONAME, { at - dyn_size } };
	}
	added[nadded++] = (ElfW(Dyn)){ DT_SYMBOLIC, { 0 } };
	/* Version needs name files too; ld.so looks them up among the
	 * object's dependencies (glibc-facts 35). */
	size_t vn_off = verneed ? file_offset(im, ph, phnum, verneed,
					      sizeof(ElfW(Verneed))) : 0;
	for (size_t i = 0; vn_off && i < nverneed; i++) {
		if (vn_off + sizeof(ElfW(Verneed)) > im->size)
			return refuse(im->path, "damaged version needs");
		ElfW(Verneed) *vn = (ElfW(Verneed) *)(im->buf + vn_off);
		const char *to = vn->vn_file < strsz
					 ? renamed(spec, str + vn->vn_file) : NULL;
		if (to) {
			size_t at = names_add(t, to);
			if (!at)
				return refuse(im->path, "out of memory");
			vn->vn_file = (ElfW(Word))(at - dyn_size);
		}
		if (!vn->vn_next)
			break;
		vn_off += vn->vn_next;
	}
	/* The new segment: after every other, in file and in memory. */
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t off = (im->size + page - 1) & ~(page - 1);
	ElfW(Addr) vaddr = (end + page - 1) & ~(ElfW(Addr))(page - 1);
	/* Writable: ld.so before 2.35 relocates .dynamic in place. */
	**seg = (ElfW(Phdr)){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W,
		.p_offset = off, .p_vaddr = vaddr, .p_paddr = vaddr,
		.p_filesz = t->len, .p_memsz = t->len, .p_align = page };
	for (size_t i = 0; i < used; i++) {
		if (d[i].d_tag == DT_STRTAB)
			d[i].d_un.d_ptr = vaddr + dyn_size;
		else if (d[i].d_tag == DT_STRSZ)
			d[i].d_un.d_val = t->len - dyn_size;
	}
	ElfW(Dyn) *nd_out = (ElfW(Dyn) *)t->buf;
	memcpy(nd_out, d, used * sizeof *d);
	memcpy(nd_out + used, added, nadded * sizeof *added);
	memset(nd_out + used + nadded, 0,
	       dyn_size - (used + nadded) * sizeof *d);
	*dyn = (ElfW(Phdr)){ .p_type = PT_DYNAMIC, .p_flags = PF_R | PF_W,
		.p_offset = off, .p_vaddr = vaddr, .p_paddr = vaddr,
		.p_filesz = dyn_size, .p_memsz = dyn_size,
		.p_align = sizeof(ElfW(Addr)) };
	return true;
}

int nsshare_copy_open(const char *name)
{
	char memfd_name[240];
	snprintf(memfd_name, sizeof memfd_name, "nsshare:copy:%s", name);
	int fd = memfd_create(memfd_name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		nsshare_error(name, "cannot make a copy for an instance: %s",
			      strerror(errno));
	return fd;
}

bool nsshare_copy_write(int fd, const struct nsshare_copy_spec *spec)
{
	int in = open(spec->path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (in < 0 || fstat(in, &st) < 0) {
		nsshare_error(spec->path, "cannot open shared object file: %s",
			      strerror(errno));
		if (in >= 0)
			close(in);
		return false;
	}
	struct image im = { malloc(st.st_size ? (size_t)st.st_size : 1),
			    (size_t)st.st_size, spec->path };
	if (!im.buf || read_full(in, im.buf, im.size, 0) != (ssize_t)im.size) {
		close(in);
		free(im.buf);
		nsshare_error(spec->path, "cannot read shared object file");
		return false;
	}
	close(in);
	struct names t = { 0 };
	ElfW(Phdr) *seg = NULL;
	bool ok = copy_patch(&im, spec, &t, &seg);
	if (ok) {
		size_t pad = seg->p_offset - im.size;
		static const char zero[4096];
		ok = write(fd, im.buf, im.size) == (ssize_t)im.size;
		while (ok && pad > 0) {
			size_t n = pad < sizeof zero ? pad : sizeof zero;
			ok = write(fd, zero, n) == (ssize_t)n;
			pad -= n;
		}
		/* F_SEAL_WRITE waits for nsshare_copy_share_code, which
		 * punches the pages it maps from the file out of the memfd. */
		ok = ok && write(fd, t.buf, t.len) == (ssize_t)t.len &&
		     nsshare_memfd_seal(fd, F_SEAL_SHRINK | F_SEAL_GROW);
		if (!ok)
			nsshare_error(spec->path, "cannot write its copy: %s",
				      strerror(errno));
	}
	free(t.buf);
	free(im.buf);
	return ok;
}

/* ---- A loaded copy's code, shared with the file's page cache.
 *
 * The pages of a memfd are the copy's alone: every instance would hold
 * its own copy of each library's code (1.4 MiB for SQLite).  A copy's
 * code segment is byte for byte the file's, at the same offsets (copy.c
 * rewrites headers, version needs and the dynamic section, none of them
 * code), so once ld.so has loaded the copy, each page of it that holds
 * what the file holds is mapped from the file instead, over the copy's,
 * and punched out of the memfd.  Bytes are compared, not assumed: a text
 * relocation, a page ld.so zeroed past p_filesz, or a file changed since
 * it was copied keeps the copy's page.  Replacing a page with identical
 * bytes is invisible to code running in it (mmap swaps it under the
 * address space's lock).  Only a code segment that holds no other
 * program header's contents, nor the ELF header, is shared this way:
 * debuggers read symbol tables, unwind tables and notes from the file
 * ld.so opened (the copy's image), which must keep them. */

struct copy_find {
	const char *path;
	ElfW(Addr) addr;
	ElfW(Phdr) *ph;
	size_t phnum;
};

static int copy_find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct copy_find *f = arg;
	(void)size;
	if (!info->dlpi_name || strcmp(info->dlpi_name, f->path) != 0)
		return 0;
	f->ph = malloc(info->dlpi_phnum * sizeof *f->ph);
	if (f->ph) {
		memcpy(f->ph, info->dlpi_phdr, info->dlpi_phnum * sizeof *f->ph);
		f->phnum = info->dlpi_phnum;
		f->addr = info->dlpi_addr;
	}
	return 1;
}

/* Whether the code segment PH[I], whose file pages are [OFF, OFF+LEN),
 * holds nothing but code: not the ELF header, no other header's part. */
static bool code_only(const ElfW(Phdr) *ph, size_t phnum, size_t i,
		      size_t off, size_t len)
{
	if (!(ph[i].p_flags & PF_X) || !(ph[i].p_flags & PF_R) ||
	    (ph[i].p_flags & PF_W) || off == 0)
		return false;
	for (size_t j = 0; j < phnum; j++)
		if (j != i && ph[j].p_type != PT_LOAD &&
		    ph[j].p_type != PT_GNU_STACK && ph[j].p_offset < off + len &&
		    ph[j].p_offset + ph[j].p_filesz > off)
			return false;
	return true;
}

/* Maps the pages at ADDR (LEN bytes, file offset OFF) that FILE (IN)
 * holds the same bytes as from it, with PROT, and punches them out of
 * the copy's memfd FD.  Bytes saved. */
static size_t pages_share(int fd, int in, ElfW(Addr) addr, size_t off,
			  size_t len, int prot, size_t page)
{
	unsigned char *file = mmap(NULL, len, PROT_READ, MAP_PRIVATE, in,
				   (off_t)off);
	if (file == MAP_FAILED)
		return 0;
	size_t saved = 0, run = 0;
	for (size_t at = 0; at <= len; at += page) {
		if (at < len && memcmp((const void *)(addr + at), file + at,
				       page) == 0)
			continue;
		/* [run, at) holds the file's bytes. */
		if (at > run &&
		    mmap((void *)(addr + run), at - run, prot,
			 MAP_PRIVATE | MAP_FIXED, in, (off_t)(off + run)) !=
			    MAP_FAILED &&
		    fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			      (off_t)(off + run), (off_t)(at - run)) == 0)
			saved += at - run;
		run = at + page;
	}
	munmap(file, len);
	return saved;
}

size_t nsshare_copy_share_code(int fd, const char *path, const char *file)
{
	struct copy_find f = { .path = path };
	dl_iterate_phdr(copy_find_cb, &f);
	int in = f.ph ? open(file, O_RDONLY | O_CLOEXEC) : -1;
	struct stat st;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), saved = 0;
	for (size_t i = 0; in >= 0 && fstat(in, &st) == 0 && i < f.phnum; i++) {
		const ElfW(Phdr) *ph = &f.ph[i];
		size_t off = ph->p_offset & ~(page - 1);
		size_t end = (ph->p_offset + ph->p_filesz + page - 1) & ~(page - 1);
		if (ph->p_type != PT_LOAD || end <= off ||
		    ph->p_offset + ph->p_filesz > (size_t)st.st_size ||
		    !code_only(f.ph, f.phnum, i, off, end - off))
			continue;
		int prot = PROT_READ | PROT_EXEC;
		saved += pages_share(fd, in, f.addr + (ph->p_vaddr & ~(page - 1)),
				     off, end - off, prot, page);
	}
	if (in >= 0)
		close(in);
	free(f.ph);
	/* What ld.so maps stays as it is now, punched or not. */
	(void)nsshare_memfd_seal(fd, F_SEAL_WRITE | F_SEAL_SEAL);
	return saved;
}
