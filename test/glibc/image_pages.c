/* The images nsshare loads (the glibc proxies and the roots) are mapped
 * read-only where glibc leaves a read-only .dynamic alone (2.35 and
 * later), so no namespace keeps a private copy of any of their pages; on
 * older glibc, which writes into .dynamic, they are writable.  What a
 * user sees: /proc/self/maps and, in /proc/self/smaps, the Anonymous
 * pages of the images' mappings: a page written in a private file mapping
 * is copied into an anonymous one.  (Private_Dirty is no such count: a
 * page of a memfd is dirty from its write(), and private while only one
 * mapping has faulted it in, which the kernel's fault-around decides; a
 * loaded CI machine saw 4 KiB of it.) */
#include "it.h"

#include <gnu/libc-version.h>

#define MOD "libglibc-libcuser.so"

struct mappings {
	int count;           /* mappings of nsshare's images */
	int writable;        /* of them, mapped writable */
	long copied;         /* KiB copied into them (Anonymous) */
};

static void read_smaps(struct mappings *m)
{
	memset(m, 0, sizeof *m);
	FILE *f = fopen("/proc/self/smaps", "r");
	REQUIRE(f, "cannot read /proc/self/smaps");
	char line[512];
	bool ours = false;
	while (fgets(line, sizeof line, f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3) {
			ours = strstr(line, "/memfd:nsshare:") != NULL;
			if (ours) {
				m->count++;
				m->writable += perms[1] == 'w';
			}
		} else if (ours && strncmp(line, "Anonymous:", 10) == 0) {
			m->copied += atol(line + 10);
		}
	}
	fclose(f);
}

int main(void)
{
	const char *mod = it_module(MOD);
	void *h[3];
	for (int i = 0; i < 3; i++) {
		h[i] = dlmopen(LM_ID_NEWLM, mod, RTLD_NOW);
		REQUIRE(h[i], "dlmopen %s: %s", mod, dlerror());
	}
	struct mappings m;
	read_smaps(&m);
	/* Three namespaces: a root and a libc proxy each, at least. */
	CHECK(m.count >= 6, "%d mappings of nsshare's images", m.count);
	const char *version = gnu_get_libc_version();
	unsigned major = 0, minor = 0;
	REQUIRE(sscanf(version, "%u.%u", &major, &minor) == 2, "glibc %s",
		version);
	if (major > 2 || (major == 2 && minor >= 35)) {
		CHECK(m.writable == 0, "glibc %s: %d of %d image mappings "
		      "writable", version, m.writable, m.count);
		CHECK(m.copied == 0, "glibc %s: %ld KiB of images copied",
		      version, m.copied);
	} else {
		CHECK(m.writable == m.count, "glibc %s: %d of %d image "
		      "mappings writable", version, m.writable, m.count);
	}
	for (int i = 0; i < 3; i++)
		CHECK(dlclose(h[i]) == 0, "dlclose: %s", dlerror());
	return it_finish();
}
