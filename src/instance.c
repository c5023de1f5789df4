/* Instances: what dlmopen(LM_ID_NEWLM) gives once glibc's namespaces are
 * used up.  Owns the instances and their ids; calls copy.c, imagename.c
 * and real.c.
 *
 * An instance is the library's closure loaded into the base namespace as
 * copies of its private objects (copy.c), each with a name of its own:
 * DT_NEEDED names a dependency's copy by its path, so ld.so loads the
 * closure in stock's order with stock's constructor order, and matches no
 * other instance's copy nor the base's own objects; DT_SONAME is the
 * instance's too, so that no later dlopen by name finds a copy.  What is
 * shared (glibc, unique objects, NSSHARE_SHARE) is not copied: the copies
 * need the base copies themselves, as a namespace's proxies stand for
 * them.  The copies are loaded RTLD_LOCAL, so no instance sees another's
 * symbols, and say DT_SYMBOLIC, so that each binds to its own definitions
 * first.  The base's global scope comes next in their lookups, as a
 * namespace's root does in a real namespace; an instance in which one
 * copy would bind to a definition there of what another copy defines is
 * refused, since that is where isolation would leak.
 *
 * Instance ids start at NSSHARE_INSTANCE_FIRST, above every real
 * namespace, and are reused once freed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

struct instance {
	struct instance *next;
	Lmid_t id;
	void *top;            /* the library's copy: the user's handle */
	unsigned long refs;   /* handles of TOP given out */
	int *fds;             /* the copies' images */
	size_t nfds;
};

/* Under nsshare_lock(). */
static struct instance *instances;

static struct instance *instance_of_handle(void *handle)
{
	for (struct instance *in = instances; in && handle; in = in->next)
		if (in->top == handle)
			return in;
	return NULL;
}

/* The lowest id no instance has. */
static Lmid_t instance_id_free(void)
{
	for (Lmid_t id = NSSHARE_INSTANCE_FIRST;; id++) {
		bool used = false;
		for (struct instance *in = instances; in && !used; in = in->next)
			used = in->id == id;
		if (!used)
			return id;
	}
}

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void fds_close(int *fds, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
}

/* The loaded copy at PATH, read (nsshare_object_read); false if it is
 * not loaded or cannot be read. */
static bool copy_read(const char *path, struct nsshare_object *obj)
{
	const struct nsshare_real *real = nsshare_real();
	void *h = real->dlmopen(LM_ID_BASE, path, RTLD_LAZY | RTLD_NOLOAD);
	struct link_map *lm = NULL;
	bool ok = h && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm &&
		  nsshare_object_read(lm, obj);
	if (h)
		real->dlclose(h);
	else
		real->dlerror();
	return ok;
}

/* Where isolation would leak: a copy's reference to a symbol that another
 * copy of the instance defines binds to the base namespace's definition
 * when its global scope has one (it comes first; DT_SYMBOLIC covers only
 * a copy's own symbols).  Names the symbol in the error. */
static bool binds_outside(char (*paths)[NSSHARE_IMAGE_PATH_MAX],
			  const struct nsshare_closure *closure,
			  const char *object)
{
	size_t n = closure->count;
	struct nsshare_object *objs = calloc(n, sizeof *objs);
	bool *read = calloc(n, sizeof *read);
	bool leaks = !objs || !read;
	if (leaks)
		nsshare_error(object, "out of memory");
	for (size_t i = 0; !leaks && i < n; i++)
		read[i] = !closure->items[i].kind && copy_read(paths[i], &objs[i]);
	for (size_t i = 0; !leaks && i < n; i++) {
		for (size_t s = 1; read[i] && s < objs[i].nsyms && !leaks; s++) {
			const ElfW(Sym) *sym = &objs[i].symtab[s];
			if (sym->st_shndx != SHN_UNDEF)
				continue;
			const char *name = nsshare_object_sym_name(&objs[i], sym);
			for (size_t j = 0; name && j < n && !leaks; j++) {
				if (j == i || !read[j] ||
				    !nsshare_object_lookup(&objs[j], name))
					continue;
				if (dlsym(RTLD_DEFAULT, name)) {
					nsshare_error(object, "an instance of it "
						      "would bind %s of %s to the "
						      "base namespace's %s, which "
						      "is global there; share it "
						      "(NSSHARE_SHARE) instead",
						      name, closure->items[i].path,
						      closure->items[j].want);
					leaks = true;
				}
			}
		}
	}
	for (size_t i = 0; objs && read && i < n; i++)
		if (read[i])
			nsshare_object_free(&objs[i]);
	free(objs);
	free(read);
	return leaks;
}

