/* A module for reading a loaded object: two versions of unitmod_f (the
 * old one hidden, i.e. only reachable as unitmod_f@UNITMOD_1), a data
 * symbol, and an undefined reference (strlen) that a lookup must not
 * report as a definition. */
#include <string.h>

int unitmod_f_old(void);
int unitmod_f_new(void);

__asm__(".symver unitmod_f_old, unitmod_f@UNITMOD_1");
__asm__(".symver unitmod_f_new, unitmod_f@@UNITMOD_2");

int unitmod_f_old(void)
{
	return 1;
}

int unitmod_f_new(void)
{
	return 2;
}

int unitmod_data = 7;

size_t unitmod_len(const char *s)
{
	return strlen(s);
}

int unitmod_plain(void)
{
	return 3;
}
