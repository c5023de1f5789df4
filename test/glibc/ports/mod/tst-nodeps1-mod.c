/* Port of glibc's elf/tst-nodeps1-mod.c: linked with -nostdlib, no
 * DT_NEEDED; libc's IFUNC symbols, if they are IFUNCs. */
#include <string.h>

void *memcpy_pointer = memcpy;
void *memmove_pointer = memmove;
void *memset_pointer = memset;
