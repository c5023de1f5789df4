/* Port of glibc's ctype/tst-ctype-tls-mod.c. */
#include <ctype.h>

int my_isalpha(int ch)
{
	return isalpha(ch);
}

int my_toupper(int ch)
{
	return toupper(ch);
}

int my_tolower(int ch)
{
	return tolower(ch);
}
