/* The entry points nsshare puts in front of glibc's: dlmopen, dlopen,
 * dlclose, dlinfo (dlerror is in error.c), and the dlopen that code inside
 * secondary namespaces calls.
 *
 * Whatever nsshare does not handle goes to glibc's dlmopen as a true tail
 * call: glibc finds the caller's namespace and search path from the return
 * address (glibc-facts 12, 13), so this file is always compiled with
 * sibling-call optimisation (see CMakeLists.txt) and test/compat/runpath.c
 * checks it. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <gnu/libc-version.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "internal.h"

/* The closure of what is being loaded into namespace ID. */
struct scan {
	Lmid_t id;
	struct nsshare_closure closure;
};

static void scan_found(const char *path, const char *want, unsigned kind,
		       void *arg)
{
	struct nsshare_closure *c = &((struct scan *)arg)->closure;
	struct nsshare_closure_obj *items =
		realloc(c->items, (c->count + 1) * sizeof *items);
	char *path_copy = strdup(path), *want_copy = strdup(want);
	if (items)
		c->items = items;
	if (!items || !path_copy || !want_copy) {
		free(path_copy);
		free(want_copy);
		c->failed = true;
		return;
	}
	c->items[c->count++] =
		(struct nsshare_closure_obj){ path_copy, want_copy, kind };
}

/* ld.so matches a needed name against what the namespace holds before it
 * searches the disk. */
static bool scan_loaded(const char *name, void *arg)
{
	return nsshare_ns_holds(((const struct scan *)arg)->id, name);
}

static void scan_free(struct scan *scan)
{
	for (size_t i = 0; i < scan->closure.count; i++) {
		free(scan->closure.items[i].path);
		free(scan->closure.items[i].want);
	}
	free(scan->closure.items);
}

/* NSSHARE_DEBUG=files: what the load of FILE shares and why. */
static void debug_closure(const struct scan *scan, const char *file, int mode)
{
	if (!nsshare_debug_on(NSSHARE_DEBUG_FILES))
		return;
	char ns[24];
	if (scan->id == LM_ID_NEWLM)
		snprintf(ns, sizeof ns, "new");
	else
		snprintf(ns, sizeof ns, "%ld", (long)scan->id);
	nsshare_debug(NSSHARE_DEBUG_FILES, "file=%s [%s];  dlmopen, %zu "
		      "objects in its closure", file, ns, scan->closure.count);
	for (size_t i = 0; i < scan->closure.count; i++) {
		const struct nsshare_closure_obj *o = &scan->closure.items[i];
		const char *why = o->kind & NSSHARE_SHARE_GLIBC ? "a proxy: glibc"
				  : o->kind & NSSHARE_SHARE_UNIQUE
					  ? "a proxy: unique (DF_GNU_1_UNIQUE, "
					    "tagged, or NSSHARE_SHARE)"
				  : i == 0 && (mode & RTLD_SHARED)
					  ? "a proxy: RTLD_SHARED" : NULL;
		if (!why && nsshare_rtld_name_like(o->path))
			why = "ld.so, whose stand-in every namespace has";
		bool as = strcmp(o->path, o->want) != 0;
		nsshare_debug(NSSHARE_DEBUG_FILES, "  %s%s%s%s: %s%s", o->path,
			      as ? " (as " : "", as ? o->want : "", as ? ")" : "",
			      why ? "shared, " : "private",
			      why ? why : "");
	}
}

/* What the scan says of the object asked for, the first it reports (0:
 * neither glibc nor unique). */
static unsigned scan_kind_of_top(const struct scan *scan)
{
	return scan->closure.count ? scan->closure.items[0].kind : 0;
}

/* Out of line, like nsshare_object_at (object.c): its locals have their
 * address taken, and in a sanitizer build a frame holding such locals
 * cannot end in a tail call (the pass-throughs below must). */
static __attribute__((noinline)) Lmid_t
caller_namespace(const void *return_address)
{
	struct link_map *lm = nsshare_object_at(return_address);
	Lmid_t id = LM_ID_BASE;
	if (lm)
		dlinfo(lm, RTLD_DI_LMID, &id);
	return id;
}

/* dlopen(RTLD_GLOBAL) from code inside a namespace: glibc takes
 * RTLD_GLOBAL for a secondary namespace only from dlopen, which finds the
 * namespace from its caller, so glibc must be entered from the caller's
 * own frame (a tail call in nsshare_dlopen_in_namespace).  While nsshare
 * prepares such a load, final_open only notes the name glibc must open. */
