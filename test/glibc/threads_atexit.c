/* Behaviour 6 of issue 2, threads and atexit: threads a module creates in
 * a fresh namespace are ordinary threads (module TLS, the program's TLS in
 * a callback, results joined in the module), an atexit handler the module
 * registers runs exactly once, at exit or at the module's dlclose, and the
 * process exits cleanly. */
#include "glibc_util.h"

#include "modules/libcuser.h"

/* The program's own TLS, used from threads the module creates. */
static __thread int prog_tls = 100;

static int program_callback(int x)
{
	prog_tls += x;
	return prog_tls;
}

static void threads(void)
{
	void *h = open_new(LIBCUSER_MOD, RTLD_NOW);
	int (*mod_threads_run)(int, mod_callback);
	void *(*mod_pthread_create_addr)(void);
	SYM(mod_threads_run, h, "mod_threads_run");
	SYM(mod_pthread_create_addr, h, "mod_pthread_create_addr");

	void *create = mod_pthread_create_addr();
	CHECK(it_addr_ns(create) == LM_ID_BASE, "module's pthread_create is code "
	      "of ns %ld (%s)", (long)it_addr_ns(create), it_addr_object(create));

	/* Thread i (1..n) returns 3*i from the module's TLS plus 100+i from
	 * the program's TLS, each starting from its initial value. */
	for (int n = 1; n <= 8; n *= 2) {
		int want = 0;
		for (int i = 1; i <= n; i++)
			want += 3 * i + 100 + i;
		int got = mod_threads_run(n, program_callback);
		CHECK(got == want, "%d threads created in the module: sum %d, wanted %d",
		      n, got, want);
	}
	CHECK(prog_tls == 100, "the main thread's TLS changed to %d", prog_tls);
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
}

static int register_in(void *handle)
{
	int (*fn)(void) = (int (*)(void))dlsym(handle, "mod_register_atexit");
	return fn ? fn() : -1;
}

static void program_at_exit(void)
{
	printf("program atexit\n");
}

/* Handlers run in reverse order of registration, each once, and their
 * buffered output is flushed after them. */
static void at_exit(void *arg)
{
	(void)arg;
	void *h = dlmopen(LM_ID_NEWLM, it_module(LIBCUSER_MOD), RTLD_NOW);
	if (!h || atexit(program_at_exit) != 0 || register_in(h) != 0)
		_exit(120);
	printf("main\n");
	exit(0);
}

/* Two namespaces, one handler each: each runs once.  The scenario
 * returns; run_child's exit(0) runs them. */
static void two_namespaces(void *arg)
{
	(void)arg;
	void *a = dlmopen(LM_ID_NEWLM, it_module(LIBCUSER_MOD), RTLD_NOW);
	void *b = dlmopen(LM_ID_NEWLM, it_module(LIBCUSER_MOD), RTLD_NOW);
	if (!a || !b || a == b || register_in(a) != 0 || register_in(b) != 0)
		_exit(120);
}

/* A handler registered by a module runs when the module is unloaded
 * (glibc's atexit in a shared object is __cxa_atexit with its
 * __dso_handle), then never again. */
static void at_dlclose(void *arg)
{
	(void)arg;
	void *h = dlmopen(LM_ID_NEWLM, it_module(LIBCUSER_MOD), RTLD_NOW);
	if (!h || register_in(h) != 0)
		_exit(120);
	printf("before dlclose\n");
	if (dlclose(h) != 0)
		_exit(121);
	printf("after dlclose\n");
	exit(0);
}

static void expect(void (*scenario)(void *), const char *name, const char *want)
{
	struct child_run run;
	REQUIRE(run_child(scenario, NULL, &run), "%s: could not run the child", name);
	CHECK_OUTPUT(&run, want, name);
	CHECK(exited_with(&run, 0), "%s: wait status %#x, wanted exit 0", name,
	      run.status);
}

int main(void)
{
	threads();
	expect(at_exit, "atexit", "main\n" MOD_ATEXIT_LINE "program atexit\n");
	expect(two_namespaces, "two namespaces",
	       MOD_ATEXIT_LINE MOD_ATEXIT_LINE);
	expect(at_dlclose, "atexit and dlclose",
	       "before dlclose\n" MOD_ATEXIT_LINE "after dlclose\n");
	return it_finish();
}
