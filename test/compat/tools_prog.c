/* The program of tools_check.sh: runs MODULE's toolmod_run(LOOPS) in a
 * fresh namespace and prints what it returns and, given "walk", the stack
 * its module recorded.  Not linked with libnsshare: stock runs it plain. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	if (argc < 3)
		return 2;
	void *h = dlmopen(LM_ID_NEWLM, argv[1], RTLD_NOW);
	if (!h) {
		printf("dlmopen: %s\n", dlerror());
		return 1;
	}
	long (*run)(long, int) = (long (*)(long, int))dlsym(h, "toolmod_run");
	const char *(*frames)(void) =
		(const char *(*)(void))dlsym(h, "toolmod_frames");
	if (!run || !frames)
		return 1;
	printf("toolmod_run: %ld\n", run(atol(argv[2]), argc > 3));
	printf("%s", frames());
	return 0;
}
