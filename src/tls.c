/* Thread-local variables of shared objects: a proxy's link map borrows its
 * base copy's TLS module id and static TLS offset.  Owns the layout of
 * those two fields.
 *
 * glibc resolves a TLS relocation, a dlsym of a TLS symbol and
 * dlinfo(RTLD_DI_TLS_*) through the defining object's l_tls_modid and
 * l_tls_offset (glibc-facts 17c).  A proxy has no PT_TLS, so glibc gives
 * it no TLS block, no module id and no slot of its own; its TLS symbols
 * carry the base copy's offsets in the block.  While ld.so relocates the
 * proxy, which it does before any object that binds to it (dependencies
 * first), an IRELATIVE relocation of the proxy runs nsshare_tls_bind,
 * which writes the base copy's module id and static offset into the
 * proxy's link map.  Every model then resolves in glibc's own code to the
 * base copy's variable of the calling thread: global-dynamic through
 * __tls_get_addr, TLS descriptors through glibc's resolvers, initial-exec
 * where the base copy's block is in static TLS.  Where it is not, the
 * proxy says "forced dynamic", and glibc refuses an initial-exec
 * relocation against it ("cannot allocate memory in static TLS block")
 * rather than giving the proxy a block of its own.  glibc's TLS code skips
 * an object whose l_tls_blocksize is 0, so it never frees, counts or
 * initialises anything for the proxy.
 *
 * The two fields are private to glibc.  Their place is read off the
 * running glibc on a base copy whose values are known: struct link_map
 * has held l_tls_initimage, l_tls_initimage_size, l_tls_blocksize,
 * l_tls_align, l_tls_firstbyte_offset, l_tls_offset and l_tls_modid in
 * that order since glibc 2.3, and the base copy's PT_TLS and module id
 * (dl_iterate_phdr) give five of the seven words.  Where they are not
 * found exactly once, TLS symbols are left out of proxies, as before.
 * Calls: libc, libelf (the names in a refusal), object.c, error.c. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

/* glibc's values of l_tls_offset on x86_64 (TLS_TCB_AT_TP): no offset
 * yet, and dynamic for good. */
#define TLS_NO_OFFSET 0
#define TLS_FORCED_DYNAMIC ((intptr_t)-1)

/* glibc's general-dynamic resolver (x86_64 ABI): the calling thread's
 * address of OFFSET in module MODULE's block, which it allocates or
 * brings into the thread's DTV first where needed. */
typedef struct {
	unsigned long ti_module, ti_offset;
} tls_index;
extern void *__tls_get_addr(tls_index *ti);

/* How far into struct link_map the TLS fields are looked for. */
#define LINK_MAP_WORDS 512

/* The proxy this thread's last hook left without static TLS, and its base
 * copy: what glibc's refusal of an initial-exec relocation names. */
static _Thread_local struct {
	char proxy[NSSHARE_IMAGE_PATH_MAX];
	const struct link_map *base;
} forced;

static struct {
	pthread_mutex_t lock;
	size_t offset_at, modid_at; /* byte offsets in struct link_map */
	bool known;
} layout = { PTHREAD_MUTEX_INITIALIZER, 0, 0, false };

static void *thread_pointer(void)
{
	void *tp = NULL;
#if defined(__x86_64__)
	__asm__("mov %%fs:0, %0" : "=r"(tp));
#endif
	return tp;
}

/* Finds the fields in OBJ's link map, which has a TLS block. */
static bool layout_find(const struct nsshare_object *obj)
{
	static uintptr_t w[LINK_MAP_WORDS];
	const struct link_map *lm = obj->lm;
	/* The words that can be read, a chunk at a time: the struct is
	 * followed by whatever malloc put there, and may end just before a
	 * page that is not mapped (the fields lie past 1 KiB on 2.41). */
	size_t n = 0;
	const size_t chunk = 32;
	while (n + chunk <= LINK_MAP_WORDS &&
	       nsshare_memory_read((ElfW(Addr))lm + n * sizeof w[0], w + n,
				   chunk * sizeof w[0]))
		n += chunk;
	if (n <= 8)
		return false;
	const uintptr_t image = lm->l_addr + obj->tls.p_vaddr;
	size_t found = 0, at = 0;
	for (size_t k = 0; k + 6 < n; k++)
		if (w[k] == image && w[k + 1] == obj->tls.p_filesz &&
		    w[k + 2] == obj->tls.p_memsz && w[k + 3] == obj->tls.p_align &&
		    w[k + 6] == obj->tls_modid) {
			found++;
			at = k;
		}
	if (found != 1) {
		nsshare_debug(NSSHARE_DEBUG_FILES, "TLS of %s: its link map "
			      "shows the TLS fields %zu times in %zu words; "
			      "TLS symbols left out of proxies", lm->l_name,
			      found, n);
		return false;
	}
	intptr_t offset = (intptr_t)w[at + 5];
	if (offset != TLS_NO_OFFSET && offset != TLS_FORCED_DYNAMIC) {
		/* In static TLS: the block is the thread pointer minus the
		 * offset (x86_64's TLS variant II), as __tls_get_addr says.
		 * Not dlinfo(RTLD_DI_TLS_DATA), which answers NULL while this
		 * thread's DTV predates the object: a DF_STATIC_TLS object
		 * just dlopen'd, such as Mesa's libglapi that this dlmopen
		 * loads into the base. */
		tls_index ti = { obj->tls_modid, 0 };
		char *block = __tls_get_addr(&ti);
		if ((char *)thread_pointer() - offset != block) {
			nsshare_debug(NSSHARE_DEBUG_FILES, "TLS of %s: offset "
				      "%ld puts the block at %p, glibc says %p; "
				      "TLS symbols left out of proxies",
				      lm->l_name, (long)offset,
				      (void *)((char *)thread_pointer() - offset),
				      (void *)block);
			return false;
		}
	}
	layout.offset_at = (at + 5) * sizeof w[0];
	layout.modid_at = (at + 6) * sizeof w[0];
	return true;
}

