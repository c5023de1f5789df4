/* nsshare-tag: shows, sets and clears DF_GNU_1_UNIQUE in the dynamic
 * section of shared libraries, the tag `ld -z unique` writes and nsshare
 * reads to share a library between link-map namespaces.
 *
 * The tag goes into a spare DT_NULL entry of the dynamic array (GNU ld
 * leaves some after the terminator), so nothing moves: the output is the
 * input with one dynamic entry rewritten.  Files are read whole into
 * memory, parsed there with libelf, patched in that copy and written
 * aside: a temporary file in the same directory, fsync'ed, renamed over
 * the original.  A failure at any step leaves the original untouched.
 *
 * Which dynamic array counts is the one ld.so reads: PT_DYNAMIC, up to
 * its first DT_NULL.  libnsshare reads it the same way (the last
 * DT_GNU_FLAGS_1 entry before the terminator wins). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <getopt.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nsshare.h"

#ifndef NSSHARE_VERSION
#define NSSHARE_VERSION "(version unknown)"
#endif

enum action { ACTION_NONE, ACTION_SHOW, ACTION_SET, ACTION_CLEAR };

/* One file as read: its bytes, and its dynamic array decoded. */
struct target {
	const char *name; /* as given on the command line, for messages */
	struct stat st;
	char *bytes;
	size_t size;
	Elf *elf;
	GElf_Off dyn_offset; /* file offset of PT_DYNAMIC */
	size_t dyn_entsize;  /* size of one entry in the file's class */
	size_t ndyn;         /* entries that fit in PT_DYNAMIC's p_filesz */
	size_t terminator;   /* index of the first DT_NULL */
	GElf_Dyn *dyn;       /* all ndyn entries, as in the file */
};

/* Reports a failure about one file and returns false, so callers can
 * `return report(...)`.  Messages are "nsshare-tag: FILE: reason". */
__attribute__((format(printf, 2, 3)))
static bool report(const char *name, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "nsshare-tag: %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return false;
}

static void usage(FILE *out)
{
	fputs("Usage: nsshare-tag --show|--set|--clear FILE...\n"
	      "Show, set or clear DF_GNU_1_UNIQUE (DT_GNU_FLAGS_1) on shared "
	      "libraries.\n"
	      "\n"
	      "  --show      print \"FILE: unique\" or \"FILE: not unique\"\n"
	      "  --set       tag FILE unique, as ld -z unique does\n"
	      "  --clear     remove the tag\n"
	      "  --help      print this help and exit\n"
	      "  --version   print the version and exit\n"
	      "\n"
	      "Only the one dynamic entry holding the tag is rewritten; the "
	      "file is\nreplaced atomically.  Exit status is 0 when every FILE "
	      "was handled,\n1 when any failed, 2 on a usage error.  See "
	      "nsshare-tag(1).\n", out);
}

/* Reads exactly size bytes: a short read means the file changed under
 * us, and a partial image must never be written back. */
static bool read_whole(int fd, char *buf, size_t size)
{
	size_t done = 0;
	while (done < size) {
		ssize_t n = read(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return false;
		}
		done += (size_t)n;
	}
	return true;
}

