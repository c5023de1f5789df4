/* Internal interfaces of libnsshare.  Nothing here is exported: the
 * library is built with -fvisibility=hidden and a version script, and only
 * the entry points in dlfcn.c carry NSSHARE_API.
 *
 * Data flow of one dlmopen() call (doc/design.md has the layers):
 *   dlfcn.c      entry point: decides pass-through or nsshare's own path
 *   search.c     finds the file the caller meant
 *   closure.c    finds its DT_NEEDED closure, in ld.so's load order, with
 *                what to proxy (below these two: ldso.h's files)
 *   proxy.c      loads base copies and keeps one proxy image per base copy
 *   object.c     reads a loaded object's dynamic symbols and versions
 *   image.c      writes proxy and root images with libelf into sealed memfds
 *   tls.c        binds a proxy's TLS symbols to its base copy's block
 *   namespace.c  fresh namespaces (root objects) and what each one holds
 *   iterate.c    dl_iterate_phdr for a namespace, proxies as base copies
 *   error.c      our errors, delivered through dlerror()
 *   real.c       glibc's own dlmopen, dlclose..., the only way down to them
 */
#ifndef NSSHARE_INTERNAL_H
#define NSSHARE_INTERNAL_H

#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "nsshare.h"

#define NSSHARE_API __attribute__((visibility("default")))

/* Flags nsshare owns; glibc never sees them. */
#define NSSHARE_OWN_FLAGS (RTLD_SHARED | RTLD_ISOLATE)

/* ---- real.c: glibc's own entry points, found past our interposition. */
struct nsshare_real {
	void *(*dlopen)(const char *, int);
	int (*dlinfo)(void *, int, void *);
	void *(*dlmopen)(Lmid_t, const char *, int);
	int (*dlclose)(void *);
	char *(*dlerror)(void);
};
/* Filled once; returns NULL (after setting an error) if glibc's functions
 * cannot be found. */
const struct nsshare_real *nsshare_real(void);
/* The oldest glibc nsshare works with: 2.28 is the first whose ld.so
 * takes SHN_ABS symbols at face value (BZ 19818), which every proxy rests
 * on.  The matrix (scripts/matrix.sh) tests 2.31, 2.36 and 2.41. */
#define NSSHARE_GLIBC_FLOOR_MAJOR 2
#define NSSHARE_GLIBC_FLOOR_MINOR 28
/* Whether glibc VERSION ("2.36", as gnu_get_libc_version() gives it) is
 * MAJOR.MINOR or later; false for what is not a version. */
bool nsshare_glibc_at_least(const char *version, unsigned major,
			    unsigned minor);
/* Whether the running glibc is.  Below it every call passes through to
 * glibc and RTLD_SHARED fails. */
bool nsshare_glibc_ok(void);

/* ---- error.c */
/* Records an error for dlerror(): "<object>: <reason>". */
void nsshare_error(const char *object, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Moves glibc's pending error (from a failed real call) into ours, so that
 * cleanup calls after it cannot lose it.  nsshare's images in it (roots
 * and proxies, /proc/<pid>/fd/<n>) are named OBJECT instead, and the
 * message gets "OBJECT: " in front unless it names OBJECT already
 * (OBJECT may be NULL): what the caller asked for, as the caller named
 * it, so that the text is stock's where stock's names it. */
void nsshare_error_take_glibc(const char *object);
/* nsshare_error_take_glibc, with each FROM[i] (of N) in glibc's message
 * replaced by TO[i] first: an instance's copies named by their files. */
void nsshare_error_take_glibc_renaming(const char *object,
				       const char *const *from,
				       const char *const *to, size_t n);
/* Whether the pending error says that glibc has no namespace left. */
bool nsshare_error_no_namespace(void);
/* Hands down OWNER, which a glibc "undefined symbol" error asks for the
 * object nsshare shares that defines SYMBOL (true: its name is in LIB). */
