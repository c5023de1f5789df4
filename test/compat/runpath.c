/* Behaviour 11 of issue 2, second half: a bare name is found where glibc
 * finds it without nsshare, through the search path of the object that
 * calls dlmopen ($ORIGIN being that object's folder), with and without
 * RTLD_SHARED, and for LM_ID_BASE (which nsshare passes to glibc: only a
 * tail call keeps the caller glibc sees).
 *
 * Built twice: compat_runpath has DT_RUNPATH $ORIGIN/rp, compat_rpath
 * DT_RPATH $ORIGIN/rp (EXPECT_RUNPATH says which).  The plugins live only
 * in search-path folders, never in the module folder:
 *   <exe dir>/rp/libplugin-rp.so            (compat_plugin_id() == 1)
 *   <opener dir>/lib2/libplugin-lib2.so     (compat_plugin_id() == 2)
 * libcompat-opener.so (RUNPATH $ORIGIN/lib2, in <opener dir>) and
 * libcompat-opener-nopath.so (no path) call dlmopen for the program.
 * glibc 2.36's rules, which these cases follow:
 *   - a caller with DT_RUNPATH searches only its own DT_RUNPATH: the
 *     opener finds lib2 but never rp;
 *   - a caller without DT_RUNPATH searches its DT_RPATH, then the main
 *     program's DT_RPATH, never the main program's DT_RUNPATH: the
 *     path-less opener finds rp in compat_rpath, not in compat_runpath. */
#include "it.h"

#include <limits.h>
#include <stdbool.h>
#include <unistd.h>

#ifndef EXPECT_RUNPATH
#error "EXPECT_RUNPATH must be 0 or 1"
#endif

#define RP_NAME "libplugin-rp.so"
#define LIB2_NAME "libplugin-lib2.so"

/* From libcompat-opener.so and libcompat-opener-nopath.so. */
void *open_plugin(Lmid_t ns, const char *name, int mode);
void *open_plugin_nopath(Lmid_t ns, const char *name, int mode);

typedef int (*int_fn)(void);
typedef void *(*open_fn)(Lmid_t, const char *, int);

static char rp_path[PATH_MAX], lib2_path[PATH_MAX];

/* The program's own dlmopen, called from the program's code. */
static void *prog_open(Lmid_t ns, const char *name, int mode)
{
	void *handle = dlmopen(ns, name, mode);
	/* Not a tail call, whatever the optimisation level: the caller
	 * glibc and nsshare see must stay this program. */
	__asm__ volatile("" ::: "memory");
	return handle;
}

/* The folder of FILE, as glibc's $ORIGIN is for the object loaded from it. */
static void folder_of(const char *file, char *dir, size_t size)
{
	snprintf(dir, size, "%s", file);
	char *slash = strrchr(dir, '/');
	REQUIRE(slash, "%s has no folder", file);
	*slash = '\0';
}

/* The program's dynamic section has the tag the build asked for. */
static void check_own_tags(void)
{
	bool runpath = false, rpath = false;
	for (const ElfW(Dyn) *d = _DYNAMIC; d->d_tag != DT_NULL; d++) {
		runpath |= d->d_tag == DT_RUNPATH;
		rpath |= d->d_tag == DT_RPATH;
	}
	if (EXPECT_RUNPATH)
		REQUIRE(runpath && !rpath, "expected DT_RUNPATH only (runpath %d, "
			"rpath %d)", runpath, rpath);
	else
		REQUIRE(rpath && !runpath, "expected DT_RPATH only (runpath %d, "
			"rpath %d)", runpath, rpath);
}

static const char *mode_name(int mode)
{
	return mode & RTLD_SHARED ? "RTLD_NOW|RTLD_SHARED" : "RTLD_NOW";
}

static const char *ns_name(Lmid_t ns)
{
	static char buf[32];
	if (ns == LM_ID_NEWLM)
		return "LM_ID_NEWLM";
	if (ns == LM_ID_BASE)
		return "LM_ID_BASE";
	snprintf(buf, sizeof buf, "%ld", (long)ns);
	return buf;
}

