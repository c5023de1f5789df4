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

/* A copy an instance made: the file it copies, and its image. */
struct copy {
	char *file;                          /* the original's path */
	int fd;
	char path[NSSHARE_IMAGE_PATH_MAX];   /* what ld.so opens it by */
};

struct instance {
	struct instance *next;
	Lmid_t id;
	void *top;            /* the library's copy: the user's handle */
	unsigned long refs;   /* handles of TOP given out */
	struct copy *copies;
	size_t ncopies;
};

/* Under nsshare_lock(), in ascending order of ids.  NINSTANCES counts
 * them, written under the lock too but read without it
 * (nsshare_instances_any). */
static struct instance *instances;
static size_t ninstances;

static struct instance *instance_of_handle(void *handle)
{
	for (struct instance *in = instances; in && handle; in = in->next)
		if (in->top == handle)
			return in;
	return NULL;
}

static struct instance *instance_of_id(Lmid_t id)
{
	for (struct instance *in = instances; in; in = in->next)
		if (in->id == id && in->top)
			return in;
	return NULL;
}

/* The copy LM is, or NULL; *IN its instance. */
static const struct copy *copy_of_map(const struct link_map *lm,
				      struct instance **in)
{
	if (lm == RTLD_NEXT)
		return NULL;
	for (*in = instances; *in && lm && lm->l_name; *in = (*in)->next)
		for (size_t i = 0; i < (*in)->ncopies; i++)
			if (strcmp((*in)->copies[i].path, lm->l_name) == 0)
				return &(*in)->copies[i];
	return NULL;
}

/* Takes IN off the list; under nsshare_lock(). */
static void instance_unlink(struct instance *in)
{
	for (struct instance **p = &instances; *p; p = &(*p)->next)
		if (*p == in) {
			*p = in->next;
			__atomic_sub_fetch(&ninstances, 1, __ATOMIC_RELEASE);
			return;
		}
}

/* Gives IN the lowest id no instance has and links it in; under
 * nsshare_lock().  The list is kept in ascending order of ids, so the
 * first gap is that id, found in one walk (a search per candidate id made
 * the 500th instance cost 500 walks). */
static void instance_link_free_id(struct instance *in)
{
	Lmid_t id = NSSHARE_INSTANCE_FIRST;
	struct instance **p = &instances;
	for (; *p && (*p)->id == id; p = &(*p)->next)
		id++;
	in->id = id;
	in->next = *p;
	*p = in;
	__atomic_add_fetch(&ninstances, 1, __ATOMIC_RELEASE);
}

static const char *file_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static void copies_free(struct copy *copies, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (copies[i].fd >= 0)
			close(copies[i].fd);
		free(copies[i].file);
	}
	free(copies);
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
static bool binds_outside(const char *const *paths,
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

/* The copy of FILE among N copies, or NULL. */
static const struct copy *copy_of(const struct copy *copies, size_t n,
				  const char *file)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(copies[i].file, file) == 0)
			return &copies[i];
	return NULL;
}

/* glibc's error for loading an instance's copies (the N OLD ones and the
 * NNEW new ones), in the user's terms: each copy named by the file it
 * copies. */
static void load_error_take(const char *object, const struct copy *old,
			    size_t n, const struct copy *made, size_t nnew)
{
	const char **from = calloc(n + nnew + 1, sizeof *from);
	const char **to = calloc(n + nnew + 1, sizeof *to);
	size_t k = 0;
	for (size_t i = 0; from && to && i < n + nnew; i++, k++) {
		const struct copy *c = i < n ? &old[i] : &made[i - n];
		from[k] = c->path;
		to[k] = c->file;
	}
	nsshare_error_take_glibc_renaming(object, from, to, from && to ? k : 0);
	free(from);
	free(to);
}

/* Loads CLOSURE into instance ID, which holds the N copies OLD already:
 * copies of the private objects it lacks are made and appended to *NEW
 * (*NNEW of them), and the library's copy is opened.  Its handle, or NULL
 * with an error set and nothing made. */
