/* What debuggers and r_debug walkers see of a namespace nsshare creates:
 * stock's list of objects, the library first, without the root.  Owns
 * the namespace's r_debug head and the library's back link; calls only
 * libc.
 *
 * glibc's global scope of a namespace is the search list of its first
 * object (_ns_loaded), so the root must stay first for glibc.  The list
 * that debuggers read is another head: since glibc 2.35 every namespace
 * has an r_debug of its own, chained from the main program's DT_DEBUG
 * (struct r_debug_extended, version 2), and glibc sets its r_map only
 * while it is NULL or when the first object is unloaded.  So the head
 * moves to the library, and the library's l_prev is cut, because gdb
 * checks each object's back link against the one it came from.  glibc
 * reads l_prev only when it unlinks an object; the library is unlinked
 * only with the root, and the link is put back before that.
 * Before glibc 2.35 a namespace's r_debug is not reachable: the list is
 * left as it is. */
#define _GNU_SOURCE
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>

#include "internal.h"

/* glibc 2.35's struct r_debug_extended, declared here for older
 * headers; the layout is ABI. */
struct ns_r_debug {
	struct r_debug base;
	struct ns_r_debug *r_next;
};

/* The main program's r_debug, from its DT_DEBUG as a debugger finds it:
 * a copy-relocated _r_debug in a non-PIC program is the base part only. */
static struct ns_r_debug *main_r_debug(void)
{
	const ElfW(Phdr) *phdr = (const ElfW(Phdr) *)getauxval(AT_PHDR);
	size_t phnum = getauxval(AT_PHNUM);
	if (!phdr)
		return NULL;
	ElfW(Addr) bias = 0;
	const ElfW(Phdr) *dynamic = NULL;
	for (size_t i = 0; i < phnum; i++) {
		if (phdr[i].p_type == PT_PHDR)
			bias = (ElfW(Addr))phdr - phdr[i].p_vaddr;
		else if (phdr[i].p_type == PT_DYNAMIC)
			dynamic = &phdr[i];
	}
	if (!dynamic)
		return NULL;
	for (const ElfW(Dyn) *d = (const ElfW(Dyn) *)(bias + dynamic->p_vaddr);
	     d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_DEBUG)
			return (struct ns_r_debug *)d->d_un.d_ptr;
	return NULL;
}

/* The r_debug whose list starts at HEAD, in a chain of version 2.  Other
 * threads' loads into other namespaces set their heads meanwhile, and
 * glibc publishes the chain and the heads with release stores. */
static struct r_debug *r_debug_starting_at(const struct link_map *head)
{
	struct ns_r_debug *r = main_r_debug();
	if (!r || __atomic_load_n(&r->base.r_version, __ATOMIC_ACQUIRE) < 2)
		return NULL;
	for (r = __atomic_load_n(&r->r_next, __ATOMIC_ACQUIRE); r;
	     r = __atomic_load_n(&r->r_next, __ATOMIC_ACQUIRE))
		if (__atomic_load_n(&r->base.r_map, __ATOMIC_ACQUIRE) == head)
			return &r->base;
	return NULL;
}

static void store_head(struct r_debug *r, struct link_map *head)
{
	/* Walkers in other threads read it with acquire, as glibc
	 * publishes it. */
	__atomic_store_n(&r->r_map, head, __ATOMIC_RELEASE);
}

bool nsshare_rdebug_hide_root(struct link_map *root, struct link_map *first)
{
	if (root->l_next != first || first->l_prev != root)
		return false;
	struct r_debug *r = r_debug_starting_at(root);
	if (!r)
		return false;
	store_head(r, first);
	first->l_prev = NULL;
	return true;
}

void nsshare_rdebug_show_root(struct link_map *root, struct link_map *first)
{
	if (root->l_next != first || first->l_prev != NULL)
		return;
	first->l_prev = root;
	struct r_debug *r = r_debug_starting_at(first);
	if (r)
		store_head(r, root);
}
