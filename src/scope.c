/* The global scope of the namespaces nsshare creates, so that glibc's own
 * RTLD_GLOBAL works in them.  Owns glibc's main search list pointer of
 * those namespaces; calls only libc (dlvsym, dladdr1, getauxval).
 *
 * glibc adds an RTLD_GLOBAL object to its namespace's main search list,
 * _ns_main_searchlist in _rtld_global's per-namespace entry, which only
 * the base namespace has (BZ 18684, glibc-facts 15, 17a): it points at the
 * main program's search list, the base's global scope.  A secondary
 * namespace's global scope is its first object's search list (fact 14),
 * here the root's, so pointing the entry at that list gives the namespace
 * what the base has: glibc grows the list, every object whose scope holds
 * it sees the addition, and dlclose takes the object out again.
 *
 * The entry's layout is read off the running glibc, never assumed:
 * _ns_loaded and _ns_main_searchlist are its first and third words in
 * every glibc since 2.3, the base entry must show the main program and its
 * search list (which gives the offset of l_searchlist in struct link_map),
 * and a namespace's entry is found by its _ns_loaded, the root.  Where any
 * of it does not hold, nothing is written and RTLD_GLOBAL stays refused. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/auxv.h>

#include "internal.h"

/* The part of glibc's struct r_scope_elem and of struct link_namespaces
 * that is read or written here. */
struct scope_elem {
	struct link_map **r_list;
	unsigned int r_nlist;
};

struct ns_entry {
	struct link_map *loaded;         /* _ns_loaded */
	unsigned int nloaded;            /* _ns_nloaded */
	struct scope_elem *main_list;    /* _ns_main_searchlist */
	unsigned int global_scope_alloc; /* _ns_global_scope_alloc */
};

/* Entries are further apart than the words above, never by more. */
#define STRIDE_MIN sizeof(struct ns_entry)
#define STRIDE_MAX 1024

static struct {
	char *rtld_global;      /* _rtld_global: the base namespace's entry */
	size_t searchlist_off;  /* offsetof(struct link_map, l_searchlist) */
	size_t stride;          /* between entries; 0 until a namespace shows it */
	bool ok;
} layout;

static void layout_read(void)
{
	char *base = dlvsym(RTLD_DEFAULT, "_rtld_global", "GLIBC_PRIVATE");
	Dl_info info;
	struct link_map *main_map = NULL;
	void *phdr = (void *)getauxval(AT_PHDR);
	if (!base || !phdr ||
	    !dladdr1(phdr, &info, (void **)&main_map, RTLD_DL_LINKMAP) ||
	    !main_map)
		return;
	const struct ns_entry *ns0 = (const struct ns_entry *)base;
	uintptr_t list = (uintptr_t)ns0->main_list;
	uintptr_t lm = (uintptr_t)main_map;
	if (ns0->loaded != main_map || list <= lm || list - lm > 4096 ||
	    ns0->main_list->r_nlist == 0 ||
	    ns0->main_list->r_list[0] != main_map)
		return;
	layout.rtld_global = base;
	layout.searchlist_off = list - lm;
	layout.ok = true;
}

/* Namespace ID's entry, whose first object is ROOT. */
static struct ns_entry *entry_of(Lmid_t id, const struct link_map *root)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, layout_read);
	if (!layout.ok || id <= 0)
		return NULL;
	size_t stride = __atomic_load_n(&layout.stride, __ATOMIC_RELAXED);
	if (stride) {
		struct ns_entry *e =
			(struct ns_entry *)(layout.rtld_global + stride * id);
		return e->loaded == root ? e : NULL;
	}
	/* The first namespace shows where the entries lie: the only
	 * stride at which entry ID starts with ROOT and counts the objects
	 * of its list (ROOT's r_debug holds it too, followed by other
	 * words). */
	unsigned int objects = 0;
	for (const struct link_map *o = root; o; o = o->l_next)
		objects++;
	struct ns_entry *found = NULL;
	for (stride = STRIDE_MIN; stride <= STRIDE_MAX; stride += 8) {
		struct ns_entry *e =
			(struct ns_entry *)(layout.rtld_global + stride * id);
		if (e->loaded != root || e->nloaded != objects)
			continue;
		if (found)
			return NULL;
		found = e;
		__atomic_store_n(&layout.stride, stride, __ATOMIC_RELAXED);
	}
	return found;
}

/* What a namespace keeps as its main search list from just before its
 * root is closed: an empty one that no object's scope holds.  glibc takes
 * objects that were global out of it as they close (finding nothing), and
 * nsshare refuses RTLD_GLOBAL there again (nsshare_scope_seeded is
 * false).  The slot is made so before the root's dlclose frees it for the
 * next namespace, so nothing here writes to a slot glibc may have given
 * to another namespace meanwhile.  Other threads read the words with
 * acquire loads: ld.so's lock orders them too, but ThreadSanitizer does
 * not see it. */
static struct scope_elem orphans[NSSHARE_DL_NNS];

static struct scope_elem *main_list_of(struct ns_entry *e)
{
	return __atomic_load_n(&e->main_list, __ATOMIC_ACQUIRE);
}

static struct scope_elem *root_list(struct link_map *root)
{
	return (struct scope_elem *)((char *)root + layout.searchlist_off);
}

bool nsshare_scope_seed(Lmid_t id, struct link_map *root)
{
	struct ns_entry *e = entry_of(id, root);
	if (!e || id >= NSSHARE_DL_NNS)
		return false;
	if (main_list_of(e) == &orphans[id] && orphans[id].r_nlist == 0) {
		free(orphans[id].r_list);
		orphans[id] = (struct scope_elem){ NULL, 0 };
		__atomic_store_n(&e->global_scope_alloc, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&e->main_list, NULL, __ATOMIC_RELEASE);
	}
	if (main_list_of(e) != NULL ||
	    __atomic_load_n(&e->global_scope_alloc, __ATOMIC_RELAXED) != 0)
		return false;
	struct scope_elem *list = root_list(root);
	if (list->r_nlist == 0 || list->r_list[0] != root)
		return false;
	__atomic_store_n(&e->main_list, list, __ATOMIC_RELEASE);
	return true;
}

bool nsshare_scope_seeded(Lmid_t id, struct link_map *root)
{
	struct ns_entry *e = entry_of(id, root);
	return e && main_list_of(e) == root_list(root);
}

void *nsshare_scope_detach(Lmid_t id, struct link_map *root)
{
	struct ns_entry *e = entry_of(id, root);
	if (!e || id >= NSSHARE_DL_NNS || main_list_of(e) != root_list(root))
		return NULL;
	/* Grown by glibc: its array, which the root's unloading leaves
	 * behind (glibc frees only the list it made itself). */
	void *grown = __atomic_load_n(&e->global_scope_alloc, __ATOMIC_RELAXED)
		? root_list(root)->r_list : NULL;
	orphans[id] = (struct scope_elem){ NULL, 0 };
	__atomic_store_n(&e->global_scope_alloc, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&e->main_list, &orphans[id], __ATOMIC_RELEASE);
	return grown;
}

void nsshare_scope_forget(void *grown)
{
	free(grown);
}
