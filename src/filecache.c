/* Owns: what was read of each file, kept by file identity, which search
 * directories do not exist, their lock and the fork handlers of that lock.
 * Calls: elfread.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ldso.h"

/* ---- What was read of each file, kept by file identity.
 *
 * Entries are immutable once in the table and never freed, so a scan uses
 * them without the lock.  A file that changes gets a new entry (its size
 * or mtime differs); the table grows by one entry per file version ever
 * read.  The lock covers the table only: files are read outside it. */

/* The stat() of the candidate the search accepted last in this thread
 * (search.c's candidate_check). */
_Thread_local struct found_stat last_found;

#define FILE_BUCKETS 256
static struct file_entry *file_table[FILE_BUCKETS];
static pthread_mutex_t file_lock = PTHREAD_MUTEX_INITIALIZER;

/* Called by lock.c's fork handlers after the loader lock, the order in
 * which every thread takes them: a handler of its own, run by glibc
 * before lock.c's, would hold file_lock while the fork waits for a
 * thread that waits for file_lock. */
void nsshare_search_fork_prepare(void)
{
	pthread_mutex_lock(&file_lock);
}

void nsshare_search_fork_parent(void)
{
	pthread_mutex_unlock(&file_lock);
}

void nsshare_search_fork_child(void)
{
	pthread_mutex_unlock(&file_lock);
}

static size_t file_bucket(dev_t dev, ino_t ino)
{
	return (size_t)((dev * 31 + ino) % FILE_BUCKETS);
}

static bool file_is(const struct elf_info *i, const struct stat *sb)
{
	return i->dev == sb->st_dev && i->ino == sb->st_ino &&
	       i->size == sb->st_size && i->mtim.tv_sec == sb->st_mtim.tv_sec &&
	       i->mtim.tv_nsec == sb->st_mtim.tv_nsec;
}

/* Call with file_lock held. */
static struct file_entry *file_find(const struct stat *sb)
{
	struct file_entry *e = file_table[file_bucket(sb->st_dev, sb->st_ino)];
	while (e && !file_is(&e->info, sb))
		e = e->next;
	return e;
}

bool file_known_ok(const struct stat *sb)
{
	pthread_mutex_lock(&file_lock);
	const struct file_entry *e = file_find(sb);
	bool ok = e && e->ok;
	pthread_mutex_unlock(&file_lock);
	return ok;
}

/* What PATH holds now: from the table when a file of the same identity
 * was read before, else read and added.  NULL with the reason in WHY
 * when the file cannot be opened or memory ran out (*OOM set); neither
 * is remembered. */
const struct file_entry *file_get(const char *path, char *why,
				  size_t whysz, bool *oom)
{
	struct stat sb;
	if (last_found.path[0] && strcmp(path, last_found.path) == 0) {
		sb = last_found.sb; /* taken once, microseconds ago */
		last_found.path[0] = '\0';
	} else if (stat(path, &sb) != 0) {
		snprintf(why, whysz, "cannot open shared object file: %s",
			 strerror(errno));
		return NULL;
	}
	pthread_mutex_lock(&file_lock);
	struct file_entry *e = file_find(&sb);
	pthread_mutex_unlock(&file_lock);
	if (e)
		return e;

	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, whysz, "cannot open shared object file: %s",
			 strerror(errno));
		return NULL;
	}
	/* The file may have been replaced since the stat: key the entry by
	 * what is actually read. */
	struct file_entry *n = NULL;
	bool stat_ok = fstat(fd, &sb) == 0;
	if (!stat_ok) {
		snprintf(why, whysz, "cannot stat shared object: %s",
			 strerror(errno));
	} else if ((n = calloc(1, sizeof *n)) &&
		   !(n->ok = elf_info_read(fd, &sb, &n->info, n->why,
					   sizeof n->why)) &&
		   n->info.oom) {
		free(n);
		n = NULL;
	}
	close(fd);
	if (!n) {
		if (stat_ok) {
			*oom = true;
			snprintf(why, whysz, "out of memory");
		}
		return NULL;
	}

	pthread_mutex_lock(&file_lock);
	if ((e = file_find(&sb))) {
		/* Another thread read the same file meanwhile. */
		elf_info_free(&n->info);
		free(n);
	} else {
		e = n;
		size_t b = file_bucket(sb.st_dev, sb.st_ino);
		e->next = file_table[b];
		file_table[b] = e;
	}
	pthread_mutex_unlock(&file_lock);
	return e;
}

/* ---- Search directories that do not exist.
 *
 * ld.so stats a search directory (a path element with one of its hwcaps
 * subdirectories) once a candidate in it fails, and marks it nonexisting
 * for the life of the process (open_path's status[]): a library put
 * there later is not found.  The same here, which also spares a search
 * the ten stat()s per name that each missing subdirectory costs.  Entries
 * are never freed; the table holds at most DIR_MAX. */
#define DIR_BUCKETS 64
#define DIR_MAX 4096

struct dir_entry {
	struct dir_entry *next;
	bool missing;
	char path[];
};

static struct dir_entry *dir_table[DIR_BUCKETS];
static size_t dir_count;

static size_t dir_bucket(const char *path, size_t len)
{
	size_t h = 5381;
	for (size_t i = 0; i < len; i++)
		h = h * 33 + (unsigned char)path[i];
	return h % DIR_BUCKETS;
}

/* Whether the directory PATH (LEN bytes of it) is known not to exist,
 * once dir_check has looked. */
static const struct dir_entry *dir_find(const char *path, size_t len)
{
	for (const struct dir_entry *e = dir_table[dir_bucket(path, len)]; e;
	     e = e->next)
		if (strncmp(e->path, path, len) == 0 && e->path[len] == '\0')
			return e;
	return NULL;
}

bool search_dir_missing(const char *path, size_t len)
{
	pthread_mutex_lock(&file_lock);
	const struct dir_entry *e = dir_find(path, len);
	bool missing = e && e->missing;
	pthread_mutex_unlock(&file_lock);
	return missing;
}

void search_dir_check(const char *path, size_t len)
{
	pthread_mutex_lock(&file_lock);
	bool known = dir_find(path, len) || dir_count >= DIR_MAX;
	pthread_mutex_unlock(&file_lock);
	if (known)
		return;
	struct dir_entry *e = malloc(sizeof *e + len + 1);
	if (!e)
		return;
	memcpy(e->path, path, len);
	e->path[len] = '\0';
	struct stat st;
	e->missing = stat(e->path, &st) != 0 || !S_ISDIR(st.st_mode);
	pthread_mutex_lock(&file_lock);
	if (dir_find(path, len) || dir_count >= DIR_MAX) {
		free(e);
	} else {
		size_t b = dir_bucket(path, len);
		e->next = dir_table[b];
		dir_table[b] = e;
		dir_count++;
	}
	pthread_mutex_unlock(&file_lock);
}
