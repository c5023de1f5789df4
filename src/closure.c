/* Owns: the closure scan (nsshare_search_closure) and the NSSHARE_SHARE
 * list.  Calls: search.c, filecache.c, dst.c, machine.c, error.c. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "ldso.h"

/* ---- NSSHARE_SHARE, read for each scan: objects treated as unique. */

struct file_id {
	dev_t dev;
	ino_t ino;
};

struct share_list {
	char *copy;          /* the variable; NAMES point into it */
	const char **names;  /* entries without a '/' */
	size_t nnames;
	struct file_id *ids; /* files named by entries with a '/' */
	size_t nids;
};

/* False when out of memory. */
static bool share_init(struct share_list *l)
{
	memset(l, 0, sizeof *l);
	/* An unsafe variable, as LD_LIBRARY_PATH is to ld.so. */
	const char *env = state.secure ? NULL : getenv("NSSHARE_SHARE");
	if (!env || !*env)
		return true;
	size_t max = 1;
	for (const char *c = env; *c; c++)
		max += *c == ':';
	l->copy = strdup(env);
	l->names = calloc(max, sizeof *l->names);
	l->ids = calloc(max, sizeof *l->ids);
	if (!l->copy || !l->names || !l->ids)
		return false;
	char *rest = l->copy, *entry;
	while ((entry = strsep(&rest, ":"))) {
		struct stat sb;
		if (!strchr(entry, '/')) {
			if (*entry)
				l->names[l->nnames++] = entry;
		} else if (stat(entry, &sb) == 0) {
			l->ids[l->nids++] = (struct file_id){ sb.st_dev, sb.st_ino };
		}
	}
	return true;
}

static void share_free(struct share_list *l)
{
	free(l->copy);
	free(l->names);
	free(l->ids);
}

/* Whether the list names the file INFO read from PATH, asked for as
 * WANT: by identity (so a link to the file counts), or by the soname,
 * the requested name or the file name. */
static bool share_has(const struct share_list *l, const char *path,
		      const char *want, const struct elf_info *info)
{
	for (size_t i = 0; i < l->nids; i++)
		if (l->ids[i].dev == info->dev && l->ids[i].ino == info->ino)
			return true;
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	for (size_t i = 0; i < l->nnames; i++) {
		const char *n = l->names[i];
		if (strcmp(n, base) == 0 || strcmp(n, want) == 0 ||
		    (info->soname && strcmp(n, info->soname) == 0))
			return true;
	}
	return false;
}

/* ---- The DT_NEEDED closure (_dl_map_object_deps, breadth first). */

struct scan_node {
	struct search_obj obj; /* obj.loader: the needing node's obj */
	char *origin;
	const struct elf_info *info; /* in the file table */
};

struct scan_id {
	dev_t dev;
	ino_t ino;
	unsigned kind;
};

struct scan {
	struct scan_node **nodes;
	size_t nnodes, nodecap;
	char **names; /* names ld.so matches requests against */
	size_t nnames, namecap;
	struct scan_id *ids; /* the files taken, with what was reported */
	size_t nids, idcap;
	struct share_list list;
	nsshare_loaded_fn *loaded;
	nsshare_found_fn *found;
	void *arg;
	bool rtld_seen; /* ld.so's stand-in is reported */
	bool oom; /* a dependency may have been missed */
};

static bool grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = reallocarray(*arr, ncap, elem);
	if (!p)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

static bool scan_has_name(const struct scan *sc, const char *name)
{
	for (size_t i = 0; i < sc->nnames; i++)
		if (strcmp(sc->names[i], name) == 0)
			return true;
	return false;
}

/* Out of memory here only costs a later duplicate look-up. */
static void scan_add_name(struct scan *sc, const char *name)
{
	if (!name || scan_has_name(sc, name) ||
	    !grow((void **)&sc->names, &sc->namecap, sc->nnames, sizeof *sc->names))
		return;
	char *copy = strdup(name);
	if (copy)
		sc->names[sc->nnames++] = copy;
}

/* The file INFO was taken before under another name, or NULL. */
static const struct scan_id *scan_find_id(const struct scan *sc,
					  const struct elf_info *info)
{
	for (size_t i = 0; i < sc->nids; i++)
		if (sc->ids[i].dev == info->dev && sc->ids[i].ino == info->ino)
			return &sc->ids[i];
	return NULL;
}

static void scan_add_id(struct scan *sc, const struct elf_info *info,
			unsigned kind)
{
	if (grow((void **)&sc->ids, &sc->idcap, sc->nids, sizeof *sc->ids))
		sc->ids[sc->nids++] = (struct scan_id){ info->dev, info->ino, kind };
}

static bool is_rtld_name(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	return (state.rtld_base[0] && strcmp(base, state.rtld_base) == 0) ||
	       nsshare_rtld_name_like(base);
}

/* The running ld.so, by identity or by soname. */
static bool is_rtld(const struct elf_info *info)
{
	return (state.rtld_id_valid && info->dev == state.rtld_dev &&
		info->ino == state.rtld_ino) ||
	       (info->soname && is_rtld_name(info->soname));
}

/* Takes the object INFO read from PATH, asked for as WANT, into the
 * closure: reports it, and queues it to have its DT_NEEDED looked at with
 * LOADER next in its loader chain.  A unique object's dependencies are
 * its base copy's business; a glibc library's are glibc libraries and
 * ld.so, which stand in the namespace's search list where stock puts
 * them (ld.so after libc, for one). */
