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

/* "FILE|NS|TARGET-FILE-NAME|SYMBOL" of one binding. */
struct bindings {
	char *key[MAXB];
	size_t n;
};

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		snprintf(key, sizeof key, "%s|%ld|%s|%s", from, ns,
			 base_name(to), sym);
		b->key[b->n++] = strdup(key);
	}
	fclose(f);
	qsort(b->key, b->n, sizeof *b->key, key_cmp);
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
		libz_free |= strstr(got.key[i], "libz.so.1|") &&
			     strstr(got.key[i], "|libc.so.6|free");
	CHECK(libz_free, "no binding of libz's free to the base libc");
	size_t i = 0, j = 0;
	while (i < want.n || j < got.n) {
		int c = i == want.n ? 1 : j == got.n ? -1
				    : strcmp(want.key[i], got.key[j]);
		CHECK(c >= 0, "ld.so's binding %s, not nsshare's", want.key[i]);
		CHECK(c <= 0, "nsshare's binding %s, not ld.so's", got.key[j]);
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
