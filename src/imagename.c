/* The names under which ld.so opens nsshare's images.  Owns the process's
 * directory of links; calls nothing but the kernel.
 *
 * ld.so names an object after the path it was opened by, and an audit
 * module, a debugger and glibc's own tests read that name: a proxy opened
 * as /proc/PID/fd/N says nothing of what it stands for, where stock shows
 * .../libc.so.6.  So each image is opened through a link DIR/N/NAME ->
 * /proc/PID/fd/N, NAME being the base copy's file name, in a directory
 * of the process's own (mode 0700, made by mkdtemp under $TMPDIR, else
 * /dev/shm, else /tmp: a tmpfs makes each link in a few microseconds,
 * where ext4 may take a hundred, which a first dlmopen felt).  The link's target is the descriptor, so the name holds for as
 * long as the image does, whoever reads it (gdb opens it as the process
 * would), and never for another file.  Where no directory can be made
 * (secure mode, a read-only /tmp) the name is /proc/PID/fd/N as before.
 *
 * A fork child opens images through a directory of its own (the parent's
 * links point into the parent's descriptors, which the child may not be
 * allowed to read), and knows its ancestors' directories to recognise the
 * names its link maps inherited.  The directory goes at exit; one left by
 * a process that crashed or exec'd is removed by the next process of the
 * same user that makes one. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define DIR_PREFIX "nsshare-"
#define DIRS_MAX 8 /* the process's and its ancestors' */

/* A lock of its own, so that the readers and unit tests need no more of
 * nsshare than this file; lock.c's fork handlers hold it across fork().
 * Held only around the file system calls that make the directory. */
static pthread_mutex_t names_lock = PTHREAD_MUTEX_INITIALIZER;

void nsshare_image_names_lock(void)
{
	pthread_mutex_lock(&names_lock);
}

void nsshare_image_names_unlock(void)
{
	pthread_mutex_unlock(&names_lock);
}

/* Under names_lock.  dirs[0..ndirs) are this process's ancestors'
 * directories and, last when dir_pid is this process, its own. */
static char dirs[DIRS_MAX][NSSHARE_IMAGE_PATH_MAX / 2];
static size_t ndirs;
static pid_t dir_pid;
static bool dir_failed; /* for dir_pid: no directory can be made */

/* Removes the directory NAME in PARENT that a dead process of this user
 * left: its per-descriptor subdirectories, each holding links. */
static void stale_remove(int parent, const char *name)
{
	int dir = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = dir >= 0 ? fdopendir(dir) : NULL;
	if (!d) {
		if (dir >= 0)
			close(dir);
		return;
	}
	for (struct dirent *e; (e = readdir(d));) {
		if (e->d_name[0] == '.')
			continue;
		int sub = openat(dir, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		DIR *s = sub >= 0 ? fdopendir(sub) : NULL;
		for (struct dirent *l; s && (l = readdir(s));)
			if (l->d_name[0] != '.')
				unlinkat(sub, l->d_name, 0);
		if (s)
			closedir(s);
		else if (sub >= 0)
			close(sub);
		unlinkat(dir, e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
	unlinkat(parent, name, AT_REMOVEDIR);
}

/* The directories in TMP that processes of this user left behind. */
static void stale_sweep(const char *tmp)
{
	DIR *d = opendir(tmp);
	if (!d)
		return;
	for (struct dirent *e; (e = readdir(d));) {
		char *end;
		if (strncmp(e->d_name, DIR_PREFIX, strlen(DIR_PREFIX)) != 0)
			continue;
		long pid = strtol(e->d_name + strlen(DIR_PREFIX), &end, 10);
		struct stat st;
		if (*end != '-' || pid <= 0 || pid == getpid() ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		if (kill((pid_t)pid, 0) < 0 && errno == ESRCH)
			stale_remove(dirfd(d), e->d_name);
	}
	closedir(d);
}

/* This process's directory, made on first use; NULL where there can be
 * none.  Under names_lock. */
static const char *own_dir(void)
{
	pid_t pid = getpid();
	if (dir_pid == pid)
		return dir_failed ? NULL : dirs[ndirs - 1];
	dir_pid = pid;
	dir_failed = true;
	if (getauxval(AT_SECURE) || ndirs == DIRS_MAX)
		return NULL;
	const char *tmp = getenv("TMPDIR");
	if (!tmp || tmp[0] != '/')
		tmp = access("/dev/shm", W_OK | X_OK) == 0 ? "/dev/shm" : "/tmp";
	char *dir = dirs[ndirs];
	int n = snprintf(dir, sizeof dirs[0], "%s/" DIR_PREFIX "%ld-XXXXXX", tmp,
			 (long)pid);
	if (n < 0 || (size_t)n >= sizeof dirs[0])
		return NULL;
	stale_sweep(tmp);
	if (!mkdtemp(dir))
		return NULL;
	ndirs++;
	dir_failed = false;
	return dir;
}

void nsshare_image_path(int fd, const char *name, char *buf)
{
	char target[64];
	snprintf(target, sizeof target, "/proc/%ld/fd/%d", (long)getpid(), fd);
	const char *slash = name ? strrchr(name, '/') : NULL;
	if (slash)
		name = slash + 1;
	nsshare_image_names_lock();
	const char *dir = name && *name ? own_dir() : NULL;
	int n = dir ? snprintf(buf, NSSHARE_IMAGE_PATH_MAX, "%s/%d", dir, fd) : -1;
	nsshare_image_names_unlock();
	if (n > 0 && (size_t)n < NSSHARE_IMAGE_PATH_MAX) {
		size_t len = (size_t)n;
		(void)mkdir(buf, 0700); /* EEXIST: an earlier image on FD */
		n = snprintf(buf + len, NSSHARE_IMAGE_PATH_MAX - len, "/%s", name);
		/* The target depends on FD only, so an existing link is right. */
		if (n > 0 && (size_t)n < NSSHARE_IMAGE_PATH_MAX - len &&
		    (symlink(target, buf) == 0 || errno == EEXIST))
			return;
	}
	memcpy(buf, target, strlen(target) + 1);
}

int nsshare_image_path_fd(const char *path)
{
	int fd;
	long pid;
	char tail;
	if (sscanf(path, "/proc/%ld/fd/%d%c", &pid, &fd, &tail) == 2)
		return fd;
	int found = -1;
	nsshare_image_names_lock();
	for (size_t i = 0; i < ndirs && found < 0; i++) {
		size_t len = strlen(dirs[i]);
		if (strncmp(path, dirs[i], len) != 0 || path[len] != '/')
			continue;
		char *end;
		long n = strtol(path + len + 1, &end, 10);
		if (end != path + len + 1 && *end == '/' && !strchr(end + 1, '/') &&
		    n >= 0 && n <= INT_MAX)
			found = (int)n;
	}
	nsshare_image_names_unlock();
	return found;
}

/* At exit (or when libnsshare is unloaded): the process's own directory,
 * never an ancestor's. */
__attribute__((destructor)) static void image_dir_remove(void)
{
	if (dir_pid != getpid() || dir_failed || ndirs == 0)
		return;
	char *dir = dirs[ndirs - 1];
	char *slash = strrchr(dir, '/');
	*slash = '\0';
	int parent = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	*slash = '/';
	if (parent >= 0) {
		stale_remove(parent, slash + 1);
		close(parent);
	}
	dir_pid = 0;
}
