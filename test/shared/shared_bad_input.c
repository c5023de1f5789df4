/* Behaviour 10 of issue 2: bad input to dlmopen, with and without
 * RTLD_SHARED, into a new or an existing namespace, fails with one
 * dlerror() message that names the object and the problem, and changes
 * nothing: no namespace used up, no object added to the base namespace
 * or to the existing one, no file descriptor left open. */
#include "shared_util.h"

#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/nsshare-bad-XXXXXX";

/* The file NAME in the temporary directory. */
static const char *tmp_file(const char *name)
{
	static char buf[8][PATH_MAX];
	static int next;
	char *b = buf[next++ % 8];
	snprintf(b, sizeof buf[0], "%s/%s", tmpdir, name);
	return b;
}

static void write_file(const char *name, const void *data, size_t size)
{
	FILE *f = fopen(tmp_file(name), "wb");
	REQUIRE(f, "create %s", name);
	/* REQUIRE evaluates its condition twice: no side effects in it. */
	bool written = fwrite(data, 1, size, f) == size;
	bool closed = fclose(f) == 0;
	REQUIRE(written && closed, "write %s", name);
}

/* A copy of X, with BYTES written over it at OFFSET. */
static void write_patched(const char *name, size_t offset, const void *bytes,
			  size_t n)
{
	FILE *f = fopen(module_path(COUNTER_MOD), "rb");
	REQUIRE(f, "open X");
	static char image[1 << 20];
	size_t size = fread(image, 1, sizeof image, f);
	fclose(f);
	REQUIRE(size > offset + n && size < sizeof image, "read X");
	memcpy(image + offset, bytes, n);
	write_file(name, image, size);
}

static void make_bad_files(void)
{
	char *dir = mkdtemp(tmpdir);
	REQUIRE(dir, "mkdtemp");
	static const char text[] =
		"This is not an ELF object.\n"
		"It is long enough to hold an ELF header, were it one,\n"
		"so the loader has to look at its contents to refuse it.\n";
	write_file("libtext.so", text, sizeof text - 1);

	FILE *f = fopen(module_path(COUNTER_MOD), "rb");
	REQUIRE(f, "open X");
	char head[100];
	size_t got = fread(head, 1, sizeof head, f);
	fclose(f);
	REQUIRE(got == sizeof head, "read X");
	write_file("libtruncated.so", head, sizeof head);

	unsigned char class32 = ELFCLASS32;
	write_patched("libclass32.so", EI_CLASS, &class32, 1);
	ElfW(Half) machine = EM_AARCH64;
	write_patched("libaarch64.so", offsetof(ElfW(Ehdr), e_machine), &machine,
		      sizeof machine);
}

static void remove_bad_files(void)
{
	static const char *const names[] = {
		"libtext.so", "libtruncated.so", "libclass32.so", "libaarch64.so",
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unlink(tmp_file(names[i]));
	rmdir(tmpdir);
}

/* The state a failed call must leave as it found. */
struct state {
	int fds, base_objects, ns_objects, available;
};

static void *plain;          /* creates the existing namespace */
static Lmid_t existing;
static bool check_available; /* namespaces_available() after every case */

static struct state state_now(void)
{
	return (struct state){
		.fds = count_fds(),
		.base_objects = count_base_objects(),
		.ns_objects = count_ns_objects(plain),
		.available = check_available ? namespaces_available() : 0,
	};
}

static const char *ns_name(Lmid_t ns)
{
	static char buf[32];
	if (ns == LM_ID_NEWLM)
		return "LM_ID_NEWLM";
	snprintf(buf, sizeof buf, "%ld", (long)ns);
	return buf;
}

/* dlmopen(NS, FILE, MODE) must fail with a message containing each of
 * WANT (NULL-terminated list; none for glibc's own words), once, and leave
 * the state unchanged. */
static void bad(Lmid_t ns, const char *file, int mode, const char *const *want)
{
	char what[PATH_MAX + 64];
	snprintf(what, sizeof what, "dlmopen(%s, %s, %s)", ns_name(ns),
		 file ? (*file ? file : "\"\"") : "NULL",
		 mode & RTLD_SHARED ? (mode & RTLD_ISOLATE ? "SHARED|ISOLATE" : "SHARED")
				    : "plain");
	struct state before = state_now();
	void *h = dlmopen(ns, file, mode);
	CHECK(!h, "%s succeeded", what);
	const char *msg = dlerror();
	CHECK(msg && *msg, "%s: no dlerror()", what);
	printf("%s: %s\n", what, msg ? msg : "(no error)");
	for (size_t i = 0; msg && want && want[i]; i++)
		CHECK(strstr(msg, want[i]), "%s: \"%s\" lacks \"%s\"", what, msg, want[i]);
	CHECK(dlerror() == NULL, "%s: error reported twice", what);
	if (h)
		dlclose(h);

	struct state after = state_now();
	CHECK(after.fds == before.fds, "%s: fds %d, were %d", what, after.fds,
	      before.fds);
	CHECK(after.base_objects == before.base_objects,
	      "%s: base objects %d, were %d", what, after.base_objects,
	      before.base_objects);
	CHECK(after.ns_objects == before.ns_objects,
	      "%s: existing namespace has %d objects, had %d", what,
	      after.ns_objects, before.ns_objects);
	CHECK(after.available == before.available,
	      "%s: %d namespaces available, were %d", what, after.available,
	      before.available);
}

/* FILE is bad: every way of opening it fails naming it, with REASON when
 * given. */
static void bad_file(const char *file, const char *name, const char *reason)
{
	const char *want[] = { name, reason, NULL };
	static const int modes[] = { RTLD_NOW, RTLD_LAZY | RTLD_SHARED,
				     RTLD_NOW | RTLD_SHARED };
	for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
		bad(LM_ID_NEWLM, file, modes[i], want);
		bad(existing, file, modes[i], want);
	}
}