static __thread struct {
	bool active;           /* preparing a load that glibc ends */
	bool noted;            /* NAME is what glibc must open */
	char name[4096];
} global_load;

/* What final_open returns for a load left to glibc. */
static char load_left_to_glibc;

/* The glibc dlmopen that ends a load into the existing namespace ID, or,
 * for a load glibc ends (global_load), the note of NAME.  An object ID
 * already holds is opened here all the same, so that nsshare counts the
 * handle (nsshare_ns_retain); the caller closes that reference again
 * before glibc's open takes the one the user gets. */
static void *final_open(const struct nsshare_real *real, Lmid_t id,
			const char *name, int mode)
{
	if (!global_load.active)
		return real->dlmopen(id, name, mode);
	size_t len = strlen(name);
	if (len >= sizeof global_load.name) {
		nsshare_error(name, "file name too long");
		return NULL;
	}
	memcpy(global_load.name, name, len + 1);
	global_load.noted = true;
	void *held = real->dlmopen(id, name, (mode & RTLD_BINDING_MASK) |
				   RTLD_NOLOAD);
	if (held)
		return held;
	real->dlerror();
	return &load_left_to_glibc;
}

/* The handle of the proxy of PATH in namespace ID, if ID holds one. */
static void *proxy_open_existing(const struct nsshare_real *real, Lmid_t id,
				 const char *path, int mode)
{
	struct nsshare_proxy *proxy = nsshare_proxy_of_file(path);
	if (!proxy || id == LM_ID_NEWLM)
		return NULL;
	char proxy_path[NSSHARE_IMAGE_PATH_MAX];
	nsshare_proxy_path(proxy, proxy_path);
	void *handle = final_open(real, id, proxy_path, mode | RTLD_NOLOAD);
	if (handle == &load_left_to_glibc)
		return NULL; /* not there: nsshare loads it */
	if (handle)
		nsshare_ns_retain(handle);
	return handle;
}

/* RTLD_SHARED into a secondary namespace: base copy plus proxy of PATH,
 * which the caller named FILE.  EXPLICIT (RTLD_SHARED given, or a unique
 * object) is false for a glibc library shared by default: a namespace
 * that holds a private copy of it (made with RTLD_ISOLATE) then gets that
 * copy back, as from stock dlmopen, instead of a refusal.  A fresh
 * namespace gets what CLOSURE lists after PATH too (NULL: nothing but
 * libc), as a glibc library's namespace gets the rest of glibc and ld.so
 * from stock. */
static void *open_shared(const struct nsshare_real *real, Lmid_t id,
			 const char *file, const char *path, int mode,
			 bool explicit, const struct nsshare_closure *closure)
{
	if (id != LM_ID_NEWLM && nsshare_ns_holds(id, path)) {
		/* A private copy: PATH is a file, never a proxy's name. */
		if (!explicit)
			return final_open(real, id, path, mode);
		nsshare_error(path, "object cannot be demoted to a proxy");
		return NULL;
	}
	struct nsshare_proxy *proxy = nsshare_proxy_load(path, mode);
	if (!proxy)
		return NULL;
	char proxy_path[NSSHARE_IMAGE_PATH_MAX];
	nsshare_proxy_path(proxy, proxy_path);
	if (id == LM_ID_NEWLM)
		return nsshare_ns_create(proxy_path, proxy, file, closure, mode);
	void *handle = final_open(real, id, proxy_path, mode);
	if (!handle)
		nsshare_error_take_glibc(file);
	return handle;
}

/* A plain load of PATH, named FILE by the caller, into a secondary
 * namespace, with what CLOSURE says is proxied. */
static void *open_private(const struct nsshare_real *real, Lmid_t id,
			  const char *file, const char *path, int mode,
			  const struct nsshare_closure *closure)
{
	if (id == LM_ID_NEWLM)
		return nsshare_ns_create(path, NULL, file, closure, mode);
	if (!nsshare_ns_add_proxies(id, path, closure))
		return NULL;
	void *handle = final_open(real, id, path, mode);
	if (!handle)
		nsshare_error_take_glibc(file);
	else
		nsshare_ns_retain(handle);
	return handle;
}

