/* Mesa's EGL in three namespaces and in the base (issue 9): each opens
 * libEGL.so.1 (glvnd, which dlopens Mesa's libEGL_mesa and the gallium
 * driver with its LLVM), makes a surfaceless display with llvmpipe, and
 * renders the same scene into a pbuffer.  All four contexts are current at
 * once on this thread, each in its own namespace's dispatch, and the scene
 * is drawn a step at a time in each in turn, so a namespace drawing into
 * another's context shows in the pixels.  Every namespace's pixels must
 * equal the base's, byte for byte, and hold the scene. */
#include "real_util.h"

#include <stdint.h>

/* The few EGL and GL names used, with the values of the Khronos headers,
 * so that only the runtime packages are needed. */
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

typedef unsigned int GLenum, GLbitfield, GLuint;
typedef int GLint, GLsizei;
typedef float GLfloat;
typedef unsigned char GLubyte;
#define GL_COLOR_BUFFER_BIT 0x00004000
#define GL_TRIANGLES 0x0004
#define GL_NO_ERROR 0
#define GL_SCISSOR_TEST 0x0C11
#define GL_PACK_ALIGNMENT 0x0D05
#define GL_UNSIGNED_BYTE 0x1401
#define GL_RGBA 0x1908
#define GL_VENDOR 0x1F00
#define GL_RENDERER 0x1F01

#define W 64
#define H 48

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
	const GLubyte *(*glGetString)(GLenum);
	GLenum (*glGetError)(void);
	void (*glViewport)(GLint, GLint, GLsizei, GLsizei);
	void (*glClearColor)(GLfloat, GLfloat, GLfloat, GLfloat);
	void (*glClear)(GLbitfield);
	void (*glEnable)(GLenum);
	void (*glDisable)(GLenum);
	void (*glScissor)(GLint, GLint, GLsizei, GLsizei);
	void (*glBegin)(GLenum);
	void (*glEnd)(void);
	void (*glColor3f)(GLfloat, GLfloat, GLfloat);
	void (*glVertex2f)(GLfloat, GLfloat);
	void (*glPixelStorei)(GLenum, GLint);
	void (*glReadPixels)(GLint, GLint, GLsizei, GLsizei, GLenum, GLenum,
			     void *);
	void (*glFinish)(void);
};

/* G's GL function FN, which must exist. */
#define GLSYM(g, fn)                                                          \
	do {                                                                  \
		*(void **)&(g)->fn = (g)->eglGetProcAddress(#fn);             \
		REQUIRE((g)->fn != NULL, "%s: eglGetProcAddress(%s)",         \
			(g)->who, #fn);                                       \
	} while (0)

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

	GLSYM(g, glGetString);
	GLSYM(g, glGetError);
	GLSYM(g, glViewport);
	GLSYM(g, glClearColor);
	GLSYM(g, glClear);
	GLSYM(g, glEnable);
	GLSYM(g, glDisable);
	GLSYM(g, glScissor);
	GLSYM(g, glBegin);
	GLSYM(g, glEnd);
	GLSYM(g, glColor3f);
	GLSYM(g, glVertex2f);
	GLSYM(g, glPixelStorei);
	GLSYM(g, glReadPixels);
	GLSYM(g, glFinish);
	/* GL is reached through the namespace's own dispatch. */
	CHECK(it_addr_ns((void *)g->glClear) == g->ns,
	      "%s: glClear is in namespace %ld", g->who,
	      (long)it_addr_ns((void *)g->glClear));
	const char *renderer = (const char *)g->glGetString(GL_RENDERER);
	CHECK(renderer && strstr(renderer, "llvmpipe"), "%s: GL_RENDERER %s",
	      g->who, renderer ? renderer : "(none)");
}

/* Step STEP of the scene, drawn by G: the background, two scissored
 * rectangles, a smooth-shaded triangle (llvmpipe's JIT-compiled
 * shaders), then reading the pixels back.  Colours are multiples of 0.2,
 * which are whole bytes. */
static void draw(struct gl *g, int step)
{
	switch (step) {
	case 0:
		g->glViewport(0, 0, W, H);
		g->glClearColor(0.0f, 0.2f, 0.4f, 1.0f);
		g->glClear(GL_COLOR_BUFFER_BIT);
		break;
	case 1:
		g->glEnable(GL_SCISSOR_TEST);
		g->glScissor(2, 2, 12, 10);
		g->glClearColor(1.0f, 0.0f, 0.0f, 1.0f);
		g->glClear(GL_COLOR_BUFFER_BIT);
		g->glScissor(48, 30, 14, 16);
		g->glClearColor(0.0f, 0.8f, 0.0f, 1.0f);
		g->glClear(GL_COLOR_BUFFER_BIT);
		g->glDisable(GL_SCISSOR_TEST);
		break;
	case 2:
		g->glBegin(GL_TRIANGLES);
		g->glColor3f(1.0f, 0.0f, 0.0f);
		g->glVertex2f(-0.5f, -0.5f);
		g->glColor3f(0.0f, 1.0f, 0.0f);
		g->glVertex2f(0.5f, -0.5f);
		g->glColor3f(0.0f, 0.0f, 1.0f);
		g->glVertex2f(0.0f, 0.5f);
		g->glEnd();
		break;
	case 3:
		g->glFinish();
		g->glPixelStorei(GL_PACK_ALIGNMENT, 1);
		memset(g->pixels, 0x55, sizeof g->pixels);
		g->glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE,
				g->pixels);
		break;
	}
	GLenum err = g->glGetError();
	CHECK(err == GL_NO_ERROR, "%s: step %d: GL error 0x%x", g->who, step,
	      err);
}
#define STEPS 4

