/* Unit tests for the files that find and read objects as ld.so would
 * (src/ldso.h names them), compiled in directly.  Where possible the
 * answer is checked against what ld.so itself does: dlopen in this
 * process, or a helper program run with the environment under test.
 *
 * src/object.c is linked beside it (test/unit/CMakeLists.txt). */
#define _GNU_SOURCE
/* Every libelf read of a file goes through elf_begin: counting its calls
 * shows which scans read files and which used the cache. */
#define elf_begin unit_elf_begin
#include "../../src/machine.c"
#include "../../src/dst.c"
#include "../../src/ldcache.c"
#include "../../src/elfread.c"
#include "../../src/filecache.c"
#include "../../src/search.c"
#include "../../src/closure.c"
#undef elf_begin

#include <dlfcn.h>
#include <stdarg.h>
#include <sys/wait.h>

#include "unit.h"

static unsigned elf_begins;
Elf *elf_begin(int fd, Elf_Cmd cmd, Elf *ref); /* libelf.h's, renamed above */

Elf *unit_elf_begin(int fd, Elf_Cmd cmd, Elf *ref)
{
	__atomic_add_fetch(&elf_begins, 1, __ATOMIC_RELAXED);
	return elf_begin(fd, cmd, ref);
}

/* ---- Stub for error.c: remembers the last message. */
static char last_error[1024];

void nsshare_error(const char *object, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	snprintf(last_error, sizeof last_error, "%s: %s", object, msg);
}

/* ---- Helpers. */
static char tmp[PATH_MAX]; /* scratch folder, made once */

static void run(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&cmd, fmt, ap), 0);
	va_end(ap);
	int rc = system(cmd);
	ck_assert_msg(rc == 0, "command failed (%d): %s", rc, cmd);
	free(cmd);
}

static char *tmp_path(const char *fmt, ...)
{
	char *rel, *p;
	va_list ap;
	va_start(ap, fmt);
	ck_assert_int_ge(vasprintf(&rel, fmt, ap), 0);
	va_end(ap);
	ck_assert_int_ge(asprintf(&p, "%s/%s", tmp, rel), 0);
	free(rel);
	return p;
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

static void *read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
	long len = ftell(f);
	ck_assert_int_gt(len, 0);
	rewind(f);
	void *buf = malloc((size_t)len);
	ck_assert_ptr_nonnull(buf);
	ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	*n = (size_t)len;
	return buf;
}

/* The l_name ld.so gives NAME when this process dlopens it. */
static char *ldso_name(const char *name)
{
	void *h = dlopen(name, RTLD_LAZY);
	ck_assert_msg(h != NULL, "dlopen %s: %s", name, dlerror());
	struct link_map *lm = NULL;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	char *s = strdup(lm->l_name);
	dlclose(h);
	return s;
}

/* What ld.so opens for dlopen(NAME) in a fresh process whose
 * environment has VAR=VALUE (VAR may be NULL).  Uses tmp/ldsoprobe. */
static char *ldso_name_child(const char *var, const char *value,
			     const char *name)
{
	char *probe = tmp_path("ldsoprobe");
	char *cmd, line[PATH_MAX] = "";
	ck_assert_int_ge(asprintf(&cmd, "env %s%s%s '%s' '%s'",
				  var ? var : "", var ? "=" : "",
				  var ? value : "", probe, name), 0);
	FILE *p = popen(cmd, "r");
	ck_assert_ptr_nonnull(p);
	if (!fgets(line, sizeof line, p))
		line[0] = '\0';
	pclose(p);
	free(cmd);
	free(probe);
	line[strcspn(line, "\n")] = '\0';
	return strdup(line);
}

static void same_file(const char *a, const char *b)
{
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	char *ra = realpath(a, NULL), *rb = realpath(b, NULL);
	ck_assert_msg(ra && rb && strcmp(ra, rb) == 0, "%s is not %s", a, b);
	free(ra);
	free(rb);
}

static struct link_map *map_of(void *h)
{
	struct link_map *lm = NULL;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_LINKMAP, &lm), 0);
	return lm;
}

/* Collects found() calls. */
struct found_list {
	char *paths[32];
	size_t n;
};

static void found_cb(const char *path, void *arg)
{
	struct found_list *fl = arg;
	ck_assert_uint_lt(fl->n, 32);
	fl->paths[fl->n++] = strdup(path);
}

static void found_free(struct found_list *fl)
{
	for (size_t i = 0; i < fl->n; i++)
		free(fl->paths[i]);
	fl->n = 0;
}

static bool found_has(const struct found_list *fl, const char *path)
{
	for (size_t i = 0; i < fl->n; i++)
		if (strcmp(fl->paths[i], path) == 0)
			return true;
	return false;
}

static char *realpath_of_lib(const char *name)
{
	char *p = nsshare_search_resolve(name, NULL);
	ck_assert_ptr_nonnull(p);
	return p;
}

/* A file whose ELF header says CLASS and MACHINE, otherwise empty. */
static void write_fake_elf(const char *path, unsigned cls, unsigned machine)
{
	unsigned char buf[256] = { 0 };
	memcpy(buf, ELFMAG, SELFMAG);
	buf[EI_CLASS] = (unsigned char)cls;
	buf[EI_DATA] = ELFDATA2LSB;
	buf[EI_VERSION] = EV_CURRENT;
	if (cls == ELFCLASS64) {
		Elf64_Ehdr *eh = (void *)buf;
		eh->e_type = ET_DYN;
		eh->e_machine = (Elf64_Half)machine;
		eh->e_version = EV_CURRENT;
		eh->e_phentsize = sizeof(Elf64_Phdr);
		eh->e_ehsize = sizeof *eh;
	} else {
		Elf32_Ehdr *eh = (void *)buf;
		eh->e_type = ET_DYN;
		eh->e_machine = (Elf32_Half)machine;
		eh->e_version = EV_CURRENT;
		eh->e_phentsize = sizeof(Elf32_Phdr);
		eh->e_ehsize = sizeof *eh;
	}
	write_file(path, buf, sizeof buf);
}

