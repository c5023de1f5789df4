/* What tests and probes recognise nsshare's images by.  Needs nothing
 * but libc, so the oracle's probes, built without the harness, use it. */
#ifndef NSSHARE_TEST_IMAGE_PATH_H
#define NSSHARE_TEST_IMAGE_PATH_H
#include <stdbool.h>
#include <string.h>

/* Whether NAME is a path nsshare opens one of its images by: a link
 * DIR/nsshare-PID-XXXXXX/FD/NAME in its directory of names, or
 * /proc/PID/fd/FD where it has none (secure mode).  src/imagename.c. */
static inline bool it_is_image_path(const char *name)
{
	if (strncmp(name, "/proc/", 6) == 0 && strstr(name, "/fd/"))
		return true;
	const char *last = strrchr(name, '/');
	const char *p = last;
	while (p > name && p[-1] != '/')
		p--; /* FD */
	if (p == last || p == name)
		return false;
	const char *dir = p - 1;
	while (dir > name && dir[-1] != '/')
		dir--;
	return strncmp(dir, "nsshare-", 8) == 0;
}

#endif