static bool write_whole(int fd, const char *buf, size_t size)
{
	size_t done = 0;
	while (done < size) {
		ssize_t n = write(fd, buf + done, size - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return false;
		done += (size_t)n;
	}
	return true;
}

static bool load_bytes(struct target *t)
{
	int fd = open(t->name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return report(t->name, "%s", strerror(errno));
	bool ok = false;
	if (fstat(fd, &t->st) != 0) {
		report(t->name, "%s", strerror(errno));
	} else if (!S_ISREG(t->st.st_mode)) {
		report(t->name, "not a regular file");
	} else if ((size_t)t->st.st_size < EI_NIDENT) {
		report(t->name, "not an ELF file");
	} else if (!(t->bytes = malloc((size_t)t->st.st_size))) {
		report(t->name, "%s", strerror(errno));
	} else if (!read_whole(fd, t->bytes, (size_t)t->st.st_size)) {
		report(t->name, "cannot read: %s", strerror(errno));
	} else {
		t->size = (size_t)t->st.st_size;
		ok = true;
	}
	close(fd);
	return ok;
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
static bool find_dynamic_segment(struct target *t, GElf_Phdr *dynph)
{
	size_t phnum;
	if (elf_getphdrnum(t->elf, &phnum) != 0)
		return report(t->name, "malformed ELF file: %s", elf_errmsg(-1));
	size_t found = 0;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(t->elf, (int)i, &ph))
			return report(t->name, "truncated or malformed program "
				      "headers: %s", elf_errmsg(-1));
		if (ph.p_type == PT_DYNAMIC && found++ == 0)
			*dynph = ph;
	}
	if (found == 0)
		return report(t->name, "not a shared object (no PT_DYNAMIC)");
	if (found > 1)
		return report(t->name, "malformed ELF file: %zu PT_DYNAMIC "
			      "segments", found);
	return true;
}

/* True when [offset, offset + size) lies within the file. */
static bool within_file(const struct target *t, GElf_Off offset,
			GElf_Xword size)
{
	return offset <= t->size && size <= t->size - offset;
}

/* libelf quietly ignores a section header table that runs past the end
 * of the file and does not look at segment contents, so a truncated file
 * would otherwise pass for a whole one, and --set would write it back as
 * if it were.  Every table and every loaded byte must be in the file. */
static bool check_extents(struct target *t, const GElf_Ehdr *eh)
{
	size_t shnum;
	if (elf_getshdrnum(t->elf, &shnum) != 0)
		return report(t->name, "malformed section headers: %s",
			      elf_errmsg(-1));
	if (eh->e_shoff != 0) {
		GElf_Xword count = shnum > eh->e_shnum ? shnum : eh->e_shnum;
		if (count == 0)
			count = 1; /* section 0 holds the extended count */
		if (!within_file(t, eh->e_shoff, count * eh->e_shentsize))
			return report(t->name, "truncated or damaged file: "
				      "the section header table ends past "
				      "the end of the file");
	}
	size_t phnum;
	if (elf_getphdrnum(t->elf, &phnum) != 0)
		return report(t->name, "malformed ELF file: %s", elf_errmsg(-1));
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(t->elf, (int)i, &ph))
			return report(t->name, "truncated or malformed program "
				      "headers: %s", elf_errmsg(-1));
		if (ph.p_type == PT_LOAD &&
		    !within_file(t, ph.p_offset, ph.p_filesz))
			return report(t->name, "truncated or damaged file: "
				      "a PT_LOAD segment ends past the end "
				      "of the file");
	}
	for (Elf_Scn *scn = elf_nextscn(t->elf, NULL); scn;
	     scn = elf_nextscn(t->elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return report(t->name, "malformed section headers: %s",
				      elf_errmsg(-1));
		if (sh.sh_type != SHT_NOBITS &&
		    !within_file(t, sh.sh_offset, sh.sh_size))
			return report(t->name, "truncated or damaged file: "
				      "section %zu ends past the end of the "
				      "file", elf_ndxscn(scn));
	}
	return true;
}

/* readelf, objdump and other tools read .dynamic through the section
 * headers, ld.so through PT_DYNAMIC.  If the two disagree, a patch seen
 * by one would be invisible to the other: refuse such a file. */
static bool check_dynamic_section(struct target *t, const GElf_Phdr *dynph)
{
	for (Elf_Scn *scn = elf_nextscn(t->elf, NULL); scn;
	     scn = elf_nextscn(t->elf, scn)) {
		GElf_Shdr sh;
		if (!gelf_getshdr(scn, &sh))
			return report(t->name, "malformed section headers: %s",
				      elf_errmsg(-1));
		if (sh.sh_type != SHT_DYNAMIC)
			continue;
		if (sh.sh_offset != dynph->p_offset ||
		    sh.sh_size != dynph->p_filesz)
			return report(t->name, "the .dynamic section and "
				      "PT_DYNAMIC disagree");
	}
	return true;
}

/* Decodes the whole of PT_DYNAMIC, spare entries after the terminator
 * included: those are where --set writes. */