static void bad_names(void)
{
	/* RTLD_SHARED needs a file to share. */
	static const char *const no_name[] = { "RTLD_SHARED", NULL };
	bad(LM_ID_NEWLM, NULL, RTLD_NOW | RTLD_SHARED, no_name);
	bad(LM_ID_NEWLM, "", RTLD_NOW | RTLD_SHARED, no_name);
	bad(existing, NULL, RTLD_NOW | RTLD_SHARED, no_name);
	bad(existing, "", RTLD_NOW | RTLD_SHARED, no_name);
	/* Without it, glibc's own refusals, unchanged. */
	bad(LM_ID_NEWLM, NULL, RTLD_NOW, NULL);
	bad(LM_ID_NEWLM, "", RTLD_NOW, NULL);
	bad(existing, NULL, RTLD_NOW, NULL);
}

static void bad_flags(void)
{
	const char *x = module_path(COUNTER_MOD);
	static const char *const want[] = { COUNTER_MOD, "RTLD_ISOLATE", NULL };
	bad(LM_ID_NEWLM, x, RTLD_NOW | RTLD_SHARED | RTLD_ISOLATE, want);
	bad(existing, x, RTLD_NOW | RTLD_SHARED | RTLD_ISOLATE, want);
}

static void bad_namespaces(void)
{
	const char *x = module_path(COUNTER_MOD);
	static const char *const want[] = { COUNTER_MOD, "namespace", NULL };
	/* A namespace that was in use and no longer is. */
	void *h = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	REQUIRE(h, "dlmopen: %s", dlerror());
	Lmid_t gone = it_handle_ns(h);
	CHECK(dlclose(h) == 0, "dlclose: %s", dlerror());
	static const Lmid_t ids[] = { 7, 15, 16, 100, -5 };
	for (size_t i = 0; i <= sizeof ids / sizeof ids[0]; i++) {
		Lmid_t ns = i < sizeof ids / sizeof ids[0] ? ids[i] : gone;
		bad(ns, x, RTLD_NOW, want);
		bad(ns, x, RTLD_NOW | RTLD_SHARED, want);
	}
	/* The refusals loaded no base copy of X either. */
	CHECK(!base_has(COUNTER_MOD), "X loaded into the base namespace");
}

int main(void)
{
	make_bad_files();
	plain = dlmopen(LM_ID_NEWLM, module_path(PLAIN_MOD), RTLD_NOW);
	REQUIRE(plain, "dlmopen plain: %s", dlerror());
	existing = it_handle_ns(plain);
	int ns_objects = count_ns_objects(plain);
	REQUIRE(ns_objects > 0, "cannot count N's objects");
	/* Warm up what nsshare keeps for the process (glibc proxies). */
	int available = namespaces_available();
	CHECK(available == it_max_namespaces() - 1, "%d namespaces available besides N",
	      available);
	check_available = true;

	bad_file(tmp_file("libmissing.so"), "libmissing.so", "No such file");
	/* A bare name found nowhere on the search path. */
	bad_file("libshared-nowhere.so", "libshared-nowhere.so", "No such file");
	bad_file(tmp_file("libtext.so"), "libtext.so", NULL);
	bad_file(tmp_file("libtruncated.so"), "libtruncated.so", NULL);
	bad_file(tmp_file("libclass32.so"), "libclass32.so", NULL);
	bad_file(tmp_file("libaarch64.so"), "libaarch64.so", NULL);
	/* A directory. */
	bad_file(tmpdir, strrchr(tmpdir, '/') + 1, NULL);
	bad_names();
	bad_flags();
	bad_namespaces();

	/* Afterwards: exactly as many namespaces as before, and the
	 * existing one works. */
	CHECK(namespaces_available() == available, "%d namespaces available, were %d",
	      namespaces_available(), available);
	CHECK(it_code_ns(plain, "plain_len") == existing, "N's library gone");
	/* The good file opens where the bad ones did not. */
	void *p = dlmopen(existing, module_path(COUNTER_MOD), RTLD_NOW | RTLD_SHARED);
	CHECK(p && it_code_ns(p, "shared_counter_get") == LM_ID_BASE,
	      "RTLD_SHARED after the bad input: %s", p ? "code not in base" : dlerror());
	if (p)
		dlclose(p);
	CHECK(dlclose(plain) == 0, "dlclose: %s", dlerror());
	remove_bad_files();
	return it_finish();
}
