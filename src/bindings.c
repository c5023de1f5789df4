/* NSSHARE_DEBUG=bindings: the bindings of a namespace's objects that
 * cross a proxy, each with the base object that answers it.  Calls
 * object.c, proxy.c, namespace.c, debug.c and real.c.
 *
 * ld.so binds inside itself and tells nobody but LD_DEBUG, which names
 * the proxy (that is where its lookup found the symbol).  The answer is
 * left in the object, though: once a load is done, the slot of each
 * symbolic relocation (GLOB_DAT, JUMP_SLOT, a 64-bit absolute one) holds
 * the address the symbol resolved to, and a proxy's symbols are absolute
 * ones holding its base copy's addresses.  So a slot of an object of a
 * secondary namespace that points into an object of the base namespace
 * is a binding through a proxy, answered by that object.  A function
 * bound lazily is reported once bound, by a later load's report; until
 * then its slot points into its own PLT.
 *
 * The tables belong to objects of any namespace, which the base's
 * dl_iterate_phdr does not list, so every read is a copy that cannot
 * fault (nsshare_memory_read).  Costs nothing unless the category is
 * on. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__x86_64__)
#define R_SYM_ABS64 R_X86_64_64
#define R_SYM_GLOB_DAT R_X86_64_GLOB_DAT
#define R_SYM_JUMP_SLOT R_X86_64_JUMP_SLOT
#elif defined(__aarch64__)
#define R_SYM_ABS64 R_AARCH64_ABS64
#define R_SYM_GLOB_DAT R_AARCH64_GLOB_DAT
#define R_SYM_JUMP_SLOT R_AARCH64_JUMP_SLOT
#endif

/* Objects already reported: a load reports what it added. */
static pthread_mutex_t reported_lock = PTHREAD_MUTEX_INITIALIZER;
static const struct link_map **reported;
static size_t nreported, reported_cap;

/* Whether LM is new to the report, which then holds it. */
static bool report_first(const struct link_map *lm)
{
	pthread_mutex_lock(&reported_lock);
	bool first = true;
	for (size_t i = 0; i < nreported && first; i++)
		first = reported[i] != lm;
	if (first && nreported == reported_cap) {
		size_t cap = reported_cap ? reported_cap * 2 : 64;
		const struct link_map **p = realloc(reported, cap * sizeof *p);
		if (p) {
			reported = p;
			reported_cap = cap;
		}
	}
	if (first && nreported < reported_cap)
		reported[nreported++] = lm;
	pthread_mutex_unlock(&reported_lock);
	return first;
}

/* What of LM's dynamic section the report reads. */
struct tables {
	ElfW(Addr) symtab, strtab, rela, relasz, jmprel, pltrelsz;
	bool plt_rela;
};

static bool tables_read(const struct link_map *lm, struct tables *t)
{
	memset(t, 0, sizeof *t);
	t->plt_rela = true;
	for (size_t i = 0; i < 4096; i++) {
		ElfW(Dyn) d;
		if (!nsshare_memory_read((ElfW(Addr))(lm->l_ld + i), &d, sizeof d))
			return false;
		ElfW(Addr) p = (ElfW(Addr))nsshare_dyn_pointer(lm->l_addr,
							       d.d_un.d_ptr);
		switch (d.d_tag) {
		case DT_NULL: return t->symtab && t->strtab;
		case DT_SYMTAB: t->symtab = p; break;
		case DT_STRTAB: t->strtab = p; break;
		case DT_RELA: t->rela = p; break;
		case DT_RELASZ: t->relasz = d.d_un.d_val; break;
		case DT_JMPREL: t->jmprel = p; break;
		case DT_PLTRELSZ: t->pltrelsz = d.d_un.d_val; break;
		case DT_PLTREL: t->plt_rela = d.d_un.d_val == DT_RELA; break;
		}
	}
	return false;
}

