/* NSSHARE_DEBUG: what nsshare does, told as LD_DEBUG tells what ld.so
 * does, so that both logs read together.  Owns the categories and the
 * output; calls only libc.
 *
 * NSSHARE_DEBUG is a comma-separated list of categories (help lists
 * them); NSSHARE_DEBUG_OUTPUT=FILE writes to FILE.PID instead of stderr,
 * as LD_DEBUG_OUTPUT does.  Both are read once, at the first question,
 * and ignored in secure mode (AT_SECURE).  Unset, each question is one
 * load of a flag that pthread_once has set. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

static const struct {
	const char *name;
	unsigned mask;
	const char *what;
} categories[] = {
	{ "files", NSSHARE_DEBUG_FILES,
	  "what is shared, what gets a proxy and why, what loads privately" },
	{ "scopes", NSSHARE_DEBUG_SCOPES,
	  "each new namespace's objects in order, proxies marked" },
	{ "images", NSSHARE_DEBUG_IMAGES,
	  "generated images and copies: name, size, time to build" },
	{ "bindings", NSSHARE_DEBUG_BINDINGS,
	  "bindings through proxies: symbol, namespace, the base object" },
	{ "all", NSSHARE_DEBUG_FILES | NSSHARE_DEBUG_SCOPES |
		 NSSHARE_DEBUG_IMAGES | NSSHARE_DEBUG_BINDINGS,
	  "all of the above" },
};

static unsigned debug_mask;
static int debug_fd = 2;
static pthread_once_t debug_once = PTHREAD_ONCE_INIT;

static void debug_help(void)
{
	dprintf(2, "Valid options for the NSSHARE_DEBUG environment variable "
		"are:\n\n");
	for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
		dprintf(2, "  %-10s %s\n", categories[i].name,
			categories[i].what);
	dprintf(2, "\nTo direct the debugging output into a file instead of "
		"standard output\na filename can be specified using the "
		"NSSHARE_DEBUG_OUTPUT environment variable.\n");
}

static void debug_read(void)
{
	const char *list = getauxval(AT_SECURE) ? NULL : getenv("NSSHARE_DEBUG");
	if (!list || !*list)
		return;
	for (const char *p = list; *p;) {
		size_t n = strcspn(p, ", :");
		if (n == 4 && strncmp(p, "help", 4) == 0)
			debug_help();
		for (size_t i = 0; i < sizeof categories / sizeof categories[0]; i++)
			if (strlen(categories[i].name) == n &&
			    strncmp(p, categories[i].name, n) == 0)
				debug_mask |= categories[i].mask;
		p += n;
		p += strspn(p, ", :");
	}
	const char *out = getenv("NSSHARE_DEBUG_OUTPUT");
	if (debug_mask && out && *out) {
		char path[4096];
		snprintf(path, sizeof path, "%s.%ld", out, (long)getpid());
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
				    O_NOFOLLOW, 0666);
		if (fd >= 0)
			debug_fd = fd;
	}
}

bool nsshare_debug_on(unsigned category)
{
	pthread_once(&debug_once, debug_read);
	return debug_mask & category;
}

void nsshare_debug(unsigned category, const char *fmt, ...)
{
	if (!nsshare_debug_on(category))
		return;
	/* One write per line, as LD_DEBUG's: "  PID:\tmessage". */
	char line[4352];
	int n = snprintf(line, sizeof line, "%10ld:\tnsshare: ", (long)getpid());
	if (n < 0 || (size_t)n >= sizeof line)
		return;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (m < 0)
		return;
	size_t len = (size_t)n + ((size_t)m < sizeof line - (size_t)n - 1
					  ? (size_t)m : sizeof line - (size_t)n - 2);
	line[len++] = '\n';
	ssize_t w = write(debug_fd, line, len);
	(void)w;
}

/* ---- NSSHARE_DEBUG=images: where one dlmopen's time goes, told in one
 * line when it ends.  A dlmopen made by a constructor inside it is part
 * of the outer one's steps. */
static _Thread_local struct {
	unsigned depth;
	bool on;
	double start, last;
	char line[512];
	size_t len;
} steps;

static double now_us(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

void nsshare_debug_steps_begin(void)
{
	if (steps.depth++ || !nsshare_debug_on(NSSHARE_DEBUG_IMAGES))
		return;
	steps.on = true;
	steps.start = steps.last = now_us();
	steps.len = 0;
	steps.line[0] = '\0';
}

void nsshare_debug_step(const char *what)
{
	if (!steps.on || steps.depth != 1)
		return;
	double t = now_us();
	int n = snprintf(steps.line + steps.len, sizeof steps.line - steps.len,
			 "%s%s %.0f us", steps.len ? ", " : "", what,
			 t - steps.last);
	if (n > 0 && (size_t)n < sizeof steps.line - steps.len)
		steps.len += (size_t)n;
	steps.last = t;
}

void nsshare_debug_steps_end(const char *object)
{
	if (steps.depth == 1 && steps.on) {
		nsshare_debug_step("the rest");
		steps.on = false;
		nsshare_debug(NSSHARE_DEBUG_IMAGES, "dlmopen=%s;  %.0f us: %s",
			      object ? object : "(null)",
			      steps.last - steps.start, steps.line);
	}
	steps.depth--;
}
