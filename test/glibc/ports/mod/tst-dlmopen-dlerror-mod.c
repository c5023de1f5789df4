/* Port of glibc's elf/tst-dlmopen-dlerror-mod.c.  Not linked into the
 * program, so a failure exits at once (FAIL_EXIT1). */
#include "../port.h"

void call_dlsym(const char *name)
{
	const char *msg;

	if (dlsym(NULL, name) != NULL)
		FAIL_EXIT1("dlsym did not fail as expected for: %s", name);
	msg = dlerror();
	if (msg == NULL || strstr(msg, ": undefined symbol: does not exist X") == NULL)
		FAIL_EXIT1("invalid dlsym error message for [[%s]]: %s", name, msg);
	msg = dlerror();
	if (msg != NULL)
		FAIL_EXIT1("second dlsym for [[%s]]: %s", name, msg);
}

void call_dlopen(const char *name)
{
	const char *msg;

	if (dlopen(name, RTLD_NOW) != NULL)
		FAIL_EXIT1("dlopen did not fail as expected for: %s", name);
	msg = dlerror();
	if (msg == NULL ||
	    (strstr(msg, "X: cannot open shared object file: No such file or directory") == NULL &&
	     strstr(msg, "X: cannot open shared object file: File name too long") == NULL))
		FAIL_EXIT1("invalid dlopen error message for [[%s]]: %s", name, msg);
	msg = dlerror();
	if (msg != NULL)
		FAIL_EXIT1("second dlopen for [[%s]]: %s", name, msg);
}
