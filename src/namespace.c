/* Namespaces nsshare creates.  A fresh namespace starts with a small
 * synthesized root whose DT_NEEDED lists the requested library's whole
 * closure in the order stock ld.so would load it (breadth first, as the
 * closure scan reports it), each glibc library and unique object as its
 * proxy.  ld.so maps all of the root's direct needs before their own, so
 * the library's libc.so.6 (or unique dependency) finds the proxy by
 * SONAME, the namespace's load order is stock's, and its global scope
 * (the first object's search list) is stock's with the root in front:
 * a dependency that overrides a libc or libm function keeps its place
 * ahead of them (glibc-facts 14). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* A root image.  Namespaces whose roots need the same objects share one:
 * the next fresh namespace for a library reuses it rather than writing a
 * memfd again (each namespace still maps it as an object of its own). */
struct root_image {
	struct root_image *next;
	char *key;             /* the needed names, each ending in a NUL */
	size_t key_len;
	int fd;                /* its path names the root */
	ino_t ino;             /* what FD must still be (nsshare_fd_ino) */
	unsigned long users;   /* namespaces whose root it is */
};

struct nsshare_ns {
	struct nsshare_ns *next;
	Lmid_t id;
	void *root;            /* the synthesized root's handle, or the
				* namespace's own reference to FIRST where
				* it has no root (IMAGE NULL) */
	void *first;           /* the library that created the namespace */
	/* Their link maps: rdebug.c hides the root from r_debug walkers,
	 * scope.c gives the namespace a main search list (both check what
	 * they did themselves).  NULL when dlinfo could not tell. */
	struct link_map *root_map, *first_map;
	unsigned long refs;    /* handles of FIRST that nsshare gave out */
	struct root_image *image;
	void **added;          /* proxies opened into it later */
	size_t nadded;
};

/* Root images kept with no namespace using them, for the next one. */
#define ROOT_IMAGES_IDLE_MAX 8

/* Under nsshare_lock(). */
static struct nsshare_ns *namespaces;
static struct root_image *root_images;

static struct nsshare_ns *ns_find_id(Lmid_t id)
{
	for (struct nsshare_ns *ns = namespaces; ns; ns = ns->next)
		if (ns->id == id)
			return ns;
	return NULL;
}

/* Whether closure object O is loaded in the namespace as a proxy. */
static bool closure_proxied(const struct nsshare_closure_obj *o)
{
	return o->kind & (NSSHARE_SHARE_GLIBC | NSSHARE_SHARE_UNIQUE);
}

/* Whether IMAGE's descriptor is still the memfd written for it: a program
 * may close descriptors it does not know about. */
static bool root_image_intact(const struct root_image *image)
{
	return nsshare_fd_ino(image->fd) == image->ino;
}

static void root_image_free(struct root_image *image)
{
	if (root_image_intact(image))
		close(image->fd);
	free(image->key);
	free(image);
}

/* NEEDED[0..N) as one string, each name ending in a NUL (which no name
 * holds); its length in *LEN. */
static char *root_key(const char *const *needed, size_t n, size_t *len)
{
	*len = 0;
	for (size_t i = 0; i < n; i++)
		*len += strlen(needed[i]) + 1;
	char *key = malloc(*len), *p = key;
	for (size_t i = 0; key && i < n; i++)
		p = stpcpy(p, needed[i]) + 1;
	return key;
}

/* Takes a root image with NEEDED: a kept one if it is intact, else one
 * written now.  NULL with an error set naming OBJECT. */
static struct root_image *root_image_take(const char *const *needed, size_t n,
					  const char *object)
{
	size_t key_len;
	char *key = root_key(needed, n, &key_len);
	if (!key) {
		nsshare_error(object, "out of memory");
		return NULL;
	}
	nsshare_lock();
	for (struct root_image **p = &root_images; *p; p = &(*p)->next) {
		struct root_image *image = *p;
		if (image->key_len != key_len ||
		    memcmp(image->key, key, key_len) != 0)
			continue;
		if (root_image_intact(image)) {
			image->users++;
			nsshare_unlock();
			free(key);
			return image;
		}
		/* Its descriptor was closed under it: forget it once no
		 * namespace uses it, and write another. */
		*p = image->next;
		image->next = NULL;
		if (image->users == 0)
			root_image_free(image);
		break;
	}
	nsshare_unlock();

	struct nsshare_image_spec spec = { .needed = needed, .nneeded = n };
	struct root_image *image = malloc(sizeof *image);
	int fd = image ? nsshare_image_write(&spec, "root") : -1;
	if (fd < 0) {
		/* nsshare_image_write says why it failed. */
		if (!image)
			nsshare_error(object, "out of memory");
		free(image);
		free(key);
		return NULL;
	}
	*image = (struct root_image){ .key = key, .key_len = key_len, .fd = fd,
				      .ino = nsshare_fd_ino(fd), .users = 1 };
	nsshare_lock();
	image->next = root_images;
	root_images = image;
	nsshare_unlock();
	return image;
}

