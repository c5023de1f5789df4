/* The deep graph, one source built as five modules (DEEP_NAME says which):
 *   ord-dm -> [ord-da, libc]
 *   ord-da -> [ord-db, libm, ord-dc]
 *   ord-db -> [ord-dd]            defines cos, dup
 *   ord-dc                         defines dup, sc
 *   ord-dd -> [libc]               defines sc, exp, atoi
 * Breadth first: dm, da, libc, db, libm, dc, dd (and ld.so where libc
 * needs it): cos is db's (ahead of libm), dup db's, sc dc's, exp libm's,
 * atoi libc's.  Every module reports what each name is bound to in it. */
#include <math.h>
#include <stdlib.h>
#include "ctor.h"
ORDER_CTOR(DEEP_NAME)
#ifdef DEEP_DB
double cos(double x) { return x; }
void *dup_fn(void) { return (void *)dup_fn; }
#endif
#ifdef DEEP_DC
void *dup_fn(void) { return (void *)dup_fn; }
void *sc_fn(void) { return (void *)sc_fn; }
#endif
#ifdef DEEP_DD
void *sc_fn(void) { return (void *)sc_fn; }
double exp(double x) { return x; }
int atoi(const char *s) { (void)s; return -1; }
void *dd_cos(void) { return (void *)cos; }
#endif
#ifdef DEEP_DM
void *dup_fn(void);
void *sc_fn(void);
void *dm_cos(void) { return (void *)cos; }
void *dm_exp(void) { return (void *)exp; }
void *dm_atoi(void) { return (void *)atoi; }
void *dm_dup(void) { return (void *)dup_fn; }
void *dm_sc(void) { return (void *)sc_fn; }
#endif
