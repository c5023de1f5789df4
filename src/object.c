/* Reading an object that ld.so has loaded, from its dynamic section in
 * memory: symbols with their runtime values, version definitions, SONAME.
 * Reading the mapped image rather than the file sees exactly what ld.so
 * binds against. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "internal.h"

const void *nsshare_dyn_pointer(ElfW(Addr) l_addr, ElfW(Addr) ptr)
{
	if (l_addr != 0 && ptr < l_addr)
		ptr += l_addr;
	return (const void *)ptr;
}

/* ---- The mapped segments: what a reader may touch.
 *
 * ld.so reads only what a lookup needs (glibc-facts 32), so a damaged
 * table that stock loads can hold any value that no lookup touches.  A
 * pointer, a table or a string of a loaded object is read here only when
 * it lies entirely in one of its readable PT_LOAD segments. */

/* Whether the byte at A can be read: a probe that never faults. */
static bool byte_readable(ElfW(Addr) a)
{
	char c;
	return nsshare_memory_read(a, &c, 1);
}

struct info_find {
	const struct link_map *lm;
	struct dl_phdr_info *info;
	bool found;
};

/* The object whose load address is LM's and whose PT_DYNAMIC is LM's
 * l_ld: the public link_map has no l_phdr, and l_addr alone is no key (a
 * non-PIE program's is 0, as may be a prelinked object's). */
static int info_find_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct info_find *f = arg;
	(void)size;
	if (info->dlpi_addr != f->lm->l_addr || info->dlpi_phnum == 0)
		return 0;
	/* ld.so points dlpi_phdr into the first segment when the headers
	 * lie in its file range, past the file's end perhaps (see
	 * file_backed_end): an array it covers is read if its last byte
	 * can be. */
	ElfW(Addr) last = (ElfW(Addr))(info->dlpi_phdr + info->dlpi_phnum) - 1;
	if (!byte_readable((ElfW(Addr))info->dlpi_phdr) || !byte_readable(last))
		return 0;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		if (ph->p_type == PT_DYNAMIC &&
		    info->dlpi_addr + ph->p_vaddr == (ElfW(Addr))f->lm->l_ld) {
			*f->info = *info;
			f->found = true;
			return 1;
		}
	}
	return 0;
}

struct link_map *nsshare_object_at(const void *address)
{
	Dl_info info;
	struct link_map *lm = NULL;
	if (!dladdr1(address, &info, (void **)&lm, RTLD_DL_LINKMAP))
		return NULL;
	return lm;
}

bool nsshare_object_info(const struct link_map *lm, struct dl_phdr_info *info)
{
	struct info_find find = { lm, info, false };
	/* Called from libnsshare, a base object: glibc reports the base
	 * namespace. */
	dl_iterate_phdr(info_find_cb, &find);
	return find.found;
}

/* Where the file-backed part of the segment at START, FILESZ bytes long,
 * stops being readable: START + FILESZ, or the first page past the end
 * of the file it maps.  ld.so maps p_filesz bytes without comparing them
 * with the file's size, so a damaged p_filesz (or a file cut short) maps
 * pages that raise SIGBUS when read (seen by fuzz-proxy, Debian 13).  A
 * segment's file offsets rise with its addresses: its last byte answers
 * for all, and bisection finds the first bad page. */
static ElfW(Addr) file_backed_end(ElfW(Addr) start, ElfW(Addr) filesz,
				  ElfW(Addr) page)
{
	ElfW(Addr) end = start + filesz;
	if (filesz == 0 || end < start || byte_readable(end - 1))
		return end;
	ElfW(Addr) good = start & -page, bad = (end - 1) & -page;
	if (!byte_readable(good))
		return start;
	while (bad - good > page) {
		ElfW(Addr) mid = good + (bad - good) / page / 2 * page;
		if (byte_readable(mid))
			good = mid;
		else
			bad = mid;
	}
	return bad;
}

/* OBJ's PT_LOAD segments, from glibc's record of it, each cut where its
 * pages stop being readable.  False when out of memory. */