/* WHO's dlmopen(NS, NAME, MODE) succeeds, loads the file EXPECT (its
 * compat_plugin_id() being ID) into NS (a fresh one for LM_ID_NEWLM),
 * with the code in the base namespace for RTLD_SHARED.  Closes it. */
static void expect_found(const char *who, open_fn open, Lmid_t ns,
			 const char *name, int mode, const char *expect, int id)
{
	void *h = open(ns, name, mode);
	CHECK(h, "%s: dlmopen(%s, %s, %s): %s", who, ns_name(ns), name,
	      mode_name(mode), dlerror());
	if (!h)
		return;
	Lmid_t hns = it_handle_ns(h);
	if (ns == LM_ID_NEWLM)
		CHECK(hns > 0, "%s: %s into LM_ID_NEWLM: handle ns %ld", who, name,
		      (long)hns);
	else
		CHECK(hns == ns, "%s: %s into %s: handle ns %ld", who, name,
		      ns_name(ns), (long)hns);
	Lmid_t want_code = (mode & RTLD_SHARED) ? LM_ID_BASE : hns;
	CHECK(it_code_ns(h, "compat_plugin_id") == want_code,
	      "%s: %s (%s): code ns %ld, expected %ld", who, name, mode_name(mode),
	      (long)it_code_ns(h, "compat_plugin_id"), (long)want_code);
	int_fn fn = (int_fn)dlsym(h, "compat_plugin_id");
	const char *file = it_addr_object((void *)fn);
	CHECK(strcmp(file, expect) == 0, "%s: dlmopen(%s, %s, %s) loaded \"%s\", "
	      "expected \"%s\"", who, ns_name(ns), name, mode_name(mode), file,
	      expect);
	CHECK(fn && fn() == id, "%s: %s: compat_plugin_id", who, name);
	CHECK(dlclose(h) == 0, "%s: dlclose(%s): %s", who, name, dlerror());
}

/* WHO's dlmopen(NS, NAME, MODE) fails as glibc's does: NULL, and a
 * message naming NAME and saying it was not found. */
static void expect_missing(const char *who, open_fn open, Lmid_t ns,
			   const char *name, int mode)
{
	void *h = open(ns, name, mode);
	CHECK(!h, "%s: dlmopen(%s, %s, %s) found %s", who, ns_name(ns), name,
	      mode_name(mode), h ? it_addr_object(dlsym(h, "compat_plugin_id")) : "");
	const char *err = dlerror();
	CHECK(err && strstr(err, name) &&
	      strstr(err, "cannot open shared object file"),
	      "%s: dlmopen(%s, %s, %s): dlerror \"%s\"", who, ns_name(ns), name,
	      mode_name(mode), err ? err : "(null)");
	if (h)
		dlclose(h);
}

/* The base namespace does not hold PATH (nothing pinned or left). */
static bool base_lacks(const char *path)
{
	void *h = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
	if (h)
		dlclose(h);
	dlerror();
	return !h;
}

/* WHO opens NAME into the base namespace, where its search path holds
 * it as EXPECT: a plain open, closed again.  Done before anything pins
 * the plugin there, or a bare name would find the loaded copy by SONAME
 * instead of searching. */
static void expect_found_base(const char *who, open_fn open, const char *name,
			      const char *expect, int id)
{
	for (int shared = 0; shared < 2; shared++) {
		int mode = RTLD_NOW | (shared ? RTLD_SHARED : 0);
		expect_found(who, open, LM_ID_BASE, name, mode, expect, id);
		CHECK(base_lacks(expect), "%s: %s stays in the base after dlclose",
		      who, expect);
	}
}

/* WHO opens NAME, which its search path holds as EXPECT, into fresh
 * namespaces and into existing ones, with and without RTLD_SHARED. */