/* ld.so matches a bare name against the names and SONAMEs of the objects
 * namespace ID holds before it searches the disk (glibc-facts 1), so a
 * name the caller's search path would not find still opens what ID holds.
 * A proxy is that answer: true with *HANDLE set (NULL with an error if
 * reopening it failed).  Any other object: false with *PATH its file, for
 * the usual checks (a unique object's private copy is refused). */
static bool held_by_name(const struct nsshare_real *real, Lmid_t id,
			 const char *file, int mode, void **handle, char **path)
{
	if (id == LM_ID_NEWLM || strchr(file, '/'))
		return false;
	void *held = real->dlmopen(id, file, RTLD_NOLOAD | RTLD_LAZY);
	if (!held) {
		real->dlerror();
		return false;
	}
	struct link_map *lm = NULL;
	bool proxy = false;
	if (dlinfo(held, RTLD_DI_LINKMAP, &lm) == 0 && lm) {
		proxy = nsshare_proxy_is(lm);
		if (proxy) {
			/* Its own name, to apply MODE as a reopen does. */
			*handle = final_open(real, id, lm->l_name, mode);
			if (*handle)
				nsshare_ns_retain(*handle);
			else
				nsshare_error_take_glibc(file);
		} else {
			*path = strdup(lm->l_name);
		}
	}
	real->dlclose(held);
	return proxy;
}

static void *nsshare_dlopen_in_namespace(const char *file, int mode);

/* The glibc proxies export nsshare_dlopen_in_namespace as dlopen, and
 * iterate.c's nsshare_iterate_in_namespace as dl_iterate_phdr; proxy.c is
 * given them here, so that it never names an entry point above it. */
static pthread_once_t proxy_once = PTHREAD_ONCE_INIT;

static void proxy_init(void)
{
	nsshare_proxy_init(nsshare_dlopen_in_namespace,
			   nsshare_iterate_in_namespace);
}

/* RTLD_ISOLATE alone asks for stock dlmopen. */
static bool isolated(int mode)
{
	return (mode & RTLD_ISOLATE) && !(mode & RTLD_SHARED);
}

/* Whether MODE asks for both RTLD_SHARED and RTLD_ISOLATE, said as
 * FILE's error. */
static bool flags_clash(const char *file, int mode)
{
	if (!(mode & RTLD_SHARED) || !(mode & RTLD_ISOLATE))
		return false;
	nsshare_error(file, "RTLD_SHARED and RTLD_ISOLATE exclude each other");
	return true;
}

/* nsshare's own path: FILE into secondary namespace ID (or LM_ID_NEWLM),
 * on behalf of the code at CALLER. */
static void *open_secondary_locked(const struct nsshare_real *real,
				   Lmid_t id, const char *file, int mode,
				   const void *caller)
{
	if (flags_clash(file, mode))
		return NULL;
	if (!nsshare_init())
		return NULL;
	pthread_once(&proxy_once, proxy_init);
	/* Into a fresh namespace: the library and its closure are the
	 * root's needs, which makes them its global scope already.  (Into
	 * an existing one, open_global has taken RTLD_GLOBAL off.) */
	if ((mode & RTLD_GLOBAL) && (mode & RTLD_BINDING_MASK) &&
	    id == LM_ID_NEWLM && !(mode & RTLD_NOLOAD))
		mode &= ~RTLD_GLOBAL;
	int glibc_mode = mode & ~NSSHARE_OWN_FLAGS;
	/* Modes glibc refuses for any secondary namespace, before it loads
	 * anything: glibc says so in its own words, and nothing is loaded
	 * or pinned on the way to its refusal. */
	if ((mode & RTLD_BINDING_MASK) == 0 || (mode & RTLD_GLOBAL))
		return real->dlmopen(id, file, glibc_mode);
	void *handle = NULL;
	char *path = NULL;
	if (held_by_name(real, id, file, glibc_mode, &handle, &path))
		return handle;
	if (!path)
		path = nsshare_search_resolve(file, nsshare_object_at(caller));
	if (!path) {
		nsshare_error(file, "cannot open shared object file: "
			      "No such file or directory");
		return NULL;
	}
	handle = proxy_open_existing(real, id, path, glibc_mode);
	if (handle || (mode & RTLD_NOLOAD)) {
		free(path);
		return handle ? handle : final_open(real, id, file, glibc_mode);
	}
	/* Fails, naming PATH, when ID is no namespace in use; the scan
	 * below asks ID about names. */
	if (id != LM_ID_NEWLM && !nsshare_ns_add_proxies(id, path, NULL)) {
		free(path);
		return NULL;
	}
	nsshare_debug_step("search");
	struct scan scan = { .id = id };
	int scanned = nsshare_search_closure(path, id == LM_ID_NEWLM ? NULL
								     : scan_loaded,
					     scan_found, &scan);
	nsshare_debug_step("closure");
	if (scanned < 0) {
		handle = NULL;
	} else if (scan.closure.failed) {
		nsshare_error(path, "out of memory");
	} else {
		/* A unique object is shared as if RTLD_SHARED were given; a
		 * glibc library asked for by name is shared like the rest of
		 * glibc, but keeps a private copy a namespace has. */
		unsigned kind = scan_kind_of_top(&scan);
		debug_closure(&scan, file, mode);
		/* A glibc library's closure is glibc and ld.so, all of it
		 * shared; a shared object's dependencies are its base
		 * copy's. */
		bool glibc_top = kind == NSSHARE_SHARE_GLIBC;
		if ((mode & RTLD_SHARED) || kind)
			handle = open_shared(real, id, file, path, glibc_mode,
					     (mode & RTLD_SHARED) ||
					     (kind & NSSHARE_SHARE_UNIQUE),
					     glibc_top ? &scan.closure : NULL);
		else
			handle = open_private(real, id, file, path, glibc_mode,
					      &scan.closure);
		/* glibc's namespaces used up: an instance instead (which a
		 * shared object refuses, being the base copy already). */
		if (!handle && id == LM_ID_NEWLM && nsshare_error_no_namespace())
			handle = nsshare_instance_create(file, &scan.closure,
							 mode);
	}
	scan_free(&scan);
	free(path);
	return handle;
}

