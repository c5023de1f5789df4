/* Issue 11, part D: damaged objects.  damage.py writes damaged copies of
 * libshared-damage.so (a .gnu.hash byte flipped, the last chain without
 * its end, st_name out of range, DT_STRSZ huge, PT_DYNAMIC's p_offset and
 * p_filesz wrong, version indices and definitions out of range, an IFUNC
 * resolver moved out of the code, random bytes).  For each, stock glibc
 * (damaged-stock, a process without nsshare) is the oracle, and nsshare
 * runs in a child of its own so that a crash is a failure, not the end:
 *   - no crash;
 *   - what stock loads, nsshare loads too without RTLD_SHARED;
 *   - with RTLD_SHARED, either the symbols stock's dlsym finds are found
 *     through the proxy at the same addresses (same offsets from the
 *     base copy's load address), or dlerror() says "<path>: <reason>",
 *     the object is not left in the base namespace, and a later good
 *     RTLD_SHARED load works. */
#include "shared_util.h"

#include <signal.h>
#include <sys/wait.h>
#include <ucontext.h>
#include <unistd.h>

#define DAMAGE_MOD "libshared-damage.so"

/* The ifunc last: a moved resolver crashes stock's dlsym, which then
 * reports nothing after it. */
static const char *const names[] = {
	"damage_value", "damage_get", "damage_add", "damage_old", "damage_ifunc",
};
#define NNAMES (sizeof names / sizeof names[0])

struct stock {
	bool loaded;
	bool died;     /* in its dlmopen: ld.so itself crashed or asserted */
	bool closed;   /* its dlclose survived the object's destructors */
	bool found[NNAMES];
	unsigned long offset[NNAMES];
};

static struct stock stock_run(const char *path)
{
	struct stock st = { 0 };
	char cmd[8192];
	int n = snprintf(cmd, sizeof cmd, "'%s' '%s'", DAMAGE_STOCK, path);
	for (size_t i = 0; i < NNAMES; i++)
		n += snprintf(cmd + n, sizeof cmd - (size_t)n, " %s", names[i]);
	FILE *p = popen(cmd, "r");
	REQUIRE(p, "popen %s", cmd);
	char line[256];
	bool refused = false;
	while (fgets(line, sizeof line, p)) {
		char name[64], value[64];
		if (strcmp(line, "loaded\n") == 0)
			st.loaded = true;
		if (strcmp(line, "refused\n") == 0)
			refused = true;
		if (strcmp(line, "closed\n") == 0)
			st.closed = true;
		if (sscanf(line, "%63s %63s", name, value) != 2)
			continue;
		for (size_t i = 0; i < NNAMES; i++) {
			if (strcmp(name, names[i]) == 0 && value[0] != '-') {
				st.found[i] = true;
				st.offset[i] = strtoul(value, NULL, 16);
			}
		}
	}
	/* Stock may crash: its verdict is what it printed. */
	st.died = !st.loaded && !refused;
	pclose(p);
	return st;
}

/* The pipe to the parent: a child that faults inside ld.so says so
 * before it dies ('R'). */
static int report_fd = -1;

