/* shared_util.h: what the programs of test/shared measure besides it.h's
 * questions: modules by name, resource counts (to prove that something
 * left nothing behind) and the number of namespaces still available. */
#ifndef SHARED_UTIL_H
#define SHARED_UTIL_H

#include "it.h"

#include <dirent.h>
#include <stdbool.h>

/* glibc's DL_NNS is 16: the base namespace and 15 others (fewer can be
 * opened with LD_AUDIT: it_max_namespaces()). */
#define SHARED_MAX_NS 15

#define COUNTER_MOD "libshared-counter.so"
#define USER_MOD "libshared-user.so"
#define PLAIN_MOD "libshared-plain.so"

/* The path of the test module NAME: in $NSSHARE_TEST_MODDIR when that is
 * set (another build of the modules), else where it_module() finds it.
 * Unlike it_module(), whose 8 buffers are reused, the path stays valid
 * for the whole program. */
static inline const char *module_path(const char *name)
{
	static struct {
		const char *name;
		char path[4096];
	} cache[8];
	for (size_t i = 0; i < sizeof cache / sizeof cache[0]; i++) {
		if (!cache[i].name) {
			cache[i].name = name;
			const char *dir = getenv("NSSHARE_TEST_MODDIR");
			if (dir)
				snprintf(cache[i].path, sizeof cache[i].path,
					 "%s/%s", dir, name);
			else
				snprintf(cache[i].path, sizeof cache[i].path,
					 "%s", it_module(name));
		}
		if (strcmp(cache[i].name, name) == 0)
			return cache[i].path;
	}
	abort();
}

/* Open file descriptors of the process (the directory's own included,
 * the same in every count). */
static inline int count_fds(void)
{
	DIR *dir = opendir("/proc/self/fd");
	if (!dir)
		return -1;
	int n = 0;
	for (struct dirent *e; (e = readdir(dir));)
		n += e->d_name[0] != '.';
	closedir(dir);
	return n;
}

/* Lines of /proc/self/maps: one per mapping. */
static inline int count_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	if (!f)
		return -1;
	int n = 0;
	for (int c; (c = getc(f)) != EOF;)
		n += c == '\n';
	fclose(f);
	return n;
}

static int count_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)info;
	(void)size;
	++*(int *)arg;
	return 0;
}

/* Objects of the base namespace: dl_iterate_phdr sees its caller's
 * namespace only. */
static inline int count_base_objects(void)
{
	int n = 0;
	dl_iterate_phdr(count_object, &n);
	return n;
}

/* Objects in the namespace of PLAIN, a handle of libshared-plain.so,
 * counted from inside it; -1 if PLAIN is not that library. */
static inline int count_ns_objects(void *plain)
{
	int (*count)(void) = (int (*)(void))dlsym(plain, "plain_count_objects");
	return count ? count() : -1;
}

/* Whether the base namespace holds the module NAME (without loading it). */
static inline bool base_has(const char *name)
{
	void *h = dlopen(module_path(name), RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		return false;
	dlclose(h);
	return true;
}

/* Opens fresh namespaces with dlmopen(LM_ID_NEWLM, PATH, MODE) until one
 * fails, or gives an instance rather than a namespace (glibc's are used
 * up; the instance is closed again), or MAX are open; returns how many
 * opened.  The handles go to HANDLES; the failure's dlerror() text, if
 * any, to ERR. */
static inline int open_namespaces(const char *path, int mode, void **handles,
				  int max, char *err, size_t errlen)
{
	int n = 0;
	if (err && errlen)
		err[0] = '\0';
	while (n < max) {
		void *h = dlmopen(LM_ID_NEWLM, path, mode);
		if (!h) {
			const char *msg = dlerror();
			if (err && errlen)
				snprintf(err, errlen, "%s", msg ? msg : "");
			break;
		}
		if (it_handle_ns(h) >= NSSHARE_INSTANCE_FIRST) {
			if (err && errlen)
				snprintf(err, errlen, "an instance, not a "
					 "namespace");
			dlclose(h);
			break;
		}
		handles[n++] = h;
	}
	return n;
}

static inline int close_all(void **handles, int n)
{
	int failures = 0;
	for (int i = n - 1; i >= 0; i--)
		failures += dlclose(handles[i]) != 0;
	return failures;
}

/* How many more namespaces can be opened now (opened and closed again). */
static inline int namespaces_available(void)
{
	void *handles[SHARED_MAX_NS + 1];
	int n = open_namespaces(module_path(PLAIN_MOD), RTLD_NOW, handles,
				SHARED_MAX_NS + 1, NULL, 0);
	dlerror();
	close_all(handles, n);
	return n;
}

#endif
