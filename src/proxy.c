/* Base copies and their proxies.  Each base copy gets one proxy image per
 * process, written once and loaded into every namespace that asks for it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

/* An image of a proxy that carries another name as its SONAME.  ld.so
 * matches a DT_NEEDED name against each object's names and SONAME, then
 * against files by device and inode; a proxy is a memfd, so a name that
 * is not its base copy's SONAME (a bare file name, a path, for an object
 * without DT_SONAME) would find the base copy's file on disk and load it
 * privately.  An alias of that name matches instead (glibc-facts 14a). */
struct proxy_alias {
	struct proxy_alias *next;
	char *name;
	int fd;
	ino_t image_ino;
};

struct nsshare_proxy {
	struct nsshare_proxy *next;
	struct link_map *base;  /* the pinned base copy */
	dev_t dev;              /* the base copy's file */
	ino_t ino;
	int fd;                 /* the sealed image */
	ino_t image_ino;        /* what FD must still be */
	const char *soname;     /* the base copy's, or NULL */
	bool needs_rtld;        /* the image needs ld.so, as its base copy */
	struct proxy_alias *aliases; /* under nsshare_lock(), never freed */
};

/* Under nsshare_lock(); entries are never freed (base copies are pinned). */
static struct nsshare_proxy *proxies;

/* ld.so calls __libc_early_init of whichever object is a namespace's
 * libc.so.6 (glibc >= 2.32), found by name in any glibc proxy that is.  The base libc's must not run twice: it
 * resets process-wide state.  A proxied libc's namespace has nothing to
 * initialise. */
static void libc_early_init_noop(_Bool initial)
{
	(void)initial;
}

/* The objects ahead of glibc in the base namespace (the program, preloads
 * and libraries linked before libc) can interpose on glibc's symbols:
 * malloc replacements, nsshare's own dl* wrappers.  Up to 64 of them. */
struct interposers {
	struct nsshare_object obj[64];
	size_t count;
};

static void interposers_read(struct interposers *ip)
{
	ip->count = 0;
	for (struct link_map *lm = _r_debug.r_map; lm; lm = lm->l_next) {
		if (ip->count == sizeof ip->obj / sizeof ip->obj[0])
			break;
		struct nsshare_object *obj = &ip->obj[ip->count];
		if (!nsshare_object_read(lm, obj))
			continue;
		if (nsshare_object_is_glibc(obj)) {
			nsshare_object_free(obj);
			break;
		}
		ip->count++;
	}
}

static void interposers_free(struct interposers *ip)
{
	for (size_t i = 0; i < ip->count; i++)
		nsshare_object_free(&ip->obj[i]);
}

/* The address OBJ's symbol SYM holds, without resolving an IFUNC. */
static ElfW(Addr) symbol_value(const struct nsshare_object *obj,
			       const ElfW(Sym) *sym)
{
	return sym->st_shndx == SHN_ABS ? sym->st_value
					: sym->st_value + obj->lm->l_addr;
}

/* The runtime address of OBJ's definition SYM.  An IFUNC's is what its
 * resolver returns, called as ld.so and dlsym call it (x86_64: with no
 * arguments), for symbols that stock resolves only when something binds
 * them (glibc-facts 34), without dlvsym's lookup of the name first.  Only
 * a resolver that lies in the object's code is called, so that a damaged
 * symbol cannot send the call anywhere.  False when the symbol has no
 * address to export. */
static bool definition_address(const struct nsshare_object *obj,
			       const ElfW(Sym) *sym, ElfW(Addr) *addr)
{
	if (ELF64_ST_TYPE(sym->st_info) != STT_GNU_IFUNC) {
		*addr = symbol_value(obj, sym);
		return true;
	}
	if (!nsshare_object_maps(obj, symbol_value(obj, sym), PF_R | PF_X))
		return false;
	ElfW(Addr) (*resolver)(void) =
		(ElfW(Addr) (*)(void))symbol_value(obj, sym);
	*addr = resolver();
	return *addr != 0;
}

/* The version index OBJ's symbol I carries, 0 when it has none the
 * proxy can carry: an index without a definition (a damaged table;
 * ld.so reads only what a lookup asks for) becomes unversioned unless
 * it is hidden, which no unversioned lookup would find. */
