/* unique_util.h: what the programs of test/unique share besides it.h:
 * the modules' names, looking functions up, and the questions asked of a
 * handle of a mod.c build (proxy or private copy, where its code, state
 * and free are). */
#ifndef UNIQUE_UTIL_H
#define UNIQUE_UTIL_H

#include "it.h"

#include <stdbool.h>

#include "modules/mod.h"

#define UNIQ "libunique-uniq.so"   /* -z unique */
#define NORM "libunique-norm.so"   /* untagged; link to libunique-norm.so.1.0 */
#define OTHER "libunique-other.so" /* untagged, never listed */
#define LOADER "libunique-loader.so"

#define DEMOTE_REASON ": object cannot be demoted to a proxy"

/* The file of the object behind a handle ("" if none). */
static inline const char *handle_file(void *handle)
{
	struct link_map *lm = NULL;
	if (!handle || dlinfo(handle, RTLD_DI_LINKMAP, &lm) != 0 || !lm)
		return "";
	return lm->l_name;
}

/* nsshare's proxies are opened by paths of its own. */
static inline bool is_proxy(void *handle)
{
	return it_is_image_path(handle_file(handle));
}

/* The base copy of the module at PATH, without loading it: NULL if the
 * base namespace does not hold that file.  The reference is dropped: the
 * caller only compares addresses. */
static inline void *base_copy(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (!h)
		dlerror();
	else
		dlclose(h);
	return h;
}

/* Where a handle of a mod.c build leads. */
struct view {
	Lmid_t ns;      /* the handle's namespace */
	Lmid_t code_ns; /* of mod_bump through it */
	Lmid_t free_ns; /* of the free the module is bound to */
	void *counter;  /* &mod_counter through it */
	bool proxy;
};

static inline struct view view_of(void *h)
{
	struct view v = { it_handle_ns(h), it_code_ns(h, "mod_bump"), -100,
			  h ? dlsym(h, "mod_counter") : NULL, is_proxy(h) };
	void *(*free_addr)(void) = NULL;
	*(void **)&free_addr = h ? dlsym(h, "mod_free_addr") : NULL;
	if (free_addr)
		v.free_ns = it_addr_ns(free_addr());
	return v;
}

/* H (opened as WHAT) is a proxy in a secondary namespace whose code,
 * state and free are the base copy's at BASE_COUNTER (if not NULL). */
#define CHECK_PROXY(h, what, base_counter)                                    \
	do {                                                                  \
		struct view v_ = view_of(h);                                  \
		CHECK(v_.ns > 0, "%s: handle ns %ld", (what), (long)v_.ns);   \
		CHECK(v_.proxy, "%s: not a proxy (%s)", (what),               \
		      handle_file(h));                                        \
		CHECK(v_.code_ns == LM_ID_BASE, "%s: code ns %ld", (what),    \
		      (long)v_.code_ns);                                      \
		CHECK(v_.free_ns == LM_ID_BASE, "%s: free ns %ld", (what),    \
		      (long)v_.free_ns);                                      \
		CHECK(!(base_counter) || v_.counter == (base_counter),        \
		      "%s: counter %p, base copy's %p", (what), v_.counter,   \
		      (void *)(base_counter));                                \
	} while (0)

/* H (opened as WHAT) is a private copy in its secondary namespace, bound
 * to that namespace's free when FREE_NS_PRIVATE (RTLD_ISOLATE), to the
 * base's otherwise. */
#define CHECK_PRIVATE(h, what, free_ns_private)                               \
	do {                                                                  \
		struct view v_ = view_of(h);                                  \
		CHECK(v_.ns > 0, "%s: handle ns %ld", (what), (long)v_.ns);   \
		CHECK(!v_.proxy, "%s: a proxy (%s)", (what), handle_file(h)); \
		CHECK(v_.code_ns == v_.ns, "%s: code ns %ld, handle ns %ld",  \
		      (what), (long)v_.code_ns, (long)v_.ns);                 \
		Lmid_t want_ = (free_ns_private) ? v_.ns : LM_ID_BASE;        \
		CHECK(v_.free_ns == want_, "%s: free ns %ld, want %ld",       \
		      (what), (long)v_.free_ns, (long)want_);                 \
	} while (0)

/* The last call failed with "<PATH>: object cannot be demoted to a
 * proxy", and the message is reported once. */
#define CHECK_DEMOTE_REFUSED(h, path, what, geterr)                           \
	do {                                                                  \
		CHECK(!(h), "%s: opened (%p, %s)", (what), (void *)(h),       \
		      handle_file(h));                                        \
		const char *msg_ = (geterr)();                                \
		char want_[4096];                                             \
		snprintf(want_, sizeof want_, "%s%s", (path), DEMOTE_REASON); \
		CHECK(msg_ && strcmp(msg_, want_) == 0,                       \
		      "%s: dlerror \"%s\", want \"%s\"", (what),              \
		      msg_ ? msg_ : "(none)", want_);                         \
		CHECK((geterr)() == NULL, "%s: error reported twice", (what)); \
	} while (0)

#endif
