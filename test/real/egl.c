/* Mesa's EGL in three namespaces and in the base (issue 9): each opens
 * libEGL.so.1 (glvnd, which dlopens Mesa's libEGL_mesa and the gallium
 * driver with its LLVM), makes a surfaceless display with llvmpipe, and
 * renders the same scene into a pbuffer.  All four contexts are current at
 * once on this thread, each in its own namespace's dispatch, and the scene
 * is drawn a step at a time in each in turn, so a namespace drawing into
 * another's context shows in the pixels.  Every namespace's pixels must
 * equal the base's, byte for byte, and hold the scene. */
#include "gl_scene.h"

/* The few EGL names used, with the values of the Khronos headers, so
 * that only the runtime packages are needed. */
typedef void *EGLDisplay, *EGLConfig, *EGLSurface, *EGLContext;
typedef int32_t EGLint;
typedef unsigned int EGLBoolean, EGLenum;
typedef intptr_t EGLAttrib;
#define EGL_NO_CONTEXT ((EGLContext)0)
#define EGL_NO_SURFACE ((EGLSurface)0)
#define EGL_DEFAULT_DISPLAY ((void *)0)
#define EGL_SUCCESS 0x3000
#define EGL_ALPHA_SIZE 0x3021
#define EGL_BLUE_SIZE 0x3022
#define EGL_GREEN_SIZE 0x3023
#define EGL_RED_SIZE 0x3024
#define EGL_SURFACE_TYPE 0x3033
#define EGL_NONE 0x3038
#define EGL_RENDERABLE_TYPE 0x3040
#define EGL_VENDOR 0x3053
#define EGL_HEIGHT 0x3056
#define EGL_WIDTH 0x3057
#define EGL_PBUFFER_BIT 0x0001
#define EGL_OPENGL_BIT 0x0008
#define EGL_OPENGL_API 0x30A2
#define EGL_PLATFORM_SURFACELESS_MESA 0x31DD

struct gl {
	const char *who; /* "base", "namespace 1", ... */
	void *h;
	Lmid_t ns;
	EGLDisplay dpy;
	EGLSurface surface;
	EGLContext ctx;
	uint8_t pixels[W * H * 4];

	void *(*eglGetProcAddress)(const char *);
	EGLDisplay (*eglGetPlatformDisplay)(EGLenum, void *,
					    const EGLAttrib *);
	EGLBoolean (*eglInitialize)(EGLDisplay, EGLint *, EGLint *);
	EGLBoolean (*eglChooseConfig)(EGLDisplay, const EGLint *, EGLConfig *,
				      EGLint, EGLint *);
	EGLSurface (*eglCreatePbufferSurface)(EGLDisplay, EGLConfig,
					      const EGLint *);
	EGLBoolean (*eglBindAPI)(EGLenum);
	EGLContext (*eglCreateContext)(EGLDisplay, EGLConfig, EGLContext,
				       const EGLint *);
	EGLBoolean (*eglMakeCurrent)(EGLDisplay, EGLSurface, EGLSurface,
				     EGLContext);
	EGLBoolean (*eglDestroyContext)(EGLDisplay, EGLContext);
	EGLBoolean (*eglDestroySurface)(EGLDisplay, EGLSurface);
	EGLBoolean (*eglTerminate)(EGLDisplay);
	EGLBoolean (*eglReleaseThread)(void);
	EGLint (*eglGetError)(void);
	const char *(*eglQueryString)(EGLDisplay, EGLint);

	/* GL 1.x, through eglGetProcAddress: the namespace's libGLdispatch. */
	struct gl_api api;
};

static void gl_syms(struct gl *g)
{
	SYM(g->eglGetProcAddress, g->h, "eglGetProcAddress");
	SYM(g->eglGetPlatformDisplay, g->h, "eglGetPlatformDisplay");
	SYM(g->eglInitialize, g->h, "eglInitialize");
	SYM(g->eglChooseConfig, g->h, "eglChooseConfig");
	SYM(g->eglCreatePbufferSurface, g->h, "eglCreatePbufferSurface");
	SYM(g->eglBindAPI, g->h, "eglBindAPI");
	SYM(g->eglCreateContext, g->h, "eglCreateContext");
	SYM(g->eglMakeCurrent, g->h, "eglMakeCurrent");
	SYM(g->eglDestroyContext, g->h, "eglDestroyContext");
	SYM(g->eglDestroySurface, g->h, "eglDestroySurface");
	SYM(g->eglTerminate, g->h, "eglTerminate");
	SYM(g->eglReleaseThread, g->h, "eglReleaseThread");
	SYM(g->eglGetError, g->h, "eglGetError");
	SYM(g->eglQueryString, g->h, "eglQueryString");
}