static void *open_secondary(const struct nsshare_real *real, Lmid_t id,
			    const char *file, int mode, const void *caller)
{
	nsshare_loader_enter();
	nsshare_debug_steps_begin();
	void *handle = open_secondary_locked(real, id, file, mode, caller);
	nsshare_debug_steps_end(file);
	nsshare_loader_leave();
	nsshare_bindings_report(handle);
	return handle;
}

/* glibc's dlopen FN entered as if called from SITE: SITE is the return
 * address FN sees, and it holds a return instruction (a byte 0xc3 of code
 * of another namespace's own) that goes on to the end of this function.
 * glibc takes RTLD_GLOBAL for a secondary namespace only from dlopen,
 * which finds the namespace from its caller (glibc-facts 15), so this is
 * how a caller in the base reaches a namespace's global scope. */
void *nsshare_dlopen_from_site(void *(*fn)(const char *, int),
			       const char *file, int mode, const void *site);
#if defined(__x86_64__)
__asm__(".text\n"
	".globl nsshare_dlopen_from_site\n"
	".hidden nsshare_dlopen_from_site\n"
	".type nsshare_dlopen_from_site, @function\n"
	"nsshare_dlopen_from_site:\n"
	"	lea 1f(%rip), %rax\n" /* where SITE's return comes back */
	"	push %rax\n"
	"	push %rcx\n"          /* FN's return address: SITE */
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %edx, %esi\n"
	"	jmp *%rax\n"          /* the stack is as after a call */
	"1:	ret\n"
	".size nsshare_dlopen_from_site, .-nsshare_dlopen_from_site\n");
#define SITE_CALLS 1
#else
#define SITE_CALLS 0
void *nsshare_dlopen_from_site(void *(*fn)(const char *, int),
			       const char *file, int mode, const void *site)
{
	(void)fn, (void)mode, (void)site;
	nsshare_error(file, "RTLD_GLOBAL into a namespace from outside it "
		      "is not supported on this architecture");
	return NULL;
}
#endif

/* Whether the kernel keeps a shadow stack for this thread: a return to
 * SITE that FN's caller did not call from would end the process. */
static bool shadow_stack_on(void)
{
#if defined(__x86_64__) && defined(SYS_arch_prctl)
	unsigned long features = 0;
	return syscall(SYS_arch_prctl, 0x5005 /* ARCH_SHSTK_STATUS */,
		       &features) == 0 && (features & 1);
#else
	return false;
#endif
}

/* Where dlopen is to see its caller for a load into namespace ID from
 * the base; NULL with an error naming FILE where there is no such place.
 * Out of line, as nsshare_object_at is (shadow_stack_on takes an address). */
