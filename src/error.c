/* nsshare's errors reach the program through dlerror(), as glibc's do:
 * once, cleared when read, the most recent one winning.  glibc's errors
 * pass through in the user's terms: image paths named after the object,
 * and what a layer above handed down an explainer for (tls.c). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* Room for a path of PATH_MAX and a reason. */
#define ERROR_MAX 4352

static _Thread_local char error_text[ERROR_MAX];
static _Thread_local bool error_pending;

/* glibc's dlerror, or NULL while it cannot be found (then no glibc error
 * can be pending either). */
static const struct nsshare_real *real_quiet(void)
{
	/* nsshare_real() reports its failure through nsshare_error();
	 * calling it from here would recurse, so look at the table only
	 * through a call that cannot fail twice. */
	static _Thread_local bool inside;
	if (inside)
		return NULL;
	inside = true;
	const struct nsshare_real *real = nsshare_real();
	inside = false;
	return real;
}

/* Our error is now the most recent: drop glibc's older one so dlerror()
 * does not report it after ours. */
static void glibc_error_drop(void)
{
	const struct nsshare_real *real = real_quiet();
	if (real)
		real->dlerror();
}

void nsshare_error(const char *object, const char *fmt, ...)
{
	glibc_error_drop();
	int n = snprintf(error_text, sizeof error_text, "%s: ",
			 object ? object : "(null)");
	if (n < 0 || (size_t)n >= sizeof error_text)
		n = 0;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(error_text + n, sizeof error_text - (size_t)n, fmt, ap);
	va_end(ap);
	error_pending = true;
}

/* Copies MSG to BUF of CAP bytes with each of nsshare's image paths in
 * it (/proc/<pid>/fd/<n>, under which ld.so knows a root or a proxy)
 * replaced by OBJECT: the user never named those. */
static void copy_naming(char *buf, size_t cap, const char *msg,
			const char *object)
{
	if (cap == 0)
		return;
	char prefix[32];
	size_t plen = (size_t)snprintf(prefix, sizeof prefix, "/proc/%ld/fd/",
				       (long)getpid());
	size_t n = 0;
	while (*msg && n + 1 < cap) {
		size_t digits = 0;
		if (object && strncmp(msg, prefix, plen) == 0)
			digits = strspn(msg + plen, "0123456789");
		if (!digits) {
			buf[n++] = *msg++;
			continue;
		}
		int w = snprintf(buf + n, cap - n, "%s", object);
		n = w < 0 || (size_t)w >= cap - n ? cap - 1 : n + (size_t)w;
		msg += plen + digits;
	}
	buf[n] = '\0';
}

bool nsshare_error_says(const char *text)
{
	return error_pending && strstr(error_text, text) != NULL;
}

bool nsshare_error_no_namespace(void)
{
	return nsshare_error_says("no more namespaces available");
}

void nsshare_error_append(const char *fmt, ...)
{
	if (!error_pending)
		return;
	size_t n = strlen(error_text);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(error_text + n, sizeof error_text - n, fmt, ap);
	va_end(ap);
}

static bool (*explainer)(const char *, const char *, char *, size_t);

void nsshare_error_explainer(bool (*explain)(const char *msg,
					     const char *object, char *buf,
					     size_t cap))
{
	__atomic_store_n(&explainer, explain, __ATOMIC_RELEASE);
}

/* MSG into BUF of CAP bytes, each FROM[i] in it replaced by TO[i]. */
static void copy_renaming(char *buf, size_t cap, const char *msg,
			  const char *const *from, const char *const *to,
			  size_t n)
{
	size_t len = 0;
	while (*msg && len + 1 < cap) {
		size_t i = 0;
		while (i < n && strncmp(msg, from[i], strlen(from[i])) != 0)
			i++;
		if (i == n) {
			buf[len++] = *msg++;
			continue;
		}
		int w = snprintf(buf + len, cap - len, "%s", to[i]);
		len = w < 0 || (size_t)w >= cap - len ? cap - 1 : len + (size_t)w;
		msg += strlen(from[i]);
	}
	buf[len] = '\0';
}

void nsshare_error_take_glibc(const char *object)
{
	nsshare_error_take_glibc_renaming(object, NULL, NULL, 0);
}

void nsshare_error_take_glibc_renaming(const char *object,
				       const char *const *from,
				       const char *const *to, size_t nrenames)
{
	const struct nsshare_real *real = real_quiet();
	const char *msg = real ? real->dlerror() : NULL;
	if (!msg)
		msg = "unknown error in the dynamic loader";
	char renamed[ERROR_MAX], named[ERROR_MAX];
	if (nrenames) {
		copy_renaming(renamed, sizeof renamed, msg, from, to, nrenames);
		msg = renamed;
	}
	bool (*explain)(const char *, const char *, char *, size_t) =
		__atomic_load_n(&explainer, __ATOMIC_ACQUIRE);
	if (!explain || !explain(msg, object, named, sizeof named))
		copy_naming(named, sizeof named, msg, object);
	size_t n = 0;
	if (object && !strstr(named, object)) {
		int w = snprintf(error_text, sizeof error_text, "%s: ", object);
		n = w < 0 ? 0 : (size_t)w < sizeof error_text ? (size_t)w
							      : sizeof error_text - 1;
	}
	/* A message too long for ERROR_MAX is cut. */
	size_t len = strnlen(named, sizeof error_text - n - 1);
	memcpy(error_text + n, named, len);
	error_text[n + len] = '\0';
	error_pending = true;
	/* The limit a plain load into a namespace or an instance meets
	 * first, with what lifts it. */
	if (nsshare_error_says("cannot allocate memory in static TLS block"))
		nsshare_error_append(" (each namespace's or instance's own copy "
				     "of a library with initial-exec TLS takes "
				     "static TLS; NSSHARE_SHARE of the library "
				     "makes one copy of it, and from glibc 2.32 "
				     "on GLIBC_TUNABLES=glibc.rtld."
				     "optional_static_tls=BYTES reserves more)");
}

NSSHARE_API char *dlerror(void)
{
	const struct nsshare_real *real = real_quiet();
	/* A glibc error still pending is newer than ours: we drop glibc's
	 * whenever we set one. */
	char *msg = real ? real->dlerror() : NULL;
	if (msg) {
		error_pending = false;
		return msg;
	}
	if (!error_pending)
		return NULL;
	error_pending = false;
	return error_text;
}