static void on_fault(int sig, siginfo_t *si, void *uc)
{
	const void *pc = NULL;
#if defined(__x86_64__)
	pc = (const void *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	pc = (const void *)((ucontext_t *)uc)->uc_mcontext.pc;
#endif
	(void)si;
	Dl_info info;
	if (pc && dladdr(pc, &info) && info.dli_fname &&
	    strstr(info.dli_fname, "/ld-linux")) {
		char r = 'R';
		if (write(report_fd, &r, 1) < 0)
			_exit(98);
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

static ElfW(Addr) load_address(void *handle)
{
	struct link_map *lm = NULL;
	return dlinfo(handle, RTLD_DI_LINKMAP, &lm) == 0 && lm ? lm->l_addr : 0;
}

/* In a child: nsshare on PATH.  Exits with the number of failures. */
static void nsshare_run(const char *path, const struct stock *st,
			unsigned char *shared)
{
	void *h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW);
	if (st->loaded)
		CHECK(h, "%s: stock loads it, nsshare: %s", path, dlerror());
	if (h)
		CHECK(dlclose(h) == 0, "%s: dlclose", path);
	dlerror();

	h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW | RTLD_SHARED);
	if (h) {
		*shared = 1;
		void *base = dlopen(path, RTLD_NOW | RTLD_NOLOAD);
		CHECK(base, "%s: shared, but no base copy", path);
		ElfW(Addr) at = base ? load_address(base) : 0;
		for (size_t i = 0; base && i < NNAMES; i++) {
			if (!st->found[i])
				continue;
			void *p = dlsym(h, names[i]);
			CHECK(p && (ElfW(Addr))p == at + st->offset[i],
			      "%s: %s through the proxy at %p, stock at base+%#lx",
			      path, names[i], p, st->offset[i]);
		}
		if (base)
			dlclose(base);
		CHECK(dlclose(h) == 0, "%s: dlclose", path);
		return;
	}
	const char *err = dlerror();
	size_t n = strlen(path);
	CHECK(err && strncmp(err, path, n) == 0 && strncmp(err + n, ": ", 2) == 0,
	      "%s: refusal says \"%s\"", path, err ? err : "(null)");
	CHECK(!dlopen(path, RTLD_NOW | RTLD_NOLOAD),
	      "%s: refused, but left in the base namespace", path);
	dlerror();
	void *good = dlmopen(LM_ID_NEWLM, module_path(DAMAGE_MOD),
			     RTLD_NOW | RTLD_SHARED);
	CHECK(good, "%s: a good load after the refusal: %s", path, dlerror());
	int (*get)(void) = good ? (int (*)(void))dlsym(good, "damage_get") : NULL;
	CHECK(get && get() == 42, "%s: damage_get after the refusal", path);
	if (good)
		dlclose(good);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_object(const struct dirent *e)
{
	return ends_with(e->d_name, ".so");
}

int main(void)
{
	char dir[] = "/tmp/nsshare-damaged-XXXXXX";
	REQUIRE(mkdtemp(dir), "mkdtemp");
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "python3 '%s' '%s' '%s'", DAMAGE_PY,
		 module_path(DAMAGE_MOD), dir);
	REQUIRE(system(cmd) == 0, "%s", cmd);
	struct dirent **files;
	int nfiles = scandir(dir, &files, is_object, by_name);
	REQUIRE(nfiles > 100, "damage.py wrote %d files", nfiles);

	unsigned stock_loaded = 0, stock_died = 0, shared = 0, refused = 0;
	for (int f = 0; f < nfiles; f++) {
		char path[PATH_MAX];
		snprintf(path, sizeof path, "%s/%s", dir, files[f]->d_name);
		struct stock st = stock_run(path);
		stock_loaded += st.loaded;
		int pipefd[2];
		REQUIRE(pipe(pipefd) == 0, "pipe");
		fflush(NULL);
		pid_t pid = fork();
		REQUIRE(pid >= 0, "fork");
		if (pid == 0) {
			close(pipefd[0]);
			it_failed = 0;
			report_fd = pipefd[1];
			struct sigaction sa = { .sa_sigaction = on_fault,
						.sa_flags = SA_SIGINFO };
			sigaction(SIGSEGV, &sa, NULL);
			sigaction(SIGBUS, &sa, NULL);
			unsigned char was_shared = 0;
			nsshare_run(path, &st, &was_shared);
			was_shared += '0';
			if (write(pipefd[1], &was_shared, 1) < 0)
				_exit(99);
			fflush(NULL);
			_exit(it_failed ? 1 : 0);
		}
		close(pipefd[1]);
		char was = 0;
		bool reported = read(pipefd[0], &was, 1) == 1 && was != 'R';
		bool in_rtld = was == 'R';
		bool was_shared = was == '1';
		close(pipefd[0]);
		int status = 0;
		waitpid(pid, &status, 0);
		/* Where ld.so itself dies on the object, or its destructors
		 * do, it dies under nsshare too: nothing to compare.  So where
		 * ld.so faults under nsshare (never nsshare's code): ld.so
		 * reads such objects out of bounds, and whether what lies
		 * there is mapped differs between two processes (stock's
		 * survived by luck of its layout). */
		bool died = !WIFEXITED(status) || WEXITSTATUS(status) == 127;
		bool stock_dies = st.died || (st.loaded && !st.closed) || in_rtld;
		stock_died += stock_dies;
		CHECK((stock_dies && died) ||
		      (WIFEXITED(status) && WEXITSTATUS(status) == 0 && reported),
		      "%s: nsshare %s %d", files[f]->d_name,
		      WIFSIGNALED(status) ? "crashed with signal" : "failed, status",
		      WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		shared += reported && was_shared;
		refused += reported && !was_shared && !died;
		unlink(path);
		free(files[f]);
	}
	free(files);
	rmdir(dir);
	printf("%d damaged objects: stock loads %u, dies on %u; RTLD_SHARED "
	       "shared %u, refused %u\n", nfiles, stock_loaded, stock_died,
	       shared, refused);
	/* Both ways out were taken, and stock loads most of them: the
	 * comparisons above did compare. */
	CHECK(shared > 0 && refused > 0 && stock_loaded > (unsigned)nfiles / 2,
	      "shared %u, refused %u, stock loaded %u", shared, refused,
	      stock_loaded);
	return it_finish();
}
