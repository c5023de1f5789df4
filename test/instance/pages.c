/* An instance's code shares the file's page cache (issue 14, point 3):
 * the code of each copy is mapped from the library's own file, as a
 * namespace's private copy is (stock maps every namespace's copy from the
 * file), and the copy's memfd no longer holds it.  The code still runs,
 * each instance with its own globals. */
#include "it.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <elf.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#define MOD "libinstance-counter.so"
#define N 24

/* The mapping of /proc/self/maps that holds ADDR: its inode and path. */
static bool mapping_of(const void *addr, unsigned long *inode, char *path,
		       size_t cap)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096];
	bool found = false;
	while (f && !found && fgets(line, sizeof line, f)) {
		unsigned long lo, hi, ino;
		int at = 0;
		if (sscanf(line, "%lx-%lx %*s %*s %*s %lu %n", &lo, &hi, &ino,
			   &at) < 3 || (uintptr_t)addr < lo || (uintptr_t)addr >= hi)
			continue;
		*inode = ino;
		snprintf(path, cap, "%s", line + at);
		path[strcspn(path, "\n")] = '\0';
		found = true;
	}
	if (f)
		fclose(f);
	return found;
}

/* Bytes of FILE's code pages, from its program headers. */
static size_t code_bytes(const char *file)
{
	FILE *f = fopen(file, "rb");
	ElfW(Ehdr) eh;
	ElfW(Phdr) ph;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = 0;
	if (!f || fread(&eh, sizeof eh, 1, f) != 1) {
		if (f)
			fclose(f);
		return 0;
	}
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		if (fseek(f, (long)(eh.e_phoff + i * sizeof ph), SEEK_SET) != 0 ||
		    fread(&ph, sizeof ph, 1, f) != 1)
			break;
		if (ph.p_type == PT_LOAD && (ph.p_flags & PF_X))
			bytes += ((ph.p_offset + ph.p_filesz + page - 1) & -page) -
				 (ph.p_offset & -page);
	}
	fclose(f);
	return bytes;
}

int main(void)
{
	char file[PATH_MAX];
	REQUIRE(realpath(it_module(MOD), file), "%s: %s", it_module(MOD),
		strerror(errno));
	struct stat st;
	REQUIRE(stat(file, &st) == 0, "%s: %s", file, strerror(errno));
	size_t code = code_bytes(file), page = (size_t)sysconf(_SC_PAGESIZE);
	REQUIRE(code > 0, "%s: no code segment read", file);
	void *h[N];
	int ninst = 0;
	for (int i = 0; i < N; i++) {
		h[i] = dlmopen(LM_ID_NEWLM, file, RTLD_NOW);
		REQUIRE(h[i], "dlmopen %d: %s", i, dlerror());
		if (it_handle_ns(h[i]) < NSSHARE_INSTANCE_FIRST)
			continue;
		ninst++;
		int (*next)(void);
		SYM(next, h[i], "counter_next");
		unsigned long ino = 0;
		char path[4096] = "";
		CHECK(mapping_of((const void *)next, &ino, path, sizeof path) &&
		      ino == (unsigned long)st.st_ino && strcmp(path, file) == 0,
		      "instance %d: counter_next is mapped from %s (inode %lu), "
		      "not the file (inode %lu)", i, path, ino,
		      (unsigned long)st.st_ino);
		CHECK(next() == 1 && next() == 2, "instance %d: its own counter",
		      i);
	}
	REQUIRE(ninst >= 8, "only %d instances", ninst);

	/* Each copy's memfd holds the file's bytes and its new names, but
	 * not its code. */
	int nmemfd = 0;
	DIR *d = opendir("/proc/self/fd");
	REQUIRE(d, "/proc/self/fd: %s", strerror(errno));
	for (struct dirent *e; (e = readdir(d));) {
		char link[300], target[512];
		snprintf(link, sizeof link, "/proc/self/fd/%s", e->d_name);
		ssize_t n = readlink(link, target, sizeof target - 1);
		struct stat ms;
		if (n <= 0 || (target[n] = '\0', !strstr(target, "nsshare:copy:" MOD)) ||
		    stat(link, &ms) != 0)
			continue;
		nmemfd++;
		size_t pages = ((size_t)ms.st_size + page - 1) & -page;
		CHECK((size_t)ms.st_blocks * 512 + code <= pages,
		      "%s holds %zu bytes of its %zu, the code's %zu included",
		      target, (size_t)ms.st_blocks * 512, pages, code);
	}
	closedir(d);
	CHECK(nmemfd == ninst, "%d copies' memfds for %d instances", nmemfd,
	      ninst);
	for (int i = N; i-- > 0;)
		CHECK(dlclose(h[i]) == 0, "dlclose %d: %s", i, dlerror());
	return it_finish();
}
