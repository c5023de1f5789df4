/* nsshare-tag: shows, sets and clears DF_GNU_1_UNIQUE in the dynamic
 * section of shared libraries, the tag `ld -z unique` writes and nsshare
 * reads to share a library between link-map namespaces.  tag_elf.c finds
 * and patches the entry in memory; this file reads and replaces files.
 *
 * A file is opened once, by its last name component in a descriptor of
 * its directory (symbolic links resolved first, so a link stays a link),
 * read whole, patched in memory and written aside: a temporary file in
 * that directory, created there with O_EXCL, given the owner and mode of
 * the file read, fsync'ed, and renamed over the name, relative to the
 * same descriptor.  Right before the rename the name must still be the
 * file read, unchanged.  Whoever else can write to the directory may
 * swap names about at any moment; the checks make sure that the only
 * file ever replaced is the one read, with its own contents patched, and
 * that a failure at any step leaves everything as it was. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/fs.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "tag_elf.h"

#ifndef NSSHARE_VERSION
#define NSSHARE_VERSION "(version unknown)"
#endif

enum action { ACTION_NONE, ACTION_SHOW, ACTION_SET, ACTION_CLEAR };

/* One file as opened and read. */
struct target {
	const char *name; /* as given on the command line, for messages */
	char *path;       /* name with symbolic links resolved */
	const char *base; /* its last component, within path */
	char *dir;        /* the directory it is in */
	int dirfd;        /* dir, opened O_PATH: all later access goes here */
	int fd;           /* the file, read-only: the one file to replace */
	struct stat st;   /* of fd, before reading */
	char *bytes;
	size_t size;
	struct tag_image image;
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
	      "Only the dynamic entries holding the tag are rewritten; the "
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

/* Opens the file once and for all.  Symbolic links are resolved first,
 * so that the directory held is the one the file is in (the link stays
 * a link); the last component is then opened with O_NOFOLLOW, in that
 * directory.  Should a directory on the way be swapped after realpath,
 * the file opened is whatever the path named then, and that one file is
 * what nsshare-tag goes on reading, checking and replacing. */
static bool open_target(struct target *t)
{
	t->path = realpath(t->name, NULL);
	if (!t->path)
		return report(t->name, "%s", strerror(errno));
	/* realpath gives an absolute path: there is always a slash. */
	t->base = strrchr(t->path, '/') + 1;
	size_t dirlen = (size_t)(t->base - t->path);
	t->dir = strndup(t->path, dirlen > 1 ? dirlen - 1 : 1);
	if (!t->dir)
		return report(t->name, "%s", strerror(errno));
	if (*t->base == '\0') /* the root directory */
		return report(t->name, "not a regular file");
	t->dirfd = open(t->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (t->dirfd < 0)
		return report(t->name, "%s", strerror(errno));
	/* O_NONBLOCK: a FIFO put in its place must not hang the open. */
	t->fd = openat(t->dirfd, t->base, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
		       O_NOCTTY | O_CLOEXEC);
	if (t->fd < 0 && errno == ELOOP)
		return report(t->name, "replaced while being tagged; nothing "
			      "was changed");
	if (t->fd < 0)
		return report(t->name, "%s", strerror(errno));
	if (fstat(t->fd, &t->st) != 0)
		return report(t->name, "%s", strerror(errno));
	if (!S_ISREG(t->st.st_mode))
		return report(t->name, "not a regular file");
	t->size = (size_t)t->st.st_size;
	if (!(t->bytes = malloc(t->size ? t->size : 1)))
		return report(t->name, "%s", strerror(errno));
	if (!read_whole(t->fd, t->bytes, t->size))
		return report(t->name, "cannot read: %s", strerror(errno));
	return true;
}

static void target_free(struct target *t)
{
	tag_image_close(&t->image);
	if (t->fd >= 0)
		close(t->fd);
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->bytes);
	free(t->dir);
	free(t->path);
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

/* Creates ".BASE.nsshare-tag.XXXXXX" in the file's directory, mode 0600,
 * and returns its descriptor, its name in *tmp.  O_EXCL: a name someone
 * put there first, symbolic link or not, is never opened. */
static int create_temporary(const struct target *t, char **tmp)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz"
				      "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	if (asprintf(tmp, ".%s.nsshare-tag.XXXXXX", t->base) < 0) {
		*tmp = NULL;
		return report(t->name, "%s", strerror(errno)), -1;
	}
	char *suffix = *tmp + strlen(*tmp) - 6;
	for (int attempt = 0; attempt < 100; attempt++) {
		unsigned char random[6];
		if (getrandom(random, sizeof random, GRND_NONBLOCK) !=
		    (ssize_t)sizeof random) {
			/* No entropy yet (early boot): O_EXCL keeps any
			 * name safe, a guessable one only costs retries. */
			unsigned long mix = (unsigned long)getpid() * 2654435761u
					    + (unsigned long)attempt * 40503u;
			memcpy(random, &mix, sizeof random);
		}
		for (int i = 0; i < 6; i++)
			suffix[i] = letters[random[i] % (sizeof letters - 1)];
		int fd = openat(t->dirfd, *tmp, O_WRONLY | O_CREAT | O_EXCL |
				O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST) {
			if (fd < 0)
				report(t->name, "cannot create a temporary "
				       "file in %s: %s", t->dir,
				       strerror(errno));
			return fd;
		}
	}
	report(t->name, "cannot create a temporary file in %s: %s", t->dir,
	       strerror(EEXIST));
	return -1;
}

