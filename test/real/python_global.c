/* Python importing with sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW),
 * as MPI bindings and some scientific packages make it do (issue 9): an
 * interpreter in the base and one in each of three namespaces, all alive
 * at once.  Each imports _decimal from lib-dynload that way, so its
 * dlopen(RTLD_GLOBAL) comes from code inside the namespace; the module
 * must load in that namespace, compute there, and stay out of the others'
 * global scopes and the base's.  Each interpreter keeps state of its own
 * (a decimal precision, an attribute of sys) that the others do not see. */
#include "python_util.h"

#include <unistd.h>

#define NS 3

struct interp {
	const char *who;
	void *h;
	void (*initialize)(int);
	int (*is_initialized)(void);
	int (*run)(const char *);
	int (*finalize)(void);
};

/* Runs CODE (Python, which leaves a str in `out`) in P and puts `out`
 * into GOT: through a pipe, whose descriptor the shared libc gives both
 * sides.  "" when the code failed. */
static void ask(struct interp *p, const char *code, char *got, size_t size)
{
	int fds[2];
	REQUIRE(pipe(fds) == 0, "pipe");
	char *script = NULL;
	REQUIRE(asprintf(&script, "%s\nimport os\nos.write(%d, out.encode())\n",
			 code, fds[1]) > 0,
		"asprintf");
	CHECK(p->run(script) == 0, "%s: script failed:\n%s", p->who, code);
	free(script);
	close(fds[1]);
	size_t n = 0;
	ssize_t r;
	while (n < size - 1 && (r = read(fds[0], got + n, size - 1 - n)) > 0)
		n += (size_t)r;
	got[n] = '\0';
	close(fds[0]);
}

/* The import, and 1/7 to a precision of the interpreter's own. */
static const char import_decimal[] =
	"import sys, os\n"
	"sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)\n"
	"fresh = not hasattr(sys, 'nsshare_who')\n"
	"sys.nsshare_who = '%s'\n"
	"import _decimal\n"
	"_decimal.getcontext().prec = %d\n"
	"out = '%%s %%s' %% (fresh, _decimal.Decimal(1) / _decimal.Decimal(7))\n";

/* What each interpreter holds afterwards. */
static const char state[] =
	"import sys, _decimal\n"
	"out = '%s %d' % (sys.nsshare_who, _decimal.getcontext().prec)\n";

int main(void)
{
	static struct interp py[1 + NS];
	static const char *const who[] = { "base", "namespace 1",
					   "namespace 2", "namespace 3" };
	size_t which = 0;
	for (int i = 1; i <= NS; i++) {
		py[i].h = open_lib_of(python_libs, &which);
		CHECK_PRIVATE_LIB_SHARED_LIBC(py[i].h, "Py_InitializeEx", who[i]);
	}
	/* The base's: global, as a program linked with libpython has it,
	 * for the extension modules find libpython's symbols there. */
	py[0].h = dlopen(python_libs[which], RTLD_NOW | RTLD_GLOBAL);
	REQUIRE(py[0].h != NULL, "dlopen %s: %s", python_libs[which],
		dlerror());
	for (int i = 0; i <= NS; i++) {
		py[i].who = who[i];
		PYTHON_SYMS(&py[i], py[i].h);
		for (int j = 0; j < i; j++)
			CHECK((void *)py[i].run != (void *)py[j].run,
			      "%s and %s share PyRun_SimpleString", who[i],
			      who[j]);
	}

	/* Four interpreters: each starts on its own. */
	for (int i = 0; i <= NS; i++) {
		CHECK(!py[i].is_initialized(), "%s initialized before", who[i]);
		py[i].initialize(0);
		CHECK(py[i].is_initialized(), "%s not initialized", who[i]);
	}

	/* The namespaces import first: none of their _decimal reaches the
	 * base's global scope. */
	static const char *const seventh[] = { "0.14286", "0.142857",
					       "0.1428571", "0.14285714" };
	char code[sizeof import_decimal + 32], got[128], want[128];
	for (int i = NS; i >= 0; i--) {
		if (i == 0)
			CHECK(dlsym(RTLD_DEFAULT, "PyInit__decimal") == NULL,
			      "the namespaces' _decimal is in the base's "
			      "global scope (%s)",
			      it_addr_object(dlsym(RTLD_DEFAULT,
						   "PyInit__decimal")));
		snprintf(code, sizeof code, import_decimal, who[i], 5 + i);
		ask(&py[i], code, got, sizeof got);
		snprintf(want, sizeof want, "True %s", seventh[i]);
		CHECK(strcmp(got, want) == 0, "%s: import gave \"%s\", wanted "
		      "\"%s\"", who[i], got, want);
		CHECK(has_object(py[i].h, "/lib-dynload/", "_decimal"),
		      "%s: _decimal not loaded in namespace %ld", who[i],
		      (long)it_handle_ns(py[i].h));
	}
	/* The base's import was global too: its _decimal, no other. */
	void *init = dlsym(RTLD_DEFAULT, "PyInit__decimal");
	CHECK(init && it_addr_ns(init) == LM_ID_BASE,
	      "PyInit__decimal in the base's global scope: %p in %ld", init,
	      (long)it_addr_ns(init));

	/* Each interpreter kept its own state. */
	for (int i = 0; i <= NS; i++) {
		ask(&py[i], state, got, sizeof got);
		snprintf(want, sizeof want, "%s %d", who[i], 5 + i);
		CHECK(strcmp(got, want) == 0, "%s holds \"%s\", wanted \"%s\"",
		      who[i], got, want);
	}

	for (int i = NS; i >= 0; i--) {
		CHECK(py[i].finalize() == 0, "Py_FinalizeEx %s", who[i]);
		CHECK(dlclose(py[i].h) == 0, "dlclose %s: %s", who[i],
		      dlerror());
	}
	return it_finish();
}