void nsshare_error_symbol_owner(bool (*owner)(const char *symbol, char *lib,
					      size_t cap));
/* Hands down EXPLAIN, which nsshare_error_take_glibc asks first to put a
 * glibc message in the user's terms (true: BUF holds the whole text). */
void nsshare_error_explainer(bool (*explain)(const char *msg,
					     const char *object, char *buf,
					     size_t cap));

/* ---- lock.c: the table lock guards nsshare's lists; it is never held
 * while calling into glibc's loader (dlmopen, dlclose, dlsym): glibc holds
 * its own load lock while running constructors, and a constructor may call
 * us.  The loader lock brackets each of nsshare's own loader operations,
 * so that fork() waits for them to finish (see lock.c). */
void nsshare_lock(void);
void nsshare_unlock(void);
void nsshare_loader_enter(void);
void nsshare_loader_leave(void);
/* filecache.c's part of lock.c's fork handlers (its file cache lock). */
void nsshare_search_fork_prepare(void);
void nsshare_search_fork_parent(void);
void nsshare_search_fork_child(void);
/* One-time setup (atfork handlers); false with an error set on failure. */
bool nsshare_init(void);

/* ---- object.c: a loaded object read from memory. */
struct nsshare_sym {
	const char *name;     /* in the object's string table */
	const ElfW(Sym) *sym; /* the object's own symbol */
	uint16_t versym;      /* index | 0x8000 when hidden; 1 when none */
};
struct nsshare_verdef {
	uint16_t ndx;
	uint16_t flags;
	const char *name;
};
/* A PT_LOAD segment of a loaded object, as mapped. */
struct nsshare_segment {
	ElfW(Addr) start, end;
	unsigned flags; /* PF_R, PF_W, PF_X */
};
/* The header of a GNU hash table, its Bloom filter and buckets readable;
 * nbuckets 0 when they are not. */
struct nsshare_gnu_table {
	uint32_t nbuckets, symoffset, bloom_size, shift;
	const ElfW(Addr) *bloom;
	const uint32_t *buckets, *chain;
};

struct nsshare_object {
	struct link_map *lm;
	const char *soname;       /* NULL when the object has none */
	const ElfW(Sym) *symtab;
	const char *strtab;
	size_t strsz;             /* of DT_STRSZ, what lies in its segment
				   * up to a NUL; 0 if the table leaves it */
	const ElfW(Half) *versym; /* NULL when unversioned */
	size_t nsyms;             /* entries in symtab, including index 0 */
	struct nsshare_verdef *verdefs;
	size_t nverdefs;
	bool needs_glibc_private;
	const char *rtld_needed;  /* its DT_NEEDED name of ld.so, or NULL */
	const uint32_t *hash;     /* DT_HASH, or NULL; unchecked and unread
				   * next to a GNU hash, as by ld.so */
	const uint32_t *gnu_hash; /* DT_GNU_HASH, or NULL */
	struct nsshare_gnu_table gnu; /* its header, checked at reading */
	struct nsshare_segment *segs;
	size_t nsegs;
	ElfW(Phdr) tls;           /* PT_TLS, p_memsz 0 when it has none */
	size_t tls_modid;
};
/* The address a d_ptr of a loaded object's dynamic section stands for:
 * glibc relocates some tags in place and leaves others (DT_VERDEF,
 * DT_VERNEED) as offsets (glibc-facts 10); other ports relocate none.  An
 * offset is always below the load address L_ADDR. */
const void *nsshare_dyn_pointer(ElfW(Addr) l_addr, ElfW(Addr) ptr);
/* Whether NAME (a path or a file name) is shaped like ld.so's on Linux:
 * ld-linux*, ld64.so*, ld.so, ld.so.*.  The running one may be called
 * otherwise too (closure.c knows its identity). */
