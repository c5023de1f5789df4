/* error_probe: makes dlmopen calls that fail and prints, for each, what
 * dlerror() says, for oracle_test.sh to compare between stock glibc and
 * nsshare.  MODDIR holds the modules of the cases; each FILE is opened
 * into a fresh namespace too. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static void report(const char *what, void *h)
{
	printf("%s: %s\n", what, h ? "(loaded)" : dlerror());
	if (h)
		dlclose(h);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: error_probe MODDIR [FILE...]\n");
		return 2;
	}
	char missing_dep[4096], undef[4096];
	snprintf(missing_dep, sizeof missing_dep, "%s/libord-needs-gone.so", argv[1]);
	snprintf(undef, sizeof undef, "%s/libord-undef.so", argv[1]);
	void *z = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW);
	if (!z) {
		printf("error: libz.so.1: %s\n", dlerror());
		return 1;
	}
	Lmid_t ns;
	dlinfo(z, RTLD_DI_LMID, &ns);

	/* RTLD_GLOBAL is nsshare's extension: test/glibc/rtld_global.c. */
	report("no binding", dlmopen(LM_ID_NEWLM, "libz.so.1", 0));
	report("no binding glibc", dlmopen(LM_ID_NEWLM, "libm.so.6", 0));
	report("missing bare", dlmopen(LM_ID_NEWLM, "libord-nonexistent.so.9", RTLD_NOW));
	report("missing path", dlmopen(ns, "/nonexistent/libx.so", RTLD_NOW));
	report("not elf", dlmopen(LM_ID_NEWLM, "/etc/passwd", RTLD_NOW));
	report("missing dep new", dlmopen(LM_ID_NEWLM, missing_dep, RTLD_NOW));
	report("missing dep existing", dlmopen(ns, missing_dep, RTLD_NOW));
	report("undefined new", dlmopen(LM_ID_NEWLM, undef, RTLD_NOW));
	report("undefined existing", dlmopen(ns, undef, RTLD_NOW));
	for (int i = 2; i < argc; i++) {
		char what[64];
		snprintf(what, sizeof what, "file %d", i - 1);
		report(what, dlmopen(LM_ID_NEWLM, argv[i], RTLD_NOW));
	}
	dlclose(z);
	return 0;
}