bool nsshare_tls_supported(const struct nsshare_object *obj)
{
#if defined(__x86_64__)
	if (obj->tls.p_memsz == 0 || obj->tls_modid == 0)
		return false;
	pthread_mutex_lock(&layout.lock);
	if (!layout.known && (layout.known = layout_find(obj)))
		nsshare_error_explainer(nsshare_tls_explain);
	bool known = layout.known;
	pthread_mutex_unlock(&layout.lock);
	return known;
#else
	(void)obj;
	return false;
#endif
}

static uintptr_t *field(const struct link_map *lm, size_t at)
{
	return (uintptr_t *)((char *)lm + at);
}

ElfW(Addr) nsshare_tls_bind(void *base_copy, const void *in_proxy)
{
	const struct link_map *base = base_copy;
	Dl_info info;
	struct link_map *proxy = NULL;
	/* ld.so holds its load lock, which is recursive, and has the proxy
	 * in its namespace's list with its addresses set. */
	if (!dladdr1(in_proxy, &info, (void **)&proxy, RTLD_DL_LINKMAP) ||
	    !proxy || !layout.known)
		return 0;
	intptr_t offset = (intptr_t)*field(base, layout.offset_at);
	/* Read when the proxy is loaded: the base copy's block may have
	 * become static (an initial-exec relocation in the base) or
	 * dynamic for good (a first access) since the image was written. */
	if (offset == TLS_NO_OFFSET || offset == TLS_FORCED_DYNAMIC) {
		offset = TLS_FORCED_DYNAMIC;
		snprintf(forced.proxy, sizeof forced.proxy, "%s", proxy->l_name);
		forced.base = base;
	}
	*field(proxy, layout.offset_at) = (uintptr_t)offset;
	*field(proxy, layout.modid_at) = *field(base, layout.modid_at);
	return 0;
}

/* The TLS symbols that the file at PATH uses and does not define, as a
 * list in BUF ("" when none can be read). */
static void undefined_tls_names(const char *path, char *buf, size_t cap)
{
	buf[0] = '\0';
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	Elf *elf = elf_version(EV_CURRENT) != EV_NONE
			   ? elf_begin(fd, ELF_C_READ, NULL) : NULL;
	size_t n = 0;
	for (Elf_Scn *scn = NULL; elf && (scn = elf_nextscn(elf, scn));) {
		GElf_Shdr sh;
		Elf_Data *data;
		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM ||
		    !sh.sh_entsize || !(data = elf_getdata(scn, NULL)))
			continue;
		for (size_t i = 1; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym sym;
			const char *name;
			if (!gelf_getsym(data, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_TLS ||
			    sym.st_shndx != SHN_UNDEF ||
			    !(name = elf_strptr(elf, sh.sh_link, sym.st_name)))
				continue;
			int w = snprintf(buf + n, cap - n, "%s%s", n ? ", " : "",
					 name);
			if (w < 0 || (size_t)w >= cap - n)
				break;
			n += (size_t)w;
		}
	}
	if (elf)
		elf_end(elf);
	close(fd);
}

bool nsshare_tls_explain(const char *msg, const char *object, char *buf,
			 size_t cap)
{
	if (!forced.base || !object || !forced.proxy[0] ||
	    !strstr(msg, forced.proxy) ||
	    !strstr(msg, "cannot allocate memory in static TLS block"))
		return false;
	char names[256];
	undefined_tls_names(object, names, sizeof names);
	const char *base = forced.base->l_name;
	const char *file = strrchr(base, '/');
	file = file ? file + 1 : base;
	snprintf(buf, cap, "%s: initial-exec TLS%s%s%s of %s, which is shared: "
		 "its base copy's block is not in static TLS and a namespace "
		 "cannot have one of its own; load %s at startup (LD_PRELOAD, "
		 "or a DT_NEEDED of the program), or build the module with "
		 "-ftls-model=global-dynamic", object, names[0] ? " (" : "",
		 names, names[0] ? ")" : "", base, file);
	forced.base = NULL;
	return true;
}
