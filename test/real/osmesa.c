/* Mesa's OSMesa (llvmpipe) in the base and three namespaces, with Mesa's
 * libglapi shared (issue 10, point 5).  libglapi keeps the current
 * context and GL dispatch table in initial-exec thread-locals
 * (_glapi_tls_Dispatch, _glapi_tls_Context); with NSSHARE_SHARE naming
 * libglapi.so.0 every namespace's libOSMesa binds them in the base copy
 * through its proxy (src/tls.c).  libglapi is flagged DF_STATIC_TLS, so
 * glibc gives its TLS block static TLS although it is dlopen'd.
 *
 * The base opens libOSMesa.so.8 with dlopen, each namespace with a plain
 * dlmopen(LM_ID_NEWLM) while NSSHARE_SHARE names libglapi.so.0 and the
 * libLLVM that libOSMesa needs (nsshare reads the variable at each load,
 * so setting it here is enough).  Each draws the scene of gl_scene.h
 * once; then all four draw it again, a step at a time in each in turn,
 * each making its context current before its step.  With libglapi
 * shared there is one current context a thread for the whole process,
 * so every namespace's OSMesaGetCurrentContext answers the context made
 * current last, whichever namespace made it; GL functions are libglapi's
 * one set of entry points.  Every namespace's pixels must equal the
 * base's, byte for byte, and hold the scene.
 *
 * The program then runs itself again ("llvm-only") with only libLLVM
 * shared: each namespace has its own libglapi and current context.
 * Both runs print, as info lines, the RSS that opening libOSMesa and
 * drawing the first scene adds, a namespace at a time.  Debian 13's Mesa
 * (25.0) has no libglapi (libOSMesa holds its dispatch itself): both runs
 * share libLLVM alone there, and say so. */
#include "gl_scene.h"

#include <errno.h>
#include <sys/wait.h>
#include <unistd.h>

/* Every libOSMesa stays mapped after its dlclose.  Mesa 20.3 (Debian 11)
 * keeps one screen per process, never destroyed, whose worker threads
 * wait on condition variables in the heap: unmapped under them, a thread
 * woken (by a later user of that memory, in a heap the namespaces share)
 * returns into nothing.  Seen as a SIGSEGV in one run in five, stock's
 * private libc or not (the llvm-only child crashed as often); Mesa does
 * not support unloading it with llvmpipe running. */
#define OSMESA_PIN RTLD_NODELETE

/* The OSMesa names used, with the values of osmesa.h. */
typedef void *OSMesaContext;
typedef unsigned char GLboolean;
#define OSMESA_RGBA GL_RGBA

struct osm {
	const char *who; /* "base", "namespace 1", ... */
	void *h;
	Lmid_t ns;
	OSMesaContext ctx;
	uint8_t buffer[W * H * 4]; /* the colour buffer OSMesa draws into */
	uint8_t first[W * H * 4];  /* read back after the first scene */
	uint8_t pixels[W * H * 4]; /* read back after the interleaved one */
	long rss_kib; /* what opening and the first scene added */

	OSMesaContext (*OSMesaCreateContextExt)(GLenum, GLint, GLint, GLint,
						OSMesaContext);
	GLboolean (*OSMesaMakeCurrent)(OSMesaContext, void *, GLenum, GLsizei,
				       GLsizei);
	OSMesaContext (*OSMesaGetCurrentContext)(void);
	void (*OSMesaDestroyContext)(OSMesaContext);
	void *(*OSMesaGetProcAddress)(const char *);
	struct gl_api api;
};

static void make_current(struct osm *o)
{
	REQUIRE(o->OSMesaMakeCurrent(o->ctx, o->buffer, GL_UNSIGNED_BYTE, W,
				     H),
		"%s: OSMesaMakeCurrent", o->who);
}

/* O's functions, a context, current on O's buffer, GL_RENDERER checked,
 * and the scene drawn into O->first. */
static void osm_start(struct osm *o)
{
	SYM(o->OSMesaCreateContextExt, o->h, "OSMesaCreateContextExt");
	SYM(o->OSMesaMakeCurrent, o->h, "OSMesaMakeCurrent");
	SYM(o->OSMesaGetCurrentContext, o->h, "OSMesaGetCurrentContext");
	SYM(o->OSMesaDestroyContext, o->h, "OSMesaDestroyContext");
	SYM(o->OSMesaGetProcAddress, o->h, "OSMesaGetProcAddress");
	o->ns = it_handle_ns(o->h);
	o->ctx = o->OSMesaCreateContextExt(OSMESA_RGBA, 16, 0, 0, NULL);
	REQUIRE(o->ctx != NULL, "%s: OSMesaCreateContextExt", o->who);
	make_current(o);
	gl_api_load(&o->api, o->OSMesaGetProcAddress, o->who);
	gl_check_llvmpipe(&o->api, o->who);
	for (int step = 0; step < SCENE_STEPS; step++)
		scene_draw(&o->api, step, o->first, o->who);
}