/* ---- Fixture: a scratch folder with small libraries built by cc.
 *   libt.so          needs libm (sin) and libc (printf)
 *   libtop.so        RUNPATH $ORIGIN/sub; needs libmid.so
 *   sub/libmid.so    no paths; needs libleaf.so
 *   sub/libleaf.so   needs libm, libz
 *   librp.so         DT_RPATH $ORIGIN/rp; rp_find() dlopens from there
 *   librun.so        DT_RUNPATH $ORIGIN/run; same
 *   libplat.so       DT_RUNPATH $ORIGIN/a/$PLATFORM/${LIB}/b
 *   rp/, run/, llp/  each holding a libz.so.1 link to the real one, and
 *                    libq.so, a link to libt.so (a name this process
 *                    has not loaded, so ld.so really searches for it)
 *   ldsoprobe        prints the l_name of dlopen(argv[1])
 *   uniq/libuq.so    tagged unique by nsshare-tag (ld -z unique needs
 *                    binutils 2.38); needs libz, libdl
 *   uniq/libdep.so   needs libm
 *   libuser.so       DT_RUNPATH $ORIGIN/uniq; needs libuq.so, libdep.so
 *   libshr.so        SONAME libshr-soname.so.1; needs libm
 *   libshr-link.so   a link to libshr.so
 */
static const char src_t[] =
	"#include <math.h>\n#include <stdio.h>\n"
	"double t(double x) { printf(\"x\"); return sin(x); }\n";
static const char src_leaf[] =
	"#include <math.h>\n#include <zlib.h>\n"
	"double leaf(double x) { return cos(x) + zlibVersion()[0]; }\n";
static const char src_mid[] =
	"double leaf(double);\ndouble mid(double x) { return leaf(x); }\n";
static const char src_top[] =
	"double mid(double);\ndouble top(double x) { return mid(x); }\n";
static const char src_rp[] =
	"#define _GNU_SOURCE\n#include <dlfcn.h>\n#include <link.h>\n"
	"#include <string.h>\n"
	"char *rp_find(const char *n) {\n"
	"  void *h = dlopen(n, RTLD_LAZY); struct link_map *l; char *s = 0;\n"
	"  if (h && !dlinfo(h, RTLD_DI_LINKMAP, &l)) s = strdup(l->l_name);\n"
	"  if (h) dlclose(h);\n  return s;\n}\n";
static const char src_probe[] =
	"#define _GNU_SOURCE\n#include <dlfcn.h>\n#include <link.h>\n#include <stdio.h>\n"
	"int main(int c, char **v) {\n  (void)c;\n"
	"  void *h = dlopen(v[1], RTLD_LAZY); struct link_map *l;\n"
	"  if (!h || dlinfo(h, RTLD_DI_LINKMAP, &l)) return 1;\n"
	"  printf(\"%s\\n\", l->l_name);\n  return 0;\n}\n";

static const char src_uq[] =
	"#include <zlib.h>\nconst char *uq(void) { return zlibVersion(); }\n";
static const char src_dep[] =
	"#include <math.h>\ndouble dep(double x) { return cos(x); }\n";
static const char src_user[] =
	"const char *uq(void);\ndouble dep(double);\n"
	"double user(double x) { return dep(x) + uq()[0]; }\n";

static void write_src(const char *name, const char *text)
{
	char *p = tmp_path("%s", name);
	write_file(p, text, strlen(text));
	free(p);
}

static void fixture_up(void)
{
	strcpy(tmp, "/tmp/unit_search.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmp));
	char *libz = realpath_of_lib("libz.so.1");
	run("cd %s && mkdir sub rp run llp && "
	    "ln -s %s rp/libz.so.1 && ln -s %s run/libz.so.1 && "
	    "ln -s %s llp/libz.so.1", tmp, libz, libz, libz);
	free(libz);
	write_src("t.c", src_t);
	write_src("leaf.c", src_leaf);
	write_src("mid.c", src_mid);
	write_src("top.c", src_top);
	write_src("rp.c", src_rp);
	write_src("probe.c", src_probe);
	run("cd %s && CC='cc -shared -fPIC -Wl,--no-as-needed' && "
	    "$CC -o libt.so t.c -lm && "
	    "$CC -o sub/libleaf.so leaf.c -lm -lz && "
	    "$CC -o sub/libmid.so mid.c -Lsub -lleaf && "
	    "$CC -o libtop.so top.c -Lsub -lmid "
	    "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/sub' && "
	    "$CC -o librp.so rp.c -Wl,--disable-new-dtags,-rpath,'$ORIGIN/rp' && "
	    "$CC -o librun.so rp.c -Wl,--enable-new-dtags,-rpath,'$ORIGIN/run' && "
	    "$CC -o libplat.so rp.c "
	    "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/a/$PLATFORM/${LIB}/b' && "
	    "cc -o ldsoprobe probe.c -ldl && "
	    "for d in rp run llp; do ln -s ../libt.so $d/libq.so; done", tmp);
	write_src("uq.c", src_uq);
	write_src("dep.c", src_dep);
	write_src("user.c", src_user);
	run("cd %s && mkdir uniq && "
	    "CC='cc -Wall -Wextra -Werror -shared -fPIC -Wl,--no-as-needed' && "
	    "$CC -o uniq/libuq.so uq.c -Wl,-soname,libuq.so "
	    "-lz -l:libdl.so.2 && " NSSHARE_TAG " --set uniq/libuq.so && "
	    "$CC -o uniq/libdep.so dep.c -Wl,-soname,libdep.so -lm && "
	    "$CC -o libuser.so user.c -Luniq -luq -ldep "
	    "-Wl,--enable-new-dtags,-rpath,'$ORIGIN/uniq' && "
	    "$CC -o libshr.so dep.c -Wl,-soname,libshr-soname.so.1 -lm && "
	    "ln -s libshr.so libshr-link.so", tmp);
}

static void fixture_down(void)
{
	if (tmp[0])
		run("rm -rf '%s'", tmp);
}

/* ---- nsshare_search_resolve */

START_TEST(resolve_matches_ldso)
{
	static const char *const names[] = { "libz.so.1", "libc.so.6",
					     "libm.so.6" };
	for (size_t i = 0; i < 3; i++) {
		char *ours = nsshare_search_resolve(names[i], NULL);
		char *ldso = ldso_name(names[i]);
		ck_assert_ptr_nonnull(ours);
		ck_assert_str_eq(ours, ldso);
		same_file(ours, ldso);
		free(ours);
		free(ldso);
	}
}
END_TEST

START_TEST(resolve_slash_as_given)
{
	static const char *const names[] = { "./foo/libx.so", "/nowhere/liby.so.2",
					     "a/b" };
	for (size_t i = 0; i < 3; i++) {
		char *p = nsshare_search_resolve(names[i], NULL);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(p, names[i]);
		free(p);
	}
}
END_TEST

/* $ORIGIN, $PLATFORM and $LIB in a path are expanded for the caller as
 * ld.so expands them: compared with the RUNPATH ld.so expanded for
 * libplat.so (dlinfo RTLD_DI_SERINFO). */
START_TEST(resolve_dst_like_ldso)
{
	char *lib = tmp_path("libplat.so");
	void *h = dlopen(lib, RTLD_LAZY);
	ck_assert_ptr_nonnull(h);
	Dl_serinfo size;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_SERINFOSIZE, &size), 0);
	Dl_serinfo *si = malloc(size.dls_size);
	ck_assert_ptr_nonnull(si);
	*si = size;
	ck_assert_int_eq(dlinfo(h, RTLD_DI_SERINFO, si), 0);
	/* glibc leaves dls_flags 0: find the RUNPATH entry by its start. */
	const char *runpath = NULL;
	char *prefix = tmp_path("a/");
	for (unsigned i = 0; i < si->dls_cnt && !runpath; i++)
		if (starts_with(si->dls_serpath[i].dls_name, prefix))
			runpath = si->dls_serpath[i].dls_name;
	free(prefix);
	ck_assert_ptr_nonnull(runpath);
	char *want;
	ck_assert_int_ge(asprintf(&want, "%s/l.so", runpath), 0);
	char *p = nsshare_search_resolve("$ORIGIN/a/$PLATFORM/${LIB}/b/l.so",
					 map_of(h));
	ck_assert_ptr_nonnull(p);
	ck_assert_str_eq(p, want);
	free(p);
	/* Unknown tokens stay; ${ORIGIN} works too. */
	char *want2 = tmp_path("$FOO/l.so");
	p = nsshare_search_resolve("${ORIGIN}/$FOO/l.so", map_of(h));
	ck_assert_str_eq(p, want2);
	free(p);
	free(want2);
	free(want);
	free(si);
	dlclose(h);
	free(lib);
}
END_TEST

