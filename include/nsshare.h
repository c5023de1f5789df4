/* nsshare.h: RTLD_SHARED and RTLD_ISOLATE for dlmopen() on stock glibc.
 *
 * Link with -lnsshare (pkg-config nsshare), or run an unmodified program
 * with LD_PRELOAD=libnsshare.so.0.  Either way the program's dlmopen(),
 * dlclose(), dlinfo() and dlerror() are nsshare's, and the contract
 * below holds.
 * The names and values are those of the RTLD_SHARED glibc patch series
 * (2018-2021), so code written for it compiles unchanged.
 *
 * Terms.  The base namespace is LM_ID_BASE.  A base copy is an object
 * loaded there.  A proxy is a small ELF object nsshare writes for a base
 * copy: same SONAME, same version definitions, every dynamic symbol an
 * absolute symbol holding the base copy's runtime address.  Loaded into a
 * secondary namespace, it makes every binding there land in the base copy.
 *
 * What dlmopen(NS, FILE, MODE) does with nsshare:
 *
 *  - NS == LM_ID_BASE: exactly glibc's dlmopen (RTLD_SHARED is ignored).
 *
 *  - MODE has RTLD_ISOLATE: exactly glibc's dlmopen.  The namespace gets
 *    private copies of everything, glibc included.
 *
 *  - MODE has RTLD_SHARED, NS is LM_ID_NEWLM or a secondary namespace:
 *    FILE is loaded into the base namespace if it is not there yet and
 *    pinned there (never unloaded); NS gets a proxy of it.  The handle
 *    returned belongs to NS (dlinfo RTLD_DI_LMID), and dlsym()/dlvsym()
 *    through it return what they return through the base copy's handle.
 *    Opening it again while NS holds the proxy returns the proxy.  If NS
 *    holds a private copy of FILE the call fails with
 *    "FILE: object cannot be demoted to a proxy".
 *
 *  - Otherwise (a plain dlmopen into a secondary namespace): FILE loads
 *    privately as usual, but the namespace gets proxies of the glibc
 *    libraries its objects need (libc.so.6, libm.so.6, ...), so the whole
 *    process has one malloc heap, one stdio, one environment and one
 *    atexit list.  A fresh namespace keeps the global scope stock dlmopen
 *    gives it: FILE and its dependencies, ahead of glibc.
 *
 *  - FILE is unique (its DT_GNU_FLAGS_1 has DF_GNU_1_UNIQUE, or the
 *    colon-separated list in the environment variable NSSHARE_SHARE names
 *    its SONAME, file name or path; the variable is ignored in secure
 *    execution): as if MODE had RTLD_SHARED, unless it has RTLD_ISOLATE.
 *    Unique objects among FILE's dependencies are proxied too, in every
 *    plain load into a secondary namespace.  A namespace that holds a
 *    private copy of a unique object (made with RTLD_ISOLATE) refuses any
 *    later open of it: "FILE: object cannot be demoted to a proxy".
 *
 * Code inside a secondary namespace is covered too: its dlopen() loads
 * into its own namespace, as with stock glibc, with glibc shared, and
 * takes RTLD_SHARED and RTLD_ISOLATE; its dlmopen(), dlclose() and
 * dlerror() are nsshare's.  The base namespace's dlopen() is glibc's.
 *
 * RTLD_GLOBAL in a secondary namespace (stock glibc refuses it or
 * crashes).  In a namespace nsshare made, dlopen(FILE, RTLD_GLOBAL) from
 * code inside it adds FILE and its dependencies to that namespace's
 * global scope, as glibc does in the base: objects loaded into it later
 * bind to them without naming them, and dlsym(RTLD_DEFAULT) from inside
 * finds them.  dlopen(FILE, RTLD_NOLOAD | RTLD_GLOBAL) makes a loaded
 * FILE global.  dlmopen(LM_ID_NEWLM, FILE, RTLD_GLOBAL) makes FILE and
 * its dependencies the new namespace's global scope (they are that
 * already); dlmopen(N, FILE, RTLD_GLOBAL) from outside an existing
 * namespace N does what dlopen(FILE, RTLD_GLOBAL) from inside it does
 * (with RTLD_NOLOAD: makes a loaded FILE global).  With RTLD_SHARED, the
 * proxy joins the scope.  What is global in a namespace is visible
 * nowhere else.  Refused, with the reason, and nothing loaded:
 * RTLD_GLOBAL in a namespace nsshare did not make or whose glibc layout
 * nsshare does not recognise ("namespace N has no global scope"), and
 * dlmopen(N, FILE, RTLD_GLOBAL) from outside N where N runs no code of
 * its own (only proxies) or the thread has a shadow stack ("RTLD_GLOBAL
 * into namespace N from outside it: ...").
 *
 * FILE is found as glibc would find it for the caller: a bare name is
 * searched in the calling object's DT_RPATH / DT_RUNPATH ($ORIGIN being
 * its folder), LD_LIBRARY_PATH, the ld.so cache and the default folders.
 *
 * dlclose() on a proxy releases the proxy only; the base copy stays.
 * Closing the last handle to the library that created a namespace unloads
 * the namespace's contents, as glibc's dlclose does.
 *
 * Instances.  Once glibc's namespaces are used up (15 besides the base),
 * dlmopen(LM_ID_NEWLM, FILE, MODE) gives FILE an instance instead: copies
 * of its private objects with names of their own, loaded RTLD_LOCAL into
 * the base namespace, sharing what a namespace would share.  Each has its
 * own globals; dlsym(), dladdr() and dlclose() work on its handle, and
 * dlinfo(handle, RTLD_DI_LMID) gives its id, NSSHARE_INSTANCE_FIRST or
 * above, reused once the instance is closed.  dlmopen(ID, FILE2, MODE)
 * loads FILE2 into instance ID, with copies of its own of what the
 * instance lacks (FILE2 finds the instance's objects through its
 * DT_NEEDED only: an instance has no global scope of its own).  What a
 * namespace shares, an instance shares: its objects bind to the base
 * copies of glibc, of unique objects and of NSSHARE_SHARE's list, and
 * dlmopen(ID, FILE2, MODE) of such an object, or with RTLD_SHARED, gives
 * the base copy's own handle (dlinfo RTLD_DI_LMID: LM_ID_BASE), pinned,
 * where a namespace would get a proxy.  RTLD_ISOLATE into an instance
 * fails: "FILE2: RTLD_ISOLATE needs a namespace of its own; an instance
 * shares glibc with the base namespace".  dlmopen(LM_ID_NEWLM, FILE) of
 * a shared object past the namespaces fails too: "FILE: a shared object
 * has no instance of its own: open it with dlopen".
 * dl_iterate_ns_phdr(ID, ...) lists its copies, each named by the file it
 * copies.  dlopen(FILE2, MODE) called by code in an instance loads into
 * that instance, as dlmopen(ID, FILE2, MODE) does, with the caller's
 * search path ($ORIGIN is the folder of the file its copy copies); called
 * by code in the base namespace, it is glibc's.  (A dlopen interceptor
 * that calls glibc's from a frame of its own, as the sanitizers' does,
 * hides the caller: loads through it go to the base namespace.)
 *
 * Errors.  Every failure returns NULL and leaves a message for dlerror():
 * "<object>: <reason>", reported once and cleared when read, as glibc does.
 * A failed call leaves nothing behind: no namespace, no proxy in it.
 * Where glibc refuses (static TLS or its 16 namespaces used up, an
 * undefined symbol that an object nsshare shares defines), the message is
 * glibc's, whole, followed by nsshare's reason and what to do, in
 * parentheses: "libz.so.1: no more namespaces available for dlmopen():
 * Invalid argument (glibc has 16 namespaces, ...)".
 *
 * Thread safety.  All of the above may be called from several threads at
 * once, from constructors run by a dlmopen(), and after fork().
 *
 * dl_iterate_phdr() called from code inside a secondary namespace
 * reports that namespace as dl_iterate_ns_phdr() below does: each proxy
 * as its base copy, whose code runs there, so that unwinders and
 * profilers that walk it (libgcc's before glibc 2.35, libunwind,
 * sanitizers) find every frame.  A C++ exception thrown in a namespace
 * through a frame of shared code (the base libc's qsort, a shared
 * library's callback) is caught there.
 *
 * glibc.  nsshare needs glibc 2.28 or later (tested on 2.31, 2.36 and
 * 2.41).  On an older glibc, libnsshare says so on stderr when it is
 * loaded, dlmopen() behaves exactly as glibc's, and a dlmopen() with
 * RTLD_SHARED fails: "FILE: RTLD_SHARED needs glibc 2.28 or later; this
 * is glibc X.Y".  Before glibc 2.34, dlmopen() is in libdl: link
 * -lnsshare ahead of -ldl (pkg-config's --libs does).
 */