static void *instance_load(Lmid_t id, const struct copy *old, size_t n,
			   struct copy **made, size_t *nmade,
			   const struct nsshare_closure *closure,
			   const char *object, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	size_t count = closure->count;
	struct copy *copies = calloc(count ? count : 1, sizeof *copies);
	const char **at = calloc(count ? count : 1, sizeof *at);
	const char **from = calloc(count ? count : 1, sizeof *from);
	const char **to = calloc(count ? count : 1, sizeof *to);
	char *soname = NULL;
	size_t nnew = 0, nr = 0;
	bool ok = real && copies && at && from && to;
	if (!ok && real)
		nsshare_error(object, "out of memory");
	if (ok && (count == 0 || closure->items[0].kind ||
		   (mode & RTLD_SHARED))) {
		nsshare_error(object, "a shared object has no instance of its "
			      "own: open it with dlopen");
		ok = false;
	}
	mode &= ~NSSHARE_OWN_FLAGS;
	/* Every new copy's descriptor first: a copy names its
	 * dependencies' copies by path, and a path needs the descriptor. */
	for (size_t i = 0; ok && i < count; i++) {
		const struct nsshare_closure_obj *o = &closure->items[i];
		if (o->kind)
			continue;
		const struct copy *have = copy_of(old, n, o->path);
		if (!have)
			have = copy_of(copies, nnew, o->path);
		if (!have) {
			struct copy *c = &copies[nnew];
			c->fd = nsshare_copy_open(file_name(o->path));
			c->file = c->fd >= 0 ? strdup(o->path) : NULL;
			if (c->fd >= 0 && !c->file) {
				nsshare_error(object, "out of memory");
				close(c->fd);
			}
			ok = c->file != NULL;
			if (!ok)
				break;
			nsshare_image_path(c->fd, file_name(o->path), c->path);
			have = c;
			nnew++;
		}
		at[i] = have->path;
		from[nr] = o->want;
		to[nr++] = have->path;
	}
	for (size_t i = 0; ok && i < nnew; i++) {
		free(soname);
		ok = asprintf(&soname, "%s@nsshare-instance-%ld",
			      file_name(copies[i].file), (long)id) >= 0;
		if (!ok) {
			soname = NULL;
			nsshare_error(object, "out of memory");
			break;
		}
		struct nsshare_copy_spec spec = { .path = copies[i].file,
			.soname = soname, .from = from, .to = to,
			.nrenames = nr };
		ok = nsshare_copy_write(copies[i].fd, &spec);
		if (ok)
			nsshare_debug(NSSHARE_DEBUG_IMAGES, "copy=%s;  of %s "
				      "for instance %ld, fd %d", copies[i].path,
				      copies[i].file, (long)id, copies[i].fd);
	}
	void *top = NULL;
	if (ok) {
		top = real->dlmopen(LM_ID_BASE, at[0],
				    (mode & ~RTLD_GLOBAL) | RTLD_LOCAL);
		if (!top)
			load_error_take(object, old, n, copies, nnew);
		ok = top != NULL;
	}
	for (size_t i = 0; ok && i < nnew; i++) {
		size_t saved = nsshare_copy_share_code(copies[i].fd,
						       copies[i].path,
						       copies[i].file);
		nsshare_debug(NSSHARE_DEBUG_IMAGES, "copy=%s;  %zu bytes of "
			      "code mapped from %s", copies[i].path, saved,
			      copies[i].file);
	}
	if (ok && binds_outside(at, closure, object)) {
		real->dlclose(top);
		top = NULL;
		ok = false;
	}
	if (real)
		real->dlerror(); /* what the dlsym lookups above left */
	free(soname);
	free(at);
	free(from);
	free(to);
	if (!ok) {
		copies_free(copies, nnew);
		return NULL;
	}
	*made = copies;
	*nmade = nnew;
	return top;
}

void *nsshare_instance_create(const char *object,
			      const struct nsshare_closure *closure, int mode)
{
	/* Held as used from here, by a placeholder without a handle, so
	 * that a load in another thread takes another id. */
	struct instance *in = calloc(1, sizeof *in);
	if (!in) {
		nsshare_error(object, "out of memory");
		return NULL;
	}
	nsshare_lock();
	instance_link_free_id(in);
	Lmid_t id = in->id;
	nsshare_unlock();
	struct copy *copies = NULL;
	size_t n = 0;
	void *top = instance_load(id, NULL, 0, &copies, &n, closure, object,
				  mode);
	nsshare_lock();
	if (top) {
		in->top = top;
		in->refs = 1;
		in->copies = copies;
		in->ncopies = n;
	} else
		instance_unlink(in);
	nsshare_unlock();
	if (!top)
		free(in);
	return top;
}

bool nsshare_instance_exists(Lmid_t id)
{
	nsshare_lock();
	bool exists = instance_of_id(id) != NULL;
	nsshare_unlock();
	return exists;
}

