/* The namespace's module for tools_check.sh: its comparator runs under
 * the base libc's qsort (shared code calling back into the namespace), so
 * that perf samples both and an unwinder walks from one into the other.
 * Asked to walk (and built with libunwind), the first comparison records
 * the stack as libunwind sees it from inside the namespace; the program
 * prints it (the module's stdio would be the namespace's own libc's with
 * stock).  valgrind and perf runs do not walk: libunwind's probing of
 * memory is an error of valgrind's of its own. */
#include <stdlib.h>
#include <string.h>
#ifdef TOOLMOD_UNWIND
#define UNW_LOCAL_ONLY
#include <libunwind.h>
#endif

static char frames[4096];
static size_t frames_len;
static int walk;

#ifdef TOOLMOD_UNWIND
static void frames_add(const char *name)
{
	size_t n = strlen(name);
	if (frames_len + n + 2 > sizeof frames)
		return;
	memcpy(frames + frames_len, name, n);
	frames_len += n;
	frames[frames_len++] = '\n';
	frames[frames_len] = '\0';
}

/* One line per frame, the function's name or "??" where libunwind finds
 * none (a libc function without a dynamic symbol). */
static void frames_record(void)
{
	unw_context_t uc;
	unw_cursor_t cursor;
	if (unw_getcontext(&uc) != 0 || unw_init_local(&cursor, &uc) != 0) {
		frames_add("(libunwind cannot start)");
		return;
	}
	do {
		char name[256];
		unw_word_t off;
		if (unw_get_proc_name(&cursor, name, sizeof name, &off) != 0)
			strcpy(name, "??");
		frames_add(name);
	} while (unw_step(&cursor) > 0);
}
#else
static void frames_record(void)
{
}
#endif

__attribute__((noinline)) static int toolmod_cmp(const void *a, const void *b)
{
	if (walk && !frames_len)
		frames_record();
	return *(const int *)a - *(const int *)b;
}

/* Sorts LOOPS arrays, recording the stack first if WALK; the sum of
 * their first elements. */
long toolmod_run(long loops, int walk_first)
{
	walk = walk_first;
	long sum = 0;
	for (long i = 0; i < loops; i++) {
		int v[64];
		for (int j = 0; j < 64; j++)
			v[j] = (int)((j * 7919 + i) % 64);
		qsort(v, 64, sizeof *v, toolmod_cmp);
		sum += v[0];
	}
	return sum;
}

const char *toolmod_frames(void)
{
	return frames;
}