static uint16_t definition_versym(const struct nsshare_object *obj, size_t i)
{
	uint16_t versym = obj->versym ? obj->versym[i] : 1;
	if ((versym & 0x7fff) <= 1 || nsshare_object_version(obj, versym))
		return versym & 0x7fff ? versym : 0;
	return versym & 0x8000 ? 0 : 1;
}

/* The version name of OBJ's definition SYM, or NULL when unversioned. */
static const char *definition_version(const struct nsshare_object *obj,
				      const ElfW(Sym) *sym)
{
	uint16_t ndx = definition_versym(obj, (size_t)(sym - obj->symtab)) & 0x7fff;
	return ndx > 1 ? nsshare_object_version(obj, ndx) : NULL;
}

/* Where the base namespace binds a reference to NAME@VERSION when an
 * object ahead of glibc defines NAME: the first of them whose definition
 * is unversioned (interposers usually are) or has VERSION.  Returns false
 * when none does.  dlvsym(RTLD_DEFAULT) cannot answer this: glibc looks
 * up with the version marked hidden, which rejects unversioned
 * definitions, so it would skip the interposer. */
static bool interposer_address(const struct interposers *ip, const char *name,
			       const char *version, ElfW(Addr) *addr)
{
	uint32_t hash = nsshare_gnu_hash(name);
	for (size_t i = 0; i < ip->count; i++) {
		const struct nsshare_object *obj = &ip->obj[i];
		const ElfW(Sym) *sym = nsshare_object_lookup_hashed(obj, name, hash);
		if (!sym)
			continue;
		const char *defined = definition_version(obj, sym);
		if (version && defined && strcmp(defined, version) != 0)
			continue;
		return definition_address(obj, sym, addr);
	}
	return false;
}

/* What glibc proxies export in place of glibc's own definitions.  The
 * dlopen is dlfcn.c's, handed down (nsshare_proxy_init) rather than named
 * here: nothing below the entry points calls up into them. */
enum { REPLACE_EARLY_INIT, REPLACE_DLOPEN, REPLACE_DL_ITERATE_PHDR };
static struct {
	const char *name;
	void *address;
} glibc_replacements[] = {
	[REPLACE_EARLY_INIT] = { "__libc_early_init",
				 (void *)libc_early_init_noop },
	[REPLACE_DLOPEN] = { "dlopen", NULL },
	/* glibc's reports the caller's namespace as ld.so sees it: proxies,
	 * not the base copies whose code runs there, which an unwinder
	 * without _dl_find_object (libgcc on glibc < 2.35) then cannot
	 * find frames in. */
	[REPLACE_DL_ITERATE_PHDR] = { "dl_iterate_phdr", NULL },
};

/* The base copy that defines SYMBOL itself, for error.c's hint on an
 * "undefined symbol" error: its SONAME (or file name) into LIB.  Read
 * from the objects' own tables, never through dlsym or dladdr: dlerror()
 * may be called where ld.so's load lock must not be taken (inside a
 * dl_iterate_phdr callback, while another thread's dlopen waits for that
 * callback to end).  The list is walked without the table lock: entries
 * are put at its head whole and never freed. */
static bool proxy_symbol_owner(const char *symbol, char *lib, size_t cap)
{
	nsshare_lock();
	const struct nsshare_proxy *p = proxies;
	nsshare_unlock();
	bool found = false;
	for (; p && !found; p = p->next) {
		struct nsshare_object obj;
		if (!nsshare_object_read(p->base, &obj))
			continue;
		found = nsshare_object_lookup(&obj, symbol) != NULL;
		nsshare_object_free(&obj);
		if (!found)
			continue;
		const char *name = p->soname ? p->soname : p->base->l_name;
		const char *slash = strrchr(name, '/');
		snprintf(lib, cap, "%s", slash ? slash + 1 : name);
	}
	return found;
}