/* A surfaceless display, a pbuffer and a desktop GL context, current. */
static void gl_start(struct gl *g)
{
	gl_syms(g);
	g->dpy = g->eglGetPlatformDisplay(EGL_PLATFORM_SURFACELESS_MESA,
					  EGL_DEFAULT_DISPLAY, NULL);
	REQUIRE(g->dpy != NULL, "%s: no surfaceless display: 0x%x", g->who,
		(unsigned)g->eglGetError());
	EGLint major = 0, minor = 0;
	REQUIRE(g->eglInitialize(g->dpy, &major, &minor),
		"%s: eglInitialize: 0x%x", g->who, (unsigned)g->eglGetError());
	const char *vendor = g->eglQueryString(g->dpy, EGL_VENDOR);
	CHECK(vendor && strstr(vendor, "Mesa"), "%s: EGL vendor %s", g->who,
	      vendor ? vendor : "(none)");

	static const EGLint config_attribs[] = {
		EGL_SURFACE_TYPE, EGL_PBUFFER_BIT,
		EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT,
		EGL_RED_SIZE, 8, EGL_GREEN_SIZE, 8, EGL_BLUE_SIZE, 8,
		EGL_ALPHA_SIZE, 8, EGL_NONE
	};
	EGLConfig config = NULL;
	EGLint n = 0;
	REQUIRE(g->eglChooseConfig(g->dpy, config_attribs, &config, 1, &n) &&
			n == 1,
		"%s: no RGBA8 pbuffer config for GL: 0x%x", g->who,
		(unsigned)g->eglGetError());
	static const EGLint pbuffer_attribs[] = { EGL_WIDTH, W, EGL_HEIGHT, H,
						  EGL_NONE };
	g->surface = g->eglCreatePbufferSurface(g->dpy, config,
						pbuffer_attribs);
	REQUIRE(g->surface != EGL_NO_SURFACE, "%s: pbuffer: 0x%x", g->who,
		(unsigned)g->eglGetError());
	REQUIRE(g->eglBindAPI(EGL_OPENGL_API), "%s: eglBindAPI", g->who);
	g->ctx = g->eglCreateContext(g->dpy, config, EGL_NO_CONTEXT, NULL);
	REQUIRE(g->ctx != EGL_NO_CONTEXT, "%s: context: 0x%x", g->who,
		(unsigned)g->eglGetError());
	REQUIRE(g->eglMakeCurrent(g->dpy, g->surface, g->surface, g->ctx),
		"%s: eglMakeCurrent: 0x%x", g->who,
		(unsigned)g->eglGetError());

	gl_api_load(&g->api, g->eglGetProcAddress, g->who);
	/* GL is reached through the namespace's own dispatch. */
	CHECK(it_addr_ns((void *)g->api.glClear) == g->ns,
	      "%s: glClear is in namespace %ld", g->who,
	      (long)it_addr_ns((void *)g->api.glClear));
	gl_check_llvmpipe(&g->api, g->who);
}

static void gl_stop(struct gl *g)
{
	CHECK(g->eglMakeCurrent(g->dpy, EGL_NO_SURFACE, EGL_NO_SURFACE,
				EGL_NO_CONTEXT),
	      "%s: release", g->who);
	CHECK(g->eglDestroyContext(g->dpy, g->ctx), "%s: destroy context",
	      g->who);
	CHECK(g->eglDestroySurface(g->dpy, g->surface), "%s: destroy pbuffer",
	      g->who);
	CHECK(g->eglTerminate(g->dpy), "%s: eglTerminate", g->who);
	CHECK(g->eglReleaseThread(), "%s: eglReleaseThread", g->who);
	CHECK(dlclose(g->h) == 0, "%s: dlclose: %s", g->who, dlerror());
}

#define NS 3

int main(void)
{
	/* Before the first load: llvmpipe on the surfaceless platform, and
	 * no shader cache written to $HOME (MESA_GLSL_CACHE_DISABLE is
	 * Mesa 20's name for it). */
	setenv("EGL_PLATFORM", "surfaceless", 1);
	setenv("LIBGL_ALWAYS_SOFTWARE", "1", 1);
	setenv("MESA_SHADER_CACHE_DISABLE", "true", 1);
	setenv("MESA_GLSL_CACHE_DISABLE", "true", 1);

	static struct gl g[1 + NS];
	static const char *const who[] = { "base", "namespace 1",
					   "namespace 2", "namespace 3" };
	g[0].h = dlopen("libEGL.so.1", RTLD_NOW);
	REQUIRE(g[0].h != NULL, "dlopen libEGL.so.1: %s", dlerror());
	for (int i = 1; i <= NS; i++) {
		g[i].h = open_lib("libEGL.so.1");
		CHECK_PRIVATE_LIB_SHARED_LIBC(g[i].h, "eglGetDisplay", who[i]);
	}
	for (int i = 0; i <= NS; i++) {
		g[i].who = who[i];
		g[i].ns = it_handle_ns(g[i].h);
		for (int j = 0; j < i; j++)
			CHECK(dlsym(g[i].h, "eglGetDisplay") !=
				      dlsym(g[j].h, "eglGetDisplay"),
			      "%s and %s share eglGetDisplay", who[i], who[j]);
	}

	/* All four current at once, the scene drawn a step at a time in
	 * each in turn. */
	for (int i = 0; i <= NS; i++)
		gl_start(&g[i]);
	for (int step = 0; step < SCENE_STEPS; step++)
		for (int i = 0; i <= NS; i++)
			scene_draw(&g[i].api, step, g[i].pixels, who[i]);
	for (int i = 0; i <= NS; i++) {
		/* glvnd loaded Mesa's EGL into the namespace itself, and
		 * with it the gallium driver holding llvmpipe: a DRI driver
		 * that Mesa's loader dlopens with RTLD_GLOBAL in Debian 11's
		 * and 12's Mesa (20.3, 22.3), libgallium that libEGL_mesa
		 * needs in Debian 13's on (25.0, 26.1). */
		CHECK(has_object(g[i].h, NULL, "libEGL_mesa"),
		      "%s: libEGL_mesa not in its namespace", who[i]);
		CHECK(has_object(g[i].h, "/dri/", "swrast_dri") ||
			      has_object(g[i].h, NULL, "libgallium"),
		      "%s: neither swrast_dri nor libgallium in its namespace",
		      who[i]);
		scene_check(g[i].pixels, who[i]);
		if (i > 0)
			CHECK(differing_pixels(g[i].pixels, g[0].pixels) == 0,
			      "%s: %d of %d pixels differ from the base's",
			      who[i],
			      differing_pixels(g[i].pixels, g[0].pixels),
			      W * H);
	}
	for (int i = NS; i >= 0; i--)
		gl_stop(&g[i]);
	return it_finish();
}
