/* NSSHARE_DEBUG (issue 12, point 1): with files,scopes,images and
 * NSSHARE_DEBUG_OUTPUT, a dlmopen writes to OUTPUT.PID, one line per
 * event in LD_DEBUG's format ("   PID:\t..."), saying what is shared and
 * why, the namespace's objects with proxies marked, the images built and
 * the time the dlmopen spent in each step;
 * unset, nothing is written; "help" lists the categories. */
#include "it.h"

#include <sys/wait.h>
#include <unistd.h>

/* Runs this program as "child" with NSSHARE_DEBUG=LIST and
 * NSSHARE_DEBUG_OUTPUT=OUT (unset when NULL); its pid. */
static pid_t run_child(const char *self, const char *list, const char *out)
{
	pid_t pid = fork();
	if (pid == 0) {
		if (list)
			setenv("NSSHARE_DEBUG", list, 1);
		else
			unsetenv("NSSHARE_DEBUG");
		if (out)
			setenv("NSSHARE_DEBUG_OUTPUT", out, 1);
		execl(self, self, "child", (char *)NULL);
		_exit(127);
	}
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %#x", status);
	return pid;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	static char buf[1 << 16];
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0) {
		void *h = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW);
		return h && dlclose(h) == 0 ? 0 : 1;
	}
	char dir[] = "/tmp/nsshare-debug-XXXXXX";
	REQUIRE(mkdtemp(dir), "mkdtemp");
	char out[64], path[128];
	snprintf(out, sizeof out, "%s/log", dir);

	pid_t pid = run_child(argv[0], "files,scopes,images", out);
	snprintf(path, sizeof path, "%s.%ld", out, (long)pid);
	char *log = slurp(path);
	REQUIRE(log, "no %s", path);
	char prefix[32];
	snprintf(prefix, sizeof prefix, "%10ld:\tnsshare: ", (long)pid);
	int lines = 0, prefixed = 0;
	for (char *l = log; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
		lines++;
		prefixed += strncmp(l, prefix, strlen(prefix)) == 0;
	}
	CHECK(lines > 5 && prefixed == lines, "%d lines, %d in LD_DEBUG's "
	      "format:\n%s", lines, prefixed, log);
	CHECK(strstr(log, "file=libz.so.1 [new]"), "files: the dlmopen");
	CHECK(strstr(log, "(as libc.so.6): shared, a proxy: glibc"),
	      "files: libc shared, and why");
	CHECK(strstr(log, "/libz.so.1: private"), "files: libz private");
	CHECK(strstr(log, "namespace ") && strstr(log, "(proxy of ") &&
	      strstr(log, "(nsshare's root)"),
	      "scopes: the namespace's objects, proxies marked");
	CHECK(strstr(log, "image=libc.so.6;") && strstr(log, " bytes, built in "),
	      "images: libc's proxy image, its size and time");
	/* The dlmopen's steps, each timed, the total first. */
	long total = -1, search = -1, closure = -1, proxies = -1, root = -1,
	     glibc = -1;
	const char *steps = strstr(log, "dlmopen=libz.so.1;  ");
	CHECK(steps && sscanf(steps, "dlmopen=libz.so.1;  %ld us: search %ld "
			      "us, closure %ld us, proxies %ld us, root image "
			      "%ld us, glibc's dlmopen %ld us", &total, &search,
			      &closure, &proxies, &root, &glibc) == 6 &&
	      total >= search + closure + proxies + root + glibc - 5,
	      "images: the dlmopen's steps: %s", steps ? steps : log);
	unlink(path);

	/* One category only. */
	pid = run_child(argv[0], "images", out);
	snprintf(path, sizeof path, "%s.%ld", out, (long)pid);
	log = slurp(path);
	CHECK(log && strstr(log, "image=") && !strstr(log, "file="),
	      "images alone: %s", log ? log : "(no file)");
	unlink(path);

	/* Unset: nothing written. */
	pid = run_child(argv[0], NULL, out);
	snprintf(path, sizeof path, "%s.%ld", out, (long)pid);
	CHECK(access(path, F_OK) != 0, "NSSHARE_DEBUG unset wrote %s", path);
	rmdir(dir);
	return it_finish();
}
