/* What auditors and debuggers read as the names of nsshare's images
 * (src/imagename.c): a namespace opened for libc itself holds what stock's
 * holds, libc and ld.so, the proxy named .../libc.so.6 (the RTLD_ISOLATE
 * run is the oracle); the name is a link in a directory of the process's
 * own that points at the image; a child makes its own directory, removes
 * it at exit, and removes one that a dead process of the same user left.
 *
 *   image_names            the checks
 *   image_names child DIR  a child: plants a stale directory in DIR, opens
 *                          a namespace, prints its proxy's name, exits */
#include "glibc_util.h"

#include <sys/stat.h>
#include <sys/wait.h>

#define MAX_OBJS 16

/* The file names of the objects of HANDLE's namespace, link-map order. */
static int namespace_names(void *handle, char names[][256])
{
	struct link_map *lm = NULL;
	REQUIRE(dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0, "dlinfo: %s", dlerror());
	while (lm->l_prev)
		lm = lm->l_prev;
	int n = 0;
	for (; lm && n < MAX_OBJS; lm = lm->l_next, n++) {
		const char *slash = strrchr(lm->l_name, '/');
		snprintf(names[n], 256, "%s", slash ? slash + 1 : lm->l_name);
	}
	return n;
}

/* The name of HANDLE's own object. */
static const char *handle_name(void *handle)
{
	struct link_map *lm = NULL;
	REQUIRE(dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0, "dlinfo: %s", dlerror());
	return lm->l_name;
}

/* Its directory of names: PATH without its last two components. */
static void names_dir(const char *path, char *dir, size_t size)
{
	snprintf(dir, size, "%s", path);
	for (int i = 0; i < 2; i++) {
		char *slash = strrchr(dir, '/');
		REQUIRE(slash, "no directory in %s", path);
		*slash = '\0';
	}
}

static int child(const char *tmp)
{
	/* PID 1 never ends and is no process of ours; a number above
	 * Linux's largest pid_max (2^22) stands for a dead process, one of
	 * our own so that runs side by side (preload, linked) do not meet. */
	char stale[512], sub[600], link[700];
	snprintf(stale, sizeof stale, "%s/nsshare-%ld-AbCdEf", tmp,
		 0x20000000L + (long)getpid());
	snprintf(sub, sizeof sub, "%s/3", stale);
	snprintf(link, sizeof link, "%s/libc.so.6", sub);
	REQUIRE(mkdir(stale, 0700) == 0 && mkdir(sub, 0700) == 0 &&
		symlink("/proc/1/fd/3", link) == 0, "planting %s: %m", stale);
	void *h = dlmopen(LM_ID_NEWLM, "libc.so.6", RTLD_NOW);
	REQUIRE(h, "dlmopen: %s", dlerror());
	struct stat st;
	CHECK(lstat(stale, &st) < 0 && errno == ENOENT,
	      "the stale directory %s is still there", stale);
	printf("%s\n", handle_name(h));
	return it_finish();
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "child") == 0)
		return child(argv[2]);

	/* libc's namespace: stock's objects (ld.so's stand-in included),
	 * under stock's names. */
	char got[MAX_OBJS][256], want[MAX_OBJS][256];
	void *h = dlmopen(LM_ID_NEWLM, "libc.so.6", RTLD_NOW);
	REQUIRE(h, "dlmopen libc.so.6: %s", dlerror());
	void *iso = dlmopen(LM_ID_NEWLM, "libc.so.6", RTLD_NOW | RTLD_ISOLATE);
	REQUIRE(iso, "dlmopen libc.so.6, RTLD_ISOLATE: %s", dlerror());
	int n = namespace_names(h, got), m = namespace_names(iso, want);
	CHECK(n == m, "libc's namespace holds %d objects, stock's %d", n, m);
	for (int i = 0; i < n && i < m; i++)
		CHECK(strcmp(got[i], want[i]) == 0, "object %d is %s, stock's %s",
		      i, got[i], want[i]);
	CHECK(dlsym(h, "malloc") == dlsym(RTLD_DEFAULT, "malloc"),
	      "the namespace's libc is not the base one");

	/* The name links to the image, in a directory only we can use. */
	const char *name = handle_name(h);
	char dir[512], target[64], expect[64];
	names_dir(name, dir, sizeof dir);
	struct stat st, image;
	REQUIRE(stat(dir, &st) == 0, "stat %s: %m", dir);
	CHECK(S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700 &&
	      st.st_uid == geteuid(), "%s is mode %o", dir, st.st_mode & 0777);
	ssize_t len = readlink(name, target, sizeof target - 1);
	REQUIRE(len > 0, "readlink %s: %m", name);
	target[len] = '\0';
	int fd = -1;
	CHECK(sscanf(target, "/proc/%*d/fd/%d", &fd) == 1, "%s -> %s", name, target);
	snprintf(expect, sizeof expect, "/proc/%ld/fd/%d", (long)getpid(), fd);
	CHECK(strcmp(target, expect) == 0, "%s -> %s", name, target);
	CHECK(stat(name, &st) == 0 && fstat(fd, &image) == 0 &&
	      st.st_ino == image.st_ino, "%s is not the image's file", name);

	/* A child: its own directory, gone when it exits, and the stale one
	 * it found gone too; ours stays. */
	char tmp[512];
	snprintf(tmp, sizeof tmp, "%s", dir);
	*strrchr(tmp, '/') = '\0';
	int pipefd[2];
	REQUIRE(pipe(pipefd) == 0, "pipe: %m");
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork: %m");
	if (pid == 0) {
		dup2(pipefd[1], 1);
		execl("/proc/self/exe", argv[0], "child", tmp, (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	char child_name[512] = "";
	FILE *f = fdopen(pipefd[0], "r");
	if (!fgets(child_name, sizeof child_name, f))
		child_name[0] = '\0';
	fclose(f);
	child_name[strcspn(child_name, "\n")] = '\0';
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %m");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %#x", status);
	CHECK(ends_with(child_name, "/libc.so.6") && it_is_image_path(child_name),
	      "the child's proxy is %s", child_name);
	if (child_name[0] == '/') {
		char child_dir[512];
		names_dir(child_name, child_dir, sizeof child_dir);
		CHECK(strcmp(child_dir, dir) != 0, "the child used our directory");
		CHECK(lstat(child_dir, &st) < 0 && errno == ENOENT,
		      "the child's directory %s outlived it", child_dir);
	}
	CHECK(stat(dir, &st) == 0, "our directory went with the child");

	CHECK(dlclose(iso) == 0, "dlclose: %s", dlerror());
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
