/* Owns: what was read of each file, kept by file identity, its lock and the
 * fork handlers of that lock.  Calls: elfread.c. */
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