static bool segments_read(struct nsshare_object *obj,
			  const struct dl_phdr_info *info)
{
	ElfW(Addr) page = (ElfW(Addr))sysconf(_SC_PAGESIZE);
	size_t nload = 0;
	for (size_t i = 0; i < info->dlpi_phnum; i++)
		nload += info->dlpi_phdr[i].p_type == PT_LOAD;
	struct nsshare_segment *segs = calloc(nload ? nload : 1, sizeof *segs);
	if (!segs)
		return false;
	size_t n = 0;
	for (size_t i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		ElfW(Addr) start = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || start + ph->p_memsz < start)
			continue;
		ElfW(Addr) end = start + ph->p_memsz;
		ElfW(Addr) backed = file_backed_end(start, ph->p_filesz, page);
		if (backed < end)
			end = backed;
		segs[n++] = (struct nsshare_segment){ start, end, ph->p_flags };
	}
	for (size_t i = 0; i < info->dlpi_phnum; i++)
		if (info->dlpi_phdr[i].p_type == PT_TLS &&
		    info->dlpi_phdr[i].p_memsz > 0) {
			obj->tls = info->dlpi_phdr[i];
			obj->tls_modid = info->dlpi_tls_modid;
		}
	obj->segs = segs;
	obj->nsegs = n;
	return true;
}

/* Bytes readable from P to the end of the readable segment holding it;
 * 0 when none does. */
static size_t room(const struct nsshare_object *obj, const void *p)
{
	ElfW(Addr) a = (ElfW(Addr))p;
	for (size_t i = 0; i < obj->nsegs; i++) {
		const struct nsshare_segment *s = &obj->segs[i];
		if ((s->flags & PF_R) && a >= s->start && a < s->end)
			return s->end - a;
	}
	return 0;
}

/* Whether N objects of SIZE bytes from P are readable. */
static bool readable(const struct nsshare_object *obj, const void *p,
		     uint64_t n, size_t size)
{
	return p && n <= room(obj, p) / size;
}

bool nsshare_object_maps(const struct nsshare_object *obj, ElfW(Addr) addr,
			 unsigned flags)
{
	for (size_t i = 0; i < obj->nsegs; i++) {
		const struct nsshare_segment *s = &obj->segs[i];
		if ((s->flags & flags) == flags && addr >= s->start &&
		    addr < s->end)
			return true;
	}
	return false;
}

/* The string at OFF in the string table, or NULL unless it ends inside
 * the segment it starts in. */
static const char *string_at(const struct nsshare_object *obj, uint64_t off)
{
	ElfW(Addr) p = (ElfW(Addr))obj->strtab + off;
	if (p < (ElfW(Addr))obj->strtab)
		return NULL;
	size_t n = room(obj, (const void *)p);
	return n && memchr((const void *)p, '\0', n) ? (const char *)p : NULL;
}

const char *nsshare_object_sym_name(const struct nsshare_object *obj,
				    const ElfW(Sym) *sym)
{
	return string_at(obj, sym->st_name);
}

/* ---- The tables. */

/* Sets OBJ's gnu to the header of its GNU hash table when its Bloom
 * filter and buckets are readable; false when they are not (ld.so would
 * divide by nbuckets).  Once, at reading: every lookup uses it. */
static bool gnu_hash_get(struct nsshare_object *obj)
{
	const uint32_t *gh = obj->gnu_hash;
	if (!readable(obj, gh, 4, sizeof *gh))
		return false;
	uint32_t nbuckets = gh[0], bloom_size = gh[2];
	if (!nbuckets || !bloom_size ||
	    !readable(obj, gh, 4 + (uint64_t)bloom_size *
		      (sizeof(ElfW(Addr)) / sizeof *gh) + nbuckets, sizeof *gh))
		return false;
	obj->gnu.nbuckets = nbuckets;
	obj->gnu.symoffset = gh[1];
	obj->gnu.bloom_size = bloom_size;
	obj->gnu.shift = gh[3];
	obj->gnu.bloom = (const ElfW(Addr) *)(gh + 4);
	obj->gnu.buckets = (const uint32_t *)(obj->gnu.bloom + bloom_size);
	obj->gnu.chain = obj->gnu.buckets + nbuckets;
	return true;
}

/* Number of dynamic symbols, from the GNU hash table: one past the
 * highest symbol index any chain reaches.  The count is stored nowhere
 * and the last chain of a damaged table may never end: the walk stops at
 * the end of the chain's segment or the symbol table's.  0 when it runs
 * out of either. */