START_TEST(resolve_unknown_is_null)
{
	ck_assert_ptr_null(nsshare_search_resolve("libnsshare-nonesuch.so.9", NULL));
	ck_assert_ptr_null(nsshare_search_resolve("", NULL));
	ck_assert_ptr_null(nsshare_search_resolve(NULL, NULL));
}
END_TEST

START_TEST(resolve_ld_library_path_first)
{
	char *llp = tmp_path("llp");
	char *want = tmp_path("llp/libz.so.1");
	/* An empty element and a missing folder are passed over. */
	char *val;
	ck_assert_int_ge(asprintf(&val, "/nonexistent::%s", llp), 0);
	setenv("LD_LIBRARY_PATH", val, 1);
	char *ours = nsshare_search_resolve("libz.so.1", NULL);
	unsetenv("LD_LIBRARY_PATH");
	ck_assert_ptr_nonnull(ours);
	ck_assert_str_eq(ours, want);
	char *ldso = ldso_name_child("LD_LIBRARY_PATH", val, "libz.so.1");
	ck_assert_str_eq(ours, ldso);
	free(ldso);
	free(ours);
	free(val);
	free(want);
	free(llp);
}
END_TEST

/* A file of the other class is passed over, as ld.so does. */
START_TEST(resolve_skips_other_class)
{
	char *dir = tmp_path("cls32");
	char *fake = tmp_path("cls32/libz.so.1");
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	write_fake_elf(fake, ELFCLASS32, EM_386);
	setenv("LD_LIBRARY_PATH", dir, 1);
	char *ours = nsshare_search_resolve("libz.so.1", NULL);
	unsetenv("LD_LIBRARY_PATH");
	char *ldso = ldso_name_child("LD_LIBRARY_PATH", dir, "libz.so.1");
	ck_assert_ptr_nonnull(ours);
	ck_assert_str_eq(ours, ldso);
	ck_assert_str_ne(ours, fake);
	/* Another machine, same class: passed over too. */
	write_fake_elf(fake, ELFCLASS64, 183);
	setenv("LD_LIBRARY_PATH", dir, 1);
	char *ours2 = nsshare_search_resolve("libz.so.1", NULL);
	unsetenv("LD_LIBRARY_PATH");
	ck_assert_str_eq(ours2, ldso);
	free(ours2);
	free(ldso);
	free(ours);
	free(fake);
	free(dir);
}
END_TEST

/* glibc-hwcaps subfolders come first, for the levels ld.so supports. */
START_TEST(resolve_glibc_hwcaps)
{
	char *libz = realpath_of_lib("libz.so.1");
	run("cd %s && mkdir -p hw/glibc-hwcaps/x86-64-v2 && "
	    "ln -sf %s hw/libz.so.1 && ln -sf %s hw/glibc-hwcaps/x86-64-v2/libz.so.1",
	    tmp, libz, libz);
	char *dir = tmp_path("hw");
	setenv("LD_LIBRARY_PATH", dir, 1);
	char *ours = nsshare_search_resolve("libz.so.1", NULL);
	unsetenv("LD_LIBRARY_PATH");
	char *ldso = ldso_name_child("LD_LIBRARY_PATH", dir, "libz.so.1");
	ck_assert_ptr_nonnull(ours);
	ck_assert_str_eq(ours, ldso);
	free(ldso);
	free(ours);
	free(dir);
	free(libz);
}
END_TEST

/* DT_RPATH beats LD_LIBRARY_PATH; DT_RUNPATH comes after it; both
 * expand $ORIGIN to the caller's folder. */
