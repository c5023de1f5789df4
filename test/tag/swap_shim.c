/* The attacker of tag_race.sh, LD_PRELOADed into nsshare-tag: once the
 * program has read the whole of the file TAG_SWAP_WATCH names (as it was
 * when the program started), it does what TAG_SWAP_ACTIONS says, at that
 * exact moment between reading the file and replacing it.  Actions are
 * lines of tab-separated fields:
 *   rename FROM TO    rename(FROM, TO)
 *   chmod MODE PATH   chmod(PATH, MODE), MODE in octal
 * Then it creates TAG_SWAP_DONE, so the test knows the swap did happen. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int armed;
static dev_t watch_dev;
static ino_t watch_ino;

__attribute__((constructor))
static void arm(void)
{
	const char *watch = getenv("TAG_SWAP_WATCH");
	struct stat st;
	if (watch && stat(watch, &st) == 0) {
		watch_dev = st.st_dev;
		watch_ino = st.st_ino;
		armed = 1;
	}
}

static void act(char *line)
{
	char *op = strtok(line, "\t");
	char *a = strtok(NULL, "\t");
	char *b = strtok(NULL, "\t");
	int rc = -1;
	if (op && a && b && strcmp(op, "rename") == 0)
		rc = rename(a, b);
	else if (op && a && b && strcmp(op, "chmod") == 0)
		rc = chmod(b, (mode_t)strtol(a, NULL, 8));
	if (rc != 0)
		fprintf(stderr, "swap_shim: %s %s %s: %s\n", op ? op : "?",
			a ? a : "?", b ? b : "?", strerror(errno));
}

static void swap(void)
{
	const char *actions = getenv("TAG_SWAP_ACTIONS");
	char *copy = strdup(actions ? actions : "");
	char *save = NULL;
	for (char *line = strtok_r(copy, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		act(line);
	free(copy);
	const char *done = getenv("TAG_SWAP_DONE");
	if (done)
		close(open(done, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
}

ssize_t read(int fd, void *buf, size_t size)
{
	static ssize_t (*real_read)(int, void *, size_t);
	if (!real_read)
		real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT,
								    "read");
	ssize_t n = real_read(fd, buf, size);
	int saved = errno;
	struct stat st;
	if (armed && n > 0 && fstat(fd, &st) == 0 && st.st_dev == watch_dev &&
	    st.st_ino == watch_ino && lseek(fd, 0, SEEK_CUR) >= st.st_size) {
		armed = 0;
		swap();
	}
	errno = saved;
	return n;
}