static void expect_found_secondary(const char *who, open_fn open,
				   const char *name, const char *expect, int id)
{
	expect_found(who, open, LM_ID_NEWLM, name, RTLD_NOW, expect, id);
	expect_found(who, open, LM_ID_NEWLM, name, RTLD_NOW | RTLD_SHARED, expect, id);
	CHECK(!base_lacks(expect), "%s: RTLD_SHARED did not pin %s", who, expect);

	/* Existing namespaces, made by the program from the module folder. */
	const char *plain = it_module("libcompat-plain.so");
	void *a = dlmopen(LM_ID_NEWLM, plain, RTLD_NOW);
	void *b = dlmopen(LM_ID_NEWLM, plain, RTLD_NOW);
	REQUIRE(a && b, "namespaces for %s: %s", who, dlerror());
	expect_found(who, open, it_handle_ns(a), name, RTLD_NOW, expect, id);
	expect_found(who, open, it_handle_ns(b), name, RTLD_NOW | RTLD_SHARED,
		     expect, id);
	CHECK(dlclose(b) == 0 && dlclose(a) == 0, "dlclose: %s", dlerror());
}

int main(void)
{
	check_own_tags();

	char exe[PATH_MAX], exe_dir[PATH_MAX], opener_dir[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	REQUIRE(n > 0, "readlink /proc/self/exe");
	exe[n] = '\0';
	folder_of(exe, exe_dir, sizeof exe_dir);
	folder_of(it_addr_object((void *)open_plugin), opener_dir, sizeof opener_dir);
	int rp_len = snprintf(rp_path, sizeof rp_path, "%s/rp/%s", exe_dir, RP_NAME);
	int lib2_len = snprintf(lib2_path, sizeof lib2_path, "%s/lib2/%s",
				opener_dir, LIB2_NAME);
	REQUIRE(rp_len < (int)sizeof rp_path && lib2_len < (int)sizeof lib2_path,
		"paths too long");
	REQUIRE(access(rp_path, R_OK) == 0 && access(lib2_path, R_OK) == 0,
		"plugins at %s and %s", rp_path, lib2_path);

	/* Not found from where glibc would not look.  First, while no copy
	 * of either plugin is loaded anywhere. */
	for (int shared = 0; shared < 2; shared++) {
		int mode = RTLD_NOW | (shared ? RTLD_SHARED : 0);
		expect_missing("program", prog_open, LM_ID_NEWLM, LIB2_NAME, mode);
		expect_missing("program", prog_open, LM_ID_BASE, LIB2_NAME, mode);
		/* A DT_RUNPATH caller never searches the program's paths. */
		expect_missing("opener", open_plugin, LM_ID_NEWLM, RP_NAME, mode);
		expect_missing("opener", open_plugin, LM_ID_BASE, RP_NAME, mode);
		expect_missing("opener-nopath", open_plugin_nopath, LM_ID_NEWLM,
			       LIB2_NAME, mode);
		if (EXPECT_RUNPATH) {
			/* The program's DT_RUNPATH is its own only. */
			expect_missing("opener-nopath", open_plugin_nopath,
				       LM_ID_NEWLM, RP_NAME, mode);
			expect_missing("opener-nopath", open_plugin_nopath,
				       LM_ID_BASE, RP_NAME, mode);
		}
	}
	CHECK(base_lacks(rp_path) && base_lacks(lib2_path),
	      "a failed open left a plugin loaded");

	expect_found_base("program", prog_open, RP_NAME, rp_path, 1);
	expect_found_base("opener", open_plugin, LIB2_NAME, lib2_path, 2);
	/* The main program's DT_RPATH serves every caller that has no
	 * DT_RUNPATH of its own. */
	if (!EXPECT_RUNPATH)
		expect_found_base("opener-nopath", open_plugin_nopath, RP_NAME,
				  rp_path, 1);

	expect_found_secondary("program", prog_open, RP_NAME, rp_path, 1);
	expect_found_secondary("opener", open_plugin, LIB2_NAME, lib2_path, 2);
	if (!EXPECT_RUNPATH)
		expect_found_secondary("opener-nopath", open_plugin_nopath,
				       RP_NAME, rp_path, 1);
	return it_finish();
}