static size_t gnu_hash_nsyms(struct nsshare_object *obj)
{
	if (!gnu_hash_get(obj))
		return 0;
	const struct nsshare_gnu_table g = obj->gnu;
	uint64_t last = 0;
	for (uint32_t b = 0; b < g.nbuckets; b++)
		if (g.buckets[b] > last)
			last = g.buckets[b];
	uint64_t max = room(obj, obj->symtab) / sizeof(ElfW(Sym));
	if (last < g.symoffset)
		return g.symoffset <= max ? g.symoffset : 0;
	/* Indexes are checked against the chain's room before use: no
	 * pointer is formed past it. */
	uint64_t chained = room(obj, g.chain) / sizeof *g.chain;
	for (; last < max && last - g.symoffset < chained; last++)
		if (g.chain[last - g.symoffset] & 1)
			return (size_t)last + 1;
	return 0;
}

/* Number of dynamic symbols from DT_HASH (nchain), its buckets and
 * chains readable; 0 when they are not. */
static size_t sysv_hash_nsyms(const struct nsshare_object *obj)
{
	const uint32_t *h = obj->hash;
	if (!readable(obj, h, 2, sizeof *h) || !h[0] ||
	    !readable(obj, h, 2 + (uint64_t)h[0] + h[1], sizeof *h) ||
	    !readable(obj, obj->symtab, h[1], sizeof(ElfW(Sym))))
		return 0;
	return h[1];
}

/* The version definitions, walked as ld.so walks them
 * (_dl_check_map_versions): to vd_next 0, DT_VERDEFNUM unread.  NULL, or
 * why not: an entry, its first auxiliary or its name out of bounds. */
static const char *verdefs_read(struct nsshare_object *obj,
				const ElfW(Verdef) *first)
{
	size_t count = 0;
	for (const ElfW(Verdef) *vd = first; vd;) {
		if (!readable(obj, vd, 1, sizeof *vd))
			return "damaged version definitions";
		const ElfW(Verdaux) *aux =
			(const void *)((const char *)vd + vd->vd_aux);
		if (!readable(obj, aux, 1, sizeof *aux) ||
		    !string_at(obj, aux->vda_name) || count == 0x10000)
			return "damaged version definitions";
		count++;
		vd = vd->vd_next ? (const void *)((const char *)vd + vd->vd_next)
				 : NULL;
	}
	obj->verdefs = calloc(count ? count : 1, sizeof *obj->verdefs);
	if (!obj->verdefs)
		return "out of memory";
	const ElfW(Verdef) *vd = first;
	for (size_t i = 0; i < count; i++) {
		const ElfW(Verdaux) *aux =
			(const void *)((const char *)vd + vd->vd_aux);
		obj->verdefs[i] = (struct nsshare_verdef){ vd->vd_ndx,
			vd->vd_flags, string_at(obj, aux->vda_name) };
		vd = (const void *)((const char *)vd + vd->vd_next);
	}
	obj->nverdefs = count;
	return NULL;
}

/* Whether the version needs ask for GLIBC_PRIVATE; the walk ends where
 * the table leaves the object's segments. */
static bool verneed_has_glibc_private(const struct nsshare_object *obj,
				      const ElfW(Verneed) *vn, size_t count)
{
	for (size_t i = 0; vn && i < count; i++) {
		if (!readable(obj, vn, 1, sizeof *vn))
			return false;
		const ElfW(Vernaux) *aux =
			(const void *)((const char *)vn + vn->vn_aux);
		for (unsigned j = 0; j < vn->vn_cnt; j++) {
			if (!readable(obj, aux, 1, sizeof *aux))
				break;
			const char *name = string_at(obj, aux->vna_name);
			if (name && nsshare_glibc_verneed(name))
				return true;
			if (!aux->vna_next)
				break;
			aux = (const void *)((const char *)aux + aux->vna_next);
		}
		if (!vn->vn_next)
			break;
		vn = (const void *)((const char *)vn + vn->vn_next);
	}
	return false;
}

/* The part of DT_STRSZ a proxy may start its string table from: none
 * when the table leaves its segment, else up to its last NUL. */
static size_t strsz_usable(const struct nsshare_object *obj, uint64_t strsz)
{
	if (strsz > room(obj, obj->strtab))
		return 0;
	while (strsz && obj->strtab[strsz - 1])
		strsz--;
	return (size_t)strsz;
}

/* Whether P, which may be NULL, is aligned to ALIGN. */
static bool aligned(const void *p, size_t align)
{
	return (uintptr_t)p % align == 0;
}

