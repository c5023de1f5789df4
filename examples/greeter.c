/* A library with state of its own, for the demo: each namespace that
 * loads it has its own copy of `greetings`, while malloc and stdio are the
 * process's. */
#include <stdio.h>
#include <stdlib.h>

static int greetings;

/* Returns a string the caller frees with its own free(). */
char *greeter_greet(const char *who)
{
	char *s = malloc(96);
	if (s)
		snprintf(s, 96, "hello %s, greeting #%d from this copy", who,
			 ++greetings);
	return s;
}

/* Buffered, not flushed: stdio shared with the program keeps the order. */
void greeter_print(const char *s)
{
	printf("%s", s);
}

void *greeter_malloc_address(void)
{
	return (void *)&malloc;
}
