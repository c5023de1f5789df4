/* Owns: the search order (nsshare_search_resolve) and the test of each
 * candidate.  Calls: dst.c, ldcache.c, filecache.c, elfread.c, machine.c. */
/* Finding files the way glibc's ld.so finds them, without loading
 * anything: which file a dlopen(NAME) from a given object would open, and
 * which objects of a file's DT_NEEDED closure nsshare must proxy (glibc
 * libraries, unique objects; closure.c).
 *
 * The search order is _dl_map_object's (elf/dl-load.c):
 *   1. DT_RPATH of the loader and of the objects that loaded it, then of
 *      the main program -- all skipped when the loader has a DT_RUNPATH;
 *   2. LD_LIBRARY_PATH (not for AT_SECURE processes);
 *   3. DT_RUNPATH of the loader;
 *   4. /etc/ld.so.cache;
 *   5. the system directories (skipped, like cache hits in them, when the
 *      loader has DF_1_NODEFLIB).
 * Every directory of 1, 2, 3 and 5 is tried with ld.so's subdirectories
 * first: glibc-hwcaps/<level>/ for the levels this CPU supports (glibc
 * 2.33 and later), then the legacy hwcap power set (tls, platform, hwcap
 * names; glibc 2.36 and earlier), then the directory itself.  A
 * candidate of another ELF class or machine is passed over; one that
 * exists but is broken ends the search, as it makes ld.so fail. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "ldso.h"

/* ---- Candidate files (open_verify). */

enum verdict candidate_check(const char *path)
{
	/* A file the closure scan has read and found loadable, with the same
	 * identity, size and time, needs no second look.  A missing one is
	 * passed over as open() would have it. */
	struct stat sb;
	if (stat(path, &sb) != 0) {
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES)
			return V_SKIP;
	} else if (S_ISREG(sb.st_mode) && file_known_ok(&sb)) {
		if (strlen(path) < sizeof last_found.path) {
			strcpy(last_found.path, path);
			last_found.sb = sb;
		}
		return V_OK;
	}
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR || errno == EACCES
			       ? V_SKIP : V_GIVEUP;
	ElfW(Ehdr) eh;
	char why[128];
	enum verdict v = V_FATAL;
	if (fstat(fd, &sb) == 0) {
		ssize_t got = read_full(fd, &eh, sizeof eh, 0);
		v = ehdr_check(&eh, got, sb.st_size, why, sizeof why);
	}
	close(fd);
	return v;
}

/* ---- Searching directories (open_path). */

struct search {
	const char *name;
	char *found;  /* malloc'd result */
	bool done;    /* found, or ld.so stops here */
};

/* Tries NAME in DIR (DIRLEN bytes, no trailing slash except for "/";
 * empty for the current directory) and its subdirectories.  Returns
 * false when the rest of this path list is to be skipped. */
static bool search_dir(struct search *s, const char *dir, size_t dirlen)
{
	size_t cap = dirlen + 2 + state.subdir_maxlen + strlen(s->name) + 1;
	char *buf = malloc(cap);
	if (!buf)
		return false;
	for (size_t i = 0; i < state.nsubdirs; i++) {
		/* ld.so keeps directories with a trailing slash and tries
		 * "" + NAME for the current directory; "./" keeps the result
		 * a path for whoever dlopens it next. */
		if (dirlen == 0)
			snprintf(buf, cap, "./%s%s", state.subdirs[i], s->name);
		else
			snprintf(buf, cap, "%.*s%s%s%s", (int)dirlen, dir,
				 dir[dirlen - 1] == '/' ? "" : "/",
				 state.subdirs[i], s->name);
		/* The directory part of BUF: what ld.so stats once. */
		size_t sublen = strlen(buf) - strlen(s->name);
		if (search_dir_missing(buf, sublen))
			continue;
		enum verdict v = candidate_check(buf);
		if (v == V_SKIP)
			search_dir_check(buf, sublen);
		if (v == V_OK || v == V_FATAL) {
			s->found = buf;
			s->done = true;
			return true;
		}
		if (v == V_GIVEUP) {
			free(buf);
			return false;
		}
	}
	free(buf);
	return true;
}

/* fillin_rpath + open_path over a SEPS-separated list whose tokens are
 * expanded for object O.  An empty element is the current directory;
 * one that expands to nothing is dropped. */