static void osm_stop(struct osm *o)
{
	make_current(o);
	CHECK(o->OSMesaMakeCurrent(NULL, NULL, 0, 0, 0), "%s: release",
	      o->who);
	CHECK(o->OSMesaGetCurrentContext() == NULL,
	      "%s: a context is still current", o->who);
	o->OSMesaDestroyContext(o->ctx);
	CHECK(dlclose(o->h) == 0, "%s: dlclose: %s", o->who, dlerror());
}

/* The file name of the first object in H's namespace whose file name
 * starts with PREFIX, or NULL. */
static const char *object_named(void *h, const char *prefix)
{
	struct link_map *map = NULL;
	REQUIRE(dlinfo(h, RTLD_DI_LINKMAP, &map) == 0, "dlinfo: %s", dlerror());
	while (map->l_prev)
		map = map->l_prev;
	for (; map; map = map->l_next) {
		const char *base = strrchr(map->l_name, '/');
		if (base && strncmp(base + 1, prefix, strlen(prefix)) == 0)
			return base + 1;
	}
	return NULL;
}

#define NS 3

/* One run: the base and NS namespaces, libLLVM shared and, when
 * SHARE_GLAPI and this Mesa has a libglapi, libglapi too.  Whether this
 * Mesa has a libglapi. */
