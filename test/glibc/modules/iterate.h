/* The iterate modules (iterate.c, iterate_dep.c) and the C++ thrower
 * (thrower.cpp) with its unique callback library (callback.c). */
#ifndef ITERATE_MODULES_H
#define ITERATE_MODULES_H
#include <link.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif
int mod_iterate(int (*callback)(struct dl_phdr_info *, size_t, void *),
		void *data);
int *dep_tls_addr(void);
int *mod_dep_tls(void); /* dep_tls_addr, from the iterate module */
/* Calls FN(ARG) from inside the unique library, a frame of shared code
 * (compiled with -fexceptions, as glibc's qsort is). */
int callback_call(int (*fn)(int), int arg);
/* The thrower's cases: each throws an exception in the namespace through
 * a frame of shared code and returns what its handler caught, -1 if it
 * caught nothing. */
int thrower_through_qsort(void);
int thrower_through_shared(void);
/* The addresses the thrower binds qsort and callback_call to. */
void *thrower_qsort_addr(void);
void *thrower_callback_addr(void);
#ifdef __cplusplus
}
#endif
#endif