void nsshare_proxy_init(void *(*dlopen_in_namespace)(const char *, int),
			int (*iterate_in_namespace)(nsshare_phdr_callback *,
						    void *))
{
	glibc_replacements[REPLACE_DLOPEN].address = (void *)dlopen_in_namespace;
	glibc_replacements[REPLACE_DL_ITERATE_PHDR].address =
		(void *)iterate_in_namespace;
	nsshare_error_symbol_owner(proxy_symbol_owner);
}

/* The runtime value the proxy exports for OBJ's symbol SYM, named NAME;
 * false when there is none.  IP is set for glibc libraries only. */
static bool proxy_value(const struct nsshare_object *obj, const ElfW(Sym) *sym,
			const char *name, const char *version,
			const struct interposers *ip, ElfW(Addr) *addr)
{
	for (size_t r = 0; ip && r < sizeof glibc_replacements /
				      sizeof glibc_replacements[0]; r++) {
		if (name[0] == glibc_replacements[r].name[0] &&
		    strcmp(name, glibc_replacements[r].name) == 0) {
			*addr = (ElfW(Addr))glibc_replacements[r].address;
			return true;
		}
	}
	if (ip && interposer_address(ip, name, version, addr))
		return true;
	return definition_address(obj, sym, addr);
}

/* Whether the proxy exports OBJ's symbol I, and if so as *OUT, with
 * version index *VERSYM: every dynamic symbol the object defines, as an
 * absolute symbol.  TLS symbols, offsets in a block rather than
 * addresses, are there only when TLS says so (tls.c binds the proxy to
 * the base copy's block); glibc's are left out, glibc being proxied as a
 * group (glibc-facts 8).  *OUT's st_name is the base copy's. */
static bool proxy_export(const struct nsshare_object *obj,
			 const struct interposers *ip, bool tls, size_t i,
			 ElfW(Sym) *out, uint16_t *versym)
{
	const ElfW(Sym) *sym = &obj->symtab[i];
	unsigned type = ELF64_ST_TYPE(sym->st_info);
	unsigned bind = ELF64_ST_BIND(sym->st_info);
	if (sym->st_shndx == SHN_UNDEF || bind == STB_LOCAL ||
	    (type == STT_TLS && !tls) || type == STT_SECTION ||
	    type == STT_FILE || sym->st_name == 0)
		return false;
	/* A name out of bounds is one no lookup can match. */
	const char *name = nsshare_object_sym_name(obj, sym);
	*versym = definition_versym(obj, i);
	const char *version = definition_version(obj, sym);
	ElfW(Addr) value = sym->st_value;
	if (!name || !*versym ||
	    (type != STT_TLS && !proxy_value(obj, sym, name, version, ip, &value)))
		return false;
	if (type == STT_GNU_IFUNC)
		type = STT_FUNC;
	/* image.c gives TLS symbols the section of the block. */
	*out = (ElfW(Sym)){ .st_name = sym->st_name,
		.st_info = (unsigned char)ELF64_ST_INFO(bind, type),
		.st_shndx = SHN_ABS, .st_value = value, .st_size = sym->st_size };
	return true;
}

/* The base copy's symbol table as the proxy's, in its order, so that its
 * GNU hash table indexes it as it is: each symbol the proxy exports as
 * proxy_export makes it, each other one undefined (ld.so's lookups pass
 * over a symbol with neither value nor section) and unversioned.  Both
 * arrays are OBJ->nsyms long.  0 when out of memory; -1 when the tables
 * cannot be copied: no GNU hash table, a string table that does not start
 * with its empty string, or a name the proxy exports past the string
 * table's usable size (a damaged DT_STRSZ), which the copy would lack. */