bool nsshare_loads_in_span(const ElfW(Phdr) *ph, size_t n)
{
	ElfW(Addr) page = (ElfW(Addr))sysconf(_SC_PAGESIZE), lo = 0, hi = 0;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		hi = ph[i].p_vaddr + ph[i].p_memsz;
		if (hi < ph[i].p_vaddr)
			return false;
		if (!any)
			lo = ph[i].p_vaddr & -page;
		any = true;
	}
	if (!any || hi + page - 1 < hi)
		return false;
	hi = (hi + page - 1) & -page;
	for (size_t i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD &&
		    ((ph[i].p_vaddr & -page) < lo ||
		     ph[i].p_vaddr + ph[i].p_memsz > hi))
			return false;
	return true;
}

/* *N: the entries of the dynamic section at DYN before its DT_NULL;
 * false when that leaves the readable segment DYN starts in. */
static bool dyn_count(const struct nsshare_object *obj, const ElfW(Dyn) *dyn,
		      size_t *n)
{
	if (!aligned(dyn, _Alignof(ElfW(Dyn))))
		return false;
	size_t max = room(obj, dyn) / sizeof *dyn;
	for (*n = 0; *n < max; ++*n)
		if (dyn[*n].d_tag == DT_NULL)
			return true;
	return false;
}

static bool object_refuse(struct nsshare_object *obj, const char *what,
			  const char *reason)
{
	nsshare_error(what, "%s", reason);
	nsshare_object_free(obj);
	return false;
}

bool nsshare_rtld_name_like(const char *name)
{
	const char *slash = strrchr(name, '/');
	const char *base = slash ? slash + 1 : name;
	return strncmp(base, "ld-linux", 8) == 0 || strncmp(base, "ld64.so", 7) == 0 ||
	       strcmp(base, "ld.so") == 0 || strncmp(base, "ld.so.", 6) == 0;
}

bool nsshare_object_read(struct link_map *lm, struct nsshare_object *obj)
{
	memset(obj, 0, sizeof *obj);
	obj->lm = lm;
	const ElfW(Verdef) *verdef = NULL;
	const ElfW(Verneed) *verneed = NULL;
	size_t nverneed = 0;
	uint64_t soname = 0, strsz = 0;
	bool has_soname = false;

	const char *what = lm->l_name && *lm->l_name ? lm->l_name : "main program";
	struct dl_phdr_info info;
	if (!nsshare_object_info(lm, &info))
		return object_refuse(obj, what, "not a loaded object");
	if (!segments_read(obj, &info))
		return object_refuse(obj, what, "out of memory");
	if (!nsshare_loads_in_span(info.dlpi_phdr, info.dlpi_phnum))
		return object_refuse(obj, what, "PT_LOAD segments out of order");
	/* ld.so walked the dynamic section to its DT_NULL when it mapped
	 * the object, but a relocation may have written over that since. */
	size_t ndyn;
	if (!dyn_count(obj, lm->l_ld, &ndyn))
		return object_refuse(obj, what, "damaged dynamic section");
	for (const ElfW(Dyn) *d = lm->l_ld; d < lm->l_ld + ndyn; d++) {
		/* Meaningful for the pointer tags only. */
		const void *p = nsshare_dyn_pointer(lm->l_addr, d->d_un.d_ptr);
		switch (d->d_tag) {
		case DT_SYMTAB: obj->symtab = p; break;
		case DT_STRTAB: obj->strtab = p; break;
		case DT_STRSZ: strsz = d->d_un.d_val; break;
		case DT_VERSYM: obj->versym = p; break;
		case DT_VERDEF: verdef = p; break;
		case DT_VERNEED: verneed = p; break;
		case DT_VERNEEDNUM: nverneed = d->d_un.d_val; break;
		case DT_HASH: obj->hash = p; break;
		case DT_GNU_HASH: obj->gnu_hash = p; break;
		case DT_SONAME: soname = d->d_un.d_val; has_soname = true; break;
		}
	}
	if (!obj->symtab || !obj->strtab || (!obj->hash && !obj->gnu_hash))
		return object_refuse(obj, what, "no dynamic symbol table to proxy");
	/* ld.so reads them in place, which x86 forgives when an object is
	 * damaged; C does not: an odd table is refused. */
	if (!aligned(obj->symtab, _Alignof(ElfW(Sym))) ||
	    !aligned(obj->hash, _Alignof(uint32_t)) ||
	    !aligned(obj->gnu_hash, _Alignof(ElfW(Addr))) ||
	    !aligned(obj->versym, _Alignof(ElfW(Half))) ||
	    !aligned(verdef, _Alignof(ElfW(Verdef))) ||
	    !aligned(verneed, _Alignof(ElfW(Verneed))))
		return object_refuse(obj, what, "misaligned dynamic table");
	if (!room(obj, obj->strtab))
		return object_refuse(obj, what, "damaged string table");
	obj->strsz = strsz_usable(obj, strsz);
	/* With DT_GNU_HASH there, ld.so never reads DT_HASH. */
	obj->nsyms = obj->gnu_hash ? gnu_hash_nsyms(obj) : sysv_hash_nsyms(obj);
	if (!obj->nsyms)
		return object_refuse(obj, what, "damaged symbol table");
	if (obj->versym && !readable(obj, obj->versym, obj->nsyms,
				     sizeof *obj->versym))
		return object_refuse(obj, what, "damaged symbol version table");
	if (has_soname && !(obj->soname = string_at(obj, soname)))
		return object_refuse(obj, what, "damaged dynamic section");
	/* A damaged name is one ld.so could not have loaded: left unread. */
	for (const ElfW(Dyn) *d = lm->l_ld; d < lm->l_ld + ndyn; d++) {
		const char *needed = d->d_tag == DT_NEEDED
				     ? string_at(obj, d->d_un.d_val) : NULL;
		if (needed && nsshare_rtld_name_like(needed)) {
			obj->rtld_needed = needed;
			break;
		}
	}
	const char *why = verdef ? verdefs_read(obj, verdef) : NULL;
	if (why)
		return object_refuse(obj, what, why);
	obj->needs_glibc_private =
		verneed_has_glibc_private(obj, verneed, nverneed);
	return true;
}