/* The name of symbol INDEX, into BUF of CAP bytes; false if unreadable. */
static bool sym_name(const struct tables *t, size_t index, char *buf,
		     size_t cap)
{
	ElfW(Sym) sym;
	if (!nsshare_memory_read(t->symtab + index * sizeof sym, &sym,
				 sizeof sym))
		return false;
	/* Byte by byte up to a page: a name may end just before an
	 * unmapped page. */
	for (size_t i = 0; i + 1 < cap; i++) {
		if (!nsshare_memory_read(t->strtab + sym.st_name + i, &buf[i], 1))
			return false;
		if (!buf[i])
			return true;
	}
	buf[cap - 1] = '\0';
	return true;
}

/* Reports the relocations of the table at RELA (SIZE bytes) of LM, an
 * object of namespace NS, whose slots point into the base namespace. */
static void table_report(const struct link_map *lm, Lmid_t ns,
			 const struct tables *t, ElfW(Addr) rela, size_t size)
{
#ifdef R_SYM_JUMP_SLOT
	size_t n = size / sizeof(ElfW(Rela));
	for (size_t i = 0; rela && i < n && i < (1u << 22); i++) {
		ElfW(Rela) r;
		if (!nsshare_memory_read(rela + i * sizeof r, &r, sizeof r))
			return;
		unsigned type = ELF64_R_TYPE(r.r_info);
		size_t index = ELF64_R_SYM(r.r_info);
		if (!index || (type != R_SYM_GLOB_DAT &&
			       type != R_SYM_JUMP_SLOT && type != R_SYM_ABS64))
			continue;
		ElfW(Addr) value;
		if (!nsshare_memory_read(lm->l_addr + r.r_offset, &value,
					 sizeof value))
			continue;
		if (type == R_SYM_ABS64)
			value -= (ElfW(Addr))r.r_addend;
		struct link_map *to = nsshare_object_at((const void *)value);
		Lmid_t to_ns = -1;
		char name[256];
		if (!to || dlinfo(to, RTLD_DI_LMID, &to_ns) != 0 ||
		    to_ns != LM_ID_BASE || !sym_name(t, index, name, sizeof name))
			continue;
		nsshare_debug(NSSHARE_DEBUG_BINDINGS, "binding file %s [%ld] to "
			      "%s [0] through its proxy: normal symbol `%s'",
			      lm->l_name, (long)ns,
			      to->l_name && *to->l_name ? to->l_name
							: "main program",
			      name);
	}
#else
	(void)lm, (void)ns, (void)t, (void)rela, (void)size;
#endif
}

void nsshare_bindings_report(void *handle)
{
	if (!nsshare_debug_on(NSSHARE_DEBUG_BINDINGS) || !handle)
		return;
	struct link_map *lm = NULL;
	Lmid_t ns = LM_ID_BASE;
	/* An instance's copies are base objects and bind to base copies
	 * directly: no proxy is crossed. */
	if (dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm ||
	    dlinfo(handle, RTLD_DI_LMID, &ns) != 0 || ns == LM_ID_BASE ||
	    ns >= NSSHARE_INSTANCE_FIRST)
		return;
	while (lm->l_prev)
		lm = lm->l_prev;
	for (; lm; lm = lm->l_next) {
		/* nsshare's images bind to nothing; ld.so's entry in a
		 * namespace is the base's ld.so. */
		if (nsshare_proxy_is(lm) || nsshare_ns_is_root(lm) ||
		    !lm->l_name || nsshare_rtld_name_like(lm->l_name) ||
		    !report_first(lm))
			continue;
		struct tables t;
		if (!tables_read(lm, &t))
			continue;
		table_report(lm, ns, &t, t.rela, t.relasz);
		if (t.plt_rela)
			table_report(lm, ns, &t, t.jmprel, t.pltrelsz);
	}
	const struct nsshare_real *real = nsshare_real();
	if (real)
		real->dlerror(); /* what dlinfo of an odd map may have left */
}