static __attribute__((noinline)) const void *global_site(Lmid_t id,
							  const char *file)
{
	const char *why = NULL;
	const void *site = NULL;
	if (!SITE_CALLS || shadow_stack_on())
		why = "not with this architecture or a shadow stack";
	else if (!(site = nsshare_ns_return_site(id)))
		why = "the namespace runs no code of its own that glibc's "
		      "dlopen could take for the caller";
	if (why)
		nsshare_error(file, "RTLD_GLOBAL into namespace %ld from "
			      "outside it: %s; call dlopen from code inside "
			      "it", (long)id, why);
	return site;
}

/* RTLD_GLOBAL into the existing namespace ID: nsshare prepares the load
 * (proxies in place of the shared objects) and glibc's dlopen does it for
 * a caller in ID, adding it to the namespace's global scope that scope.c
 * gave it.  INSIDE: the caller is code in ID, and glibc is entered from
 * its frame (a tail call here and in the caller); else from a site in ID
 * (nsshare_dlopen_from_site). */
static void *open_global(const struct nsshare_real *real, Lmid_t id,
			 const char *file, int mode, const void *caller,
			 bool inside)
{
	if (!nsshare_ns_has_global_scope(id)) {
		nsshare_error(file, "RTLD_GLOBAL: namespace %ld has no global "
			      "scope (not made by nsshare, or glibc's layout "
			      "is not the one nsshare knows)", (long)id);
		return NULL;
	}
	const void *site = NULL;
	if (!inside && !(site = global_site(id, file)))
		return NULL;
	global_load.active = true;
	global_load.noted = false;
	void *prepared = open_secondary(real, id, file, mode & ~RTLD_GLOBAL,
					caller);
	global_load.active = false;
	if (!prepared || !global_load.noted)
		return prepared;
	if (prepared != &load_left_to_glibc)
		real->dlclose(prepared);
	mode &= ~NSSHARE_OWN_FLAGS;
	if (inside)
		return real->dlopen(global_load.name, mode);
	return nsshare_dlopen_from_site(real->dlopen, global_load.name, mode,
					site);
}

/* dlmopen(ID, FILE) into instance ID: FILE's closure there, what is
 * shared as it is, the rest as the instance's copies.  Out of line: its
 * locals have their address taken, and in a sanitizer build a frame that
 * holds such locals cannot end in a tail call (dlmopen's must). */
static __attribute__((noinline)) void *open_in_instance(const struct nsshare_real *real, Lmid_t id,
			      const char *file, int mode, const void *caller)
{
	if (!file || !*file || !nsshare_instance_exists(id)) {
		nsshare_error(file && *file ? file : "(null)", !file || !*file
			      ? "an instance has no main program to open"
			      : "invalid target namespace in dlmopen()");
		return NULL;
	}
	if (flags_clash(file, mode))
		return NULL;
	/* What RTLD_ISOLATE asks for starts with a libc of its own. */
	if (mode & RTLD_ISOLATE) {
		nsshare_error(file, "RTLD_ISOLATE needs a namespace of its own; "
			      "an instance shares glibc with the base namespace");
		return NULL;
	}
	/* A copy's $ORIGIN is the folder of the file it copies. */
	struct link_map *from = nsshare_object_at(caller);
	char *from_file;
	if (nsshare_instance_of_copy(from, &from_file) && !from_file) {
		nsshare_error(file, "out of memory");
		return NULL;
	}
	char *path = nsshare_search_resolve_as(file, from, from_file);
	free(from_file);
	if (!path) {
		nsshare_error(file, "cannot open shared object file: "
			      "No such file or directory");
		return NULL;
	}
	nsshare_loader_enter();
	struct scan scan = { .id = id };
	void *handle = NULL;
	if (nsshare_search_closure(path, NULL, scan_found, &scan) < 0) {
		handle = NULL;
	} else if (scan.closure.failed) {
		nsshare_error(path, "out of memory");
	} else if ((mode & RTLD_SHARED) || scan_kind_of_top(&scan)) {
		/* What an instance shares is the base copy itself. */
		handle = real->dlmopen(LM_ID_BASE, path,
				       (mode & ~NSSHARE_OWN_FLAGS) | RTLD_NODELETE);
		if (!handle)
			nsshare_error_take_glibc(file);
	} else {
		handle = nsshare_instance_add(id, file, &scan.closure,
					      mode & ~NSSHARE_OWN_FLAGS);
	}
	scan_free(&scan);
	nsshare_loader_leave();
	free(path);
	return handle;
}

