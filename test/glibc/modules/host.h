/* What libglibc-host.so and the program agree on. */
#ifndef GLIBC_HOST_H
#define GLIBC_HOST_H

#define HOST_VALUE 4242
/* "%p" of an int[2]: constructor runs, destructor runs. */
#define HOST_COUNTERS_ENV "NSSHARE_IT_HOST_COUNTERS"
#define HOST_CTOR 0
#define HOST_DTOR 1

#endif
