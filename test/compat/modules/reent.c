/* libcompat-reent.so: a module whose constructor loads other modules, so
 * that nsshare's dlmopen is entered again while glibc is still inside the
 * dlmopen that runs the constructor (holding its load lock).
 *
 * The constructor opens, from the folder this module lives in:
 *   a: dlmopen(LM_ID_NEWLM, libcompat-plain.so, RTLD_NOW)
 *   b: dlopen(libcompat-inner.so, RTLD_NOW), into this module's namespace
 *   c: dlmopen(LM_ID_NEWLM, libcompat-counter.so, RTLD_NOW | RTLD_SHARED)
 * and keeps the handles (NULL with the dlerror() text on failure). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <nsshare.h>

static void *handles[3];
static char errors[3][512];
static int ctor_runs;

static void open_one(int i, const char *dir, const char *name, Lmid_t ns,
		     int mode, int use_dlopen)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	handles[i] = use_dlopen ? dlopen(path, mode) : dlmopen(ns, path, mode);
	if (!handles[i]) {
		const char *msg = dlerror();
		snprintf(errors[i], sizeof errors[i], "%s", msg ? msg : "no dlerror");
	}
}

__attribute__((constructor)) static void reent_init(void)
{
	ctor_runs++;
	Dl_info info;
	char dir[PATH_MAX] = ".";
	if (dladdr((void *)reent_init, &info) && info.dli_fname) {
		snprintf(dir, sizeof dir, "%s", info.dli_fname);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
	}
	open_one(0, dir, "libcompat-plain.so", LM_ID_NEWLM, RTLD_NOW, 0);
	open_one(1, dir, "libcompat-inner.so", 0, RTLD_NOW, 1);
	open_one(2, dir, "libcompat-counter.so", LM_ID_NEWLM,
		 RTLD_NOW | RTLD_SHARED, 0);
}

int compat_reent_ctor_runs(void)
{
	return ctor_runs;
}

/* Handle I (0 a, 1 b, 2 c) the constructor got. */
void *compat_reent_handle(int i)
{
	return i >= 0 && i < 3 ? handles[i] : NULL;
}

/* Why opening handle I failed ("" when it did not). */
const char *compat_reent_error(int i)
{
	return i >= 0 && i < 3 ? errors[i] : "";
}

/* Closes the handles from here, so that dlclose is called from inside
 * the module's namespace too.  Returns the number of failed closes. */
int compat_reent_close(void)
{
	int failed = 0;
	for (int i = 0; i < 3; i++) {
		if (handles[i])
			failed += dlclose(handles[i]) != 0;
		handles[i] = NULL;
	}
	return failed;
}