/* The instance whose copy holds the code at CALLER, or 0.  Out of line,
 * as caller_namespace is. */
static __attribute__((noinline)) Lmid_t caller_instance(const void *caller)
{
	return nsshare_instance_of_copy(nsshare_object_at(caller), NULL);
}

/* dlopen from the base namespace, every caller's there: glibc's, as a
 * true tail call, but for code inside an instance, whose loads go into
 * its instance as they would go into a real namespace from code inside
 * it (dlmopen of the instance's id, with the caller's search path). */
NSSHARE_API void *dlopen(const char *file, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return NULL;
	if (!nsshare_instances_any() || !file || !*file)
		return real->dlopen(file, mode);
	Lmid_t id = caller_instance(__builtin_return_address(0));
	if (!id)
		return real->dlopen(file, mode);
	return open_in_instance(real, id, file, mode,
				__builtin_return_address(0));
}

NSSHARE_API void *dlmopen(Lmid_t id, const char *file, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return NULL;
	if (!nsshare_glibc_ok() && (mode & RTLD_SHARED)) {
		nsshare_error(file ? file : "(null)", "RTLD_SHARED needs glibc "
			      "%d.%d or later; this is glibc %s",
			      NSSHARE_GLIBC_FLOOR_MAJOR,
			      NSSHARE_GLIBC_FLOOR_MINOR, gnu_get_libc_version());
		return NULL;
	}
	if (id >= NSSHARE_INSTANCE_FIRST && nsshare_glibc_ok())
		return open_in_instance(real, id, file, mode,
					__builtin_return_address(0));
	if (id == LM_ID_BASE || isolated(mode) || !nsshare_glibc_ok())
		return real->dlmopen(id, file, mode & ~NSSHARE_OWN_FLAGS);
	if (!file || !*file) {
		if (mode & RTLD_SHARED) {
			nsshare_error(file ? "\"\"" : "(null)",
				      "RTLD_SHARED needs the name of an object");
			return NULL;
		}
		return real->dlmopen(id, file, mode);
	}
	const void *caller = __builtin_return_address(0);
	if (id != LM_ID_NEWLM && (mode & RTLD_GLOBAL) &&
	    (mode & RTLD_BINDING_MASK))
		return open_global(real, id, file, mode, caller, false);
	return open_secondary(real, id, file, mode, caller);
}

/* What code inside a secondary namespace calls as dlopen: the glibc
 * proxies export it in place of glibc's, so that loads made from inside a
 * namespace get nsshare's semantics for the caller's namespace.  The base
 * namespace's dlopen stays glibc's, untouched. */
static void *nsshare_dlopen_in_namespace(const char *file, int mode)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return NULL;
	const void *caller = __builtin_return_address(0);
	/* Reached through a glibc proxy, so normally from a secondary
	 * namespace; glibc's dlopen finds the same namespace and search path
	 * from the return address when we pass through. */
	Lmid_t id = caller_namespace(caller);
	if (id == LM_ID_BASE || !file || !*file || isolated(mode))
		return real->dlopen(file, mode & ~NSSHARE_OWN_FLAGS);
	if (!(mode & RTLD_GLOBAL) || !(mode & RTLD_BINDING_MASK))
		return open_secondary(real, id, file, mode, caller);
	return open_global(real, id, file, mode, caller, true);
}

NSSHARE_API int dlclose(void *handle)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return -1;
	nsshare_loader_enter();
	int rc;
	if (nsshare_instance_close(handle, &rc)) {
		nsshare_loader_leave();
		return rc;
	}
	struct nsshare_ns *ns = nsshare_ns_release(handle);
	rc = real->dlclose(handle);
	if (ns)
		nsshare_ns_destroy(ns);
	nsshare_loader_leave();
	return rc;
}

/* dlinfo answers for an instance as for a namespace: RTLD_DI_LMID gives
 * the instance's id.  Everything else is glibc's. */
NSSHARE_API int dlinfo(void *handle, int request, void *arg)
{
	const struct nsshare_real *real = nsshare_real();
	if (!real)
		return -1;
	/* A handle is its object's link map in glibc. */
	Lmid_t id = request == RTLD_DI_LMID ? nsshare_instance_of_copy(handle, NULL)
					   : 0;
	if (id) {
		*(Lmid_t *)arg = id;
		return 0;
	}
	return real->dlinfo(handle, request, arg);
}