/* Gives IMAGE back; it is kept for the next namespace unless enough idle
 * ones are kept already. */
static void root_image_give_back(struct root_image *image)
{
	size_t idle = 0;
	bool listed = false;
	nsshare_lock();
	image->users--;
	for (struct root_image *i = root_images; i; i = i->next) {
		idle += i->users == 0;
		listed |= i == image;
	}
	bool drop = image->users == 0 && (!listed || idle > ROOT_IMAGES_IDLE_MAX);
	if (drop && listed) {
		struct root_image **p = &root_images;
		while (*p != image)
			p = &(*p)->next;
		*p = image->next;
	}
	nsshare_unlock();
	if (drop)
		root_image_free(image);
}

/* The names a fresh namespace's root needs (see nsshare_ns_create), into
 * NEEDED, with room for CLOSURE's objects and one more; proxy paths are
 * kept in PATHS.  Returns their count, or 0 with an error set. */
static size_t root_needed(const char *first,
			  const struct nsshare_closure *closure,
			  const char **needed, char (*paths)[NSSHARE_IMAGE_PATH_MAX])
{
	struct nsshare_proxy *libc = nsshare_proxy_load("libc.so.6", RTLD_LAZY);
	if (!libc)
		return 0;
	size_t n = 0;
	needed[n++] = first;
	bool has_libc = false;
	/* The closure's first object is FIRST. */
	for (size_t i = 1; closure && i < closure->count; i++) {
		const struct nsshare_closure_obj *o = &closure->items[i];
		if (!closure_proxied(o)) {
			needed[n++] = o->path;
			continue;
		}
		struct nsshare_proxy *proxy = nsshare_proxy_load(o->path, RTLD_LAZY);
		if (!proxy || !nsshare_proxy_path_as(proxy, o->want, paths[n]))
			return 0;
		has_libc |= proxy == libc;
		needed[n] = paths[n];
		n++;
	}
	nsshare_debug_step("proxies");
	/* Later loads into the namespace share libc too. */
	nsshare_proxy_path(libc, paths[n]);
	if (!has_libc && strcmp(paths[n], first) != 0) {
		needed[n] = paths[n];
		n++;
	}
	return n;
}

/* Whether CLOSURE's objects after the first are ld.so alone (or none). */
static bool closure_rest_is_rtld(const struct nsshare_closure *closure)
{
	for (size_t i = 1; closure && i < closure->count; i++)
		if (closure->items[i].kind != NSSHARE_CLOSURE_RTLD)
			return false;
	return true;
}

/* The root image of a fresh namespace for FIRST and CLOSURE.  *NONE is
 * set when the namespace needs none: TOP, FIRST's proxy, is libc's and
 * needs ld.so itself, so a root would add nothing to TOP's search list
 * but itself, an object no auditor expects (glibc's tst-audit23). */
static struct root_image *root_image(const char *first,
				     const struct nsshare_proxy *top,
				     const char *object,
				     const struct nsshare_closure *closure,
				     bool *none)
{
	size_t max = (closure ? closure->count : 0) + 2;
	const char **needed = calloc(max, sizeof *needed);
	char (*paths)[NSSHARE_IMAGE_PATH_MAX] = calloc(max, sizeof *paths);
	struct root_image *image = NULL;
	size_t n = 0;
	*none = false;
	if (!needed || !paths)
		nsshare_error(object, "out of memory");
	else if ((n = root_needed(first, closure, needed, paths)) == 0)
		;
	else if (top && nsshare_proxy_needs_rtld(top) &&
		 closure_rest_is_rtld(closure) &&
		 n == (closure && closure->count ? closure->count : 1))
		*none = true; /* no libc proxy was added: TOP is libc's */
	else
		image = root_image_take(needed, n, object);
	nsshare_debug_step("root image");
	free(needed);
	free(paths);
	return image;
}

/* NSSHARE_DEBUG=scopes: NS's objects in link-map order, its global scope
 * (the root's search list) being that order from the root on. */
static void debug_scope(const struct nsshare_ns *ns)
{
	if (!nsshare_debug_on(NSSHARE_DEBUG_SCOPES) || !ns->first_map)
		return;
	nsshare_debug(NSSHARE_DEBUG_SCOPES, "namespace %ld: made for %s",
		      (long)ns->id, ns->first_map->l_name);
	const struct link_map *lm = ns->root_map ? ns->root_map : ns->first_map;
	while (lm->l_prev)
		lm = lm->l_prev;
	for (; lm; lm = lm->l_next) {
		const struct link_map *base = nsshare_proxy_base_of(lm);
		if (lm == ns->root_map && ns->image)
			nsshare_debug(NSSHARE_DEBUG_SCOPES, "  %s (nsshare's root)",
				      lm->l_name);
		else if (base)
			nsshare_debug(NSSHARE_DEBUG_SCOPES, "  %s (proxy of %s)",
				      lm->l_name, base->l_name);
		else
			nsshare_debug(NSSHARE_DEBUG_SCOPES, "  %s", lm->l_name);
	}
}

