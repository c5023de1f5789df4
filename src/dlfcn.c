/* The entry points nsshare puts in front of glibc's: dlmopen, dlclose
 * (dlerror is in error.c), and the dlopen that code inside secondary
 * namespaces calls.
 *
 * Whatever nsshare does not handle goes to glibc's dlmopen as a true tail
 * call: glibc finds the caller's namespace and search path from the return
 * address (glibc-facts 12, 13), so this file is always compiled with
 * sibling-call optimisation (see CMakeLists.txt) and test/runpath checks it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The glibc libraries the closure of a file needs, collected by
 * nsshare_search_glibc_needs. */
struct glibc_needs {
	char **paths;
	size_t count;
	bool failed;
};

static void glibc_needs_add(const char *path, void *arg)
{
	struct glibc_needs *needs = arg;
	char **paths = realloc(needs->paths, (needs->count + 1) * sizeof *paths);
	char *copy = strdup(path);
	if (!paths || !copy) {
		free(copy);
		if (paths)
			needs->paths = paths;
		needs->failed = true;
		return;
	}
	needs->paths = paths;
	needs->paths[needs->count++] = copy;
}

static void glibc_needs_free(struct glibc_needs *needs)
{
	for (size_t i = 0; i < needs->count; i++)
		free(needs->paths[i]);
	free(needs->paths);
}

static struct link_map *caller_object(const void *return_address)
{
	Dl_info info;
	struct link_map *lm = NULL;
	if (!dladdr1(return_address, &info, (void **)&lm, RTLD_DL_LINKMAP))
		return NULL;
	return lm;
}

static Lmid_t caller_namespace(const void *return_address)
{
	struct link_map *lm = caller_object(return_address);
	Lmid_t id = LM_ID_BASE;
	if (lm)
		dlinfo(lm, RTLD_DI_LMID, &id);
	return id;
}

/* The handle of the proxy of PATH in namespace ID, if ID holds one. */
static void *proxy_open_existing(const struct nsshare_real *real, Lmid_t id,
				 const char *path, int mode)
{
	struct nsshare_proxy *proxy = nsshare_proxy_of_file(path);
	if (!proxy || id == LM_ID_NEWLM)
		return NULL;
	char proxy_path[NSSHARE_FD_PATH_MAX];
	nsshare_proxy_path(proxy, proxy_path);
	void *handle = real->dlmopen(id, proxy_path, mode | RTLD_NOLOAD);
	if (handle)
		nsshare_ns_retain(handle);
	return handle;
}

/* RTLD_SHARED into a secondary namespace: base copy plus proxy.  EXPLICIT
 * is false for a glibc library shared by default: a namespace that holds a
 * private copy of it (made with RTLD_ISOLATE) then gets that copy back, as
 * from stock dlmopen, instead of a refusal. */
static void *open_shared(const struct nsshare_real *real, Lmid_t id,
			 const char *path, int mode, bool explicit)
{
	if (id != LM_ID_NEWLM) {
		/* Fails, naming PATH, when ID is no namespace in use. */
		if (!nsshare_ns_add_glibc(id, path, NULL, 0))
			return NULL;
		void *private = real->dlmopen(id, path, RTLD_NOLOAD | RTLD_LAZY);
		if (private) {
			real->dlclose(private);
			if (!explicit)
				return real->dlmopen(id, path, mode);
			nsshare_error(path, "object cannot be demoted to a proxy");
			return NULL;
		}
	}
	struct nsshare_proxy *proxy = nsshare_proxy_load(path, mode);
	if (!proxy)
		return NULL;
	char proxy_path[NSSHARE_FD_PATH_MAX];
	nsshare_proxy_path(proxy, proxy_path);
	if (id == LM_ID_NEWLM)
		return nsshare_ns_create(proxy_path, path, NULL, 0, mode);
	void *handle = real->dlmopen(id, proxy_path, mode);
	if (!handle)
		nsshare_error_take_glibc(path);
	return handle;
}

