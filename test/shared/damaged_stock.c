/* What stock glibc does with one damaged object: no nsshare in this
 * process.  Prints "loaded" or "refused", then for each name given the
 * offset from the object's load address of what dlsym finds, or "-",
 * then "closed" after dlclose, flushing each line: a crash cuts the list
 * short, never garbles it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	void *h = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	puts(h ? "loaded" : "refused");
	struct link_map *lm = NULL;
	if (!h || dlinfo(h, RTLD_DI_LINKMAP, &lm) != 0)
		return 0;
	for (int i = 2; i < argc; i++) {
		void *p = dlsym(h, argv[i]);
		if (p)
			printf("%s %#lx\n", argv[i],
			       (unsigned long)((ElfW(Addr))p - lm->l_addr));
		else
			printf("%s -\n", argv[i]);
	}
	/* The object's destructors run here: "closed" says they survived. */
	dlclose(h);
	puts("closed");
	return 0;
}
