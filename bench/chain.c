/* One link of scale-bench's chain of libraries: libbench-chainN.so needs
 * libbench-chainN+1.so (CHAIN_NEXT), down to the last, which needs libc
 * only.  Each holds a little code and data of its own, as small libraries
 * do. */
#include <unistd.h>

#ifdef CHAIN_NEXT
int CHAIN_NEXT(int);
#endif

static int chain_data[64] = { CHAIN_INDEX };

int CHAIN_SELF(int x)
{
#ifdef CHAIN_NEXT
	return CHAIN_NEXT(x + chain_data[0] + (int)(getpid() & 1));
#else
	return x + chain_data[0] + (int)(getpid() & 1);
#endif
}
