/* Errors that say what to do (issue 12, point 5), each glibc's own text
 * first, whole, as stock gives it, then nsshare's hint:
 * - an object that needs a symbol of an object nsshare shares, loaded in
 *   the base namespace, where the shared object's one copy is not global
 *   (Python extension modules under NSSHARE_SHARE of libpython): what the
 *   hint says to do makes the load work;
 * - glibc's namespaces used up by RTLD_ISOLATE, or its static TLS, which
 *   each isolated namespace's own libc takes (GLIBC_TUNABLES raises the
 *   latter from glibc 2.32 on, so that the namespace limit comes first).
 * Stock's text is read from glibc's own dlerror, past nsshare's. */
#include "it.h"

#define LIB "libcompat-hintlib.so"
#define USER "libcompat-hintuser.so"
/* glibc's namespaces, the base one included. */
#define DL_NNS 16

static char *(*glibc_dlerror)(void);

/* glibc's dlerror: libc's from glibc 2.34 on, libdl's before. */
static void find_glibc_dlerror(void)
{
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	glibc_dlerror = libc ? (char *(*)(void))dlsym(libc, "dlerror") : NULL;
	if (!glibc_dlerror) {
		void *libdl = dlopen("libdl.so.2", RTLD_NOW | RTLD_NOLOAD);
		glibc_dlerror = libdl ? (char *(*)(void))dlsym(libdl, "dlerror")
				      : NULL;
	}
	REQUIRE(glibc_dlerror && glibc_dlerror != dlerror,
		"glibc's own dlerror not found");
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static void missing_symbol(void)
{
	const char *user = it_module(USER), *lib = it_module(LIB);
	/* Nothing shared yet: glibc's error as it is. */
	CHECK(!dlopen(user, RTLD_NOW), "%s loaded without %s", USER, LIB);
	const char *stock = glibc_dlerror();
	REQUIRE(stock && strstr(stock, "undefined symbol: hintlib_value"),
		"stock's error: %s", stock ? stock : "none");
	char *want = strdup(stock);
	CHECK(!dlopen(user, RTLD_NOW), "%s loaded without %s", USER, LIB);
	const char *err = dlerror();
	CHECK(err && strcmp(err, want) == 0, "before sharing: \"%s\", stock: \"%s\"",
	      err ? err : "none", want);

	void *ns = dlmopen(LM_ID_NEWLM, lib, RTLD_NOW | RTLD_SHARED);
	REQUIRE(ns, "dlmopen %s RTLD_SHARED: %s", LIB, dlerror());
	CHECK(!dlopen(user, RTLD_NOW), "%s loaded with %s local", USER, LIB);
	err = dlerror();
	CHECK(err && starts_with(err, want) &&
	      strstr(err, " (hintlib_value is defined by " LIB ", which "
			  "nsshare shares with namespaces") &&
	      strstr(err, "dlopen(\"" LIB "\", RTLD_NOW | RTLD_GLOBAL)"),
	      "once shared: \"%s\"", err ? err : "none");
	CHECK(dlerror() == NULL, "the error was reported twice");

	/* What the hint says to do. */
	void *global = dlopen(LIB, RTLD_NOW | RTLD_GLOBAL | RTLD_NOLOAD);
	CHECK(global, "dlopen " LIB " RTLD_GLOBAL: %s", dlerror());
	void *h = dlopen(user, RTLD_NOW);
	CHECK(h, "%s after the hint: %s", USER, dlerror());
	if (h) {
		int *(*value)(void) = (int *(*)(void))dlsym(h, "hintuser_value");
		CHECK(value && value() == (int *)dlsym(global, "hintlib_value") &&
		      *value() == 42, "%s is bound to another hintlib_value", USER);
		dlclose(h);
	}
	if (global)
		dlclose(global);
	CHECK(dlclose(ns) == 0, "dlclose: %s", dlerror());
	free(want);
}

/* RTLD_ISOLATE until glibc refuses: its text, then the limit it met and
 * the way past it. */
static void isolate_limit(void)
{
	const char *mod = it_module("libcompat-plain.so");
	void *h[DL_NNS];
	int n = 0;
	const char *err = NULL;
	while (n < DL_NNS && !err) {
		if ((h[n] = dlmopen(LM_ID_NEWLM, mod, RTLD_NOW | RTLD_ISOLATE)))
			n++;
		else
			err = dlerror();
	}
	REQUIRE(err, "%d RTLD_ISOLATE namespaces and no error", n);
	/* The same refusal again, read by glibc's own dlerror: stock's text,
	 * which nsshare's must start with, whole. */
	char *got = strdup(err);
	REQUIRE(got && !dlmopen(LM_ID_NEWLM, mod, RTLD_NOW | RTLD_ISOLATE),
		"RTLD_ISOLATE loaded once more");
	const char *stock = glibc_dlerror();
	CHECK(stock && *stock && starts_with(got, stock) && strlen(got) > strlen(stock),
	      "\"%s\" is not stock's \"%s\" with a hint", got,
	      stock ? stock : "(none)");
	err = got;
	if (strstr(err, "no more namespaces available for dlmopen()"))
		CHECK(n == it_max_namespaces() &&
		      strstr(err, "(glibc has 16 namespaces, the base one "
				  "included; RTLD_ISOLATE takes one each") &&
		      strstr(err, mod),
		      "after %d namespaces: \"%s\"", n, err);
	else
		CHECK(strstr(err, "cannot allocate memory in static TLS block "
				  "(each namespace's or instance's own copy") &&
		      strstr(err, "with RTLD_ISOLATE so does each namespace's "
				  "own libc") &&
		      !__GLIBC_PREREQ(2, 32),
		      "after %d namespaces: \"%s\"", n, err);
	printf("info: %d RTLD_ISOLATE namespaces, then: %s\n", n, err);
	/* Without RTLD_ISOLATE, past the namespaces: an instance. */
	void *more = dlmopen(LM_ID_NEWLM, mod, RTLD_NOW);
	CHECK(more, "dlmopen without RTLD_ISOLATE: %s", dlerror());
	if (more)
		dlclose(more);
	while (n > 0)
		CHECK(dlclose(h[--n]) == 0, "dlclose %d: %s", n, dlerror());
	free(got);
}

int main(void)
{
	find_glibc_dlerror();
	missing_symbol();
	isolate_limit();
	return it_finish();
}