/* A plain load into a secondary namespace, with glibc shared. */
static void *open_private(const struct nsshare_real *real, Lmid_t id,
			  const char *path, int mode, const char *const *glibc,
			  size_t nglibc)
{
	if (id == LM_ID_NEWLM)
		return nsshare_ns_create(path, path, glibc, nglibc, mode);
	if (!nsshare_ns_add_glibc(id, path, glibc, nglibc))
		return NULL;
	void *handle = real->dlmopen(id, path, mode);
	if (!handle)
		nsshare_error_take_glibc(path);
	else
		nsshare_ns_retain(handle);
	return handle;
}

/* RTLD_ISOLATE alone asks for stock dlmopen. */
static bool isolated(int mode)
{
	return (mode & RTLD_ISOLATE) && !(mode & RTLD_SHARED);
}

/* nsshare's own path: FILE into secondary namespace ID (or LM_ID_NEWLM),
 * on behalf of the code at CALLER. */
static void *open_secondary(const struct nsshare_real *real, Lmid_t id,
			    const char *file, int mode, const void *caller)
{
	if ((mode & RTLD_SHARED) && (mode & RTLD_ISOLATE)) {
		nsshare_error(file, "RTLD_SHARED and RTLD_ISOLATE exclude "
			      "each other");
		return NULL;
	}
	if (!nsshare_init())
		return NULL;
	char *path = nsshare_search_resolve(file, caller_object(caller));
	if (!path) {
		nsshare_error(file, "cannot open shared object file: "
			      "No such file or directory");
		return NULL;
	}
	int glibc_mode = mode & ~NSSHARE_OWN_FLAGS;
	void *handle = proxy_open_existing(real, id, path, glibc_mode);
	if (handle || (mode & RTLD_NOLOAD)) {
		free(path);
		return handle ? handle : real->dlmopen(id, file, glibc_mode);
	}
	struct glibc_needs needs = { 0 };
	if (nsshare_search_glibc_needs(path, glibc_needs_add, &needs) < 0) {
		handle = NULL;
	} else if (needs.failed) {
		nsshare_error(path, "out of memory");
	} else {
		/* A glibc library asked for by name is shared like the
		 * rest of glibc. */
		bool is_glibc = needs.count > 0 &&
				strcmp(needs.paths[0], path) == 0;
		if ((mode & RTLD_SHARED) || is_glibc)
			handle = open_shared(real, id, path, glibc_mode,
					     mode & RTLD_SHARED);
		else
			handle = open_private(real, id, path, glibc_mode,
					      (const char *const *)needs.paths,
					      needs.count);
	}
	glibc_needs_free(&needs);
	free(path);
	return handle;
}

NSSHARE_API void *dlmopen(Lmid_t id, const char *file, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return NULL;
	if (id == LM_ID_BASE || isolated(mode))
		return real->dlmopen(id, file, mode & ~NSSHARE_OWN_FLAGS);
	if (!file || !*file) {
		if (mode & RTLD_SHARED) {
			nsshare_error(file ? "\"\"" : "(null)",
				      "RTLD_SHARED needs the name of an object");
			return NULL;
		}
		return real->dlmopen(id, file, mode);
	}
	return open_secondary(real, id, file, mode, __builtin_return_address(0));
}

void *nsshare_dlopen_in_namespace(const char *file, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return NULL;
	const void *caller = __builtin_return_address(0);
	/* Reached through a glibc proxy, so normally from a secondary
	 * namespace; glibc's dlopen finds the same namespace and search path
	 * from the return address when we pass through. */
	Lmid_t id = caller_namespace(caller);
	if (id == LM_ID_BASE || !file || !*file || isolated(mode))
		return real->dlopen(file, mode & ~NSSHARE_OWN_FLAGS);
	return open_secondary(real, id, file, mode, caller);
}

NSSHARE_API int dlclose(void *handle)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return -1;
	struct nsshare_ns *ns = nsshare_ns_release(handle);
	int rc = real->dlclose(handle);
	if (ns)
		nsshare_ns_destroy(ns);
	return rc;
}