static bool read_dynamic(struct target *t, const GElf_Phdr *dynph)
{
	if (!within_file(t, dynph->p_offset, dynph->p_filesz))
		return report(t->name, "truncated or damaged file: "
			      "PT_DYNAMIC ends past the end of the file");
	t->dyn_entsize = gelf_fsize(t->elf, ELF_T_DYN, 1, EV_CURRENT);
	Elf_Data *dd = elf_getdata_rawchunk(t->elf, (int64_t)dynph->p_offset,
					    dynph->p_filesz, ELF_T_DYN);
	if (t->dyn_entsize == 0 || !dd)
		return report(t->name, "truncated or malformed dynamic "
			      "section: %s", elf_errmsg(-1));
	t->dyn_offset = dynph->p_offset;
	t->ndyn = dynph->p_filesz / t->dyn_entsize;
	if (t->ndyn > INT_MAX) /* gelf_getdyn takes an int */
		return report(t->name, "malformed dynamic section: too large");
	t->dyn = calloc(t->ndyn ? t->ndyn : 1, sizeof *t->dyn);
	if (!t->dyn)
		return report(t->name, "%s", strerror(errno));
	t->terminator = t->ndyn;
	for (size_t i = 0; i < t->ndyn; i++) {
		if (!gelf_getdyn(dd, (int)i, &t->dyn[i]))
			return report(t->name, "malformed dynamic section: %s",
				      elf_errmsg(-1));
		if (t->dyn[i].d_tag == DT_NULL && t->terminator == t->ndyn)
			t->terminator = i;
	}
	if (t->terminator == t->ndyn)
		return report(t->name, "malformed dynamic section: no DT_NULL "
			      "terminator");
	return true;
}

/* ld.so refuses to dlopen a PIE (glibc >= 2.30 checks DF_1_PIE), so
 * nsshare can never share one: tagging it would only mislead. */
static bool is_pie(const struct target *t)
{
	for (size_t i = 0; i < t->terminator; i++)
		if (t->dyn[i].d_tag == DT_FLAGS_1 &&
		    (t->dyn[i].d_un.d_val & DF_1_PIE))
			return true;
	return false;
}

/* Reads and checks one file: an ELF shared library with a well-formed
 * dynamic array. */
static bool load_target(struct target *t)
{
	if (!load_bytes(t))
		return false;
	t->elf = elf_memory(t->bytes, t->size);
	if (!t->elf)
		return report(t->name, "malformed ELF file: %s", elf_errmsg(-1));
	switch (elf_kind(t->elf)) {
	case ELF_K_ELF:
		break;
	case ELF_K_AR:
		return report(t->name, "not a shared object (an archive)");
	default:
		return report(t->name, "not an ELF file");
	}
	GElf_Ehdr eh;
	if (!gelf_getehdr(t->elf, &eh))
		return report(t->name, "malformed ELF header: %s",
			      elf_errmsg(-1));
	if (eh.e_type != ET_DYN)
		return report(t->name, "not a shared object (%s)",
			      elf_type_name(eh.e_type));
	GElf_Phdr dynph = { 0 }; /* set when find_dynamic_segment succeeds */
	if (!check_extents(t, &eh) || !find_dynamic_segment(t, &dynph) ||
	    !check_dynamic_section(t, &dynph) || !read_dynamic(t, &dynph))
		return false;
	if (is_pie(t))
		return report(t->name, "not a shared object (a "
			      "position-independent executable)");
	return true;
}

static void target_free(struct target *t)
{
	if (t->elf)
		elf_end(t->elf);
	free(t->dyn);
	free(t->bytes);
}

/* The last DT_GNU_FLAGS_1 before the terminator, as libnsshare reads
 * it; --set and --clear keep all of them in agreement anyway. */
static bool is_unique(const struct target *t)
{
	bool unique = false;
	for (size_t i = 0; i < t->terminator; i++)
		if (t->dyn[i].d_tag == DT_GNU_FLAGS_1)
			unique = t->dyn[i].d_un.d_val & DF_GNU_1_UNIQUE;
	return unique;
}

/* Sets the flag in every DT_GNU_FLAGS_1 entry, or turns the terminator
 * into one when there is none.  The next entry then terminates the
 * array, so it must be DT_NULL too. */
static bool apply_set(const struct target *t, GElf_Dyn *dyn)
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
		return report(t->name, "no spare DT_NULL entry in the dynamic "
			      "section to hold the tag; relink with "
			      "-Wl,-z,unique");
	dyn[slot].d_tag = DT_GNU_FLAGS_1;
	dyn[slot].d_un.d_val = DF_GNU_1_UNIQUE;
	return true;
}

