/* Port of glibc's elf/tst-dlmopen-dlerror.c: dlerror() inside a new
 * namespace, with messages of every length from 16 to 2046 bytes (mixing
 * the heaps of two namespaces showed as heap corruption here).  The
 * checks are in mod/tst-dlmopen-dlerror-mod.c. */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	void *h = xdlmopen(LM_ID_NEWLM, "tst-dlmopen-dlerror-mod.so", RTLD_NOW);
	void (*call_dlsym)(const char *) =
		(void (*)(const char *))xdlsym(h, "call_dlsym");
	void (*call_dlopen)(const char *) =
		(void (*)(const char *))xdlsym(h, "call_dlopen");
	char name[2048];
	char *last = &name[sizeof(name) - 2];

	for (char *p = stpcpy(name, "does not exist "); p < last; p++) {
		p[0] = 'X';
		p[1] = '\0';
		call_dlsym(name);
		call_dlopen(name);
	}
	return 0;
}
