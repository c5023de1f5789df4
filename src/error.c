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
/* Room for a hint: a symbol and two library names of 255 bytes. */
#define HINT_MAX 2048

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

bool nsshare_error_no_namespace(void)
{
	return error_pending &&
	       strstr(error_text, "no more namespaces available") != NULL;
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

/* DST, of CAP bytes, is A and then B, cut to fit. */
static void join(char *dst, size_t cap, const char *a, const char *b)
{
	size_t la = strnlen(a, cap - 1);
	memcpy(dst, a, la);
	size_t lb = strnlen(b, cap - 1 - la);
	memcpy(dst + la, b, lb);
	dst[la + lb] = '\0';
}

static bool (*symbol_owner)(const char *, char *, size_t);

void nsshare_error_symbol_owner(bool (*owner)(const char *symbol, char *lib,
					      size_t cap))
{
	__atomic_store_n(&symbol_owner, owner, __ATOMIC_RELEASE);
}

/* What to do about the limit or the miss the glibc message TEXT reports,
 * when nsshare knows, into HINT (CAP bytes) to go after TEXT: glibc's
 * text stays whole in front, as stock gives it.  Whether there is one.
 * Finding it may record an error of its own (reading an object): the
 * callers keep TEXT and their result apart from error_text meanwhile. */
static bool hint_for(const char *text, char *hint, size_t cap)
{
	/* The limits a load into a namespace or an instance meets, with what
	 * lifts each. */
	if (strstr(text, "cannot allocate memory in static TLS block")) {
		snprintf(hint, cap, " (each namespace's or instance's own copy of "
			 "a library with initial-exec TLS takes static TLS, and "
			 "with RTLD_ISOLATE so does each namespace's own libc; "
			 "NSSHARE_SHARE of the library makes one copy of it, and "
			 "from glibc 2.32 on GLIBC_TUNABLES=glibc.rtld."
			 "optional_static_tls=BYTES reserves more)");
		return true;
	}
	if (strstr(text, "no more namespaces available")) {
		snprintf(hint, cap, " (glibc has %d namespaces, the base one "
			 "included; RTLD_ISOLATE takes one each, where without "
			 "it dlmopen(LM_ID_NEWLM) goes on with nsshare's "
			 "instances, and an object shared with RTLD_SHARED or "
			 "NSSHARE_SHARE needs no namespace of its own)",
			 NSSHARE_DL_NNS);
		return true;
	}
	/* A symbol of an object nsshare shares: its base copy was loaded as
	 * RTLD_LOCAL loading does (the base namespace's global scope is the
	 * program's to choose), so it is found only through DT_NEEDED, where
	 * a namespace's first object would have been global there. */
	const char *miss = strstr(text, ": undefined symbol: ");
	bool (*owner)(const char *, char *, size_t) =
		__atomic_load_n(&symbol_owner, __ATOMIC_ACQUIRE);
	if (!miss || !owner)
		return false;
	char symbol[256], lib[256];
	const char *name = miss + strlen(": undefined symbol: ");
	const char *version = strstr(name, ", version ");
	size_t len = version ? (size_t)(version - name) : strlen(name);
	if (len == 0 || len >= sizeof symbol)
		return false;
	memcpy(symbol, name, len);
	symbol[len] = '\0';
	if (!owner(symbol, lib, sizeof lib))
		return false;
	snprintf(hint, cap, " (%s is defined by %s, which nsshare shares with "
		 "namespaces: its one copy, in the base namespace, is loaded "
		 "as RTLD_LOCAL loading is, so other objects find its symbols "
		 "only through DT_NEEDED; dlopen(\"%s\", RTLD_NOW | "
		 "RTLD_GLOBAL) makes them global in the base, as linking the "
		 "program with it does)", symbol, lib, lib);
	return true;
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
	char hint[HINT_MAX];
	if (!hint_for(named, hint, sizeof hint))
		hint[0] = '\0';
	size_t n = 0;
	if (object && !strstr(named, object)) {
		int w = snprintf(error_text, sizeof error_text, "%s: ", object);
		n = w < 0 ? 0 : (size_t)w < sizeof error_text ? (size_t)w
							      : sizeof error_text - 1;
	}
	/* A message too long for ERROR_MAX is cut. */
	join(error_text + n, sizeof error_text - n, named, hint);
	error_pending = true;
}

NSSHARE_API char *dlerror(void)
{
	const struct nsshare_real *real = real_quiet();
	/* A glibc error still pending is newer than ours: we drop glibc's
	 * whenever we set one. */
	char *msg = real ? real->dlerror() : NULL;
	if (msg) {
		/* glibc's own, from a call that went straight to it (the base
		 * namespace's dlopen, RTLD_ISOLATE), copied: finding a hint may
		 * record an error of ours, which drops glibc's and frees MSG. */
		char text[ERROR_MAX], hint[HINT_MAX];
		snprintf(text, sizeof text, "%s", msg);
		if (!hint_for(text, hint, sizeof hint))
			hint[0] = '\0';
		join(error_text, sizeof error_text, text, hint);
		error_pending = false;
		return error_text;
	}
	if (!error_pending)
		return NULL;
	error_pending = false;
	return error_text;
}