#ifndef NSSHARE_H
#define NSSHARE_H

/* The first id dlinfo(RTLD_DI_LMID) gives an instance (see Instances). */
#define NSSHARE_INSTANCE_FIRST 0x10000

#include <dlfcn.h>
#include <elf.h>
#include <link.h>

/* dlmopen(), Lmid_t and dlinfo() are GNU extensions of <dlfcn.h>: define
 * _GNU_SOURCE before the first #include (pkg-config's --cflags does). */
#ifndef __USE_GNU
#error "nsshare.h needs _GNU_SOURCE defined before any #include"
#endif

/* dlmopen() flag: load the object once, in the base namespace, and give
 * the target namespace a proxy of it.  Same value as the patch series. */
#ifndef RTLD_SHARED
#if defined(__mips__)
#define RTLD_SHARED 0x00020
#else
#define RTLD_SHARED 0x00080
#endif
#endif

/* dlmopen() flag: full isolation, as stock glibc gives it: the namespace
 * gets private copies of every object, glibc's libraries included. */
#ifndef RTLD_ISOLATE
#define RTLD_ISOLATE 0x00040
#endif

/* Dynamic tag whose value holds DF_GNU_1_* flags (binutils: ld -z unique). */
#ifndef DT_GNU_FLAGS_1
#define DT_GNU_FLAGS_1 0x6ffffdf4
#endif

