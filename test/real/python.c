/* Two Python interpreters, each in a namespace of its own: both alive at
 * once, each importing extension modules from lib-dynload (which find
 * libpython's symbols only through their namespace's global scope, glibc
 * facts 14) and starting a thread, each writing its result to a file. */
#include "python_util.h"

#include <unistd.h>

struct python {
	void *h;
	void (*initialize)(int);
	int (*is_initialized)(void);
	int (*run)(const char *);
	int (*finalize)(void);
	char path[64]; /* where its script writes the result */
	const char *dlopen_flags; /* sys.setdlopenflags, in Python */
};

static void python_open(struct python *py)
{
	py->h = open_lib_of(python_libs, NULL);
	PYTHON_SYMS(py, py->h);
	strcpy(py->path, "/tmp/nsshare-real-python-XXXXXX");
	int fd = mkstemp(py->path);
	REQUIRE(fd >= 0, "mkstemp");
	close(fd);
}

/* The script: a thread computes with _decimal and _json (extension
 * modules) and ctypes (an extension module with a library of its own);
 * the main thread writes what it got.  Its first line is the dlopen
 * flags of the imports: B imports with RTLD_GLOBAL, as MPI bindings and
 * some scientific packages make Python do (issue 9). */
static const char script[] =
	"import sys, os\n"
	"sys.setdlopenflags(%s)\n"
	"import threading, _decimal, _json, ctypes\n"
	"got = []\n"
	"def work(n):\n"
	"    d = _decimal.Decimal(n) / _decimal.Decimal(8)\n"
	"    got.append(_json.encode_basestring_ascii(str(d)))\n"
	"    got.append(str(ctypes.sizeof(ctypes.c_int32)))\n"
	"t = threading.Thread(target=work, args=(%d,))\n"
	"t.start()\n"
	"t.join()\n"
	"with open('%s', 'w') as f:\n"
	"    f.write(' '.join(got))\n";

/* Runs the script in PY with argument N. */
static void python_run(struct python *py, int n)
{
	char code[sizeof script + 192];
	snprintf(code, sizeof code, script, py->dlopen_flags, n, py->path);
	CHECK(py->run(code) == 0, "script failed in namespace %ld",
	      (long)it_handle_ns(py->h));
}

/* The file the script wrote. */
static void check_result(struct python *py, const char *want)
{
	char got[128] = "";
	FILE *f = fopen(py->path, "r");
	CHECK(f != NULL, "no result file %s", py->path);
	if (f) {
		size_t n = fread(got, 1, sizeof got - 1, f);
		got[n] = '\0';
		fclose(f);
	}
	CHECK(strcmp(got, want) == 0, "namespace %ld wrote \"%s\", wanted "
	      "\"%s\"", (long)it_handle_ns(py->h), got, want);
	unlink(py->path);
}

/* Whether the extension module MODULE of lib-dynload is loaded in the
 * namespace of handle H: its file is named MODULE.cpython-<version>-<arch>.so
 * in lib-dynload, whatever the Python. */
static bool loaded_in(void *h, const char *module)
{
	return has_object(h, "/lib-dynload/", module);
}

int main(void)
{
	struct python a, b;
	python_open(&a);
	python_open(&b);
	a.dlopen_flags = "os.RTLD_NOW";
	b.dlopen_flags = "os.RTLD_GLOBAL | os.RTLD_NOW";
	Lmid_t na = it_handle_ns(a.h), nb = it_handle_ns(b.h);
	CHECK(na != nb, "both in namespace %ld", (long)na);
	CHECK_PRIVATE_LIB_SHARED_LIBC(a.h, "Py_InitializeEx", "A");
	CHECK_PRIVATE_LIB_SHARED_LIBC(b.h, "Py_InitializeEx", "B");

	/* Both interpreters alive at once, one per namespace. */
	a.initialize(0);
	CHECK(a.is_initialized() && !b.is_initialized(),
	      "initialized: A %d B %d", a.is_initialized(),
	      b.is_initialized());
	b.initialize(0);
	CHECK(b.is_initialized(), "B not initialized");
	python_run(&a, 3);
	python_run(&b, 5);
	python_run(&a, 1);
	check_result(&a, "\"0.125\" 4");
	python_run(&b, 12);
	check_result(&b, "\"1.5\" 4");

	void *program = dlopen(NULL, RTLD_NOW);
	/* _ctypes is in lib-dynload in every Debian Python (it needs
	 * libffi); 3.13 builds _json into libpython. */
	CHECK(loaded_in(a.h, "_ctypes") && loaded_in(b.h, "_ctypes"),
	      "_ctypes loaded: A %d B %d", loaded_in(a.h, "_ctypes"),
	      loaded_in(b.h, "_ctypes"));
	CHECK(!loaded_in(program, "_ctypes"), "_ctypes loaded in the base");
	dlclose(program);

	CHECK(b.finalize() == 0, "Py_FinalizeEx B");
	CHECK(a.finalize() == 0, "Py_FinalizeEx A");
	CHECK(dlclose(a.h) == 0, "dlclose A: %s", dlerror());
	CHECK(dlclose(b.h) == 0, "dlclose B: %s", dlerror());
	return it_finish();
}