void *nsshare_instance_add(Lmid_t id, const char *object,
			   const struct nsshare_closure *closure, int mode)
{
	/* The caller holds the loader lock, so the instance and its copies
	 * stay while the table lock is dropped. */
	nsshare_lock();
	struct instance *in = instance_of_id(id);
	const struct copy *old = in ? in->copies : NULL;
	size_t n = in ? in->ncopies : 0;
	nsshare_unlock();
	if (!in) {
		nsshare_error(object, "no instance %ld", (long)id);
		return NULL;
	}
	struct copy *copies = NULL;
	size_t nnew = 0;
	void *handle = instance_load(id, old, n, &copies, &nnew, closure,
				     object, mode);
	if (!handle)
		return NULL;
	nsshare_lock();
	struct copy *all = realloc(in->copies,
				   (in->ncopies + nnew) * sizeof *all);
	/* The library's copy opened again is one more handle of it. */
	if (all && handle == in->top)
		in->refs++;
	if (all) {
		memcpy(all + in->ncopies, copies, nnew * sizeof *copies);
		in->copies = all;
		in->ncopies += nnew;
	}
	nsshare_unlock();
	if (!all) {
		const struct nsshare_real *real = nsshare_real();
		real->dlclose(handle);
		copies_free(copies, nnew);
		nsshare_error(object, "out of memory");
		return NULL;
	}
	free(copies);
	return handle;
}

bool nsshare_instances_any(void)
{
	return __atomic_load_n(&ninstances, __ATOMIC_ACQUIRE) != 0;
}

Lmid_t nsshare_instance_of_copy(const struct link_map *lm, char **file)
{
	nsshare_lock();
	struct instance *in;
	const struct copy *c = copy_of_map(lm, &in);
	Lmid_t id = c ? in->id : 0;
	if (file)
		*file = c ? strdup(c->file) : NULL;
	nsshare_unlock();
	return id;
}

bool nsshare_instance_close(void *handle, int *rc)
{
	const struct nsshare_real *real = nsshare_real();
	nsshare_lock();
	struct instance *in = instance_of_handle(handle);
	bool last = in && --in->refs == 0;
	if (last)
		instance_unlink(in);
	nsshare_unlock();
	if (!in)
		return false;
	*rc = real ? real->dlclose(handle) : -1;
	if (last) {
		copies_free(in->copies, in->ncopies);
		free(in);
	}
	return true;
}

/* The instance's copies while dl_iterate_phdr walks the base. */
struct iterate {
	char (*paths)[NSSHARE_IMAGE_PATH_MAX];
	char **files;
	size_t n;
	int (*callback)(struct dl_phdr_info *, size_t, void *);
	void *data;
};

static int iterate_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct iterate *it = arg;
	for (size_t i = 0; info->dlpi_name && i < it->n; i++) {
		if (strcmp(info->dlpi_name, it->paths[i]) != 0)
			continue;
		/* Named by the file it copies, as a namespace's objects are
		 * by theirs. */
		struct dl_phdr_info copy = *info;
		copy.dlpi_name = it->files[i];
		return it->callback(&copy, size, it->data);
	}
	return 0;
}

int nsshare_instance_iterate(Lmid_t id,
			     int (*callback)(struct dl_phdr_info *, size_t,
					     void *),
			     void *data)
{
	struct iterate it = { .callback = callback, .data = data };
	bool found = false, oom = false;
	/* Copied out first: glibc's list lock, held around the callback,
	 * is never taken with nsshare's table lock held. */
	nsshare_lock();
	struct instance *in = instance_of_id(id);
	if (in) {
		found = true;
		it.paths = calloc(in->ncopies ? in->ncopies : 1, sizeof *it.paths);
		it.files = calloc(in->ncopies ? in->ncopies : 1, sizeof *it.files);
		oom = !it.paths || !it.files;
		for (size_t i = 0; !oom && i < in->ncopies; i++) {
			memcpy(it.paths[i], in->copies[i].path, sizeof it.paths[i]);
			oom = !(it.files[i] = strdup(in->copies[i].file));
			it.n += !oom;
		}
	}
	nsshare_unlock();
	int rc = -1;
	if (!found)
		nsshare_error("dl_iterate_ns_phdr", "namespace %ld is not in use",
			      (long)id);
	else if (oom)
		nsshare_error("dl_iterate_ns_phdr", "out of memory");
	else
		rc = dl_iterate_phdr(iterate_cb, &it);
	for (size_t i = 0; i < it.n; i++)
		free(it.files[i]);
	free(it.files);
	free(it.paths);
	return rc;
}