/* The v5 patch series' name for DT_GNU_FLAGS_1. */
#ifndef DT_GNU_UNIQUE
#define DT_GNU_UNIQUE DT_GNU_FLAGS_1
#endif

/* DT_GNU_FLAGS_1 flag: the object is loaded once per process and every
 * other namespace gets a proxy of it, as if opened with RTLD_SHARED. */
#ifndef DF_GNU_1_UNIQUE
#define DF_GNU_1_UNIQUE 0x00000001
#endif

/* dl_iterate_phdr() for namespace NS, called from anywhere: CALLBACK is
 * given each object of NS in its link-map order, as dl_iterate_phdr()
 * gives it to code inside NS, until it returns nonzero.
 *
 * A proxy is reported as its base copy: dlpi_name is the base copy's path,
 * dlpi_addr, dlpi_phdr, dlpi_phnum and the TLS fields (dlpi_tls_modid,
 * dlpi_tls_data for the calling thread) are the base copy's, as glibc
 * reports it in the base namespace.  ld.so is reported as glibc reports
 * it in NS, as the base one.  nsshare's root object of a namespace is
 * not reported, and no name reported is one of nsshare's images (under
 * /proc/PID/fd or nsshare's directory of links).  dlpi_adds and dlpi_subs
 * are glibc's, counted over every namespace.  NS may be LM_ID_BASE: then
 * this is dl_iterate_phdr() from the base namespace.
 *
 * Returns the last value CALLBACK returned, 0 if it returned 0 for every
 * object (or NS holds no libc: there is nothing to start from).  When NS
 * is no namespace in use, returns -1 with errno EINVAL and leaves
 * "dl_iterate_ns_phdr: namespace NS is not in use" for dlerror().
 *
 * CALLBACK runs under glibc's lock of the list of loaded objects, as with
 * dl_iterate_phdr(): it must not dlopen(), dlclose() or dladdr().  The
 * objects reported are NS's when called; another thread's later loads
 * are not seen. */
int dl_iterate_ns_phdr(Lmid_t ns,
		       int (*callback)(struct dl_phdr_info *info, size_t size,
				       void *data),
		       void *data);

#endif /* NSSHARE_H */
