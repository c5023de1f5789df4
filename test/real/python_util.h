/* python_util.h: what the libpython programs of test/real share. */
#ifndef PYTHON_UTIL_H
#define PYTHON_UTIL_H

#include "real_util.h"

/* The libpython of Debian testing, 13, 12 and 11. */
static const char *const python_libs[] = {
	"libpython3.14.so.1.0", "libpython3.13.so.1.0", "libpython3.12.so.1.0",
	"libpython3.11.so.1.0", "libpython3.10.so.1.0", "libpython3.9.so.1.0",
	NULL
};

/* The embedding functions of libpython H, into the members initialize,
 * is_initialized, run and finalize of *PY. */
#define PYTHON_SYMS(py, h)                                                    \
	do {                                                                  \
		SYM((py)->initialize, (h), "Py_InitializeEx");                \
		SYM((py)->is_initialized, (h), "Py_IsInitialized");           \
		SYM((py)->run, (h), "PyRun_SimpleString");                    \
		SYM((py)->finalize, (h), "Py_FinalizeEx");                    \
	} while (0)

#endif