void *nsshare_ns_create(const char *first, const struct nsshare_proxy *top,
			const char *object,
			const struct nsshare_closure *closure, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	struct nsshare_ns *ns = calloc(1, sizeof *ns);
	if (!real || !ns) {
		if (real)
			nsshare_error(object, "out of memory");
		free(ns);
		return NULL;
	}
	bool rootless;
	struct root_image *image = root_image(first, top, object, closure,
					      &rootless);
	if (!image && !rootless) {
		free(ns);
		return NULL;
	}
	/* Without a root, TOP itself holds the namespace as the root would:
	 * the reference the namespace keeps beside the caller's. */
	char root_path[NSSHARE_IMAGE_PATH_MAX];
	if (image)
		nsshare_image_path(image->fd, "nsshare-root", root_path);
	/* The root takes the binding mode; RTLD_NODELETE and the like are
	 * for the library and apply below. */
	ns->root = real->dlmopen(LM_ID_NEWLM, image ? root_path : first,
				 mode & (RTLD_BINDING_MASK | RTLD_DEEPBIND));
	if (!ns->root) {
		nsshare_error_take_glibc(object);
		if (image)
			root_image_give_back(image);
		free(ns);
		return NULL;
	}
	dlinfo(ns->root, RTLD_DI_LMID, &ns->id);
	/* Found by name among what the root loaded. */
	ns->first = real->dlmopen(ns->id, first, mode);
	if (!ns->first) {
		nsshare_error_take_glibc(object);
		real->dlclose(ns->root);
		if (image)
			root_image_give_back(image);
		free(ns);
		return NULL;
	}
	nsshare_debug_step("glibc's dlmopen");
	struct link_map *root_map = NULL, *first_map = NULL;
	if (dlinfo(ns->root, RTLD_DI_LINKMAP, &root_map) == 0 &&
	    dlinfo(ns->first, RTLD_DI_LINKMAP, &first_map) == 0) {
		ns->root_map = root_map;
		ns->first_map = first_map;
		nsshare_scope_seed(ns->id, root_map);
		if (image)
			nsshare_rdebug_hide_root(root_map, first_map);
	}
	ns->image = image;
	ns->refs = 1;
	nsshare_lock();
	ns->next = namespaces;
	namespaces = ns;
	nsshare_unlock();
	debug_scope(ns);
	return ns->first;
}

bool nsshare_ns_is_root(const struct link_map *lm)
{
	int fd = lm->l_name ? nsshare_image_path_fd(lm->l_name) : -1;
	if (fd < 0)
		return false;
	bool root = false;
	nsshare_lock();
	/* A namespace's record, from when it is open; its image, listed
	 * from before it is opened (while its constructors run) until its
	 * descriptor is found closed under it. */
	for (struct nsshare_ns *ns = namespaces; ns && !root; ns = ns->next)
		root = ns->image && ns->root_map == lm;
	for (struct root_image *i = root_images; i && !root; i = i->next)
		root = i->fd == fd && i->users > 0;
	nsshare_unlock();
	return root;
}

/* Records HANDLE, a proxy opened into namespace ID, so that it is
 * closed with the namespace.  False if nsshare did not create ID. */
static bool ns_note_added(Lmid_t id, void *handle)
{
	bool noted = false;
	nsshare_lock();
	struct nsshare_ns *ns = ns_find_id(id);
	void **added = ns ? realloc(ns->added, (ns->nadded + 1) * sizeof *added)
			  : NULL;
	if (added) {
		added[ns->nadded++] = handle;
		ns->added = added;
		noted = true;
	}
	nsshare_unlock();
	return noted;
}

/* Whether namespace ID has a proxied libc.  False with an error set when
 * ID is not a namespace in use; false without one when its libc is
 * private (made with RTLD_ISOLATE or without nsshare). */