bool nsshare_rtld_name_like(const char *name);
/* Whether every PT_LOAD of the N program headers PH lies in the span ld.so
 * reserves for them, from the first one's page to the last one's end:
 * ld.so maps each segment into it at a fixed address, so one outside (out
 * of the ascending order ELF requires) was mapped over whatever the
 * process had there, its heap perhaps, and its bytes are not the
 * object's to read.  False too with no PT_LOAD, or one that wraps. */
bool nsshare_loads_in_span(const ElfW(Phdr) *ph, size_t n);
/* Reads LM's dynamic section.  Returns false with an error set.  Every
 * table and string is bounded by the object's readable segments: a
 * damaged one that a proxy needs is refused ("damaged symbol table"),
 * one that it does not is left unread, as ld.so leaves it. */
bool nsshare_object_read(struct link_map *lm, struct nsshare_object *obj);
void nsshare_object_free(struct nsshare_object *obj);
/* Copies SIZE bytes at ADDR of this process to BUF; false where any of
 * them is not mapped readable (process_vm_readv: never a fault). */
bool nsshare_memory_read(ElfW(Addr) addr, void *buf, size_t size);
/* An address in LM's executable segments that holds a return instruction,
 * or NULL.  Read with process_vm_readv, so a damaged or unmapped header
 * is an answer of NULL, never a fault: LM may be an object of any
 * namespace, which the base's dl_iterate_phdr does not list. */
const void *nsshare_object_return_site(const struct link_map *lm);
/* The loaded object (of any namespace) whose code or data ADDRESS lies
 * in, or NULL.  dladdr takes ld.so's load lock. */
struct link_map *nsshare_object_at(const void *address);
/* glibc's dl_iterate_phdr record of the base object LM (the one whose
 * load address and PT_DYNAMIC are LM's), copied to *INFO: its program
 * headers, name and TLS block as glibc reports them.  False when LM is
 * no object of the base namespace.  glibc holds its list lock (which is
 * recursive) while it looks, so this may be called from inside a
 * dl_iterate_phdr callback. */
bool nsshare_object_info(const struct link_map *lm, struct dl_phdr_info *info);
/* The object's own definition of NAME (any version), or NULL: looked up
 * in its hash table the way ld.so does, without asking ld.so. */
const ElfW(Sym) *nsshare_object_lookup(const struct nsshare_object *obj,
				       const char *name);
/* The size in bytes of OBJ's GNU hash table (0 when it has none): its
 * header, Bloom filter, buckets and the chains of its symbols. */
size_t nsshare_object_gnu_hash_size(const struct nsshare_object *obj);
/* The same, for a NAME whose nsshare_gnu_hash is HASH: a name looked up
 * in several objects is hashed once. */
const ElfW(Sym) *nsshare_object_lookup_hashed(const struct nsshare_object *obj,
					      const char *name, uint32_t hash);
/* The SysV ELF hash of NAME (DT_HASH and vd_hash). */
unsigned long nsshare_elf_hash(const char *name);
/* The GNU hash of NAME (DT_GNU_HASH). */
uint32_t nsshare_gnu_hash(const char *name);
/* The name of OBJ's symbol SYM, or NULL when st_name leads out of the
 * object's segments or the name does not end inside one. */
const char *nsshare_object_sym_name(const struct nsshare_object *obj,
				    const ElfW(Sym) *sym);
/* Whether ADDR lies in a segment of OBJ mapped with all of FLAGS. */
bool nsshare_object_maps(const struct nsshare_object *obj, ElfW(Addr) addr,
			 unsigned flags);
/* The name of version index NDX (without the hidden bit), or NULL. */
const char *nsshare_object_version(const struct nsshare_object *obj,
				   uint16_t ndx);
/* An object belongs to glibc when it defines a GLIBC_* version or needs
 * GLIBC_PRIVATE: those must be proxied as a group (glibc-facts 8). */
bool nsshare_object_is_glibc(const struct nsshare_object *obj);
/* That rule on one version: a definition (with its vd_flags) or a need.
 * elfread.c applies it to files on disk. */
