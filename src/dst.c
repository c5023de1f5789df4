/* Owns: dynamic string tokens ($ORIGIN, $PLATFORM, $LIB) and the rules a
 * secure process puts on them.  Calls: nothing; reads machine.c's state. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ldso.h"

#define SEARCH_DST_LIB "lib/" SEARCH_TRIPLET

/* ---- Dynamic string tokens (_dl_dst_substitute). */

/* is_dst: "$NAME" not followed by an identifier character, or
 * "${NAME}".  INPUT points past the '$'.  Returns the length consumed. */
static size_t dst_match(const char *input, const char *ref)
{
	bool curly = input[0] == '{';
	if (curly)
		input++;
	size_t len = strlen(ref);
	if (strncmp(input, ref, len) != 0)
		return 0; /* before reading input[len]: it may be past the end */
	char c = input[len];
	if ((curly && c != '}') || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return 0;
	return curly ? len + 2 : len;
}

size_t dst_count(const char *s)
{
	size_t n = 0;
	for (s = strchr(s, '$'); s; s = strchr(s, '$')) {
		s++;
		size_t len;
		if ((len = dst_match(s, "ORIGIN")) || (len = dst_match(s, "PLATFORM")) ||
		    (len = dst_match(s, "LIB")))
			n++;
		s += len;
	}
	return n;
}

/* is_trusted_path_normalize: whether PATH, with "." and ".." resolved
 * textually, lies in a system directory. */
static bool dst_trusted(const char *path)
{
	size_t len = strlen(path);
	char *npath = malloc(len + 2), *w = npath;
	if (!npath || len == 0) {
		free(npath);
		return false;
	}
	while (*path) {
		if (path[0] == '/') {
			if (path[1] == '.') {
				if (path[2] == '.' && (path[3] == '/' || !path[3])) {
					while (w > npath && *--w != '/')
						;
					path += 3;
					continue;
				}
				if (path[2] == '/' || !path[2]) {
					path += 2;
					continue;
				}
			}
			if (w > npath && w[-1] == '/') {
				path++;
				continue;
			}
		}
		*w++ = *path++;
	}
	if (w == npath || w[-1] != '/')
		*w++ = '/';
	bool ok = false;
	for (size_t i = 0; i < NSYSTEM_DIRS && !ok; i++) {
		size_t n = strlen(system_dirs[i]);
		ok = (size_t)(w - npath) >= n && memcmp(system_dirs[i], npath, n) == 0;
	}
	free(npath);
	return ok;
}

/* Expands $ORIGIN, $PLATFORM and $LIB in IN for object O.  Returns a
 * malloc'd string, "" when ld.so would drop the element (a known token
 * without a value, or $ORIGIN refused in a secure process), NULL when
 * out of memory. */
char *dst_expand(const char *in, const struct search_obj *o)
{
	size_t cnt = dst_count(in);
	if (cnt == 0)
		return strdup(in);
	const char *origin = o ? o->origin : NULL;
	size_t repl_max = strlen(SEARCH_DST_LIB);
	if (origin && strlen(origin) > repl_max)
		repl_max = strlen(origin);
	if (state.platform && strlen(state.platform) > repl_max)
		repl_max = strlen(state.platform);
	char *out = malloc(strlen(in) + cnt * repl_max + 1), *w = out;
	if (!out)
		return NULL;
	const char *start = in;
	bool check_trusted = false;
	while (*in) {
		if (*in != '$') {
			*w++ = *in++;
			continue;
		}
		const char *repl = NULL;
		bool refused = false;
		size_t len;
		in++;
		if ((len = dst_match(in, "ORIGIN"))) {
			/* Secure processes take $ORIGIN only as the whole
			 * first path component. */
			if (state.secure && !(in == start + 1 &&
					   (in[len] == '\0' || in[len] == '/')))
				refused = true;
			else
				repl = origin;
			check_trusted = state.secure && o && o->is_main;
		} else if ((len = dst_match(in, "PLATFORM"))) {
			repl = state.platform;
		} else if ((len = dst_match(in, "LIB"))) {
			repl = SEARCH_DST_LIB;
		}
		if (repl && !refused) {
			w = stpcpy(w, repl);
			in += len;
		} else if (len != 0) {
			out[0] = '\0';
			return out;
		} else {
			*w++ = '$';
		}
	}
	*w = '\0';
	if (check_trusted && !dst_trusted(out))
		out[0] = '\0';
	return out;
}
