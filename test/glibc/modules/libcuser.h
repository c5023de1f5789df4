/* The interface of libglibc-libcuser.so, shared with the programs. */
#ifndef GLIBC_LIBCUSER_H
#define GLIBC_LIBCUSER_H

#define MOD_TLS_INIT 7
#define MOD_ATEXIT_LINE "module atexit\n"

/* A function of the program that threads of the module call. */
typedef int (*mod_callback)(int);

#endif