static void search_list(struct search *s, const char *list, const char *seps,
			const struct search_obj *o)
{
	if (!list || !*list)
		return;
	char *copy = strdup(list), *rest = copy, *elem;
	if (!copy)
		return;
	while (!s->done && (elem = strsep(&rest, seps))) {
		char *exp = NULL;
		size_t len = 0;
		if (*elem) {
			exp = dst_expand(elem, o);
			if (!exp || !*exp) {
				free(exp);
				continue;
			}
			len = strlen(exp);
			while (len > 1 && exp[len - 1] == '/')
				len--;
		}
		bool go_on = search_dir(s, exp ? exp : "", len);
		free(exp);
		if (!go_on)
			break;
	}
	free(copy);
}

/* ---- The search order (_dl_map_object). */

/* Finds bare NAME for LOADER (the needing or calling object; NULL for
 * none).  Returns a malloc'd path or NULL. */
char *search_bare(const char *name, const struct search_obj *loader)
{
	struct search s = { .name = name };

	/* DT_RPATH of the loader chain, then of the main program, unless
	 * the loader has a DT_RUNPATH. */
	if (!loader || !loader->runpath) {
		bool did_main = false;
		for (const struct search_obj *o = loader; o && !s.done; o = o->loader) {
			if (!o->rpath)
				continue;
			search_list(&s, o->rpath, ":", o);
			did_main |= o->is_main;
		}
		if (!s.done && !did_main && state.main.rpath)
			search_list(&s, state.main.rpath, ":", &state.main);
	}
	/* LD_LIBRARY_PATH, read now (ld.so read it at startup), with the
	 * main program's $ORIGIN. */
	if (!s.done && !state.secure)
		search_list(&s, getenv("LD_LIBRARY_PATH"), ":;", &state.main);
	if (!s.done && loader && loader->runpath)
		search_list(&s, loader->runpath, ":", loader);
	if (s.done)
		return s.found;

	const struct search_obj *l = loader ? loader : &state.main;
	const char *cached = state.cache.file ? cache_search(&state.cache, name) : NULL;
	if (cached && l->nodeflib)
		for (size_t i = 0; i < NSYSTEM_DIRS && cached; i++)
			if (starts_with(cached, system_dirs[i]))
				cached = NULL;
	if (cached) {
		enum verdict v = candidate_check(cached);
		if (v == V_OK || v == V_FATAL)
			return strdup(cached);
	}

	if (l->nodeflib)
		return NULL;
	for (size_t i = 0; i < NSYSTEM_DIRS && !s.done; i++)
		if (!search_dir(&s, system_dirs[i], strlen(system_dirs[i])))
			break;
	return s.found;
}

/* _dl_new_object's l_origin: the folder of REALNAME, made absolute with
 * the current directory, without resolving links. */
char *origin_of(const char *realname)
{
	char *cwd = NULL, *origin;
	if (realname[0] == '/') {
		origin = strdup(realname);
	} else {
		cwd = getcwd(NULL, 0);
		if (!cwd)
			return NULL;
		size_t n = strlen(cwd);
		if (asprintf(&origin, "%s%s%s", cwd, n && cwd[n - 1] == '/' ? "" : "/",
			     realname) < 0)
			origin = NULL;
		free(cwd);
	}
	if (!origin)
		return NULL;
	char *slash = strrchr(origin, '/');
	if (slash == origin)
		slash[1] = '\0';
	else
		*slash = '\0';
	return origin;
}

char *nsshare_search_resolve(const char *name, const struct link_map *caller)
{
	return nsshare_search_resolve_as(name, caller, NULL);
}

char *nsshare_search_resolve_as(const char *name,
				const struct link_map *caller,
				const char *caller_file)
{
	if (!name || !*name)
		return NULL;
	state_get();

	/* dlopen searches for the calling object, the main program when
	 * the caller is unknown (dl_open_worker_begin). */
	struct search_obj callobj;
	const struct search_obj *loader = &state.main;
	char *origin = NULL;
	if (caller && caller->l_name && caller->l_name[0] &&
	    (!state.main_dyn || caller->l_ld != state.main_dyn)) {
		mem_obj_read(caller->l_ld, caller->l_addr, &callobj);
		origin = origin_of(caller_file ? caller_file : caller->l_name);
		callobj.origin = origin;
		/* Its l_loader is not public: the chain stops at it and
		 * goes on with the main program's DT_RPATH. */
		loader = &callobj;
	}

	char *path;
	if (strchr(name, '/')) {
		/* expand_dynamic_string_token with the caller. */
		path = dst_expand(name, loader);
		if (path && !*path) {
			free(path);
			path = NULL;
		}
	} else {
		path = search_bare(name, loader);
	}
	free(origin);
	return path;
}