/* Writes t->bytes to a new temporary file with the original's owner and
 * mode; its name in *tmp.  On failure nothing is left of it.
 *
 * The owner and mode are set after the bytes are written: a write by a
 * process without CAP_FSETID clears set-user-ID and set-group-ID.  Until
 * then the file has mode 0600, never more than the original. */
static bool write_temporary(const struct target *t, char **tmp)
{
	int fd = create_temporary(t, tmp);
	if (fd < 0)
		return false;
	bool ok = true;
	if (!write_whole(fd, t->bytes, t->size))
		ok = report(t->name, "cannot write %s/%s: %s", t->dir, *tmp,
			    strerror(errno));
	if (ok)
		ok = copy_ownership(t, fd);
	if (ok && fsync(fd) != 0)
		ok = report(t->name, "cannot write %s/%s: %s", t->dir, *tmp,
			    strerror(errno));
	/* close() reports delayed write errors (NFS, quotas). */
	if (close(fd) != 0 && ok)
		ok = report(t->name, "cannot write %s/%s: %s", t->dir, *tmp,
			    strerror(errno));
	if (!ok)
		unlinkat(t->dirfd, *tmp, 0);
	return ok;
}

static bool same_time(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* Whether the name is still the file that was read, and that file still
 * as it was read: else the temporary holds the contents, owner and mode
 * of one file and the rename would put them in place of another.  ctime
 * also moves when the file is written, renamed, linked or chmod'ed. */
static bool still_the_file_read(const struct target *t)
{
	struct stat named, now;
	if (fstatat(t->dirfd, t->base, &named, AT_SYMLINK_NOFOLLOW) != 0 ||
	    named.st_dev != t->st.st_dev || named.st_ino != t->st.st_ino)
		return report(t->name, "replaced while being tagged; nothing "
			      "was changed");
	if (fstat(t->fd, &now) != 0 || now.st_size != t->st.st_size ||
	    !same_time(now.st_mtim, t->st.st_mtim) ||
	    !same_time(now.st_ctim, t->st.st_ctim))
		return report(t->name, "changed while being tagged; nothing "
			      "was changed");
	return true;
}

/* The rename is what commits; syncing the directory makes it durable.
 * Some filesystems refuse fsync on a directory, and a directory may be
 * searchable without being readable: neither changes anything about the
 * file's content, so neither is reported. */
static void sync_directory(const struct target *t)
{
	int fd = openat(t->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Whether the user protected the file against writing: its mode, a
 * read-only filesystem, the immutable or append-only attribute.  The
 * rename would go through all of them, so they are asked one by one:
 * faccessat answers only for the mode before glibc 2.33 (no faccessat2),
 * and open(O_WRONLY) would fail with ETXTBSY on a running program. */
static bool may_write(const struct target *t)
{
	if (faccessat(t->dirfd, t->base, W_OK,
		      AT_EACCESS | AT_SYMLINK_NOFOLLOW) != 0)
		return report(t->name, "cannot write: %s", strerror(errno));
	struct statvfs fs;
	if (fstatvfs(t->fd, &fs) == 0 && (fs.f_flag & ST_RDONLY))
		return report(t->name, "cannot write: %s", strerror(EROFS));
	/* Filesystems without attributes refuse the ioctl: nothing to
	 * refuse then. */
	int attr = 0;
	if (ioctl(t->fd, FS_IOC_GETFLAGS, &attr) == 0 &&
	    (attr & (FS_IMMUTABLE_FL | FS_APPEND_FL)))
		return report(t->name, "cannot write: %s", strerror(EPERM));
	return true;
}

/* Replaces the file with t->bytes.  Hard links to the file keep the old
 * contents, as with any rename-based editor. */
static bool replace_file(const struct target *t)
{
	if (!may_write(t))
		return false;
	char *tmp = NULL;
	if (!write_temporary(t, &tmp)) {
		free(tmp);
		return false;
	}
	bool ok = still_the_file_read(t);
	if (ok && renameat(t->dirfd, tmp, t->dirfd, t->base) != 0)
		ok = report(t->name, "cannot replace the file: %s",
			    strerror(errno));
	if (ok)
		sync_directory(t);
	else
		unlinkat(t->dirfd, tmp, 0);
	free(tmp);
	return ok;
}

static bool process_file(const char *name, enum action action)
{
	struct target t = { .name = name, .dirfd = -1, .fd = -1 };
	bool ok = open_target(&t);
	if (ok && !tag_image_open(&t.image, t.bytes, t.size))
		ok = report(name, "%s", t.image.error);
	if (ok && action == ACTION_SHOW) {
		printf("%s: %s\n", name, tag_image_unique(&t.image)
		       ? "unique" : "not unique");
		/* A full disk or closed stdout is a failure for this file. */
		if (fflush(stdout) != 0)
			ok = report(name, "cannot print: %s", strerror(errno));
	} else if (ok) {
		/* An unchanged file is not rewritten at all. */
		int changed = tag_image_patch(&t.image, action == ACTION_SET
					      ? TAG_SET : TAG_CLEAR);
		if (changed < 0)
			ok = report(name, "%s", t.image.error);
		else if (changed)
			ok = replace_file(&t);
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
	/* Every file is tried, so one bad argument does not stop the rest. */
	status = EXIT_SUCCESS;
	for (int i = optind; i < argc; i++)
		if (!process_file(argv[i], action))
			status = EXIT_FAILURE;
	return status;
}
