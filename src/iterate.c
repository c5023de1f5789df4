/* dl_iterate_phdr for one namespace: dl_iterate_ns_phdr, and the
 * dl_iterate_phdr that glibc proxies export.  Owns the offset of
 * struct link_map's l_phdr, read off the running glibc; calls
 * namespace.c's and proxy.c's queries, object.c, glibc through real.c.
 *
 * glibc's dl_iterate_phdr reports the caller's namespace as ld.so holds
 * it: nsshare's root, and proxies, whose images hold no code.  The code a
 * namespace runs is its private objects' and the base copies' behind its
 * proxies (the base libc's qsort calling back into the namespace), and an
 * unwinder that finds frames through dl_iterate_phdr (libgcc on glibc
 * before 2.35, which lacks _dl_find_object; libunwind; sanitizers) must
 * see those.  So each proxy is reported as glibc reports its base copy,
 * and the root is left out: what stock's RTLD_ISOLATE namespace reports,
 * with the base copies in place of private copies.
 *
 * Everything is read inside a callback of glibc's own dl_iterate_phdr on
 * the base namespace: glibc holds its list lock (dl_load_write_lock)
 * there, so no object of any namespace is added or unlinked meanwhile,
 * and the user's callback runs under it, as under glibc's.  Nothing in
 * that callback may take ld.so's load lock (dladdr, dlopen): a thread in
 * dlopen holds it and waits for the list lock. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <pthread.h>
#include <sys/auxv.h>

#include "internal.h"

/* ---- l_phdr and l_phnum of a private object.
 *
 * The public part of struct link_map ends at l_prev; glibc's l_phdr,
 * l_entry and l_phnum follow in that order in every glibc since 2.3.
 * Where they lie is read off the base namespace's first objects (loaded
 * at startup, so never unloaded), whose l_phdr and l_phnum glibc's
 * dl_iterate_phdr reports: the lowest offset at which each of them holds
 * its own.  Where none does, private objects are reported without
 * program headers. */
#define LEARN_OBJECTS 4
#define LEARN_OFFSET_MAX 2048

static struct {
	size_t phdr_off; /* 0: not known */
} layout;

struct learn_pair {
	const char *lm;
	const ElfW(Phdr) *phdr;
	ElfW(Half) phnum;
};

struct learn {
	struct learn_pair pairs[LEARN_OBJECTS];
	size_t count;
};

static int learn_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct learn *l = arg;
	(void)size;
	/* glibc reports each base object's own l_name. */
	for (struct link_map *lm = _r_debug.r_map; lm; lm = lm->l_next) {
		if (lm->l_name == info->dlpi_name &&
		    lm->l_addr == info->dlpi_addr && info->dlpi_phnum) {
			l->pairs[l->count++] = (struct learn_pair){
				(const char *)lm, info->dlpi_phdr,
				info->dlpi_phnum };
			break;
		}
	}
	return l->count == LEARN_OBJECTS;
}

/* Whether every pair holds its own program headers at OFF. */
static bool layout_fits(const struct learn *l, size_t off)
{
	for (size_t i = 0; i < l->count; i++) {
		const struct learn_pair *p = &l->pairs[i];
		const ElfW(Phdr) *phdr;
		ElfW(Half) phnum;
		__builtin_memcpy(&phdr, p->lm + off, sizeof phdr);
		__builtin_memcpy(&phnum, p->lm + off + 2 * sizeof(void *),
				 sizeof phnum);
		if (phdr != p->phdr || phnum != p->phnum)
			return false;
	}
	return true;
}

static void layout_read(void)
{
	struct learn l = { .count = 0 };
	dl_iterate_phdr(learn_cb, &l);
	/* Two objects at least: one could hold its pointer anywhere. */
	if (l.count < 2)
		return;
	/* Lowest first, and no further than the answer: reading past it
	 * could leave a link map's allocation. */
	for (size_t off = sizeof(struct link_map); off <= LEARN_OFFSET_MAX;
	     off += sizeof(void *)) {
		if (layout_fits(&l, off)) {
			layout.phdr_off = off;
			return;
		}
	}
}

/* ---- One namespace's objects, reported. */

struct walk {
	struct link_map *anchor;  /* an object of the namespace, held */
	nsshare_phdr_callback *callback;
	void *data;
	int result;               /* the callback's last */
	bool base;                /* the namespace is the base one: glibc's
				   * records are passed on as they come */
};

/* A private object of the namespace, as glibc reports it: its own
 * program headers (l_phdr) and TLS block.  Only an object with a PT_TLS
 * segment is asked about TLS: dlinfo clears a pending dlerror message,
 * which an unwinder should leave alone. */
static void private_info(struct link_map *lm, const struct dl_phdr_info *first,
			 struct dl_phdr_info *info)
{
	*info = (struct dl_phdr_info){
		.dlpi_addr = lm->l_addr,
		.dlpi_name = lm->l_name,
		.dlpi_adds = first->dlpi_adds,
		.dlpi_subs = first->dlpi_subs,
	};
	if (layout.phdr_off) {
		const char *p = (const char *)lm + layout.phdr_off;
		__builtin_memcpy(&info->dlpi_phdr, p, sizeof info->dlpi_phdr);
		__builtin_memcpy(&info->dlpi_phnum, p + 2 * sizeof(void *),
				 sizeof info->dlpi_phnum);
	}
	bool tls = false;
	for (size_t i = 0; info->dlpi_phdr && i < info->dlpi_phnum; i++)
		tls |= info->dlpi_phdr[i].p_type == PT_TLS;
	size_t modid = 0;
	if (tls && dlinfo(lm, RTLD_DI_TLS_MODID, &modid) == 0 && modid) {
		info->dlpi_tls_modid = modid;
		dlinfo(lm, RTLD_DI_TLS_DATA, &info->dlpi_tls_data);
	}
}

