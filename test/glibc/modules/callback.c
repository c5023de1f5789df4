/* A unique library (DF_GNU_1_UNIQUE): every namespace that needs it gets
 * a proxy of its one base copy.  Built with -fexceptions, so that an
 * exception may pass through its frame. */
#define _GNU_SOURCE /* iterate.h: struct dl_phdr_info */
#include "iterate.h"

int callback_call(int (*fn)(int), int arg)
{
	/* Not a tail call: this frame stays on the stack. */
	int r = fn(arg);
	return r + 1;
}
