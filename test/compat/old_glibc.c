/* Below the glibc floor (2.28, src/internal.h) nsshare says so when the
 * program starts and steps aside: a plain dlmopen behaves as glibc's own
 * (the namespace gets a libc of its own) and RTLD_SHARED fails with a
 * message naming the object and the reason.  The program is linked with
 * libcompat-oldglibc, whose gnu_get_libc_version says "2.27".
 *
 * The message comes from libnsshare's constructor, before main, so the
 * program runs itself again with stderr on a pipe and reads it. */
#include "it.h"

#include <sys/wait.h>
#include <unistd.h>

#define CHILD_ENV "NSSHARE_TEST_OLD_GLIBC_CHILD"

static int run_child(void)
{
	const char *plain = it_module("libcompat-plain.so");
	void *h = dlmopen(LM_ID_NEWLM, plain, RTLD_NOW);
	REQUIRE(h, "plain dlmopen below the floor: %s", dlerror());
	CHECK(it_handle_ns(h) > 0, "namespace %ld", (long)it_handle_ns(h));
	CHECK(dlsym(h, "malloc") != (void *)malloc,
	      "below the floor the namespace's malloc is the program's");
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());

	CHECK(dlmopen(LM_ID_NEWLM, plain, RTLD_NOW | RTLD_SHARED) == NULL,
	      "RTLD_SHARED worked below the floor");
	const char *err = dlerror();
	CHECK(err && strstr(err, plain) &&
	      strstr(err, "RTLD_SHARED needs glibc 2.28 or later; this is "
			  "glibc 2.27"), "dlerror: %s", err ? err : "(null)");
	return it_finish();
}

int main(int argc, char **argv)
{
	(void)argc;
	if (getenv(CHILD_ENV))
		return run_child();

	int pipefd[2];
	REQUIRE(pipe(pipefd) == 0, "pipe");
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork");
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		close(pipefd[1]);
		setenv(CHILD_ENV, "1", 1);
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(pipefd[1]);
	char err[4096];
	size_t len = 0;
	ssize_t n;
	while (len < sizeof err - 1 &&
	       (n = read(pipefd[0], err + len, sizeof err - 1 - len)) > 0)
		len += (size_t)n;
	err[len] = '\0';
	close(pipefd[0]);
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the program below the floor failed (status %#x): %s", status,
	      err);
	CHECK(strstr(err, "libnsshare.so: glibc 2.27 is older than 2.28; "
			  "dlmopen behaves as glibc's own and RTLD_SHARED "
			  "fails\n"), "stderr at startup: \"%s\"", err);
	return it_finish();
}