static void scan_take(struct scan *sc, const char *path, const char *want,
		      const struct elf_info *info, const struct search_obj *loader)
{
	scan_add_name(sc, want);
	scan_add_name(sc, path);
	scan_add_name(sc, info->soname);
	unsigned kind = info->glibc ? NSSHARE_SHARE_GLIBC : 0;
	if (info->unique || share_has(&sc->list, path, want, info))
		kind |= NSSHARE_SHARE_UNIQUE;
	scan_add_id(sc, info, kind);
	sc->found(path, want, kind, sc->arg);
	if (kind == NSSHARE_SHARE_UNIQUE)
		return;
	struct scan_node *n = calloc(1, sizeof *n);
	if (!n || !grow((void **)&sc->nodes, &sc->nodecap, sc->nnodes,
			sizeof *sc->nodes)) {
		free(n);
		sc->oom = true;
		return;
	}
	/* Unknown $ORIGIN (getcwd failed) drops $ORIGIN elements, as in
	 * ld.so. */
	n->origin = origin_of(path);
	n->info = info;
	n->obj.rpath = info->rpath;
	n->obj.runpath = info->runpath;
	n->obj.origin = n->origin;
	n->obj.nodeflib = info->nodeflib;
	n->obj.loader = loader;
	sc->nodes[sc->nnodes++] = n;
}

/* ld.so, asked for as WANT: it gives each namespace a stand-in of
 * itself, once, where it is first needed.  Only a new namespace's root
 * names it; an existing namespace gets it from ld.so as it needs it.  It
 * is never asked about: a dlmopen(RTLD_NOLOAD) of its name opens the
 * stand-in directly, which gives it a search list but never marks it
 * relocated (its real map is), and glibc 2.41 and later then assert
 * ("new->l_relocated") at the next such open. */
static void scan_rtld(struct scan *sc, const char *want)
{
	if (!sc->rtld_seen && !sc->loaded)
		sc->found(want, want, NSSHARE_CLOSURE_RTLD, sc->arg);
	sc->rtld_seen = true;
}

/* One DT_NEEDED entry NAME of node FROM. */
static void scan_needed(struct scan *sc, struct scan_node *from, const char *name)
{
	if (is_rtld_name(name)) {
		scan_rtld(sc, name);
		return;
	}
	/* expand_dst: tokens are expanded for the needing object, and
	 * refused in secure processes. */
	char *want;
	if (dst_count(name)) {
		if (state.secure)
			return;
		want = dst_expand(name, &from->obj);
	} else {
		want = strdup(name);
	}
	if (!want || !*want || scan_has_name(sc, want)) {
		free(want);
		return;
	}
	char *path = NULL;
	if (sc->loaded && sc->loaded(want, sc->arg)) {
		scan_add_name(sc, want); /* not asked twice */
		goto out;
	}
	if (strchr(want, '/'))
		path = candidate_check(want) == V_OK ? strdup(want) : NULL;
	else
		path = search_bare(want, &from->obj);
	if (!path)
		goto out;
	char why[160];
	const struct file_entry *e = file_get(path, why, sizeof why, &sc->oom);
	/* A file ld.so cannot load: it will say why. */
	if (!e || !e->ok)
		goto out;
	const struct scan_id *taken;
	if (is_rtld(&e->info)) {
		scan_rtld(sc, want);
	} else if ((taken = scan_find_id(sc, &e->info))) {
		/* Loaded under another name: ld.so adds the name to it.  A
		 * proxy must answer to the name too, as an alias. */
		scan_add_name(sc, want);
		if (taken->kind)
			sc->found(path, want, taken->kind, sc->arg);
	} else {
		scan_take(sc, path, want, &e->info, &from->obj);
	}
out:
	free(path);
	free(want);
}

int nsshare_search_closure(const char *path, nsshare_loaded_fn *loaded,
			   nsshare_found_fn *found, void *arg)
{
	state_get();
	char why[160];
	bool oom = false;
	const struct file_entry *top = file_get(path, why, sizeof why, &oom);
	if (!top || !top->ok) {
		nsshare_error(path, "%s", top ? top->why : why);
		return -1;
	}
	struct scan sc = { .loaded = loaded, .found = found,
			   .arg = arg };
	if (!share_init(&sc.list))
		sc.oom = true;
	else if (!is_rtld(&top->info))
		/* dlopen'ed objects have no l_loader: the chain starts here. */
		scan_take(&sc, path, path, &top->info, NULL);
	for (size_t i = 0; i < sc.nnodes; i++) {
		struct scan_node *n = sc.nodes[i];
		for (size_t j = 0; j < n->info->nneeded; j++)
			scan_needed(&sc, n, n->info->needed[j]);
	}
	int ret = 0;
	if (sc.oom) {
		nsshare_error(path, "out of memory");
		ret = -1;
	}
	share_free(&sc.list);
	for (size_t i = 0; i < sc.nnodes; i++) {
		free(sc.nodes[i]->origin);
		free(sc.nodes[i]);
	}
	free(sc.nodes);
	for (size_t i = 0; i < sc.nnames; i++)
		free(sc.names[i]);
	free(sc.names);
	free(sc.ids);
	return ret;
}
