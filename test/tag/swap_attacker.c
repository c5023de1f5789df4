/* The attacker of tag_race.sh's real race: flips DIR/lib.so between a
 * hard link to DIR/pristine and a symbolic link to VICTIM, each by one
 * atomic rename, until killed.  Creates DIR/.ready after the first
 * round, so the test starts once the flipping has.
 * Usage: swap_attacker DIR VICTIM */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 3) {
		fputs("usage: swap_attacker DIR VICTIM\n", stderr);
		return 2;
	}
	char lib[PATH_MAX], sym[PATH_MAX], hard[PATH_MAX], pristine[PATH_MAX],
	     ready[PATH_MAX];
	snprintf(lib, sizeof lib, "%s/lib.so", argv[1]);
	snprintf(sym, sizeof sym, "%s/.sym", argv[1]);
	snprintf(hard, sizeof hard, "%s/.hard", argv[1]);
	snprintf(pristine, sizeof pristine, "%s/pristine", argv[1]);
	snprintf(ready, sizeof ready, "%s/.ready", argv[1]);
	for (unsigned long round = 0;; round++) {
		unlink(sym);
		unlink(hard);
		if (symlink(argv[2], sym) != 0 || rename(sym, lib) != 0 ||
		    link(pristine, hard) != 0 || rename(hard, lib) != 0) {
			perror("swap_attacker");
			return 1;
		}
		if (round == 0)
			close(open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
	}
}
