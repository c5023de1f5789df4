/* libcompat-plain.so: an ordinary libc user, to create namespaces with
 * and to look at a namespace from the inside. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

int compat_plain_value(void)
{
	return 7001;
}

/* Where this object's references to malloc are bound. */
void *compat_plain_malloc_addr(void)
{
	return (void *)&malloc;
}

/* Memory from the namespace's malloc, for the caller to free. */
char *compat_plain_dup(const char *s)
{
	return strdup(s);
}
