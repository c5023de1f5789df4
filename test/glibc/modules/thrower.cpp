// A C++ module that throws through frames of shared code: the base
// libc's qsort, and a unique library's callback_call.  The handler is
// here, in the namespace; the unwinder must find the shared frames' FDEs
// in base copies, which glibc before 2.35 gives libgcc only through
// dl_iterate_phdr.
#include <cstdlib>
#include <stdexcept>

#include "iterate.h"

namespace {

struct thrown {
	int value;
};

int compare_throw(const void *, const void *)
{
	throw thrown{ 42 };
}

int callback_throw(int arg)
{
	throw std::runtime_error(arg == 7 ? "seven" : "other");
}

} // namespace

extern "C" int thrower_through_qsort(void)
{
	int items[] = { 3, 1, 2 };
	try {
		std::qsort(items, 3, sizeof items[0], compare_throw);
	} catch (const thrown &t) {
		return t.value;
	}
	return -1;
}

extern "C" int thrower_through_shared(void)
{
	try {
		callback_call(callback_throw, 7);
	} catch (const std::runtime_error &e) {
		return e.what()[0] == 's' ? 7 : 0;
	}
	return -1;
}

extern "C" void *thrower_qsort_addr(void)
{
	return reinterpret_cast<void *>(&std::qsort);
}

extern "C" void *thrower_callback_addr(void)
{
	return reinterpret_cast<void *>(&callback_call);
}
