/* order_probe: opens MODULE in a fresh namespace and prints what a user
 * of dlmopen can observe of the namespace's search order, for
 * order_test.sh to compare between stock glibc and nsshare:
 *
 *   ctor NAME          written by each module's constructor, as it runs
 *   load: A B C ...    the namespace's objects in link-map order
 *   SYM: FILE          the object holding what MODULE's function SYM
 *                      (void *SYM(void)) returns: the definition its
 *                      reference was bound to
 *   debugger: A B ...  the namespace's list as a debugger reads it: from
 *                      its r_debug (glibc 2.35's chain from DT_DEBUG),
 *                      with "?" for an object with neither a file name
 *                      nor a SONAME (nsshare's root) and "(back link)"
 *                      where l_prev is not the object before, as gdb
 *                      checks; "debugger: none" before glibc 2.35
 *
 * Objects are named by file name; a proxy of nsshare (loaded by a path
 * of nsshare's, it_is_image_path) by the SONAME it carries, which is its base copy's, and
 * nsshare's root image (no SONAME) is left out: it is nsshare's device,
 * not an object of the user's.  The probe is never linked with nsshare:
 * the test runs it as it is (stock) and with LD_PRELOAD. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../image_path.h"

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* The SONAME in LM's dynamic section, or NULL. */
static const char *soname_of(const struct link_map *lm)
{
	const char *strtab = NULL;
	ElfW(Xword) off = 0;
	int has = 0;
	for (const ElfW(Dyn) *d = lm->l_ld; d && d->d_tag != DT_NULL; d++) {
		if (d->d_tag == DT_STRTAB)
			/* ld.so relocates d_ptr in place unless the dynamic
			 * section is read-only (nsshare's images, glibc
			 * 2.35 and later). */
			strtab = (const char *)(d->d_un.d_ptr < lm->l_addr
						? d->d_un.d_ptr + lm->l_addr
						: d->d_un.d_ptr);
		else if (d->d_tag == DT_SONAME) {
			off = d->d_un.d_val;
			has = 1;
		}
	}
	return has && strtab ? strtab + off : NULL;
}

/* glibc 2.35's struct r_debug_extended, for older headers too. */
struct probe_r_debug {
	struct r_debug base;
	struct probe_r_debug *r_next;
};

/* The namespace list a debugger reads for the namespace of LM: the
 * r_debug, chained from the program's DT_DEBUG, whose list holds LM. */
static void print_debugger_list(const struct link_map *lm)
{
	struct probe_r_debug *r = NULL;
	for (const ElfW(Dyn) *d = _DYNAMIC; d->d_tag != DT_NULL; d++)
		if (d->d_tag == DT_DEBUG)
			r = (struct probe_r_debug *)d->d_un.d_ptr;
	if (!r || r->base.r_version < 2) {
		printf("debugger: none\n");
		return;
	}
	for (r = r->r_next; r; r = r->r_next) {
		const struct link_map *o = r->base.r_map;
		while (o && o != lm)
			o = o->l_next;
		if (o)
			break;
	}
	printf("debugger:");
	const struct link_map *prev = NULL;
	for (const struct link_map *o = r ? r->base.r_map : NULL; o;
	     prev = o, o = o->l_next) {
		const char *name = it_is_image_path(o->l_name)
				   ? soname_of(o) : o->l_name;
		printf(" %s%s", name && *name ? base_name(name) : "?",
		       o->l_prev != prev ? " (back link)" : "");
	}
	printf("\n");
}

/* How the report names LM, or NULL to leave it out. */
static const char *object_name(const struct link_map *lm)
{
	if (it_is_image_path(lm->l_name))
		return soname_of(lm);
	return base_name(lm->l_name);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: order_probe MODULE [SYM...]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	void *h = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	if (!h) {
		printf("error: %s\n", dlerror());
		return 1;
	}
	struct link_map *lm = NULL;
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0 || !lm) {
		printf("error: dlinfo: %s\n", dlerror());
		return 1;
	}
	while (lm->l_prev)
		lm = lm->l_prev;
	printf("load:");
	for (; lm; lm = lm->l_next) {
		const char *name = object_name(lm);
		if (name)
			printf(" %s", name);
	}
	printf("\n");
	if (dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0)
		print_debugger_list(lm);
	for (int i = 2; i < argc; i++) {
		void *(*fn)(void) = (void *(*)(void))dlsym(h, argv[i]);
		Dl_info info;
		if (!fn) {
			printf("%s: no such function\n", argv[i]);
		} else if (!dladdr(fn(), &info) || !info.dli_fname) {
			printf("%s: in no object\n", argv[i]);
		} else {
			struct link_map *def = NULL;
			dladdr1(fn(), &info, (void **)&def, RTLD_DL_LINKMAP);
			printf("%s: %s\n", argv[i],
			       def ? object_name(def) : base_name(info.dli_fname));
		}
	}
	return 0;
}