/* Clears the flag everywhere.  An entry left with no flags that is the
 * last one before the terminator goes back to being a DT_NULL: that is
 * the entry --set adds, so set then clear restores the file byte for
 * byte (ld fills spare entries with zeros). */
static void apply_clear(const struct target *t, GElf_Dyn *dyn)
{
	for (size_t i = 0; i < t->terminator; i++) {
		if (dyn[i].d_tag != DT_GNU_FLAGS_1)
			continue;
		dyn[i].d_un.d_val &= ~(GElf_Xword)DF_GNU_1_UNIQUE;
		if (dyn[i].d_un.d_val == 0 && i + 1 == t->terminator) {
			dyn[i].d_tag = DT_NULL;
			dyn[i].d_un.d_val = 0;
		}
	}
}

/* Writes entry d in the file's class and byte order at its place in
 * t->bytes.  Only done once everything has been read through t->elf. */
static bool encode_dyn(struct target *t, size_t index, const GElf_Dyn *d)
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
		return report(t->name, "cannot encode dynamic entry: %s",
			      elf_errmsg(-1));
	memcpy(t->bytes + t->dyn_offset + index * t->dyn_entsize, &file,
	       t->dyn_entsize);
	return true;
}

/* Gives the temporary file the original's owner, group and mode.  When
 * the owner cannot be kept (not root, someone else's file) the file is
 * refused rather than silently changing hands. */
static bool copy_ownership(const struct target *t, int fd)
{
	struct stat tmp;
	if (fstat(fd, &tmp) != 0)
		return report(t->name, "%s", strerror(errno));
	if ((tmp.st_uid != t->st.st_uid || tmp.st_gid != t->st.st_gid) &&
	    fchown(fd, t->st.st_uid, t->st.st_gid) != 0)
		return report(t->name, "cannot keep the file's owner and "
			      "group: %s", strerror(errno));
	/* After fchown, which clears set-user-ID and set-group-ID bits. */
	if (fchmod(fd, t->st.st_mode & 07777) != 0)
		return report(t->name, "cannot keep the file's mode: %s",
			      strerror(errno));
	return true;
}

/* The rename is what commits; syncing the directory makes it durable.
 * Some filesystems refuse fsync on a directory, which changes nothing
 * about the file's content, so that failure is not reported. */
static void sync_directory(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Writes t->bytes to a new file at tmp (a mkostemp template) with the
 * original's owner and mode.  On failure nothing is left at tmp.
 *
 * The owner and mode are set after the bytes are written: a write by a
 * process without CAP_FSETID clears set-user-ID and set-group-ID.  Until
 * then the file has mkostemp's mode 0600, never more than the original. */
static bool write_temporary(const struct target *t, char *tmp, const char *dir)
{
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return report(t->name, "cannot create a temporary file in %s: "
			      "%s", dir, strerror(errno));
	bool ok = true;
	if (!write_whole(fd, t->bytes, t->size))
		ok = report(t->name, "cannot write %s: %s", tmp,
			    strerror(errno));
	if (ok)
		ok = copy_ownership(t, fd);
	if (ok && fsync(fd) != 0)
		ok = report(t->name, "cannot write %s: %s", tmp,
			    strerror(errno));
	/* close() reports delayed write errors (NFS, quotas). */
	if (close(fd) != 0 && ok)
		ok = report(t->name, "cannot write %s: %s", tmp,
			    strerror(errno));
	if (!ok)
		unlink(tmp);
	return ok;
}

/* Replaces the file with t->bytes: a temporary file next to the real
 * file (a symlink is followed, so the link stays a link), fsync'ed, then
 * renamed over it.  Hard links to the file keep the old contents, as
 * with any rename-based editor. */
static bool write_aside(const struct target *t)
{
	char *path = realpath(t->name, NULL);
	if (!path)
		return report(t->name, "%s", strerror(errno));
	bool ok = false;
	char *dir = NULL, *tmp = NULL;
	/* Refuse up front what the user protected: a file we may not write
	 * to (its mode, the immutable attribute, a read-only filesystem). */
	if (faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) != 0) {
		report(t->name, "cannot write: %s", strerror(errno));
		goto out;
	}
	/* realpath gives an absolute path: there is always a slash. */
	const char *base = strrchr(path, '/') + 1;
	size_t dirlen = (size_t)(base - path);
	dir = strndup(path, dirlen > 1 ? dirlen - 1 : 1);
	if (!dir || asprintf(&tmp, "%.*s.%s.nsshare-tag.XXXXXX", (int)dirlen,
			     path, base) < 0) {
		tmp = NULL;
		report(t->name, "%s", strerror(errno));
		goto out;
	}
	if (!write_temporary(t, tmp, dir))
		goto out;
	if (rename(tmp, path) != 0) {
		report(t->name, "cannot replace the file: %s", strerror(errno));
		unlink(tmp);
		goto out;
	}
	sync_directory(dir);
	ok = true;
out:
	free(tmp);
	free(dir);
	free(path);
	return ok;
}