bool nsshare_glibc_verdef(const char *name, unsigned flags);
bool nsshare_glibc_verneed(const char *name);

/* ---- image.c: synthesized shared objects. */
struct nsshare_image_sym {
	const char *name;
	ElfW(Addr) value;  /* absolute runtime address */
	ElfW(Xword) size;
	unsigned char info; /* ELF64_ST_INFO(bind, type) */
	uint16_t versym;
};
struct nsshare_image_spec {
	const char *soname;                  /* may be NULL */
	const char *const *needed;           /* DT_NEEDED, in order */
	size_t nneeded;
	const struct nsshare_image_sym *syms;
	size_t nsyms;
	/* Or, in place of SYMS, a base copy's own symbol table: TABLE_NSYMS
	 * entries in its order (0 the null one), names as offsets into
	 * STRTAB, each with its version in TABLE_VERSYM, and the base copy's
	 * GNU hash table of them (TABLE_GNU_HASH_SIZE bytes), all written as
	 * they are.  image.c gives STT_TLS symbols their section in TABLE. */
	ElfW(Sym) *table;
	ElfW(Half) *table_versym;
	size_t table_nsyms;
	const uint32_t *table_gnu_hash;
	size_t table_gnu_hash_size;
	const struct nsshare_verdef *verdefs; /* copied with their indices */
	size_t nverdefs;
	/* A string table to start the image's from, or NULL: names that lie
	 * in it are written as offsets into the copy.  Proxies pass the base
	 * copy's, which ld has already shared tails and repeats in. */
	const char *strtab;
	size_t strsz;
	/* Also a DT_HASH table.  ld.so reads only DT_GNU_HASH where there is
	 * one: proxies carry DT_HASH only when their base copy has nothing
	 * else, which saves a tenth of libc's proxy in every namespace. */
	bool sysv_hash;
	/* The size of the TLS block that STT_TLS symbols' values are
	 * offsets in (the base copy's); 0 when there are none. */
	size_t tls_size;
	/* Called while ld.so relocates a loaded image, before any object
	 * that binds to it, as HOOK(HOOK_ARG, an address in the image); NULL
	 * for none.  x86_64 only (the image then has a page of code). */
	ElfW(Addr) (*hook)(void *hook_arg, const void *in_image);
	void *hook_arg;
};
/* Adds SEALS to the memfd FD.  True too where F_ADD_SEALS is unknown
 * (EINVAL): valgrind before 3.17, Debian 11's, does not emulate it, and
 * a program under it gets unsealed images rather than none; every kernel
 * that has memfd_create has sealing. */
bool nsshare_memfd_seal(int fd, unsigned seals);
/* Writes the image to a new sealed, close-on-exec memfd named after NAME.
 * Returns the fd, or -1 with an error set naming NAME. */
int nsshare_image_write(const struct nsshare_image_spec *spec,
			const char *name);

struct nsshare_closure;

/* ---- debug.c: NSSHARE_DEBUG. */
enum nsshare_debug_category {
	NSSHARE_DEBUG_FILES = 1,
	NSSHARE_DEBUG_SCOPES = 2,
	NSSHARE_DEBUG_IMAGES = 4,
	NSSHARE_DEBUG_BINDINGS = 8,
};
/* Whether NSSHARE_DEBUG asks for CATEGORY (read once; never in secure
 * mode). */
bool nsshare_debug_on(unsigned category);
/* NSSHARE_DEBUG=images: the steps of one dlmopen, each timed from the one
 * before, told as one line at the end ("dlmopen=FILE;  T us: STEP T us,
 * ...").  Nested begins (a constructor's dlmopen) add to the outer one. */
void nsshare_debug_steps_begin(void);
void nsshare_debug_step(const char *what);
void nsshare_debug_steps_end(const char *object);
/* One line of CATEGORY's output, in LD_DEBUG's format, if it is asked
 * for. */
