/* NSSHARE_DEBUG=bindings (issue 12, point 1), ld.so as the oracle: a child
 * loads libz into two namespaces with LD_DEBUG=bindings and
 * NSSHARE_DEBUG=bindings both on.  Every binding ld.so reports from an
 * object of a secondary namespace to one of nsshare's proxies is reported
 * by nsshare too, from the same object and namespace, for the same
 * symbol, to the base object the proxy stands for (of the same file
 * name), once; and nsshare reports no other. */
#include "it.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXB 4096

/* One binding: "FILE|NS|SYMBOL", and the file name of what answered. */
struct binding {
	char *key, *to;
};
struct bindings {
	struct binding b[MAXB];
	size_t n;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct binding *)a)->key,
		      ((const struct binding *)b)->key);
}

/* The file name of the object holding what the base namespace's lookup
 * of SYM gives, or "": under ASan, its interceptors answer for libc. */
static const char *base_answer(const char *sym)
{
	Dl_info info;
	void *p = dlsym(RTLD_DEFAULT, sym);
	return p && dladdr(p, &info) && info.dli_fname
		       ? base_name(info.dli_fname) : "";
}

/* The bindings in the log at PATH: ld.so's lines to a proxy (OURS false),
 * or nsshare's (OURS true). */
static void bindings_read(const char *path, bool ours, struct bindings *b)
{
	FILE *f = fopen(path, "r");
	REQUIRE(f, "%s: %s", path, strerror(errno));
	char line[8192];
	while (fgets(line, sizeof line, f) && b->n < MAXB) {
		const char *at = strstr(line, "binding file ");
		bool is_ours = strstr(line, "nsshare: binding file ") != NULL;
		if (!at || is_ours != ours)
			continue;
		char from[4096], to[4096], sym[512];
		long ns, to_ns;
		if (sscanf(at, "binding file %4095s [%ld] to %4095s [%ld]", from,
			   &ns, to, &to_ns) != 4 || ns == LM_ID_BASE)
			continue;
		const char *q = strchr(at, '`');
		if (!q || sscanf(q + 1, "%511[^']", sym) != 1)
			continue;
		/* ld.so's: only those answered by a proxy, one of nsshare's
		 * images, under its directory of links or /proc/PID/fd. */
		if (!ours && !strstr(to, "/nsshare-") && strncmp(to, "/proc/", 6))
			continue;
		REQUIRE(!ours || to_ns == LM_ID_BASE, "nsshare's binding to "
			"namespace %ld: %s", to_ns, line);
		char key[9000];
		snprintf(key, sizeof key, "%s|%ld|%s", from, ns, sym);
		b->b[b->n].key = strdup(key);
		b->b[b->n++].to = strdup(base_name(to));
	}
	fclose(f);
	qsort(b->b, b->n, sizeof *b->b, key_cmp);
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "child") == 0) {
		void *a = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW);
		void *b = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW);
		return a && b && dlclose(b) == 0 && dlclose(a) == 0 ? 0 : 1;
	}
	char dir[] = "/tmp/nsshare-bindings-XXXXXX";
	REQUIRE(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	char ld[128], ns[128];
	snprintf(ld, sizeof ld, "%s/ld", dir);
	snprintf(ns, sizeof ns, "%s/ns", dir);
	pid_t pid = fork();
	if (pid == 0) {
		setenv("LD_DEBUG", "bindings", 1);
		setenv("LD_DEBUG_OUTPUT", ld, 1);
		setenv("NSSHARE_DEBUG", "bindings", 1);
		setenv("NSSHARE_DEBUG_OUTPUT", ns, 1);
		execl(argv[0], argv[0], "child", (char *)NULL);
		_exit(127);
	}
	int status;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid");
	REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"child status %#x", status);
	char ld_log[160], ns_log[160];
	snprintf(ld_log, sizeof ld_log, "%s.%ld", ld, (long)pid);
	snprintf(ns_log, sizeof ns_log, "%s.%ld", ns, (long)pid);
	static struct bindings want, got;
	bindings_read(ld_log, false, &want);
	bindings_read(ns_log, true, &got);
	CHECK(want.n > 0, "ld.so reported no binding to a proxy");
	bool libz_free = false;
	for (size_t i = 0; i < got.n; i++)
		libz_free |= strstr(got.b[i].key, "libz.so.1|") &&
			     strstr(got.b[i].key, "|free");
	CHECK(libz_free, "no binding of libz's free through a proxy");
	size_t i = 0, j = 0;
	while (i < want.n || j < got.n) {
		int c = i == want.n ? 1 : j == got.n ? -1
				    : strcmp(want.b[i].key, got.b[j].key);
		CHECK(c >= 0, "ld.so's binding %s, not nsshare's", want.b[i].key);
		CHECK(c <= 0, "nsshare's binding %s, not ld.so's", got.b[j].key);
		/* Answered by the object the proxy stands for, or by what
		 * answers the base namespace's lookup of the symbol. */
		const char *sym = c ? "" : strrchr(got.b[j].key, '|') + 1;
		CHECK(c || strcmp(got.b[j].to, want.b[i].to) == 0 ||
		      strcmp(got.b[j].to, base_answer(sym)) == 0,
		      "%s: answered by %s, through the proxy of %s",
		      got.b[j].key, got.b[j].to, want.b[i].to);
		i += c <= 0;
		j += c >= 0;
	}
	printf("info: %zu bindings through proxies, as ld.so reports them\n",
	       got.n);
	unlink(ld_log);
	unlink(ns_log);
	rmdir(dir);
	return it_finish();
}
