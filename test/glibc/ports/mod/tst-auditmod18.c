/* Port of glibc's elf/tst-auditmod18.c: an audit module that names each
 * of its interfaces on stderr when called. */
#define _GNU_SOURCE
#include <link.h>
#include <stdio.h>

unsigned int la_version(unsigned int version)
{
	(void)version;
	fprintf(stderr, "%s\n", __func__);
	return LAV_CURRENT;
}

char *la_objsearch(const char *name, uintptr_t *cookie, unsigned int flag)
{
	(void)cookie;
	(void)flag;
	fprintf(stderr, "%s\n", __func__);
	return (char *)name;
}

void la_activity(uintptr_t *cookie, unsigned int flag)
{
	(void)cookie;
	(void)flag;
	fprintf(stderr, "%s\n", __func__);
}

unsigned int la_objopen(struct link_map *map, Lmid_t lmid, uintptr_t *cookie)
{
	(void)map;
	(void)lmid;
	(void)cookie;
	fprintf(stderr, "%s\n", __func__);
	return LA_FLG_BINDTO | LA_FLG_BINDFROM;
}

unsigned int la_objclose(uintptr_t *cookie)
{
	(void)cookie;
	fprintf(stderr, "%s\n", __func__);
	return 0;
}

void la_preinit(uintptr_t *cookie)
{
	(void)cookie;
	fprintf(stderr, "%s\n", __func__);
}

#if __ELF_NATIVE_CLASS == 32
uintptr_t la_symbind32(Elf32_Sym *sym, unsigned int ndx, uintptr_t *refcook,
		       uintptr_t *defcook, unsigned int *flags,
		       const char *symname)
#else
uintptr_t la_symbind64(Elf64_Sym *sym, unsigned int ndx, uintptr_t *refcook,
		       uintptr_t *defcook, unsigned int *flags,
		       const char *symname)
#endif
{
	(void)ndx;
	(void)refcook;
	(void)defcook;
	(void)flags;
	(void)symname;
	fprintf(stderr, "%s\n", __func__);
	return sym->st_value;
}