static bool run(bool share_glapi)
{
	static struct osm o[1 + NS];
	static const char *const who[] = { "base", "namespace 1",
					   "namespace 2", "namespace 3" };
	for (int i = 0; i <= NS; i++)
		o[i].who = who[i];

	long before = it_rss_kib();
	REQUIRE(before > 0, "no VmRSS in /proc/self/status");
	o[0].h = dlopen("libOSMesa.so.8", RTLD_NOW | OSMESA_PIN);
	REQUIRE(o[0].h != NULL, "dlopen libOSMesa.so.8: %s", dlerror());
	osm_start(&o[0]);
	o[0].rss_kib = it_rss_kib() - before;

	/* The libLLVM libOSMesa needs (libLLVM-11.so.1 on Debian 11,
	 * libLLVM-15.so.1 on 12, libLLVM.so.19.1 on 13), and whether this
	 * Mesa has a libglapi. */
	const char *llvm = object_named(o[0].h, "libLLVM");
	REQUIRE(llvm != NULL, "libOSMesa.so.8 loaded no libLLVM");
	bool glapi = object_named(o[0].h, "libglapi.so.0") != NULL;
	share_glapi = share_glapi && glapi;
	char share[256];
	snprintf(share, sizeof share, "%s%s", share_glapi ? "libglapi.so.0:"
							  : "",
		 llvm);
	setenv("NSSHARE_SHARE", share, 1);
	printf("info: NSSHARE_SHARE=%s%s\n", share,
	       glapi ? "" : " (this Mesa has no libglapi)");

	void *tls_base = glapi ? dlsym(o[0].h, "_glapi_tls_Dispatch") : NULL;
	for (int i = 1; i <= NS; i++) {
		before = it_rss_kib();
		o[i].h = dlmopen(LM_ID_NEWLM, "libOSMesa.so.8",
				 RTLD_NOW | OSMESA_PIN);
		REQUIRE(o[i].h && it_handle_ns(o[i].h) > 0, "%s: dlmopen of "
			"libOSMesa.so.8: %s", who[i], o[i].h ? "no namespace"
							     : dlerror());
		osm_start(&o[i]);
		o[i].rss_kib = it_rss_kib() - before;

		CHECK_PRIVATE_LIB_SHARED_LIBC(o[i].h, "OSMesaCreateContextExt",
					      who[i]);
		CHECK(it_code_ns(o[i].h, "LLVMContextCreate") == 0,
		      "%s: LLVMContextCreate is in namespace %ld, %s is "
		      "shared",
		      who[i], (long)it_code_ns(o[i].h, "LLVMContextCreate"),
		      llvm);
		if (!glapi)
			continue;
		/* libglapi's functions, its thread-local dispatch pointer
		 * and the GL entry points are the base's exactly when it is
		 * shared. */
		Lmid_t want = share_glapi ? 0 : o[i].ns;
		CHECK(it_code_ns(o[i].h, "_glapi_get_dispatch") == want,
		      "%s: _glapi_get_dispatch is in namespace %ld, not %ld",
		      who[i], (long)it_code_ns(o[i].h, "_glapi_get_dispatch"),
		      (long)want);
		void *tls = dlsym(o[i].h, "_glapi_tls_Dispatch");
		CHECK(tls != NULL && (tls == tls_base) == share_glapi,
		      "%s: _glapi_tls_Dispatch at %p, the base's at %p", who[i],
		      tls, tls_base);
		CHECK(it_addr_ns((void *)o[i].api.glClear) == want,
		      "%s: glClear is in namespace %ld (%s), not %ld", who[i],
		      (long)it_addr_ns((void *)o[i].api.glClear),
		      it_addr_object((void *)o[i].api.glClear), (long)want);
		CHECK(((void *)o[i].api.glClear == (void *)o[0].api.glClear) ==
			      share_glapi,
		      "%s: glClear %p, the base's %p", who[i],
		      (void *)o[i].api.glClear, (void *)o[0].api.glClear);
	}

	/* The scene again, a step at a time in each in turn, each making
	 * its context current first.  The current context is libglapi's:
	 * one for all when it is shared, one a namespace when not. */
	bool one_current = share_glapi;
	for (int step = 0; step < SCENE_STEPS; step++)
		for (int i = 0; i <= NS; i++) {
			make_current(&o[i]);
			for (int j = 0; j <= NS; j++) {
				OSMesaContext cur = o[j].OSMesaGetCurrentContext();
				OSMesaContext want = one_current || j == i
							     ? o[i].ctx
							     : o[j].ctx;
				CHECK(cur == want,
				      "%s: current context %p after %s made "
				      "%p current, %p expected",
				      who[j], cur, who[i], o[i].ctx, want);
			}
			scene_draw(&o[i].api, step, o[i].pixels, who[i]);
		}

	for (int i = 0; i <= NS; i++) {
		scene_check(o[i].first, who[i]);
		scene_check(o[i].pixels, who[i]);
		/* What OSMesa drew into the program's buffer (bottom row
		 * first, as glReadPixels) is what was read back. */
		CHECK(differing_pixels(o[i].buffer, o[i].pixels) == 0,
		      "%s: %d pixels of its OSMesa buffer differ from "
		      "glReadPixels'",
		      who[i], differing_pixels(o[i].buffer, o[i].pixels));
		if (i == 0)
			continue;
		CHECK(differing_pixels(o[i].first, o[0].first) == 0 &&
			      differing_pixels(o[i].pixels, o[0].pixels) == 0,
		      "%s: %d and %d of %d pixels differ from the base's",
		      who[i], differing_pixels(o[i].first, o[0].first),
		      differing_pixels(o[i].pixels, o[0].pixels), W * H);
	}

	for (int i = 0; i <= NS; i++)
		printf("info: %s: opening libOSMesa.so.8 and drawing the first "
		       "scene added %ld kB RSS (shared: %s)\n",
		       who[i], o[i].rss_kib, i ? share : "none, the base");
	for (int i = NS; i >= 0; i--)
		osm_stop(&o[i]);
	return glapi;
}

int main(int argc, char **argv)
{
	/* Before the first load: llvmpipe, and no shader cache written to
	 * $HOME (MESA_GLSL_CACHE_DISABLE is Mesa 20's name for it). */
	setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
	setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
	setenv("MESA_GLSL_CACHE_DISABLE", "true", 1);

	if (argc > 1 && strcmp(argv[1], "llvm-only") == 0) {
		run(false);
		return it_finish();
	}
	if (!run(true))
		return it_finish(); /* nothing to run without libglapi */

	/* The run with libglapi private to each namespace, in a fresh
	 * process, for its RSS beside this one's. */
	fflush(stdout);
	pid_t pid = fork();
	REQUIRE(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		execl(argv[0], argv[0], "llvm-only", (char *)NULL);
		fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	int status = 0;
	REQUIRE(waitpid(pid, &status, 0) == pid, "waitpid: %s",
		strerror(errno));
	/* Its checks must pass.  (It died of a signal in one run in five
	 * on Debian 11 until every libOSMesa was pinned: see OSMESA_PIN.) */
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the run with only libLLVM shared ended with status 0x%x",
	      (unsigned)status);
	return it_finish();
}