/* Applies --set or --clear to t's dynamic array and writes the file back
 * if any entry changed.  An unchanged file is not rewritten at all. */
static bool modify(struct target *t, enum action action)
{
	GElf_Dyn *dyn = malloc(t->ndyn * sizeof *dyn);
	if (!dyn)
		return report(t->name, "%s", strerror(errno));
	memcpy(dyn, t->dyn, t->ndyn * sizeof *dyn);
	bool ok = true;
	if (action == ACTION_SET)
		ok = apply_set(t, dyn);
	else
		apply_clear(t, dyn);
	bool changed = false;
	for (size_t i = 0; ok && i < t->ndyn; i++) {
		if (dyn[i].d_tag == t->dyn[i].d_tag &&
		    dyn[i].d_un.d_val == t->dyn[i].d_un.d_val)
			continue;
		ok = encode_dyn(t, i, &dyn[i]);
		changed = true;
	}
	free(dyn);
	if (ok && changed)
		ok = write_aside(t);
	return ok;
}

static bool process_file(const char *name, enum action action)
{
	struct target t = { .name = name };
	bool ok = load_target(&t);
	if (ok && action == ACTION_SHOW) {
		printf("%s: %s\n", name, is_unique(&t) ? "unique" : "not unique");
		/* A full disk or closed stdout is a failure for this file. */
		if (fflush(stdout) != 0)
			ok = report(name, "cannot print: %s", strerror(errno));
	} else if (ok) {
		ok = modify(&t, action);
	}
	target_free(&t);
	return ok;
}

/* Parses the options into *action.  Returns -1 to go on, or the exit
 * status to leave with. */
static int parse_options(int argc, char **argv, enum action *action)
{
	static const struct option options[] = {
		{ "show", no_argument, NULL, 's' },
		{ "set", no_argument, NULL, 'S' },
		{ "clear", no_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;
	/* Long options only, like patchelf.  Options may follow the files;
	 * a file whose name starts with "-" goes after "--". */
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		enum action chosen = ACTION_NONE;
		switch (opt) {
		case 's': chosen = ACTION_SHOW; break;
		case 'S': chosen = ACTION_SET; break;
		case 'c': chosen = ACTION_CLEAR; break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("nsshare-tag (nsshare) %s\n", NSSHARE_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return 2;
		}
		if (*action != ACTION_NONE && *action != chosen) {
			fputs("nsshare-tag: give only one of --show, --set and "
			      "--clear\n", stderr);
			return 2;
		}
		*action = chosen;
	}
	if (*action == ACTION_NONE || optind >= argc) {
		fputs(*action == ACTION_NONE
		      ? "nsshare-tag: no action given\n"
		      : "nsshare-tag: no file given\n", stderr);
		usage(stderr);
		return 2;
	}
	return -1;
}

int main(int argc, char **argv)
{
	enum action action = ACTION_NONE;
	int status = parse_options(argc, argv, &action);
	if (status >= 0)
		return status;
	if (elf_version(EV_CURRENT) == EV_NONE) {
		fprintf(stderr, "nsshare-tag: libelf: %s\n", elf_errmsg(-1));
		return EXIT_FAILURE;
	}
	/* Every file is tried, so one bad argument does not stop the rest. */
	status = EXIT_SUCCESS;
	for (int i = optind; i < argc; i++)
		if (!process_file(argv[i], action))
			status = EXIT_FAILURE;
	return status;
}