void nsshare_debug(unsigned category, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- bindings.c: NSSHARE_DEBUG=bindings. */
/* Reports the bindings through proxies of the objects of HANDLE's
 * namespace that no earlier report covered; nothing unless the category
 * is asked for.  Called after a load, outside the loader lock. */
void nsshare_bindings_report(void *handle);

/* ---- copy.c: copies of objects with an identity of their own. */
struct nsshare_copy_spec {
	const char *path;              /* the file copied */
	const char *soname;            /* the copy's DT_SONAME */
	/* DT_NEEDED and version need file names FROM[i] become TO[i]. */
	const char *const *from, *const *to;
	size_t nrenames;
};
/* A new memfd for a copy of the file named NAME; -1 with an error set. */
int nsshare_copy_open(const char *name);
/* Writes the copy SPEC says into FD, sealed against changes of size;
 * false with an error set naming the file. */
bool nsshare_copy_write(int fd, const struct nsshare_copy_spec *spec);
/* Once ld.so has loaded the copy in FD by PATH: maps the pages of its
 * code that hold what FILE holds from FILE, sharing them with its page
 * cache, punches them out of FD and seals FD against writes.  Bytes no
 * longer held by the memfd.  Best effort: a page that cannot be shared
 * stays the copy's. */
size_t nsshare_copy_share_code(int fd, const char *path, const char *file);

/* ---- instance.c: instances past glibc's namespaces. */
/* Instance ids start at NSSHARE_INSTANCE_FIRST (nsshare.h), above every
 * real namespace (DL_NNS is 16). */
/* Loads CLOSURE (its first object the library OBJECT names) as a new
 * instance: copies of its private objects in the base namespace, what is
 * shared as it is; refused for a shared library (MODE's RTLD_SHARED, or
 * a shared first object).  The library's handle, or NULL with an error
 * set. */
void *nsshare_instance_create(const char *object,
			      const struct nsshare_closure *closure, int mode);
/* Whether instance ID is there. */
bool nsshare_instance_exists(Lmid_t id);
/* Loads CLOSURE (its first object the library OBJECT names) into instance
 * ID, reusing the copies it has: dlmopen(ID, OBJECT).  Called under the
 * loader lock.  The library's handle, or NULL with an error set. */
void *nsshare_instance_add(Lmid_t id, const char *object,
			   const struct nsshare_closure *closure, int mode);
/* dl_iterate_ns_phdr of instance ID: its copies, named by the files they
 * copy.  -1 with an error set (errno is the caller's to set) when there
 * is no instance ID. */
int nsshare_instance_iterate(Lmid_t id,
			     int (*callback)(struct dl_phdr_info *, size_t,
					     void *),
			     void *data);
/* Whether any instance is there: a cheap test, without the lock, for the
 * dlopen every caller of the base namespace goes through. */
bool nsshare_instances_any(void);
/* The instance whose copy LM (any object's link map, or a handle) is, or
 * 0; *FILE (when not NULL) a malloc'd path of the file LM copies, NULL
 * when LM is no copy or memory ran out. */
Lmid_t nsshare_instance_of_copy(const struct link_map *lm, char **file);
/* Closes HANDLE if it is an instance's, freeing the instance with its last
 * handle; *RC is dlclose's.  False (nothing done) for any other handle. */
bool nsshare_instance_close(void *handle, int *rc);

/* ---- tls.c: thread-local variables of shared objects. */
/* Whether a proxy of OBJ can carry its TLS symbols: OBJ has a TLS block
 * and nsshare knows where glibc keeps a link map's TLS module id and
 * offset (read off OBJ's own the first time). */
bool nsshare_tls_supported(const struct nsshare_object *obj);
/* The image hook of such a proxy (nsshare_image_spec.hook), with the base
 * copy's link map as BASE_COPY: gives the proxy's link map the base
 * copy's TLS module id and static TLS offset. */
ElfW(Addr) nsshare_tls_bind(void *base_copy, const void *in_proxy);
/* glibc's MSG, refusing an initial-exec relocation against a proxy that
 * the calling thread's last nsshare_tls_bind left without static TLS,
 * said in the user's terms for OBJECT (what was being opened) into BUF
 * of CAP bytes; false for any other message. */
bool nsshare_tls_explain(const char *msg, const char *object, char *buf,
			 size_t cap);

/* ---- imagename.c: the names ld.so opens images by. */
/* The path under which ld.so opens the image FD and an auditor or a
 * debugger finds it: DIR/<fd>/NAME, a link to /proc/<pid>/fd/<fd> in the
 * process's own directory, NAME's last component being the file name of
 * what the image stands for; /proc/<pid>/fd/<fd> where there is no such
 * directory (secure mode) or NAME is NULL.  BUF must hold
 * NSSHARE_IMAGE_PATH_MAX bytes. */
#define NSSHARE_IMAGE_PATH_MAX 512
void nsshare_image_path(int fd, const char *name, char *buf);
/* The descriptor of the image that a path nsshare_image_path gave in
 * this process or an ancestor names, or -1 for any other path. */
int nsshare_image_path_fd(const char *path);
/* For lock.c's fork handlers. */
void nsshare_image_names_lock(void);
void nsshare_image_names_unlock(void);
/* The inode FD refers to, or 0.  An image's descriptor is intact while it
 * still names the memfd written for it: a program may close descriptors
 * it does not know about (daemons close them all). */
ino_t nsshare_fd_ino(int fd);

/* ---- proxy.c: one proxy image per base copy, for the whole process. */
struct nsshare_proxy;
/* Hands down DLOPEN_IN_NAMESPACE (dlfcn.c's) and ITERATE_IN_NAMESPACE
 * (iterate.c's), what glibc proxies export as dlopen and dl_iterate_phdr;
 * called once, before the first proxy is built. */
typedef int nsshare_phdr_callback(struct dl_phdr_info *, size_t, void *);
void nsshare_proxy_init(void *(*dlopen_in_namespace)(const char *, int),
			int (*iterate_in_namespace)(nsshare_phdr_callback *,
						    void *));
/* Loads PATH into the base namespace if it is not there yet, pinned
 * (RTLD_NODELETE), and returns its proxy, built on first use.  MODE gives
 * the binding (RTLD_LAZY or RTLD_NOW).  NULL with an error set. */
struct nsshare_proxy *nsshare_proxy_load(const char *path, int mode);
/* The path to give the real dlmopen (nsshare_image_path), copied to BUF
 * of NSSHARE_IMAGE_PATH_MAX bytes. */
void nsshare_proxy_path(const struct nsshare_proxy *proxy, char *buf);
/* The same for the image of the proxy that ld.so matches a request for
 * NAME with: the proxy's own when NAME is its base copy's SONAME (or
 * NULL), else an alias image carrying NAME as its SONAME, written on
 * first use.  False with an error set. */
bool nsshare_proxy_path_as(struct nsshare_proxy *proxy, const char *name,
			   char *buf);
/* Whether PROXY's image needs ld.so (its base copy does: libc). */
bool nsshare_proxy_needs_rtld(const struct nsshare_proxy *proxy);
/* Whether the loaded object LM is one of nsshare's proxies. */
bool nsshare_proxy_is(const struct link_map *lm);
/* The base copy whose proxy (or alias image) the loaded object LM is, or
 * NULL when LM is none of nsshare's proxies. */
struct link_map *nsshare_proxy_base_of(const struct link_map *lm);
/* The proxy of the file at PATH (same device and inode as its base copy),
 * or NULL when none was built. */
struct nsshare_proxy *nsshare_proxy_of_file(const char *path);

/* ---- search.c and closure.c: what ld.so would load, found without
 * loading it. */
/* Resolves NAME as ld.so resolves a dlopen(NAME) called from CALLER (the
 * link map of the calling object, or NULL): a name with a '/' is returned
 * as given; a bare name is looked up in the caller's DT_RPATH (when it has
 * no DT_RUNPATH), LD_LIBRARY_PATH, the caller's DT_RUNPATH ($ORIGIN being
 * the caller's folder), /etc/ld.so.cache and the default directories.
 * Returns a malloc'd path, or NULL when nothing was found (no error set:
 * ld.so will report it in its own words). */
char *nsshare_search_resolve(const char *name, const struct link_map *caller);
/* The same for a CALLER that stands for CALLER_FILE (an instance's copy,
 * whose $ORIGIN is the folder of the file it copies); CALLER_FILE NULL is
 * nsshare_search_resolve. */
char *nsshare_search_resolve_as(const char *name,
				const struct link_map *caller,
				const char *caller_file);
/* What a closure scan says of each object of the closure: 0 for one that
 * ld.so will load privately into the namespace, else what nsshare must
 * put in its place. */
enum nsshare_share {
	NSSHARE_SHARE_GLIBC = 1,  /* a glibc library (nsshare_object_is_glibc) */
	NSSHARE_SHARE_UNIQUE = 2, /* DF_GNU_1_UNIQUE, or named in NSSHARE_SHARE */
	NSSHARE_CLOSURE_RTLD = 4, /* ld.so, which each namespace gets a
				   * stand-in of from ld.so itself */
};
/* Asked before each DT_NEEDED name of the closure is searched on disk:
 * true when the target namespace already holds an object ld.so would match
 * that name with, so the scan neither reports nor descends into it. */
typedef bool nsshare_loaded_fn(const char *name, void *arg);
/* Called for each object of the closure, in the order ld.so loads them
 * (breadth first, which is also the order of the namespace's search
 * list); KIND is 0 or a mask of enum nsshare_share.  PATH is the file, as
 * the scan found it (for ld.so: the name), and WANT the name the object
 * was first asked for by (PATH for the top object; after dynamic string
 * tokens are expanded): what ld.so matches later requests against.  A
 * proxied object asked for again under another name is reported again
 * with that WANT: its proxy must answer to both. */
typedef void nsshare_found_fn(const char *path, const char *want,
			      unsigned kind, void *arg);
/* Walks the DT_NEEDED closure of the file PATH (PATH included) as ld.so
 * would load it into a namespace, reporting every object through FOUND,
 * and descending into neither unique objects (their dependencies live
 * with their base copies) nor ld.so.  LOADED may be NULL.  Each
 * file's dynamic information is cached by file identity (device, inode,
 * size, mtime), so repeated scans cost a stat per object.  Returns 0, or
 * -1 with an error set when PATH itself cannot be read as a shared object
 * of this machine's kind. */
int nsshare_search_closure(const char *path, nsshare_loaded_fn *loaded,
			   nsshare_found_fn *found, void *arg);

/* ---- namespace.c */
/* A closure as the scan reported it, in ld.so's load order. */
struct nsshare_closure_obj {
	char *path;    /* the file (for ld.so: the name asked for) */
	char *want;    /* the name it was first asked for by */
	unsigned kind; /* 0, or enum nsshare_share */
};
struct nsshare_closure {
	struct nsshare_closure_obj *items;
	size_t count;
	bool failed;   /* out of memory while collecting */
};
/* Opens a fresh namespace for FIRST, the file of CLOSURE's first object
 * or the path of TOP, its proxy (TOP NULL otherwise), and returns FIRST's
 * handle in it.  The namespace's root needs FIRST and then every object
 * of CLOSURE after the first, each proxied object as its proxy, and
 * libc's proxy last if CLOSURE lacks it: the root's search list, the
 * namespace's global scope, is stock's with the root in front
 * (glibc-facts 14).  Where TOP's own search list is that list already
 * (libc's proxy and ld.so) there is no root.  CLOSURE may be NULL.  NULL
 * with an error set naming OBJECT (what the caller asked for). */
void *nsshare_ns_create(const char *first, const struct nsshare_proxy *top,
			const char *object,
			const struct nsshare_closure *closure, int mode);
/* Whether namespace ID holds an object ld.so would match NAME with (its
 * name, SONAME or file), as RTLD_NOLOAD asks; nothing is loaded and no
 * error is left behind. */
bool nsshare_ns_holds(Lmid_t id, const char *name);
/* Makes sure namespace ID holds proxies of the proxied objects in
 * CLOSURE (which may be NULL), glibc libraries only if ID's libc is
 * nsshare's.  False with an error set naming OBJECT (the object about to
 * be loaded) when ID is not a namespace in use or a proxy cannot be
 * loaded. */
bool nsshare_ns_add_proxies(Lmid_t id, const char *object,
			    const struct nsshare_closure *closure);
/* Whether the loaded object LM is the root of a namespace nsshare made
 * (recognised by its image's descriptor, so also while the root is being
 * opened and its constructors run). */
bool nsshare_ns_is_root(const struct link_map *lm);
/* Notes one more handle nsshare gave out for the library that created a
 * namespace (nothing happens for other handles). */
void nsshare_ns_retain(void *handle);
/* Called with every handle given to dlclose, before glibc closes it.
 * When HANDLE was the last one nsshare gave out for the library that
 * created a namespace, returns that namespace's record, to be passed to
 * nsshare_ns_destroy once glibc has closed HANDLE; otherwise NULL. */
struct nsshare_ns;
struct nsshare_ns *nsshare_ns_release(void *handle);
/* Closes the namespace's root and what nsshare added to it. */
void nsshare_ns_destroy(struct nsshare_ns *ns);

/* ---- iterate.c: dl_iterate_phdr for a namespace (dl_iterate_ns_phdr
 * is the public one).  What glibc proxies export as dl_iterate_phdr: the
 * caller's namespace, each proxy reported as its base copy, the root
 * left out, so that an unwinder in a namespace finds the frames of the
 * shared code it runs.  Handed down to proxy.c by dlfcn.c. */
int nsshare_iterate_in_namespace(nsshare_phdr_callback *callback, void *data);

/* scope.c: a global scope for namespace ID, whose first object is ROOT
 * (see there).  nsshare_scope_seed gives it one (false when the running
 * glibc does not show the layout scope.c expects); nsshare_scope_seeded
 * says whether it has it, and detach does nothing when it has not.  Before ROOT is closed, nsshare_scope_detach
 * takes it back, returning what must be freed once ROOT is closed, by
 * nsshare_scope_forget. */
#define NSSHARE_DL_NNS 16
bool nsshare_scope_seed(Lmid_t id, struct link_map *root);
bool nsshare_scope_seeded(Lmid_t id, struct link_map *root);
void *nsshare_scope_detach(Lmid_t id, struct link_map *root);
void nsshare_scope_forget(void *grown);
/* Whether namespace ID has a global scope that RTLD_GLOBAL can grow. */
bool nsshare_ns_has_global_scope(Lmid_t id);
/* An address of code of namespace ID's own (a return instruction in one
 * of its private objects), which glibc's dlopen takes for a caller in ID;
 * NULL when ID is not nsshare's or runs no code of its own. */
const void *nsshare_ns_return_site(Lmid_t id);

/* rdebug.c: the namespace's list for debuggers starts at FIRST, the
 * library, not at ROOT, the root before it (glibc 2.35 and later).  False
 * when the list was left as it is.  nsshare_rdebug_show_root undoes it,
 * before ROOT is closed, and does nothing where it was not done. */
bool nsshare_rdebug_hide_root(struct link_map *root, struct link_map *first);
void nsshare_rdebug_show_root(struct link_map *root, struct link_map *first);

#endif
