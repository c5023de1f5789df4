/* glibc_util.h: what the programs of test/glibc share besides it.h:
 * the modules' names, looking their functions up, and running a scenario
 * in a child process whose stdout is a pipe, to see what reaches it. */
#ifndef GLIBC_UTIL_H
#define GLIBC_UTIL_H

#include "it.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIBCUSER_MOD "libglibc-libcuser.so"
#define MATH_MOD "libglibc-math.so"
#define HOST_MOD "libglibc-host.so"
#define PLUGIN_MOD "libglibc-plugin.so"

/* Under ASan (NSSHARE_SANITIZE) the sanitizer's runtime comes first in
 * the base namespace and its interceptors (malloc, free, dlclose, ...) are
 * the base's definitions.  Namespaces must bind those; what only holds for
 * glibc's own heap, or for this project's interposers, is skipped. */
#ifdef __SANITIZE_ADDRESS__
#define IT_ASAN 1
#else
#define IT_ASAN 0
#endif

/* Whether ADDR lies in the sanitizer's runtime. */
static inline bool in_asan_runtime(const void *addr)
{
	return IT_ASAN && strstr(it_addr_object(addr), "/libasan.so") != NULL;
}

/* A fresh namespace holding MOD, opened with MODE; stops the program if
 * that fails. */
static inline void *open_new(const char *mod, int mode)
{
	void *h = dlmopen(LM_ID_NEWLM, it_module(mod), mode);
	REQUIRE(h, "dlmopen(LM_ID_NEWLM, %s): %s", mod, dlerror());
	Lmid_t ns = it_handle_ns(h);
	REQUIRE(ns > 0, "%s: handle namespace %ld", mod, (long)ns);
	return h;
}

/* What a child wrote to its stdout, and how it ended. */
struct child_run {
	char out[65536];
	size_t len;
	int status; /* from waitpid */
};

/* Runs SCENARIO(ARG) in a child process whose stdout is a pipe, reads
 * everything the child writes to it until the child exits, and returns
 * false if the child could not be run.  SCENARIO should end with exit();
 * if it returns, the child exits with status 0 through exit(). */
static inline bool run_child(void (*scenario)(void *), void *arg,
			     struct child_run *run)
{
	int fds[2];
	memset(run, 0, sizeof *run);
	/* Anything buffered here would be written by the child too. */
	fflush(stdout);
	fflush(stderr);
	if (pipe(fds) < 0)
		return false;
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return false;
	}
	if (pid == 0) {
		close(fds[0]);
		if (dup2(fds[1], STDOUT_FILENO) < 0)
			_exit(127);
		close(fds[1]);
		scenario(arg);
		exit(0);
	}
	close(fds[1]);
	/* Read to the end even past what OUT holds, or the child would
	 * block on a full pipe and never exit. */
	for (;;) {
		char buf[4096];
		ssize_t n = read(fds[0], buf, sizeof buf);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		size_t room = sizeof run->out - 1 - run->len;
		size_t take = (size_t)n < room ? (size_t)n : room;
		memcpy(run->out + run->len, buf, take);
		run->len += take;
	}
	close(fds[0]);
	run->out[run->len] = '\0';
	while (waitpid(pid, &run->status, 0) < 0)
		if (errno != EINTR)
			return false;
	return true;
}

/* Checks that the child wrote exactly WANT; on a mismatch reports where
 * the output first differs rather than all of it. */
#define CHECK_OUTPUT(run, want, name)                                         \
	do {                                                                  \
		size_t at_ = output_diff((run)->out, (want));                  \
		CHECK(at_ == (size_t)-1,                                      \
		      "%s: stdout differs at byte %zu of %zu (wanted %zu): "  \
		      "\"%.40s\", wanted \"%.40s\"",                          \
		      (name), at_, (run)->len, strlen(want),                  \
		      (run)->out + (at_ < (run)->len ? at_ : (run)->len),     \
		      (want) + (at_ < strlen(want) ? at_ : strlen(want)));    \
	} while (0)

/* The offset of the first difference of GOT and WANT, or -1. */
static inline size_t output_diff(const char *got, const char *want)
{
	size_t i = 0;
	while (got[i] && got[i] == want[i])
		i++;
	return got[i] == want[i] ? (size_t)-1 : i;
}

static inline bool exited_with(const struct child_run *run, int code)
{
	return WIFEXITED(run->status) && WEXITSTATUS(run->status) == code;
}

#endif