static int proxy_table(const struct nsshare_object *obj,
		       const struct interposers *ip, bool tls,
		       ElfW(Sym) **table, ElfW(Half) **versym)
{
	*table = NULL;
	*versym = NULL;
	if (!obj->gnu.nbuckets || !obj->strsz || obj->strtab[0] != '\0')
		return -1;
	*table = calloc(obj->nsyms, sizeof **table);
	*versym = calloc(obj->nsyms, sizeof **versym);
	if (!*table || !*versym) {
		free(*table);
		free(*versym);
		*table = NULL;
		*versym = NULL;
		return 0;
	}
	for (size_t i = 1; i < obj->nsyms; i++) {
		uint16_t v;
		if (proxy_export(obj, ip, tls, i, &(*table)[i], &v)) {
			(*versym)[i] = v;
			/* The table ends in a NUL, so a name that starts in
			 * it ends in it. */
			if (obj->symtab[i].st_name >= obj->strsz) {
				free(*table);
				free(*versym);
				*table = NULL;
				*versym = NULL;
				return -1;
			}
			continue;
		}
		/* Its name, where the copy of the string table holds it. */
		ElfW(Word) at = obj->symtab[i].st_name;
		(*table)[i] = (ElfW(Sym)){ .st_name = at < obj->strsz ? at : 0,
			.st_info = ELF64_ST_INFO(STB_GLOBAL, STT_NOTYPE) };
		(*versym)[i] = VER_NDX_GLOBAL;
	}
	return 1;
}

/* The symbols the proxy exports, for a base copy whose tables cannot be
 * copied (proxy_table): image.c hashes them anew. */
static struct nsshare_image_sym *proxy_symbols(const struct nsshare_object *obj,
					       const struct interposers *ip,
					       bool tls, size_t *count)
{
	struct nsshare_image_sym *syms = calloc(obj->nsyms ? obj->nsyms : 1,
						sizeof *syms);
	if (!syms)
		return NULL;
	size_t n = 0;
	for (size_t i = 1; i < obj->nsyms; i++) {
		ElfW(Sym) sym;
		uint16_t versym;
		if (!proxy_export(obj, ip, tls, i, &sym, &versym))
			continue;
		syms[n++] = (struct nsshare_image_sym){
			.name = nsshare_object_sym_name(obj, &obj->symtab[i]),
			.value = sym.st_value, .size = sym.st_size,
			.info = sym.st_info, .versym = versym };
	}
	*count = n;
	return syms;
}

/* SPEC's symbols: the base copy's own tables where they can be copied as
 * they are (no name hashed again), else the symbols the proxy exports,
 * in *SYMS for the caller to free.  False when out of memory. */
static bool proxy_spec_symbols(const struct nsshare_object *obj,
			       const struct interposers *ip, bool tls,
			       struct nsshare_image_spec *spec,
			       struct nsshare_image_sym **syms)
{
	*syms = NULL;
	int copied = proxy_table(obj, ip, tls, &spec->table, &spec->table_versym);
	if (copied > 0) {
		spec->table_nsyms = obj->nsyms;
		spec->table_gnu_hash = obj->gnu_hash;
		spec->table_gnu_hash_size = nsshare_object_gnu_hash_size(obj);
		return true;
	}
	if (copied == 0)
		return false;
	*syms = proxy_symbols(obj, ip, tls, &spec->nsyms);
	spec->syms = *syms;
	return *syms != NULL;
}

/* Writes the proxy image of the base copy LM, with SONAME as its SONAME
 * (NULL: the base copy's); returns its fd or -1.  *OWN (when OWN is not
 * NULL) is set to the base copy's SONAME, in its pinned memory, or NULL,
 * and *RTLD to whether the image needs ld.so.
 *
 * A proxy needs ld.so where its base copy does (libc): ld.so gives each
 * namespace a stand-in of itself, never a private copy, so the proxy's
 * search list is its base copy's, and a namespace that holds only libc's
 * proxy holds what stock's holds (libc and ld.so). */
