/* Behaviour 6 of issue 2, stdio: a module in a fresh namespace writes to
 * the program's stdout buffer, so unflushed output of both sides comes out
 * whole and in order when stdout is a pipe, whether the program flushes,
 * the module flushes, or exit() does. */
#include "glibc_util.h"

static void *mod;
static int (*mod_print)(const char *);
static int (*mod_flush)(void);
static void (*mod_exit)(int);

/* The scenarios run in children whose stdout is the pipe: fully buffered,
 * so nothing is written before a flush.  setvbuf makes that explicit, and
 * is allowed because nothing has used stdout in this process yet. */
static void fully_buffered(void)
{
	if (setvbuf(stdout, NULL, _IOFBF, BUFSIZ) != 0)
		_exit(126);
}

/* Both sides unflushed; exit() flushes. */
static void abc(void *arg)
{
	(void)arg;
	fully_buffered();
	printf("a");
	mod_print("b");
	printf("c\n");
	exit(0);
}

/* The module flushes what the program wrote, then both write again;
 * a write(2) in between shows where the flush happened. */
static void module_flushes(void *arg)
{
	(void)arg;
	fully_buffered();
	printf("x");
	mod_print("y");
	mod_flush();
	if (write(STDOUT_FILENO, "|", 1) != 1)
		_exit(125);
	mod_print("z");
	printf("\n");
	exit(0);
}

/* More than a buffer's worth, alternating sides, so that the buffer fills
 * and is written several times mid-stream. */
#define LINES 3000
static void interleaved(void *arg)
{
	(void)arg;
	fully_buffered();
	char line[32];
	for (int i = 0; i < LINES; i++) {
		snprintf(line, sizeof line, "%d %s\n", i, i % 2 ? "mod" : "prog");
		if (i % 2)
			mod_print(line);
		else
			fputs(line, stdout);
	}
	exit(0);
}

/* The module calls exit(): the program's buffered output comes out too,
 * and the status is the module's. */
static void module_exits(void *arg)
{
	(void)arg;
	fully_buffered();
	printf("a");
	mod_print("b");
	mod_exit(3);
	_exit(124);
}

/* Only the module wrote; the exit(0) of run_child, after the scenario
 * returns, flushes it. */
static void module_only(void *arg)
{
	(void)arg;
	fully_buffered();
	mod_print("only the module\n");
}

static void expect(void (*scenario)(void *), const char *name,
		   const char *want, int status)
{
	struct child_run run;
	REQUIRE(run_child(scenario, NULL, &run), "%s: could not run the child", name);
	CHECK_OUTPUT(&run, want, name);
	CHECK(exited_with(&run, status), "%s: wait status %#x, wanted exit %d", name,
	      run.status, status);
}

int main(void)
{
	mod = open_new(LIBCUSER_MOD, RTLD_NOW);
	SYM(mod_print, mod, "mod_print");
	SYM(mod_flush, mod, "mod_flush");
	SYM(mod_exit, mod, "mod_exit");
	FILE **(*mod_stdout_addr)(void);
	FILE *(*mod_stdout)(void);
	SYM(mod_stdout_addr, mod, "mod_stdout_addr");
	SYM(mod_stdout, mod, "mod_stdout");

	/* The module's stdout is the program's: same variable, same FILE. */
	CHECK(mod_stdout_addr() == &stdout, "module's &stdout %p (%s), program's %p (%s)",
	      (void *)mod_stdout_addr(), it_addr_object(mod_stdout_addr()),
	      (void *)&stdout, it_addr_object(&stdout));
	CHECK(mod_stdout() == stdout, "module's stdout %p, program's %p",
	      (void *)mod_stdout(), (void *)stdout);

	expect(abc, "abc", "abc\n", 0);
	expect(module_flushes, "module flushes", "xy|z\n", 0);
	expect(module_exits, "module exits", "ab", 3);
	expect(module_only, "module only", "only the module\n", 0);

	static char want[LINES * 16];
	size_t len = 0;
	for (int i = 0; i < LINES; i++)
		len += (size_t)snprintf(want + len, sizeof want - len, "%d %s\n", i,
					i % 2 ? "mod" : "prog");
	expect(interleaved, "interleaved", want, 0);

	CHECK(dlclose(mod) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
