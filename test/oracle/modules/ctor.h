/* Each module says when its constructor runs, straight to the file
 * descriptor (no stdio: in a stock namespace it would be a second libc's
 * buffer). */
#include <string.h>
#include <unistd.h>

#define ORDER_CTOR(name)                                                      \
	__attribute__((constructor)) static void order_ctor(void)             \
	{                                                                     \
		static const char line[] = "ctor " name "\n";                 \
		ssize_t rc = write(1, line, sizeof line - 1);                 \
		(void)rc;                                                     \
	}