/* The base namespace's ld.so: the object loaded at AT_BASE (0 when ld.so
 * was run as a program, which is then the main program). */
static struct link_map *base_rtld(void)
{
	ElfW(Addr) at = getauxval(AT_BASE);
	for (struct link_map *lm = _r_debug.r_map; at && lm; lm = lm->l_next)
		if (lm->l_addr == at)
			return lm;
	return NULL;
}

/* The base object glibc reports for LM, an object of a secondary
 * namespace, or NULL when it reports LM's own: the base copy behind a
 * proxy, and ld.so for its stand-in.  Each namespace gets a stand-in of
 * ld.so from ld.so itself, reported as the real one (its l_real).  From
 * glibc 2.35 or so the stand-in has ld.so's l_addr and l_ld and is found
 * by them as the base object it is; before, it has no l_ld, which no
 * object that ld.so loaded lacks ("object file has no dynamic
 * section"). */
static struct link_map *reported_as(struct link_map *lm)
{
	struct link_map *base = nsshare_proxy_base_of(lm);
	if (base)
		return base;
	return lm->l_ld ? lm : base_rtld();
}

/* Whether AS, the base object LM is reported as, was reported already:
 * for an earlier object between HEAD and LM (a proxy beside its alias
 * image). */
static bool reported_before(struct link_map *head, const struct link_map *lm,
			    const struct link_map *as)
{
	for (struct link_map *p = head; p && p != lm; p = p->l_next)
		if (!nsshare_ns_is_root(p) && reported_as(p) == as)
			return true;
	return false;
}

static int walk_cb(struct dl_phdr_info *first, size_t size, void *arg)
{
	struct walk *w = arg;
	if (w->base)
		return w->result = w->callback(first, size, w->data);
	struct link_map *head = w->anchor;
	while (head->l_prev)
		head = head->l_prev;
	if (head == _r_debug.r_map) {
		/* Asked from the base namespace (a base object calling
		 * through a proxy's symbol): glibc's own list, from here. */
		w->base = true;
		return w->result = w->callback(first, size, w->data);
	}
	for (struct link_map *lm = head; lm; lm = lm->l_next) {
		if (nsshare_ns_is_root(lm))
			continue;
		struct link_map *as = reported_as(lm);
		if (as != lm && reported_before(head, lm, as))
			continue;
		struct dl_phdr_info info;
		if (!as || !nsshare_object_info(as, &info))
			private_info(lm, first, &info);
		/* Counted over every namespace, as glibc counts them. */
		info.dlpi_adds = first->dlpi_adds;
		info.dlpi_subs = first->dlpi_subs;
		w->result = w->callback(&info, sizeof info, w->data);
		if (w->result)
			break;
	}
	return 1;
}

/* Reports the objects of ANCHOR's namespace to CALLBACK. */
static int walk(struct link_map *anchor, nsshare_phdr_callback *callback,
		void *data)
{
	/* Before glibc's list lock is taken: another thread may be in
	 * layout_read, waiting for it. */
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, layout_read);
	struct walk w = { .anchor = anchor, .callback = callback, .data = data };
	dl_iterate_phdr(walk_cb, &w);
	return w.result;
}

int nsshare_iterate_in_namespace(nsshare_phdr_callback *callback, void *data)
{
	/* The caller's object, executing, stays loaded meanwhile.  Asked
	 * before glibc's list lock is taken: dladdr takes ld.so's load
	 * lock. */
	struct link_map *caller = nsshare_object_at(__builtin_return_address(0));
	if (!caller)
		return dl_iterate_phdr(callback, data);
	return walk(caller, callback, data);
}

/* A namespace that is not in use: -1 with errno EINVAL and the reason
 * for dlerror. */
static int not_in_use(Lmid_t ns)
{
	nsshare_error("dl_iterate_ns_phdr", "namespace %ld is not in use",
		      (long)ns);
	errno = EINVAL;
	return -1;
}

NSSHARE_API int dl_iterate_ns_phdr(Lmid_t ns, nsshare_phdr_callback *callback,
				   void *data)
{
	/* Called from libnsshare, glibc's reports the base namespace. */
	if (ns == LM_ID_BASE)
		return dl_iterate_phdr(callback, data);
	if (ns >= NSSHARE_INSTANCE_FIRST) {
		int rc = nsshare_instance_iterate(ns, callback, data);
		if (rc < 0)
			errno = EINVAL;
		return rc;
	}
	if (ns < 0 || ns >= NSSHARE_DL_NNS)
		return not_in_use(ns);
	const struct nsshare_real *real = nsshare_real();
	if (!real) {
		errno = ENOSYS;
		return -1;
	}
	/* Every namespace in use holds a libc, private or proxied, and the
	 * reference keeps it there for the walk. */
	void *libc = real->dlmopen(ns, "libc.so.6", RTLD_NOLOAD | RTLD_LAZY);
	if (!libc) {
		/* glibc says why for a namespace not in use, nothing for
		 * one without libc: there is no object of it to start
		 * from, and it is reported empty. */
		if (real->dlerror())
			return not_in_use(ns);
		return 0;
	}
	struct link_map *lm = NULL;
	int rc = 0;
	if (dlinfo(libc, RTLD_DI_LINKMAP, &lm) == 0 && lm)
		rc = walk(lm, callback, data);
	real->dlclose(libc);
	return rc;
}