/* Whether pixel X, Y (from the bottom left) of G is R, GR, B, opaque. */
static bool pixel_is(const struct gl *g, int x, int y, int r, int gr, int b)
{
	const uint8_t *p = g->pixels + (y * W + x) * 4;
	return p[0] == r && p[1] == gr && p[2] == b && p[3] == 255;
}

/* The scene is in G's pixels: what a broken render (nothing drawn, one
 * step lost, another context drawn into) would not hold. */
static void check_scene(const struct gl *g)
{
	const uint8_t *c = g->pixels + (20 * W + 32) * 4; /* the triangle */
	CHECK(pixel_is(g, 0, 0, 0, 51, 102) && pixel_is(g, W - 1, H - 1, 0,
							 51, 102),
	      "%s: background corners", g->who);
	CHECK(pixel_is(g, 7, 6, 255, 0, 0) && pixel_is(g, 2, 2, 255, 0, 0) &&
		      pixel_is(g, 1, 1, 0, 51, 102),
	      "%s: red rectangle", g->who);
	CHECK(pixel_is(g, 55, 38, 0, 204, 0) && pixel_is(g, 61, 45, 0, 204,
							  0),
	      "%s: green rectangle", g->who);
	CHECK(c[0] > 0 && c[1] > 0 && c[2] > 0 && c[2] != 102 && c[3] == 255,
	      "%s: the triangle's middle is %d,%d,%d,%d", g->who, c[0], c[1],
	      c[2], c[3]);
}

/* Pixels of G that differ from BASE's. */
static int differing_pixels(const struct gl *g, const struct gl *base)
{
	int n = 0;
	for (int i = 0; i < W * H; i++)
		n += memcmp(g->pixels + i * 4, base->pixels + i * 4, 4) != 0;
	return n;
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
	for (int step = 0; step < STEPS; step++)
		for (int i = 0; i <= NS; i++)
			draw(&g[i], step);
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
		check_scene(&g[i]);
		if (i > 0)
			CHECK(differing_pixels(&g[i], &g[0]) == 0,
			      "%s: %d of %d pixels differ from the base's",
			      who[i], differing_pixels(&g[i], &g[0]), W * H);
	}
	for (int i = NS; i >= 0; i--)
		gl_stop(&g[i]);
	return it_finish();
}
