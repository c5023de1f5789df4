/* Port of glibc's elf/tst-dlmopen-gethostbyname-mod.c. */
#include <netdb.h>
#include <nss.h>

void call_gethostbyname(void)
{
	__nss_configure_lookup("hosts", "files");
	gethostbyname("localhost");
}