START_TEST(resolve_caller_paths)
{
	char *rp = tmp_path("librp.so"), *rn = tmp_path("librun.so");
	void *hrp = dlopen(rp, RTLD_LAZY), *hrn = dlopen(rn, RTLD_LAZY);
	ck_assert_ptr_nonnull(hrp);
	ck_assert_ptr_nonnull(hrn);
	char *want_rp = tmp_path("rp/libz.so.1");
	char *want_run = tmp_path("run/libz.so.1");
	char *want_llp = tmp_path("llp/libz.so.1");
	char *llp = tmp_path("llp");

	char *p = nsshare_search_resolve("libz.so.1", map_of(hrp));
	ck_assert_str_eq(p, want_rp);
	free(p);
	p = nsshare_search_resolve("libz.so.1", map_of(hrn));
	ck_assert_str_eq(p, want_run);
	free(p);

	/* What ld.so does for a dlopen from those libraries.  (ASan and
	 * TSan wrap dlopen, which makes their runtime the caller ld.so
	 * sees.) */
	void *hs[2] = { hrp, hrn };
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
	for (int i = 2; i < 2; i++) {
#else
	for (int i = 0; i < 2; i++) {
#endif
		char *(*find)(const char *) =
			(char *(*)(const char *))dlsym(hs[i], "rp_find");
		ck_assert_ptr_nonnull(find);
		char *ldso = find("libq.so");
		p = nsshare_search_resolve("libq.so", map_of(hs[i]));
		ck_assert_ptr_nonnull(ldso);
		ck_assert_ptr_nonnull(p);
		ck_assert_str_eq(p, ldso);
		ck_assert_ptr_nonnull(strstr(p, i ? "/run/libq.so" : "/rp/libq.so"));
		free(p);
		free(ldso);
	}

	setenv("LD_LIBRARY_PATH", llp, 1);
	p = nsshare_search_resolve("libz.so.1", map_of(hrp));
	ck_assert_str_eq(p, want_rp);
	free(p);
	p = nsshare_search_resolve("libz.so.1", map_of(hrn));
	ck_assert_str_eq(p, want_llp);
	free(p);
	unsetenv("LD_LIBRARY_PATH");

	/* A caller without paths finds the system copy. */
	char *sys = nsshare_search_resolve("libz.so.1", NULL);
	void *self = dlopen(NULL, RTLD_LAZY);
	p = nsshare_search_resolve("libz.so.1", map_of(self));
	ck_assert_str_eq(p, sys);
	free(p);
	free(sys);
	dlclose(self);

	dlclose(hrp);
	dlclose(hrn);
	free(want_rp);
	free(want_run);
	free(want_llp);
	free(llp);
	free(rp);
	free(rn);
}
END_TEST

/* ---- The glibc libraries of a closure, as nsshare_search_closure
 * reports them. */
struct glibc_filter {
	void (*found)(const char *path, void *arg);
	void *arg;
};

static void glibc_filter_cb(const char *path, const char *want,
			    unsigned kind, void *arg)
{
	(void)want;
	const struct glibc_filter *g = arg;
	if (kind & NSSHARE_SHARE_GLIBC)
		g->found(path, g->arg);
}

static int glibc_needs(const char *path, void (*found)(const char *, void *),
		       void *arg)
{
	struct glibc_filter g = { found, arg };
	return nsshare_search_closure(path, NULL, glibc_filter_cb, &g);
}

START_TEST(needs_libz_is_libc)
{
	struct found_list fl = { 0 };
	char *libz = realpath_of_lib("libz.so.1");
	char *libc = ldso_name("libc.so.6");
	ck_assert_int_eq(glibc_needs(libz, found_cb, &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_str_eq(fl.paths[0], libc);
	found_free(&fl);
	free(libc);
	free(libz);
}
END_TEST

START_TEST(needs_libm_and_libc)
{
	struct found_list fl = { 0 };
	char *lib = tmp_path("libt.so");
	char *libm = ldso_name("libm.so.6"), *libc = ldso_name("libc.so.6");
	ck_assert_int_eq(glibc_needs(lib, found_cb, &fl), 0);
	ck_assert_uint_eq(fl.n, 2);
	ck_assert(found_has(&fl, libm));
	ck_assert(found_has(&fl, libc));
	found_free(&fl);
	free(libm);
	free(libc);
	free(lib);
}
END_TEST

/* sub/libleaf.so is needed by sub/libmid.so, which has no paths.  The
 * top library's DT_RUNPATH does not reach it (ld.so fails on it, we skip
 * it); the top library's DT_RPATH does (the loader chain). */
START_TEST(needs_chain)
{
	struct found_list fl = { 0 };
	char *top = tmp_path("libtop.so");
	ck_assert_int_eq(glibc_needs(top, found_cb, &fl), 0);
	/* libmid (RUNPATH) needs libleaf (not found) and libc. */
	char *libc = ldso_name("libc.so.6");
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_str_eq(fl.paths[0], libc);
	found_free(&fl);

	run("cd %s && cc -shared -fPIC -o libtoprp.so top.c -Wl,--no-as-needed "
	    "-Lsub -lmid -Wl,--disable-new-dtags,-rpath,'$ORIGIN/sub'", tmp);
	char *toprp = tmp_path("libtoprp.so");
	char *libm = ldso_name("libm.so.6");
	ck_assert_int_eq(glibc_needs(toprp, found_cb, &fl), 0);
	ck_assert_uint_eq(fl.n, 2);
	ck_assert(found_has(&fl, libm));
	ck_assert(found_has(&fl, libc));
	found_free(&fl);

	/* Cross-check with ld.so: it loads libtoprp.so, and fails on
	 * libtop.so for want of libleaf.so. */
	void *h = dlopen(toprp, RTLD_LAZY);
	ck_assert_ptr_nonnull(h);
	dlclose(h);
	h = dlopen(top, RTLD_LAZY);
	ck_assert_ptr_null(h);
	free(libm);
	free(libc);
	free(toprp);
	free(top);
}
END_TEST

START_TEST(needs_glibc_root)
{
	struct found_list fl = { 0 };
	char *libc = ldso_name("libc.so.6"), *libm = ldso_name("libm.so.6");
	/* libm is reported, then libc, which it needs. */
	ck_assert_int_eq(glibc_needs(libm, found_cb, &fl), 0);
	ck_assert_uint_eq(fl.n, 2);
	ck_assert_str_eq(fl.paths[0], libm);
	ck_assert_str_eq(fl.paths[1], libc);
	found_free(&fl);
	ck_assert_int_eq(glibc_needs(libc, found_cb, &fl), 0);
	ck_assert_uint_eq(fl.n, 1);
	ck_assert_str_eq(fl.paths[0], libc);
	found_free(&fl);
	/* ld.so itself is never reported. */
	ck_assert_int_eq(glibc_needs("/lib64/ld-linux-x86-64.so.2",
						    found_cb, &fl), 0);
	ck_assert_uint_eq(fl.n, 0);
	free(libc);
	free(libm);
}
END_TEST

/* A library needing ld.so directly (TLS users do): ld.so is skipped. */
START_TEST(needs_skips_ldso)
{
	run("cd %s && cc -shared -fPIC -o libld.so rp.c -Wl,--no-as-needed "
	    "/lib64/ld-linux-x86-64.so.2", tmp);
	char *lib = tmp_path("libld.so");
	struct found_list fl = { 0 };
	ck_assert_int_eq(glibc_needs(lib, found_cb, &fl), 0);
	for (size_t i = 0; i < fl.n; i++)
		ck_assert_ptr_null(strstr(fl.paths[i], "ld-linux"));
	found_free(&fl);
	free(lib);
}
END_TEST

static void expect_error(const char *path, const char *reason)
{
	struct found_list fl = { 0 };
	last_error[0] = '\0';
	ck_assert_int_eq(glibc_needs(path, found_cb, &fl), -1);
	ck_assert_uint_eq(fl.n, 0);
	ck_assert_msg(strncmp(last_error, path, strlen(path)) == 0 &&
			      strstr(last_error, reason),
		      "got \"%s\", want \"%s: ...%s...\"", last_error, path, reason);
}

START_TEST(needs_errors)
{
	char *text = tmp_path("notelf.so");
	write_file(text, "hello, world\n", 13);
	expect_error(text, "file too short");

	char *missing = tmp_path("missing.so");
	expect_error(missing, "cannot open shared object file: "
			      "No such file or directory");

	char *empty = tmp_path("empty.so");
	write_file(empty, "", 0);
	expect_error(empty, "file too short");

	size_t n;
	char *libz = realpath_of_lib("libz.so.1");
	unsigned char *img = read_file(libz, &n);
	char *trunc = tmp_path("trunc.so");
	/* ld.so's words (open_verify). */
	write_file(trunc, img, 40);
	expect_error(trunc, "file too short");
	write_file(trunc, img, 100); /* header, but no program headers */
	expect_error(trunc, "cannot read file data");

	char *e32 = tmp_path("e32.so");
	write_fake_elf(e32, ELFCLASS32, EM_386);
	expect_error(e32, "wrong ELF class: ELFCLASS32");

	char *arm = tmp_path("arm.so");
	write_fake_elf(arm, ELFCLASS64, 183);
	expect_error(arm, "wrong architecture (e_machine 183)");

	/* Programs, PIE or not, are not shared objects. */
	expect_error("/bin/sh", "executable");

	char *dir = tmp_path("sub");
	expect_error(dir, "not a regular file");

	free(img);
	free(libz);
	free(dir);
	free(arm);
	free(e32);
	free(trunc);
	free(empty);
	free(missing);
	free(text);
}
END_TEST

/* Damaged copies of real libraries must not crash the scanner. */
START_TEST(needs_survives_damage)
{
	size_t n;
	char *lib = tmp_path("sub/libleaf.so");
	unsigned char *orig = read_file(lib, &n);
	unsigned char *img = malloc(n);
	ck_assert_ptr_nonnull(img);
	char *bad = tmp_path("sub/damaged.so");
	srand(12345);
	const Elf64_Ehdr *eh = (const void *)orig;
	for (int round = 0; round < 400; round++) {
		memcpy(img, orig, n);
		int flips = 1 + rand() % 8;
		for (int i = 0; i < flips; i++) {
			/* Aim at headers, program headers and the first
			 * pages (dynamic section, strings, versions). */
			size_t span = round % 2 ? 4096 : n;
			size_t at = (size_t)rand() % (span < n ? span : n);
			if (round % 4 == 1)
				at = eh->e_phoff + (size_t)rand() %
					(eh->e_phnum * sizeof(Elf64_Phdr));
			img[at] = (unsigned char)rand();
		}
		write_file(bad, img, n);
		struct found_list fl = { 0 };
		int r = glibc_needs(bad, found_cb, &fl);
		ck_assert(r == 0 || r == -1);
		found_free(&fl);
	}
	free(bad);
	free(img);
	free(orig);
	free(lib);
}
END_TEST

/* Out-of-range offsets planted in a real dynamic section. */
START_TEST(needs_bad_offsets)
{
	size_t n;
	char *lib = tmp_path("libt.so");
	unsigned char *img = read_file(lib, &n);
	char *bad = tmp_path("badoff.so");
	Elf64_Ehdr *eh = (void *)img;
	Elf64_Phdr *ph = (void *)(img + eh->e_phoff);
	Elf64_Phdr *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
	ck_assert_ptr_nonnull(dyn);
	static const Elf64_Sxword tags[] = { DT_NEEDED, DT_STRTAB, DT_STRSZ,
					     DT_VERDEF, DT_VERNEED, DT_VERNEEDNUM };
	static const uint64_t values[] = { 0xffffffffffffull, 1ull << 62,
					   0x7fffffff, 0 };
	for (size_t t = 0; t < sizeof tags / sizeof tags[0]; t++) {
		for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
			unsigned char *copy = malloc(n);
			memcpy(copy, img, n);
			Elf64_Dyn *d = (void *)(copy + dyn->p_offset);
			for (; d->d_tag != DT_NULL; d++)
				if (d->d_tag == tags[t])
					d->d_un.d_val = values[v];
			write_file(bad, copy, n);
			struct found_list fl = { 0 };
			int r = glibc_needs(bad, found_cb, &fl);
			ck_assert(r == 0 || r == -1);
			found_free(&fl);
			free(copy);
		}
	}
	/* PT_DYNAMIC's p_offset out of the file, p_filesz wrong or huge:
	 * ld.so finds the section by p_vaddr and loads the object
	 * (glibc-facts 31), and the scan reads what it reads. */
	struct found_list good = { 0 };
	ck_assert_int_eq(glibc_needs(lib, found_cb, &good), 0);
	ck_assert_uint_eq(good.n, 2);
	Elf64_Phdr keep = *dyn;
	static const struct { uint64_t off, filesz; } damage[] = {
		{ 1ull << 40, 0 }, { 0, 0xffffffffffull }, { 0, 1 },
	};
	for (size_t i = 0; i < sizeof damage / sizeof *damage; i++) {
		if (damage[i].off)
			dyn->p_offset = damage[i].off;
		if (i > 0)
			dyn->p_filesz = damage[i].filesz;
		write_file(bad, img, n);
		void *h = dlopen(bad, RTLD_LAZY);
		ck_assert_msg(h, "stock refuses damage %zu: %s", i, dlerror());
		dlclose(h);
		struct found_list fl = { 0 };
		ck_assert_int_eq(glibc_needs(bad, found_cb, &fl), 0);
		ck_assert_uint_eq(fl.n, good.n);
		for (size_t k = 0; k < good.n; k++)
			ck_assert(found_has(&fl, good.paths[k]));
		found_free(&fl);
		*dyn = keep;
	}
	found_free(&good);
	/* An empty one is the single use it makes of p_filesz there. */
	dyn->p_filesz = 0;
	write_file(bad, img, n);
	ck_assert_ptr_null(dlopen(bad, RTLD_LAZY));
	expect_error(bad, "object file has no dynamic section");
	*dyn = keep;
	free(bad);
	free(img);
	free(lib);
}
END_TEST

/* ---- nsshare_search_closure */

/* What a closure scan reported to proxy, every object it reported in
 * order (ORDER, kind in OKINDS), and which names it asked LOADED about. */
struct scan_log {
	char *paths[32];
	unsigned kinds[32];
	size_t n;
	char *order[32];
	unsigned okinds[32];
	size_t norder;
	char *asked[64];
	size_t nasked;
	const char *prune[4]; /* names LOADED says are there already */
};

static void log_found(const char *path, const char *want, unsigned kind,
		      void *arg)
{
	struct scan_log *l = arg;
	(void)want;
	ck_assert_uint_lt(l->norder, 32);
	l->order[l->norder] = strdup(path);
	l->okinds[l->norder++] = kind;
	if (!(kind & (NSSHARE_SHARE_GLIBC | NSSHARE_SHARE_UNIQUE)))
		return;
	ck_assert_uint_lt(l->n, 32);
	l->paths[l->n] = strdup(path);
	l->kinds[l->n++] = kind;
}

static bool log_loaded(const char *name, void *arg)
{
	struct scan_log *l = arg;
	ck_assert_uint_lt(l->nasked, 64);
	l->asked[l->nasked++] = strdup(name);
	for (size_t i = 0; i < 4 && l->prune[i]; i++)
		if (strcmp(l->prune[i], name) == 0)
			return true;
	return false;
}

static void log_free(struct scan_log *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	for (size_t i = 0; i < l->norder; i++)
		free(l->order[i]);
	for (size_t i = 0; i < l->nasked; i++)
		free(l->asked[i]);
	l->n = l->norder = l->nasked = 0;
}

/* The kind PATH was reported with, 0 when it was not; never twice. */
static unsigned log_kind(const struct scan_log *l, const char *path)
{
	unsigned kind = 0;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->paths[i], path) != 0)
			continue;
		ck_assert_msg(kind == 0, "%s reported twice", path);
		kind = l->kinds[i];
	}
	return kind;
}

