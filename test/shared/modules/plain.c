/* libshared-plain.so: an ordinary libc-using library, used to create
 * secondary namespaces with a plain dlmopen, and to look at its namespace
 * from the inside. */
#define _GNU_SOURCE
#include <link.h>
#include <stdlib.h>
#include <string.h>

size_t plain_len(const char *s)
{
	return strlen(s);
}

/* Memory from the namespace's malloc, for the caller to free. */
char *plain_dup(const char *s)
{
	return strdup(s);
}

static int count_one(struct dl_phdr_info *info, size_t size, void *arg)
{
	(void)info;
	(void)size;
	++*(int *)arg;
	return 0;
}

/* The number of objects in this library's namespace: dl_iterate_phdr
 * walks the namespace of its caller. */
int plain_count_objects(void)
{
	int n = 0;
	dl_iterate_phdr(count_one, &n);
	return n;
}