void *nsshare_instance_create(const char *object,
			      const struct nsshare_closure *closure, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	size_t n = closure->count;
	int *fds = malloc((n ? n : 1) * sizeof *fds);
	char (*paths)[NSSHARE_IMAGE_PATH_MAX] = calloc(n ? n : 1, sizeof *paths);
	const char **from = calloc(n ? n : 1, sizeof *from);
	const char **to = calloc(n ? n : 1, sizeof *to);
	char *soname = NULL;
	if (!real || !fds || !paths || !from || !to) {
		free(fds);
		free(paths);
		free(from);
		free(to);
		if (real)
			nsshare_error(object, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++)
		fds[i] = -1;
	nsshare_lock();
	Lmid_t id = instance_id_free();
	/* Held as used from here, by a placeholder, so that a load in
	 * another thread takes another id. */
	struct instance *in = calloc(1, sizeof *in);
	if (in) {
		in->id = id;
		in->next = instances;
		instances = in;
	}
	nsshare_unlock();
	void *top = NULL;
	bool ok = in != NULL;
	/* Every copy's descriptor first: a copy names its dependencies'
	 * copies by path, and a path needs the descriptor. */
	size_t nr = 0;
	for (size_t i = 0; ok && i < n; i++) {
		const struct nsshare_closure_obj *o = &closure->items[i];
		if (o->kind)
			continue;
		fds[i] = nsshare_copy_open(file_name(o->path));
		ok = fds[i] >= 0;
		if (ok) {
			nsshare_image_path(fds[i], file_name(o->path), paths[i]);
			from[nr] = o->want;
			to[nr++] = paths[i];
		}
	}
	for (size_t i = 0; ok && i < n; i++) {
		const struct nsshare_closure_obj *o = &closure->items[i];
		if (o->kind)
			continue;
		free(soname);
		ok = asprintf(&soname, "%s@nsshare-instance-%ld",
			      file_name(o->path), (long)id) >= 0;
		if (!ok) {
			soname = NULL;
			nsshare_error(object, "out of memory");
			break;
		}
		struct nsshare_copy_spec spec = { .path = o->path,
			.soname = soname, .from = from, .to = to,
			.nrenames = nr };
		ok = nsshare_copy_write(fds[i], &spec);
	}
	if (ok && (closure->items[0].kind || n == 0)) {
		nsshare_error(object, "no more namespaces, and a shared object "
			      "has no instance of its own");
		ok = false;
	}
	if (ok) {
		top = real->dlmopen(LM_ID_BASE, paths[0],
				    (mode & ~RTLD_GLOBAL) | RTLD_LOCAL);
		if (!top)
			nsshare_error_take_glibc(object);
		ok = top != NULL;
	}
	if (ok && binds_outside(paths, closure, object)) {
		real->dlclose(top);
		ok = false;
	}
	real->dlerror(); /* what the dlsym lookups above left */
	free(soname);
	free(paths);
	free(from);
	free(to);
	nsshare_lock();
	if (ok) {
		in->top = top;
		in->refs = 1;
		in->fds = fds;
		in->nfds = n;
	} else if (in) {
		for (struct instance **p = &instances; *p; p = &(*p)->next)
			if (*p == in) {
				*p = in->next;
				break;
			}
	}
	nsshare_unlock();
	if (!ok) {
		free(in);
		fds_close(fds, n);
		return NULL;
	}
	return top;
}

bool nsshare_instance_id(void *handle, Lmid_t *id)
{
	nsshare_lock();
	struct instance *in = instance_of_handle(handle);
	if (in)
		*id = in->id;
	nsshare_unlock();
	return in != NULL;
}

bool nsshare_instance_close(void *handle, int *rc)
{
	const struct nsshare_real *real = nsshare_real();
	nsshare_lock();
	struct instance *in = instance_of_handle(handle);
	bool last = in && --in->refs == 0;
	if (last)
		for (struct instance **p = &instances; *p; p = &(*p)->next)
			if (*p == in) {
				*p = in->next;
				break;
			}
	nsshare_unlock();
	if (!in)
		return false;
	*rc = real ? real->dlclose(handle) : -1;
	if (last) {
		fds_close(in->fds, in->nfds);
		free(in);
	}
	return true;
}