void nsshare_object_free(struct nsshare_object *obj)
{
	free(obj->verdefs);
	obj->verdefs = NULL;
	obj->nverdefs = 0;
	free(obj->segs);
	obj->segs = NULL;
	obj->nsegs = 0;
}

const char *nsshare_object_version(const struct nsshare_object *obj,
				   uint16_t ndx)
{
	ndx &= 0x7fff;
	/* Linkers number definitions from 1 in table order. */
	if (ndx >= 1 && ndx <= obj->nverdefs && obj->verdefs[ndx - 1].ndx == ndx)
		return obj->verdefs[ndx - 1].name;
	for (size_t i = 0; i < obj->nverdefs; i++)
		if (obj->verdefs[i].ndx == ndx)
			return obj->verdefs[i].name;
	return NULL;
}

bool nsshare_object_is_glibc(const struct nsshare_object *obj)
{
	if (obj->needs_glibc_private)
		return true;
	for (size_t i = 0; i < obj->nverdefs; i++)
		if (nsshare_glibc_verdef(obj->verdefs[i].name,
					 obj->verdefs[i].flags))
			return true;
	return false;
}

bool nsshare_glibc_verdef(const char *name, unsigned flags)
{
	return !(flags & VER_FLG_BASE) && strncmp(name, "GLIBC_", 6) == 0;
}

bool nsshare_glibc_verneed(const char *name)
{
	return strcmp(name, "GLIBC_PRIVATE") == 0;
}

