/* libord-m: DT_NEEDED [libord-over.so, libm.so.6, libc.so.6]: stock
 * binds sin and atoi to libord-over, the first in breadth-first order. */
#include <math.h>
#include <stdlib.h>
#include "ctor.h"
ORDER_CTOR("ord-m")
void *m_sin(void) { return (void *)sin; }
void *m_atoi(void) { return (void *)atoi; }
void *m_malloc(void) { return (void *)malloc; }