static int proxy_image(struct link_map *lm, const char *soname,
		       const char **own, bool *rtld)
{
	struct nsshare_object obj;
	if (!nsshare_object_read(lm, &obj))
		return -1;
	bool glibc = nsshare_object_is_glibc(&obj);
	struct interposers *ip = glibc ? malloc(sizeof *ip) : NULL;
	if (ip)
		interposers_read(ip);
	bool tls = !glibc && nsshare_tls_supported(&obj);
	struct nsshare_image_spec spec = {
		.soname = soname ? soname : obj.soname,
		.needed = &obj.rtld_needed,
		.nneeded = obj.rtld_needed != NULL,
		.verdefs = obj.verdefs, .nverdefs = obj.nverdefs,
		.sysv_hash = obj.gnu_hash == NULL,
		.strtab = obj.strtab, .strsz = obj.strsz,
		.tls_size = tls ? obj.tls.p_memsz : 0,
		.hook = tls ? nsshare_tls_bind : NULL,
		.hook_arg = lm,
	};
	struct nsshare_image_sym *syms = NULL;
	/* A glibc proxy without its replacements would run the base libc's
	 * __libc_early_init again: no proxy rather than that one. */
	bool made = (!glibc || ip) &&
		    proxy_spec_symbols(&obj, ip, tls, &spec, &syms);
	int fd = -1;
	if (!made) {
		nsshare_error(lm->l_name, "out of memory");
	} else {
		const char *base = strrchr(lm->l_name, '/');
		fd = nsshare_image_write(&spec, base ? base + 1 : lm->l_name);
	}
	free(syms);
	free(spec.table);
	free(spec.table_versym);
	if (ip) {
		interposers_free(ip);
		free(ip);
	}
	if (own)
		*own = obj.soname;
	if (rtld)
		*rtld = obj.rtld_needed != NULL;
	nsshare_object_free(&obj);
	return fd;
}

static struct nsshare_proxy *proxy_find_base(const struct link_map *base)
{
	for (struct nsshare_proxy *p = proxies; p; p = p->next)
		if (p->base == base)
			return p;
	return NULL;
}

/* A program may close descriptors it does not know about (daemons close
 * them all); then the image is written again under a new descriptor, so
 * that a later load cannot open whatever file took the old number. */
static bool proxy_image_check(struct nsshare_proxy *proxy)
{
	nsshare_lock();
	bool intact = nsshare_fd_ino(proxy->fd) == proxy->image_ino;
	nsshare_unlock();
	if (intact)
		return true;
	int fd = proxy_image(proxy->base, NULL, NULL, NULL);
	if (fd < 0)
		return false;
	nsshare_lock();
	proxy->fd = fd;
	proxy->image_ino = nsshare_fd_ino(fd);
	nsshare_unlock();
	return true;
}

/* Pins the base copy loaded as HANDLE from PATH: RTLD_NODELETE on an
 * object already loaded sets it on that object.  HANDLE's reference is
 * the pin's; the second one is dropped. */
static bool base_pin(const struct nsshare_real *real, const char *path,
		     int mode)
{
	void *pin = real->dlmopen(LM_ID_BASE, path, (mode & RTLD_BINDING_MASK) |
				  RTLD_NOLOAD | RTLD_NODELETE);
	if (!pin) {
		nsshare_error_take_glibc(path);
		return false;
	}
	real->dlclose(pin);
	return true;
}

struct nsshare_proxy *nsshare_proxy_load(const char *path, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return NULL;
	/* Not pinned yet: an object no proxy can be built of is closed
	 * again, leaving nothing behind. */
	void *handle = real->dlmopen(LM_ID_BASE, path, mode & RTLD_BINDING_MASK);
	if (!handle) {
		nsshare_error_take_glibc(path);
		return NULL;
	}
	struct link_map *base = NULL;
	dlinfo(handle, RTLD_DI_LINKMAP, &base);

	nsshare_lock();
	struct nsshare_proxy *proxy = proxy_find_base(base);
	nsshare_unlock();
	if (proxy) {
		/* The first load's reference pins it; drop this one. */
		real->dlclose(handle);
		return proxy_image_check(proxy) ? proxy : NULL;
	}

	/* Built without the lock: writing the image looks symbols up, and
	 * ld.so's lock must never be taken while ours is held. */
	struct stat st;
	if (stat(base->l_name, &st) < 0)
		memset(&st, 0, sizeof st);
	const char *soname = NULL;
	bool needs_rtld = false;
	int fd = proxy_image(base, NULL, &soname, &needs_rtld);
	struct nsshare_proxy *fresh = fd < 0 ? NULL : malloc(sizeof *fresh);
	if (fd >= 0 && !fresh)
		nsshare_error(path, "out of memory");
	if (!fresh || !base_pin(real, path, mode)) {
		if (fd >= 0)
			close(fd);
		free(fresh);
		real->dlclose(handle);
		return NULL;
	}
	*fresh = (struct nsshare_proxy){ .base = base, .dev = st.st_dev,
					 .ino = st.st_ino, .fd = fd,
					 .image_ino = nsshare_fd_ino(fd),
					 .soname = soname, .needs_rtld = needs_rtld };
	nsshare_lock();
	proxy = proxy_find_base(base);
	if (!proxy) {
		fresh->next = proxies;
		proxies = fresh;
	}
	nsshare_unlock();
	if (proxy) {
		/* Another thread built it first. */
		close(fd);
		free(fresh);
		real->dlclose(handle);
		return proxy;
	}
	return fresh;
}