unsigned long nsshare_elf_hash(const char *name)
{
	unsigned long h = 0, g;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		g = h & 0xf0000000;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

uint32_t nsshare_gnu_hash(const char *name)
{
	uint32_t h = 5381;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = h * 33 + *p;
	return h;
}

static bool sym_defined(const ElfW(Sym) *sym)
{
	return sym->st_shndx != SHN_UNDEF &&
	       ELF64_ST_BIND(sym->st_info) != STB_LOCAL;
}

/* Whether SYM is a definition of NAME ld.so would bind to. */
static bool sym_is(const struct nsshare_object *obj, const ElfW(Sym) *sym,
		   const char *name)
{
	const char *s = sym_defined(sym) ? nsshare_object_sym_name(obj, sym)
					 : NULL;
	return s && strcmp(name, s) == 0;
}

/* As ld.so's do_lookup_x, within the symbols counted at reading. */
static const ElfW(Sym) *gnu_hash_lookup(const struct nsshare_object *obj,
					const char *name, uint64_t h)
{
	const struct nsshare_gnu_table g = obj->gnu;
	if (!g.nbuckets)
		return NULL;
	const unsigned bits = sizeof(ElfW(Addr)) * 8;
	/* ld.so masks the word index with bloom_size - 1 and shifts a
	 * 64-bit uint_fast32_t; the same here, for damaged headers too. */
	ElfW(Addr) word = g.bloom[(h / bits) & (g.bloom_size - 1)];
	ElfW(Addr) mask = ((ElfW(Addr))1 << (h % bits)) |
			  ((ElfW(Addr))1 << ((h >> (g.shift & 63)) % bits));
	if ((word & mask) != mask)
		return NULL;
	uint32_t i = g.buckets[h % g.nbuckets];
	if (i < g.symoffset)
		return NULL;
	for (; i < obj->nsyms; i++) {
		uint32_t h2 = g.chain[i - g.symoffset];
		const ElfW(Sym) *sym = &obj->symtab[i];
		if ((h | 1) == (h2 | 1) && sym_is(obj, sym, name))
			return sym;
		if (h2 & 1)
			return NULL;
	}
	return NULL;
}

/* A damaged chain may loop: at most nchain steps. */
static const ElfW(Sym) *sysv_hash_lookup(const struct nsshare_object *obj,
					 const char *name)
{
	const uint32_t *hash = obj->hash;
	uint32_t nbucket = hash[0], nchain = hash[1];
	const uint32_t *bucket = hash + 2, *chain = bucket + nbucket;
	unsigned long h = nsshare_elf_hash(name);
	uint32_t i = bucket[h % nbucket];
	for (uint32_t steps = 0; i != 0 && i < nchain && steps < nchain;
	     i = chain[i], steps++) {
		const ElfW(Sym) *sym = &obj->symtab[i];
		if (sym_is(obj, sym, name))
			return sym;
	}
	return NULL;
}

const ElfW(Sym) *nsshare_object_lookup(const struct nsshare_object *obj,
				       const char *name)
{
	return nsshare_object_lookup_hashed(obj, name, nsshare_gnu_hash(name));
}

size_t nsshare_object_gnu_hash_size(const struct nsshare_object *obj)
{
	const struct nsshare_gnu_table *g = &obj->gnu;
	if (!g->nbuckets)
		return 0;
	size_t chained = obj->nsyms > g->symoffset ? obj->nsyms - g->symoffset : 0;
	return (4 + (size_t)g->bloom_size * (sizeof(ElfW(Addr)) / sizeof(uint32_t)) +
		g->nbuckets + chained) * sizeof(uint32_t);
}

const ElfW(Sym) *nsshare_object_lookup_hashed(const struct nsshare_object *obj,
					      const char *name, uint32_t hash)
{
	return obj->gnu_hash ? gnu_hash_lookup(obj, name, hash)
			     : sysv_hash_lookup(obj, name);
}

/* ---- A return instruction in an object of another namespace. */

/* Copies SIZE bytes at ADDR of this process to BUF; false where any of
 * them is not mapped readable. */
bool nsshare_memory_read(ElfW(Addr) addr, void *buf, size_t size)
{
	struct iovec local = { buf, size };
	struct iovec remote = { (void *)addr, size };
	return process_vm_readv(getpid(), &local, 1, &remote, 1, 0) ==
	       (ssize_t)size;
}

/* The ELF header and the program headers ld.so mapped with it: the first
 * page of a shared object (its first PT_LOAD maps file offset 0 at
 * address 0, which is where l_addr points). */
const void *nsshare_object_return_site(const struct link_map *lm)
{
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph[64];
	if (!lm->l_addr || !nsshare_memory_read(lm->l_addr, &eh, sizeof eh) ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof ph[0] || eh.e_phnum == 0 ||
	    eh.e_phnum > sizeof ph / sizeof ph[0] ||
	    !nsshare_memory_read(lm->l_addr + eh.e_phoff, ph, eh.e_phnum * sizeof ph[0]))
		return NULL;
	bool header_mapped = false;
	for (size_t i = 0; i < eh.e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0 &&
		    ph[i].p_vaddr == 0 && ph[i].p_filesz > eh.e_phoff)
			header_mapped = true;
	for (size_t i = 0; header_mapped && i < eh.e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD || !(ph[i].p_flags & PF_X))
			continue;
		unsigned char chunk[512];
		ElfW(Addr) at = lm->l_addr + ph[i].p_vaddr;
		for (ElfW(Xword) left = ph[i].p_filesz; left > 0;) {
			size_t n = left < sizeof chunk ? left : sizeof chunk;
			if (!nsshare_memory_read(at, chunk, n))
				break;
			const unsigned char *ret = memchr(chunk, 0xc3, n);
			if (ret)
				return (const void *)(at + (ret - chunk));
			at += n;
			left -= n;
		}
	}
	return NULL;
}
