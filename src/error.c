/* nsshare's errors reach the program through dlerror(), as glibc's do:
 * once, cleared when read, the most recent one winning. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

void nsshare_error_take_glibc(const char *object)
{
	const struct nsshare_real *real = real_quiet();
	const char *msg = real ? real->dlerror() : NULL;
	if (!msg)
		msg = "unknown error in the dynamic loader";
	if (object && !strstr(msg, object))
		snprintf(error_text, sizeof error_text, "%s: %s", object, msg);
	else
		snprintf(error_text, sizeof error_text, "%s", msg);
	error_pending = true;
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