void nsshare_proxy_path(const struct nsshare_proxy *proxy, char *buf)
{
	nsshare_lock();
	int fd = proxy->fd;
	nsshare_unlock();
	nsshare_image_path(fd, proxy->base->l_name, buf);
}

bool nsshare_proxy_needs_rtld(const struct nsshare_proxy *proxy)
{
	return proxy->needs_rtld;
}

struct link_map *nsshare_proxy_base_of(const struct link_map *lm)
{
	int fd = lm->l_name ? nsshare_image_path_fd(lm->l_name) : -1;
	if (fd < 0)
		return NULL;
	struct link_map *base = NULL;
	nsshare_lock();
	for (struct nsshare_proxy *p = proxies; p && !base; p = p->next) {
		bool found = p->fd == fd;
		for (struct proxy_alias *a = p->aliases; a && !found; a = a->next)
			found = a->fd == fd;
		if (found)
			base = p->base;
	}
	nsshare_unlock();
	return base;
}

bool nsshare_proxy_is(const struct link_map *lm)
{
	return nsshare_proxy_base_of(lm) != NULL;
}

struct nsshare_proxy *nsshare_proxy_of_file(const char *path)
{
	struct stat st;
	if (stat(path, &st) < 0)
		return NULL;
	struct nsshare_proxy *found = NULL;
	nsshare_lock();
	for (struct nsshare_proxy *p = proxies; p && !found; p = p->next)
		if (p->dev == st.st_dev && p->ino == st.st_ino)
			found = p;
	nsshare_unlock();
	return found;
}

/* PROXY's alias for NAME, or NULL.  Under nsshare_lock(). */
static struct proxy_alias *alias_find(const struct nsshare_proxy *proxy,
				      const char *name)
{
	for (struct proxy_alias *a = proxy->aliases; a; a = a->next)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

bool nsshare_proxy_path_as(struct nsshare_proxy *proxy, const char *name,
			   char *buf)
{
	if (!name || (proxy->soname && strcmp(proxy->soname, name) == 0)) {
		nsshare_proxy_path(proxy, buf);
		return true;
	}
	nsshare_lock();
	struct proxy_alias *a = alias_find(proxy, name);
	bool intact = a && nsshare_fd_ino(a->fd) == a->image_ino;
	int fd = intact ? a->fd : -1;
	nsshare_unlock();
	if (intact) {
		nsshare_image_path(fd, proxy->base->l_name, buf);
		return true;
	}

	/* Written without the lock, as the proxy itself is. */
	fd = proxy_image(proxy->base, name, NULL, NULL);
	struct proxy_alias *fresh = fd >= 0 && !a ? calloc(1, sizeof *fresh) : NULL;
	char *copy = fresh ? strdup(name) : NULL;
	if (fd < 0 || (!a && !copy)) {
		if (fd >= 0) {
			close(fd);
			nsshare_error(name, "out of memory");
		}
		free(fresh);
		return false;
	}
	nsshare_lock();
	if (a) {
		/* Its descriptor was closed under it: the new one replaces it. */
		a->fd = fd;
		a->image_ino = nsshare_fd_ino(fd);
	} else if ((a = alias_find(proxy, name))) {
		/* Another thread wrote it first. */
		close(fd);
		free(copy);
		free(fresh);
	} else {
		*fresh = (struct proxy_alias){ .next = proxy->aliases, .name = copy,
					       .fd = fd,
					       .image_ino = nsshare_fd_ino(fd) };
		proxy->aliases = a = fresh;
	}
	fd = a->fd;
	nsshare_unlock();
	nsshare_image_path(fd, proxy->base->l_name, buf);
	return true;
}
