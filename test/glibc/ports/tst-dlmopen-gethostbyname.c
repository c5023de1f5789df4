/* Port of glibc's elf/tst-dlmopen-gethostbyname.c: gethostbyname from a
 * new namespace, through the "files" NSS module only, must not end the
 * process (a missing _nss_files_getcanonname_r did). */
#define PORT_MAIN
#include "port.h"

static int do_test(void)
{
	void *h = xdlmopen(LM_ID_NEWLM, "tst-dlmopen-gethostbyname-mod.so",
			   RTLD_NOW);
	void (*call)(void) = (void (*)(void))xdlsym(h, "call_gethostbyname");

	call();
	return 0;
}
