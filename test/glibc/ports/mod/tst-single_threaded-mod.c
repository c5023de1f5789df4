/* Port of glibc's elf/tst-single_threaded-mod[1-4].c: single_threaded_N
 * reports __libc_single_threaded as this module sees it (CMake gives N).
 * The variable is glibc 2.32's; before, the tests are skipped. */
#include <features.h>

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#if __GLIBC_PREREQ(2, 32)
#include <sys/single_threaded.h>

_Bool CAT(single_threaded_, N)(void)
{
	return __libc_single_threaded;
}
#else
_Bool CAT(single_threaded_, N)(void)
{
	return 0;
}
#endif
