/* libFuzzer harness of the closure scan (closure.c) and elfread.c's reader
 * of files on disk: each input is written to a fresh memfd and scanned
 * through /proc/self/fd/N as dlmopen would scan it.  The files of
 * src/ldso.h are compiled in so that the input's entry can be dropped
 * from filecache.c's table afterwards (entries are kept for the process's
 * life by design; a fuzz run would otherwise grow by one per input).
 * Objects the input names in DT_NEEDED are real files and stay cached. */
#define _GNU_SOURCE
#include "../../src/machine.c"
#include "../../src/dst.c"
#include "../../src/ldcache.c"
#include "../../src/elfread.c"
#include "../../src/filecache.c"
#include "../../src/search.c"
#include "../../src/closure.c"

#include <sys/mman.h>

static void found(const char *path, const char *want, unsigned kind,
		  void *arg)
{
	(void)arg;
	(void)want;
	/* What a found path must be: a string, a kind from the enum. */
	if (!*path || (kind & ~(unsigned)(NSSHARE_SHARE_GLIBC |
					   NSSHARE_SHARE_UNIQUE |
					   NSSHARE_CLOSURE_RTLD)))
		abort();
}

static bool loaded(const char *name, void *arg)
{
	(void)arg;
	return strcmp(name, "libnsshare-fuzz-loaded.so") == 0;
}

/* Drops what the scan cached of the file of status SB. */
static void cache_forget(const struct stat *sb)
{
	pthread_mutex_lock(&file_lock);
	struct file_entry **p = &file_table[file_bucket(sb->st_dev, sb->st_ino)];
	while (*p) {
		struct file_entry *e = *p;
		if (e->info.dev == sb->st_dev && e->info.ino == sb->st_ino) {
			*p = e->next;
			elf_info_free(&e->info);
			free(e);
		} else {
			p = &e->next;
		}
	}
	pthread_mutex_unlock(&file_lock);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-scan", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat sb;
	if (write(fd, data, size) != (ssize_t)size || fstat(fd, &sb) != 0) {
		close(fd);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	nsshare_search_closure(path, loaded, found, NULL);
	/* A second scan of the same file comes from the cache. */
	nsshare_search_closure(path, NULL, found, NULL);
	cache_forget(&sb);
	close(fd);
	return 0;
}
