/* gl_scene.h: the scene that test/real's GL programs (egl.c, osmesa.c)
 * draw, a step at a time, with GL 1.x functions that each program gets
 * from its own loader (eglGetProcAddress, OSMesaGetProcAddress), and the
 * checks of its pixels. */
#ifndef GL_SCENE_H
#define GL_SCENE_H

#include "real_util.h"

#include <stdint.h>

/* The few GL names used, with the values of the Khronos headers, so that
 * only the runtime packages are needed. */
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

/* The GL functions the scene uses. */
struct gl_api {
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

/* GL function FN of API from LOADER, which must have it. */
#define GL_API_SYM(api, loader, who, fn)                                      \
	do {                                                                  \
		*(void **)&(api)->fn = (loader)(#fn);                         \
		REQUIRE((api)->fn != NULL, "%s: no %s from the loader",       \
			(who), #fn);                                          \
	} while (0)

/* All of API from LOADER (a GetProcAddress), for WHO. */
static inline void gl_api_load(struct gl_api *api,
			       void *(*loader)(const char *), const char *who)
{
	GL_API_SYM(api, loader, who, glGetString);
	GL_API_SYM(api, loader, who, glGetError);
	GL_API_SYM(api, loader, who, glViewport);
	GL_API_SYM(api, loader, who, glClearColor);
	GL_API_SYM(api, loader, who, glClear);
	GL_API_SYM(api, loader, who, glEnable);
	GL_API_SYM(api, loader, who, glDisable);
	GL_API_SYM(api, loader, who, glScissor);
	GL_API_SYM(api, loader, who, glBegin);
	GL_API_SYM(api, loader, who, glEnd);
	GL_API_SYM(api, loader, who, glColor3f);
	GL_API_SYM(api, loader, who, glVertex2f);
	GL_API_SYM(api, loader, who, glPixelStorei);
	GL_API_SYM(api, loader, who, glReadPixels);
	GL_API_SYM(api, loader, who, glFinish);
}

/* GL_RENDERER of the current context is llvmpipe. */
static inline void gl_check_llvmpipe(const struct gl_api *api,
				     const char *who)
{
	const char *renderer = (const char *)api->glGetString(GL_RENDERER);
	CHECK(renderer && strstr(renderer, "llvmpipe"), "%s: GL_RENDERER %s",
	      who, renderer ? renderer : "(none)");
}

/* Step STEP of the scene, drawn by WHO in its current context: the
 * background, two scissored rectangles, a smooth-shaded triangle
 * (llvmpipe's JIT-compiled shaders), then reading the pixels back into
 * PIXELS (W * H * 4 bytes, RGBA, from the bottom left).  Colours are
 * multiples of 0.2, which are whole bytes. */
static inline void scene_draw(const struct gl_api *api, int step,
			      uint8_t *pixels, const char *who)
{
	switch (step) {
	case 0:
		api->glViewport(0, 0, W, H);
		api->glClearColor(0.0f, 0.2f, 0.4f, 1.0f);
		api->glClear(GL_COLOR_BUFFER_BIT);
		break;
	case 1:
		api->glEnable(GL_SCISSOR_TEST);
		api->glScissor(2, 2, 12, 10);
		api->glClearColor(1.0f, 0.0f, 0.0f, 1.0f);
		api->glClear(GL_COLOR_BUFFER_BIT);
		api->glScissor(48, 30, 14, 16);
		api->glClearColor(0.0f, 0.8f, 0.0f, 1.0f);
		api->glClear(GL_COLOR_BUFFER_BIT);
		api->glDisable(GL_SCISSOR_TEST);
		break;
	case 2:
		api->glBegin(GL_TRIANGLES);
		api->glColor3f(1.0f, 0.0f, 0.0f);
		api->glVertex2f(-0.5f, -0.5f);
		api->glColor3f(0.0f, 1.0f, 0.0f);
		api->glVertex2f(0.5f, -0.5f);
		api->glColor3f(0.0f, 0.0f, 1.0f);
		api->glVertex2f(0.0f, 0.5f);
		api->glEnd();
		break;
	case 3:
		api->glFinish();
		api->glPixelStorei(GL_PACK_ALIGNMENT, 1);
		memset(pixels, 0x55, W * H * 4);
		api->glReadPixels(0, 0, W, H, GL_RGBA, GL_UNSIGNED_BYTE,
				  pixels);
		break;
	}
	GLenum err = api->glGetError();
	CHECK(err == GL_NO_ERROR, "%s: step %d: GL error 0x%x", who, step,
	      err);
}
#define SCENE_STEPS 4

/* Whether pixel X, Y (from the bottom left) of PIXELS is R, GR, B,
 * opaque. */
static inline bool pixel_is(const uint8_t *pixels, int x, int y, int r,
			    int gr, int b)
{
	const uint8_t *p = pixels + (y * W + x) * 4;
	return p[0] == r && p[1] == gr && p[2] == b && p[3] == 255;
}

/* The scene is in WHO's PIXELS: what a broken render (nothing drawn, one
 * step lost, another context drawn into) would not hold. */
static inline void scene_check(const uint8_t *pixels, const char *who)
{
	const uint8_t *c = pixels + (20 * W + 32) * 4; /* the triangle */
	CHECK(pixel_is(pixels, 0, 0, 0, 51, 102) &&
		      pixel_is(pixels, W - 1, H - 1, 0, 51, 102),
	      "%s: background corners", who);
	CHECK(pixel_is(pixels, 7, 6, 255, 0, 0) &&
		      pixel_is(pixels, 2, 2, 255, 0, 0) &&
		      pixel_is(pixels, 1, 1, 0, 51, 102),
	      "%s: red rectangle", who);
	CHECK(pixel_is(pixels, 55, 38, 0, 204, 0) &&
		      pixel_is(pixels, 61, 45, 0, 204, 0),
	      "%s: green rectangle", who);
	CHECK(c[0] > 0 && c[1] > 0 && c[2] > 0 && c[2] != 102 && c[3] == 255,
	      "%s: the triangle's middle is %d,%d,%d,%d", who, c[0], c[1],
	      c[2], c[3]);
}

/* Pixels of A that differ from B's. */
static inline int differing_pixels(const uint8_t *a, const uint8_t *b)
{
	int n = 0;
	for (int i = 0; i < W * H; i++)
		n += memcmp(a + i * 4, b + i * 4, 4) != 0;
	return n;
}

#endif
