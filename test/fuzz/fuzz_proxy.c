/* libFuzzer harness of the proxy builder: object.c's reader of a loaded
 * object and image.c's writer.  Each input is written to a memfd and
 * loaded by glibc's dlopen; where glibc loads it, its proxy image is
 * built as proxy.c builds it (compiled in, for its static proxy_image).
 *
 * ld.so itself crashes or asserts on some inputs, and a loaded object's
 * constructors and destructors are the input's own code: a forked child
 * tries dlopen and dlclose first, and only an input it survives is
 * loaded here, so every crash the fuzzer reports is nsshare's.  The
 * child has the parent's layout, so ld.so's out-of-bounds reads of a
 * damaged object land where they would land here. */
#define _GNU_SOURCE
#include "../../src/proxy.c"

#include <errno.h>
#include <link.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

/* What proxy.c needs of files not compiled in: no other thread.  No
 * namespace is opened from, so nsshare_proxy_init is never called. */
void nsshare_lock(void) {}
void nsshare_unlock(void) {}

/* Whether glibc loads and unloads PATH without dying. */
static bool glibc_survives(const char *path)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		/* ld.so's death here is the answer, not a finding: neither
		 * ASan's nor libFuzzer's handlers may report it. */
		static const int deadly[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE,
					      SIGABRT, SIGTRAP };
		for (size_t i = 0; i < sizeof deadly / sizeof *deadly; i++)
			signal(deadly[i], SIG_DFL);
		/* An input's constructor may loop for ever (or ld.so on
		 * it): not surviving either, and no reason to stall. */
		signal(SIGALRM, SIG_DFL);
		alarm(5);
		void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
		if (h)
			dlclose(h);
		_exit(h ? 0 : 1);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

/* Whether ld.so maps every PT_LOAD segment of the ELF file DATA into the
 * span it reserves (nsshare_loads_in_span): one out of that order it maps
 * at a fixed address over whatever is there, the fuzzer's heap perhaps,
 * which no reader can be blamed for (object.c refuses such an object, but
 * only once it is mapped).  True for what is no ELF file of that form:
 * glibc refuses it itself. */
static bool maps_in_its_span(const uint8_t *data, size_t size)
{
	ElfW(Ehdr) eh;
	if (size < sizeof eh)
		return true;
	memcpy(&eh, data, sizeof eh);
	if (eh.e_phentsize != sizeof(ElfW(Phdr)) || eh.e_phnum == 0 ||
	    eh.e_phoff > size ||
	    eh.e_phnum > (size - eh.e_phoff) / sizeof(ElfW(Phdr)))
		return true;
	/* Copied out: DATA holds them at any alignment. */
	ElfW(Phdr) *ph = malloc(eh.e_phnum * sizeof *ph);
	if (!ph)
		return false;
	memcpy(ph, data + eh.e_phoff, eh.e_phnum * sizeof *ph);
	bool in_span = nsshare_loads_in_span(ph, eh.e_phnum);
	free(ph);
	return in_span;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!maps_in_its_span(data, size))
		return 0;
	int fd = memfd_create("fuzz-proxy", MFD_CLOEXEC);
	if (fd < 0)
		return 0;
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	if (write(fd, data, size) != (ssize_t)size || !glibc_survives(path)) {
		close(fd);
		return 0;
	}
	void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
	struct link_map *lm = NULL;
	if (h && dlinfo(h, RTLD_DI_LINKMAP, &lm) == 0 && lm) {
		int image = proxy_image(lm, NULL, NULL, NULL);
		if (image >= 0)
			close(image);
		dlerror();
	}
	if (h)
		dlclose(h);
	close(fd);
	return 0;
}
