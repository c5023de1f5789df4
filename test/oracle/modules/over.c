/* libord-over: overrides a libm and a libc function for the objects that
 * need it ahead of them. */
#include "ctor.h"
ORDER_CTOR("ord-over")
double sin(double x) { return x; }
int atoi(const char *s) { (void)s; return -1; }
