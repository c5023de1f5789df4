/* Reading an object that ld.so has loaded, from its dynamic section in
 * memory: symbols with their runtime values, version definitions, SONAME.
 * Reading the mapped image rather than the file sees exactly what ld.so
 * binds against. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const void *nsshare_dyn_pointer(ElfW(Addr) l_addr, ElfW(Addr) ptr)
{
	if (l_addr != 0 && ptr < l_addr)
		ptr += l_addr;
	return (const void *)ptr;
}

/* Number of dynamic symbols, from the GNU hash table: one past the
 * highest symbol index any chain reaches. */
static size_t gnu_hash_nsyms(const uint32_t *gh)
{
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2];
	const uint32_t *buckets =
		gh + 4 + bloom_size * (sizeof(ElfW(Addr)) / sizeof(uint32_t));
	const uint32_t *chain = buckets + nbuckets;
	uint32_t last = 0;
	for (uint32_t b = 0; b < nbuckets; b++)
		if (buckets[b] > last)
			last = buckets[b];
	if (last < symoffset)
		return symoffset;
	while (!(chain[last - symoffset] & 1))
		last++;
	return (size_t)last + 1;
}

static bool verdefs_read(struct nsshare_object *obj, const ElfW(Verdef) *vd,
			 size_t count)
{
	obj->verdefs = calloc(count ? count : 1, sizeof *obj->verdefs);
	if (!obj->verdefs)
		return false;
	for (size_t i = 0; i < count; i++) {
		const ElfW(Verdaux) *aux =
			(const void *)((const char *)vd + vd->vd_aux);
		obj->verdefs[i].ndx = vd->vd_ndx;
		obj->verdefs[i].flags = vd->vd_flags;
		obj->verdefs[i].name = obj->strtab + aux->vda_name;
		obj->nverdefs++;
		if (!vd->vd_next)
			break;
		vd = (const void *)((const char *)vd + vd->vd_next);
	}
	return true;
}

static bool verneed_has_glibc_private(const char *strtab,
				      const ElfW(Verneed) *vn, size_t count)
{
	for (size_t i = 0; vn && i < count; i++) {
		const ElfW(Vernaux) *aux =
			(const void *)((const char *)vn + vn->vn_aux);
		for (unsigned j = 0; j < vn->vn_cnt; j++) {
			if (nsshare_glibc_verneed(strtab + aux->vna_name))
				return true;
			aux = (const void *)((const char *)aux + aux->vna_next);
		}
		if (!vn->vn_next)
			break;
		vn = (const void *)((const char *)vn + vn->vn_next);
	}
	return false;
}

bool nsshare_object_read(struct link_map *lm, struct nsshare_object *obj)
{
	memset(obj, 0, sizeof *obj);
	obj->lm = lm;
	const ElfW(Verdef) *verdef = NULL;
	const ElfW(Verneed) *verneed = NULL;
	size_t nverdef = 0, nverneed = 0, soname = 0;
	bool has_soname = false;

	for (const ElfW(Dyn) *d = lm->l_ld; d->d_tag != DT_NULL; d++) {
		/* Meaningful for the pointer tags only. */
		const void *p = nsshare_dyn_pointer(lm->l_addr, d->d_un.d_ptr);
		switch (d->d_tag) {
		case DT_SYMTAB: obj->symtab = p; break;
		case DT_STRTAB: obj->strtab = p; break;
		case DT_STRSZ: obj->strsz = d->d_un.d_val; break;
		case DT_VERSYM: obj->versym = p; break;
		case DT_VERDEF: verdef = p; break;
		case DT_VERDEFNUM: nverdef = d->d_un.d_val; break;
		case DT_VERNEED: verneed = p; break;
		case DT_VERNEEDNUM: nverneed = d->d_un.d_val; break;
		case DT_HASH: obj->hash = p; break;
		case DT_GNU_HASH: obj->gnu_hash = p; break;
		case DT_SONAME: soname = d->d_un.d_val; has_soname = true; break;
		}
	}
	const char *what = lm->l_name && *lm->l_name ? lm->l_name : "main program";
	if (!obj->symtab || !obj->strtab || (!obj->hash && !obj->gnu_hash)) {
		nsshare_error(what, "no dynamic symbol table to proxy");
		return false;
	}
	obj->nsyms = obj->hash ? obj->hash[1] : gnu_hash_nsyms(obj->gnu_hash);
	if (has_soname)
		obj->soname = obj->strtab + soname;
	if (!verdefs_read(obj, verdef, verdef ? nverdef : 0)) {
		nsshare_error(what, "out of memory");
		return false;
	}
	obj->needs_glibc_private =
		verneed_has_glibc_private(obj->strtab, verneed, nverneed);
	return true;
}

void nsshare_object_free(struct nsshare_object *obj)
{
	free(obj->verdefs);
	obj->verdefs = NULL;
	obj->nverdefs = 0;
}

const char *nsshare_object_version(const struct nsshare_object *obj,
				   uint16_t ndx)
{
	ndx &= 0x7fff;
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

static const ElfW(Sym) *gnu_hash_lookup(const struct nsshare_object *obj,
					const char *name)
{
	const uint32_t *gh = obj->gnu_hash;
	uint32_t nbuckets = gh[0], symoffset = gh[1], bloom_size = gh[2];
	uint32_t shift = gh[3];
	const ElfW(Addr) *bloom = (const ElfW(Addr) *)(gh + 4);
	const uint32_t *buckets = (const uint32_t *)(bloom + bloom_size);
	const uint32_t *chain = buckets + nbuckets;
	const unsigned bits = sizeof(ElfW(Addr)) * 8;
	uint32_t h = nsshare_gnu_hash(name);
	ElfW(Addr) word = bloom[(h / bits) % bloom_size];
	ElfW(Addr) mask = ((ElfW(Addr))1 << (h % bits)) |
			  ((ElfW(Addr))1 << ((h >> shift) % bits));
	if ((word & mask) != mask)
		return NULL;
	uint32_t i = buckets[h % nbuckets];
	if (i < symoffset)
		return NULL;
	for (;; i++) {
		uint32_t h2 = chain[i - symoffset];
		const ElfW(Sym) *sym = &obj->symtab[i];
		if ((h | 1) == (h2 | 1) && sym_defined(sym) &&
		    strcmp(name, obj->strtab + sym->st_name) == 0)
			return sym;
		if (h2 & 1)
			return NULL;
	}
}

static const ElfW(Sym) *sysv_hash_lookup(const struct nsshare_object *obj,
					 const char *name)
{
	const uint32_t *hash = obj->hash;
	uint32_t nbucket = hash[0];
	const uint32_t *bucket = hash + 2, *chain = bucket + nbucket;
	unsigned long h = nsshare_elf_hash(name);
	for (uint32_t i = bucket[h % nbucket]; i != 0; i = chain[i]) {
		const ElfW(Sym) *sym = &obj->symtab[i];
		if (sym_defined(sym) && strcmp(name, obj->strtab + sym->st_name) == 0)
			return sym;
	}
	return NULL;
}

const ElfW(Sym) *nsshare_object_lookup(const struct nsshare_object *obj,
				       const char *name)
{
	return obj->gnu_hash ? gnu_hash_lookup(obj, name)
			     : sysv_hash_lookup(obj, name);
}