static bool log_asked(const struct scan_log *l, const char *name)
{
	for (size_t i = 0; i < l->nasked; i++)
		if (strcmp(l->asked[i], name) == 0)
			return true;
	return false;
}

/* Scans PATH with NSSHARE_SHARE set to SHARE (NULL: unset). */
static int scan_share(const char *share, const char *path, struct scan_log *l)
{
	if (share)
		setenv("NSSHARE_SHARE", share, 1);
	else
		unsetenv("NSSHARE_SHARE");
	int r = nsshare_search_closure(path, log_loaded, log_found, l);
	unsetenv("NSSHARE_SHARE");
	return r;
}

#define G NSSHARE_SHARE_GLIBC
#define U NSSHARE_SHARE_UNIQUE

/* glibc libraries are reported as such, the top object included. */
START_TEST(closure_glibc)
{
	struct scan_log l = { 0 };
	char *lib = tmp_path("libt.so");
	char *libm = ldso_name("libm.so.6"), *libc = ldso_name("libc.so.6");
	ck_assert_int_eq(scan_share(NULL, lib, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(log_kind(&l, libm), G);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	log_free(&l);
	/* PATH itself is classified too, and the closure goes on through
	 * glibc libraries to ld.so, in the order ld.so loads them: libm,
	 * libc, ld.so (glibc-facts 14: each stands where stock puts it). */
	ck_assert_int_eq(nsshare_search_closure(libm, NULL, log_found, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(log_kind(&l, libm), G);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	ck_assert_uint_eq(l.norder, 3);
	ck_assert_str_eq(l.order[0], libm);
	ck_assert_str_eq(l.order[1], libc);
	ck_assert_uint_eq(l.okinds[2], NSSHARE_CLOSURE_RTLD);
	ck_assert_msg(strncmp(l.order[2], "ld-linux", 8) == 0 ||
		      strstr(l.order[2], "/ld-linux"), "%s", l.order[2]);
	log_free(&l);
	/* Into an existing namespace (a LOADED callback) ld.so is neither
	 * reported nor asked about: ld.so gives the namespace its stand-in
	 * itself, and glibc 2.41 asserts on a second dlmopen(RTLD_NOLOAD)
	 * of its name. */
	ck_assert_int_eq(scan_share(NULL, libm, &l), 0);
	ck_assert_uint_eq(l.norder, 2);
	ck_assert(log_asked(&l, "libc.so.6"));
	for (size_t i = 0; i < l.nasked; i++)
		ck_assert_msg(strstr(l.asked[i], "ld-linux") == NULL,
			      "asked about %s", l.asked[i]);
	log_free(&l);
	free(libm);
	free(libc);
	free(lib);
}
END_TEST

/* A tagged object is reported, and its dependencies (libz, libdl, libc)
 * are not looked at. */
START_TEST(closure_tagged_top)
{
	struct scan_log l = { 0 };
	char *uq = tmp_path("uniq/libuq.so");
	ck_assert_int_eq(scan_share(NULL, uq, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(log_kind(&l, uq), U);
	ck_assert_uint_eq(l.nasked, 0);
	log_free(&l);
	free(uq);
}
END_TEST

/* libuser needs the tagged libuq, found through DT_RUNPATH $ORIGIN/uniq:
 * libuq is reported and not descended into; libdep is (libm). */
START_TEST(closure_tagged_needed)
{
	struct scan_log l = { 0 };
	char *user = tmp_path("libuser.so"), *uq = tmp_path("uniq/libuq.so");
	char *libm = ldso_name("libm.so.6"), *libc = ldso_name("libc.so.6");
	char *libdl = ldso_name("libdl.so.2");
	ck_assert_int_eq(scan_share(NULL, user, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(log_kind(&l, uq), U);
	ck_assert_uint_eq(log_kind(&l, libm), G);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	ck_assert(log_asked(&l, "libuq.so"));
	ck_assert(log_asked(&l, "libdep.so"));
	ck_assert(!log_asked(&l, "libz.so.1"));
	ck_assert(!log_asked(&l, "libdl.so.2"));
	ck_assert(!log_asked(&l, user));
	log_free(&l);

	free(libdl);
	free(libm);
	free(libc);
	free(uq);
	free(user);
}
END_TEST

/* A name LOADED claims is neither reported nor descended into. */
START_TEST(closure_loaded_prunes)
{
	char *user = tmp_path("libuser.so"), *uq = tmp_path("uniq/libuq.so");
	char *libm = ldso_name("libm.so.6"), *libc = ldso_name("libc.so.6");
	struct scan_log l = { .prune = { "libdep.so" } };
	ck_assert_int_eq(scan_share(NULL, user, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(log_kind(&l, uq), U);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	ck_assert(!log_asked(&l, "libm.so.6"));
	log_free(&l);

	struct scan_log l2 = { .prune = { "libuq.so", "libc.so.6" } };
	ck_assert_int_eq(scan_share(NULL, user, &l2), 0);
	ck_assert_uint_eq(l2.n, 1);
	ck_assert_uint_eq(log_kind(&l2, libm), G);
	log_free(&l2);
	free(libm);
	free(libc);
	free(uq);
	free(user);
}
END_TEST

/* NSSHARE_SHARE names objects by soname, file name, DT_NEEDED name or
 * path (links included); they are then treated as tagged. */
START_TEST(closure_share_env)
{
	char *shr = tmp_path("libshr.so"), *link = tmp_path("libshr-link.so");
	char *user = tmp_path("libuser.so"), *dep = tmp_path("uniq/libdep.so");
	char *uq = tmp_path("uniq/libuq.so");
	char *libm = ldso_name("libm.so.6"), *libc = ldso_name("libc.so.6");
	const char *const hits[] = { "libshr-soname.so.1", "libshr.so", shr,
				     link, "libz.so.1:/nonexistent/x::libshr.so" };
	struct scan_log l = { 0 };
	for (size_t i = 0; i < sizeof hits / sizeof hits[0]; i++) {
		ck_assert_int_eq(scan_share(hits[i], shr, &l), 0);
		ck_assert_msg(l.n == 1 && log_kind(&l, shr) == U,
			      "NSSHARE_SHARE=%s", hits[i]);
		log_free(&l);
	}
	/* Scanned through the link, the path entry still names the file. */
	ck_assert_int_eq(scan_share(shr, link, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(log_kind(&l, link), U);
	log_free(&l);

	const char *const misses[] = { "libshr", "libshr-link.so",
				       "/nonexistent/libshr.so", ":", "" };
	for (size_t i = 0; i < sizeof misses / sizeof misses[0]; i++) {
		ck_assert_int_eq(scan_share(misses[i], shr, &l), 0);
		ck_assert_msg(l.n == 2 && log_kind(&l, libm) == G &&
				      log_kind(&l, libc) == G,
			      "NSSHARE_SHARE=%s", misses[i]);
		log_free(&l);
	}

	/* A needed object, by its DT_NEEDED name: libm is not reached. */
	ck_assert_int_eq(scan_share("libdep.so", user, &l), 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_uint_eq(log_kind(&l, dep), U);
	ck_assert_uint_eq(log_kind(&l, uq), U);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	log_free(&l);

	/* A glibc library named there is both. */
	ck_assert_int_eq(scan_share("libm.so.6", shr, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(log_kind(&l, libm), G | U);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	log_free(&l);

	/* Secure processes ignore the variable. */
	state.secure = true;
	int r = scan_share("libshr.so", shr, &l);
	state.secure = false;
	ck_assert_int_eq(r, 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(log_kind(&l, shr), 0);
	log_free(&l);

	free(libm);
	free(libc);
	free(uq);
	free(dep);
	free(user);
	free(link);
	free(shr);
}
END_TEST

START_TEST(closure_errors)
{
	struct scan_log l = { 0 };
	char *missing = tmp_path("missing.so");
	last_error[0] = '\0';
	ck_assert_int_eq(scan_share(NULL, missing, &l), -1);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_nonnull(strstr(last_error, "No such file or directory"));
	last_error[0] = '\0';
	ck_assert_int_eq(scan_share(NULL, "/bin/sh", &l), -1);
	ck_assert_ptr_nonnull(strstr(last_error, "executable"));
	free(missing);
}
END_TEST

static bool log_same(const struct scan_log *a, const struct scan_log *b)
{
	if (a->n != b->n || a->nasked != b->nasked)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->paths[i], b->paths[i]) || a->kinds[i] != b->kinds[i])
			return false;
	for (size_t i = 0; i < a->nasked; i++)
		if (strcmp(a->asked[i], b->asked[i]))
			return false;
	return true;
}

/* A second scan reads no file with libelf and reports the same. */
START_TEST(closure_cached)
{
	char *user = tmp_path("libuser.so");
	struct scan_log l1 = { 0 }, l2 = { 0 };
	ck_assert_int_eq(scan_share(NULL, user, &l1), 0);
	unsigned before = elf_begins;
	ck_assert_int_eq(scan_share(NULL, user, &l2), 0);
	ck_assert_uint_eq(elf_begins, before);
	ck_assert(log_same(&l1, &l2));
	/* The variable is applied at each scan, not remembered. */
	log_free(&l2);
	ck_assert_int_eq(scan_share("libdep.so", user, &l2), 0);
	ck_assert(!log_same(&l1, &l2));
	log_free(&l2);
	ck_assert_int_eq(scan_share(NULL, user, &l2), 0);
	ck_assert(log_same(&l1, &l2));
	ck_assert_uint_eq(elf_begins, before);
	log_free(&l1);
	log_free(&l2);
	free(user);
}
END_TEST

static void set_mtime(const char *path, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };
	ck_assert_int_eq(utimensat(AT_FDCWD, path, ts, 0), 0);
}

/* The DT_GNU_FLAGS_1 entry of the dynamic section in IMG. */
static Elf64_Dyn *gnu_flags_1(unsigned char *img)
{
	Elf64_Ehdr *eh = (void *)img;
	Elf64_Phdr *ph = (void *)(img + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_DYNAMIC)
			continue;
		for (Elf64_Dyn *d = (void *)(img + ph[i].p_offset);
		     d->d_tag != DT_NULL; d++)
			if (d->d_tag == DT_GNU_FLAGS_1)
				return d;
	}
	return NULL;
}

/* A file changed in place (same inode and size, new mtime) or replaced
 * at the same path is read again. */
START_TEST(closure_cache_sees_rewrite)
{
	char *uq = tmp_path("uniq/libuq.so"), *rw = tmp_path("rw.so");
	char *fresh = tmp_path("rw-new.so");
	char *libc = ldso_name("libc.so.6"), *libdl = ldso_name("libdl.so.2");
	run("cp %s %s", uq, rw);
	set_mtime(rw, 1000000000);
	struct scan_log l = { 0 };
	ck_assert_int_eq(scan_share(NULL, rw, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(log_kind(&l, rw), U);
	log_free(&l);

	/* Untag it where it lies. */
	struct stat before, after;
	ck_assert_int_eq(stat(rw, &before), 0);
	size_t n;
	unsigned char *img = read_file(rw, &n);
	Elf64_Dyn *d = gnu_flags_1(img);
	ck_assert_ptr_nonnull(d);
	d->d_un.d_val &= ~(Elf64_Xword)DF_GNU_1_UNIQUE;
	write_file(rw, img, n);
	set_mtime(rw, 1000000001);
	ck_assert_int_eq(stat(rw, &after), 0);
	ck_assert(before.st_ino == after.st_ino && before.st_size == after.st_size);
	ck_assert_int_eq(scan_share(NULL, rw, &l), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(log_kind(&l, rw), 0);
	ck_assert_uint_eq(log_kind(&l, libc), G);
	ck_assert_uint_eq(log_kind(&l, libdl), G);
	log_free(&l);

	/* Replaced by another file with the same size and mtime. */
	d->d_un.d_val |= DF_GNU_1_UNIQUE;
	write_file(fresh, img, n);
	set_mtime(fresh, 1000000001);
	ck_assert_int_eq(rename(fresh, rw), 0);
	ck_assert_int_eq(scan_share(NULL, rw, &l), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(log_kind(&l, rw), U);
	log_free(&l);
	free(img);
	free(libdl);
	free(libc);
	free(fresh);
	free(rw);
	free(uq);
}
END_TEST

/* Threads scanning at once, from a cold start for the top object, all
 * get the whole answer. */
struct scan_thread {
	const char *path;
	struct scan_log log;
	int ret;
};

static void *scan_thread_run(void *arg)
{
	struct scan_thread *t = arg;
	t->ret = nsshare_search_closure(t->path, NULL, log_found, &t->log);
	return NULL;
}

START_TEST(closure_threads)
{
	char *user = tmp_path("libuser.so"), *copy = tmp_path("libuser-thr.so");
	run("cp %s %s", user, copy);
	struct scan_thread t[4];
	pthread_t tid[4];
	for (int i = 0; i < 4; i++) {
		t[i] = (struct scan_thread){ .path = copy };
		ck_assert_int_eq(pthread_create(&tid[i], NULL, scan_thread_run,
						&t[i]), 0);
	}
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_join(tid[i], NULL), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(t[i].ret, 0);
		ck_assert_uint_eq(t[i].log.n, 3);
		ck_assert(log_same(&t[i].log, &t[0].log));
	}
	for (int i = 0; i < 4; i++)
		log_free(&t[i].log);
	free(copy);
	free(user);
}
END_TEST

static Suite *search_suite(void)
{
	Suite *s = suite_create("search");
	TCase *tc = unit_tcase("search");
	tcase_add_unchecked_fixture(tc, fixture_up, fixture_down);
	tcase_add_test(tc, resolve_matches_ldso);
	tcase_add_test(tc, resolve_slash_as_given);
	tcase_add_test(tc, resolve_dst_like_ldso);
	tcase_add_test(tc, resolve_unknown_is_null);
	tcase_add_test(tc, resolve_ld_library_path_first);
	tcase_add_test(tc, resolve_skips_other_class);
	tcase_add_test(tc, resolve_glibc_hwcaps);
	tcase_add_test(tc, resolve_caller_paths);
	tcase_add_test(tc, needs_libz_is_libc);
	tcase_add_test(tc, needs_libm_and_libc);
	tcase_add_test(tc, needs_chain);
	tcase_add_test(tc, needs_glibc_root);
	tcase_add_test(tc, needs_skips_ldso);
	tcase_add_test(tc, needs_errors);
	tcase_add_test(tc, needs_survives_damage);
	tcase_add_test(tc, needs_bad_offsets);
	tcase_add_test(tc, closure_glibc);
	tcase_add_test(tc, closure_tagged_top);
	tcase_add_test(tc, closure_tagged_needed);
	tcase_add_test(tc, closure_loaded_prunes);
	tcase_add_test(tc, closure_share_env);
	tcase_add_test(tc, closure_errors);
	tcase_add_test(tc, closure_cached);
	tcase_add_test(tc, closure_cache_sees_rewrite);
	tcase_add_test(tc, closure_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(search_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