static bool ns_shares_glibc(const struct nsshare_real *real, Lmid_t id,
			    const char *object, bool *failed)
{
	*failed = false;
	void *libc = real->dlmopen(id, "libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
	if (!libc) {
		/* nsshare_error() reads glibc's dlerror() again, which frees
		 * MSG: copy it first.  glibc names the object it was asked
		 * for, libc.so.6, which the caller never named. */
		const char *msg = real->dlerror();
		if (msg) {
			char reason[512];
			const char *prefix = "libc.so.6: ";
			if (strncmp(msg, prefix, strlen(prefix)) == 0)
				msg += strlen(prefix);
			snprintf(reason, sizeof reason, "%s", msg);
			nsshare_error(object, "%s", reason);
			*failed = true;
		}
		return false;
	}
	struct link_map *lm = NULL;
	dlinfo(libc, RTLD_DI_LINKMAP, &lm);
	bool shared = nsshare_proxy_is(lm);
	real->dlclose(libc);
	return shared;
}

bool nsshare_ns_has_global_scope(Lmid_t id)
{
	nsshare_lock();
	struct nsshare_ns *ns = ns_find_id(id);
	struct link_map *root = ns ? ns->root_map : NULL;
	nsshare_unlock();
	/* Outside our lock: scope.c may ask ld.so (dladdr1) the first
	 * time. */
	return root && nsshare_scope_seeded(id, root);
}

const void *nsshare_ns_return_site(Lmid_t id)
{
	nsshare_lock();
	struct nsshare_ns *ns = ns_find_id(id);
	struct link_map *lm = ns ? ns->first_map : NULL;
	nsshare_unlock();
	/* The namespace's list, walked while the caller keeps its objects
	 * loaded (its library's handle is ours).  An address glibc finds in
	 * another object (ld.so's entry in the list is the base's ld.so)
	 * would not stand for ID. */
	while (lm && lm->l_prev)
		lm = lm->l_prev;
	for (; lm; lm = lm->l_next) {
		if (nsshare_proxy_is(lm))
			continue;
		const void *site = nsshare_object_return_site(lm);
		Dl_info info;
		struct link_map *found = NULL;
		if (site && dladdr1(site, &info, (void **)&found,
				    RTLD_DL_LINKMAP) && found == lm)
			return site;
	}
	return NULL;
}

bool nsshare_ns_holds(Lmid_t id, const char *name)
{
	const struct nsshare_real *real = nsshare_real();
	void *handle = real ? real->dlmopen(id, name, RTLD_NOLOAD | RTLD_LAZY)
			    : NULL;
	if (!handle) {
		if (real)
			real->dlerror();
		return false;
	}
	/* NOLOAD took a reference. */
	real->dlclose(handle);
	return true;
}

bool nsshare_ns_add_proxies(Lmid_t id, const char *object,
			    const struct nsshare_closure *closure)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return false;
	bool failed;
	bool shares_glibc = ns_shares_glibc(real, id, object, &failed);
	if (failed)
		return false;
	for (size_t i = 0; closure && i < closure->count; i++) {
		const struct nsshare_closure_obj *o = &closure->items[i];
		/* A namespace with a private glibc keeps it whole. */
		if (!closure_proxied(o) ||
		    (!shares_glibc && !(o->kind & NSSHARE_SHARE_UNIQUE)))
			continue;
		struct nsshare_proxy *proxy = nsshare_proxy_load(o->path, RTLD_LAZY);
		char path[NSSHARE_IMAGE_PATH_MAX];
		if (!proxy || !nsshare_proxy_path_as(proxy, o->want, path))
			return false;
		if (nsshare_ns_holds(id, path))
			continue;
		void *handle = real->dlmopen(id, path, RTLD_LAZY);
		if (!handle) {
			nsshare_error_take_glibc(object);
			return false;
		}
		/* In a namespace nsshare did not create, the proxy stays as
		 * long as the namespace does. */
		ns_note_added(id, handle);
	}
	return true;
}

void nsshare_ns_retain(void *handle)
{
	nsshare_lock();
	for (struct nsshare_ns *ns = namespaces; ns; ns = ns->next)
		if (ns->first == handle)
			ns->refs++;
	nsshare_unlock();
}

struct nsshare_ns *nsshare_ns_release(void *handle)
{
	struct nsshare_ns *last = NULL;
	nsshare_lock();
	for (struct nsshare_ns **p = &namespaces; *p; p = &(*p)->next) {
		struct nsshare_ns *ns = *p;
		if (ns->first == handle) {
			if (--ns->refs == 0) {
				*p = ns->next;
				last = ns;
			}
			break;
		}
	}
	nsshare_unlock();
	return last;
}

void nsshare_ns_destroy(struct nsshare_ns *ns)
{
	const struct nsshare_real *real = nsshare_real();
	for (size_t i = 0; i < ns->nadded; i++)
		real->dlclose(ns->added[i]);
	void *grown = NULL;
	if (ns->root_map) {
		if (ns->image)
			nsshare_rdebug_show_root(ns->root_map, ns->first_map);
		grown = nsshare_scope_detach(ns->id, ns->root_map);
	}
	real->dlclose(ns->root);
	nsshare_scope_forget(grown);
	if (ns->image)
		root_image_give_back(ns->image);
	free(ns->added);
	free(ns);
}
