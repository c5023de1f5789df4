/* What both TLS programs check of a namespace module that uses the shared
 * object's __thread variable tls_counter, in the main thread, in a thread
 * that existed before the dlmopen and in threads made after it. */
#ifndef NSSHARE_TLS_CHECK_H
#define NSSHARE_TLS_CHECK_H

#include "it.h"

#include <pthread.h>
#include <semaphore.h>

#define BASE_MOD "libtls-base.so"

/* The directory of the modules: IT_MODDIR, or the one of their build
 * with the base copy flagged DF_STATIC_TLS (static.c). */
static const char *tls_dir = IT_MODDIR;

/* Module NAME in tls_dir.  The string lives until exit. */
static inline const char *tls_module(const char *name)
{
	char *path = NULL;
	if (asprintf(&path, "%s/%s", tls_dir, name) < 0)
		abort();
	return path;
}

/* A thread that runs jobs on request, made before any namespace. */
struct worker {
	pthread_t thread;
	sem_t go, done;
	void (*job)(void *);
	void *arg;
	bool quit;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	for (;;) {
		sem_wait(&w->go);
		if (w->quit)
			return NULL;
		w->job(w->arg);
		sem_post(&w->done);
	}
}

static void worker_start(struct worker *w)
{
	*w = (struct worker){ .quit = false };
	sem_init(&w->go, 0, 0);
	sem_init(&w->done, 0, 0);
	REQUIRE(pthread_create(&w->thread, NULL, worker_main, w) == 0,
		"pthread_create");
}

static void worker_run(struct worker *w, void (*job)(void *), void *arg)
{
	w->job = job;
	w->arg = arg;
	sem_post(&w->go);
	sem_wait(&w->done);
}

static void worker_stop(struct worker *w)
{
	w->quit = true;
	sem_post(&w->go);
	pthread_join(w->thread, NULL);
}

static void *thread_job(void *arg)
{
	void **job = arg;
	((void (*)(void *))job[0])(job[1]);
	return NULL;
}

/* JOB(ARG) in a thread made now. */
static void new_thread_run(void (*job)(void *), void *arg)
{
	pthread_t t;
	void *pair[2] = { (void *)job, arg };
	REQUIRE(pthread_create(&t, NULL, thread_job, pair) == 0,
		"pthread_create");
	pthread_join(t, NULL);
}

/* One namespace module and the base copy, as a thread sees them. */
struct tls_pair {
	const char *model;
	void *base, *proxy;           /* handles of the base copy, its proxy */
	int *(*base_addr)(void);
	int *(*user_addr)(void);
	int (*user_get)(void);
	void (*user_set)(int);
	void *(*user_dlsym)(const char *);
	int expect;                   /* the thread's value before the job */
};

/* In the calling thread: the module's variable is the base copy's. */
static void tls_same_var(void *arg)
{
	struct tls_pair *p = arg;
	int *mine = p->base_addr();
	CHECK(p->user_addr() == mine, "%s: the module's tls_counter %p is the "
	      "base copy's %p", p->model, (void *)p->user_addr(), (void *)mine);
	CHECK(p->user_get() == p->expect, "%s: the module reads %d, the base "
	      "copy's value is %d", p->model, p->user_get(), p->expect);
	p->user_set(p->expect + 1000);
	CHECK(*mine == p->expect + 1000, "%s: a write through the module is "
	      "the base copy's (%d)", p->model, *mine);
	*mine = p->expect;
	CHECK(dlsym(p->proxy, "tls_counter") == mine,
	      "%s: dlsym(proxy, \"tls_counter\") is the thread's variable",
	      p->model);
	void *inside = p->user_dlsym("tls_counter");
	CHECK(inside == mine,
	      "%s: dlsym(RTLD_DEFAULT) from inside the namespace is too: %p, "
	      "%p (%s)", p->model, inside, (void *)mine,
	      inside ? it_addr_object(inside) : dlerror());
	void *data = NULL, *want = NULL;
	CHECK(dlinfo(p->proxy, RTLD_DI_TLS_DATA, &data) == 0 &&
	      dlinfo(p->base, RTLD_DI_TLS_DATA, &want) == 0 && data == want,
	      "%s: dlinfo(proxy, RTLD_DI_TLS_DATA) %p, the base copy's %p",
	      p->model, data, want);
}

/* A thread made after the dlmopen starts with the initial value 5. */
static void tls_fresh_thread(void *arg)
{
	struct tls_pair *p = arg;
	p->expect = 5;
	tls_same_var(p);
}

/* Checks every thread's view of tls_counter through MODEL's module H,
 * in a namespace of its own; the base copy's value in this thread is
 * VALUE, in BEFORE's thread BEFORE_VALUE. */
static void tls_check_loaded(const char *model, void *h, struct worker *before,
			     int value, int before_value)
{
	char name[64];
	snprintf(name, sizeof name, "libtls-user-%s.so", model);
	Lmid_t ns = it_handle_ns(h);
	CHECK(ns > 0, "%s in namespace %ld", name, (long)ns);
	struct tls_pair p = { .model = model };
	p.base = dlopen(tls_module(BASE_MOD), RTLD_NOW | RTLD_NOLOAD);
	p.proxy = dlmopen(ns, BASE_MOD, RTLD_NOW | RTLD_NOLOAD);
	REQUIRE(p.base && p.proxy, "%s: the base copy %p and its proxy %p",
		model, p.base, p.proxy);
	CHECK(p.proxy != p.base && it_handle_ns(p.proxy) == ns,
	      "%s: the proxy is in namespace %ld", model, (long)ns);
	SYM(p.base_addr, p.base, "tls_base_addr");
	SYM(p.user_addr, h, "tls_user_addr");
	SYM(p.user_get, h, "tls_user_get");
	SYM(p.user_set, h, "tls_user_set");
	SYM(p.user_dlsym, h, "tls_user_dlsym");
	int *seen = dlsym(h, "tls_ctor_seen");
	CHECK(seen && *seen == value, "%s: the constructor read %d, the base "
	      "copy's value is %d", model, seen ? *seen : -1, value);
	size_t modid = 0, want = 1;
	CHECK(dlinfo(p.proxy, RTLD_DI_TLS_MODID, &modid) == 0 &&
	      dlinfo(p.base, RTLD_DI_TLS_MODID, &want) == 0 && modid == want,
	      "%s: dlinfo(proxy, RTLD_DI_TLS_MODID) %zu, the base copy's %zu",
	      model, modid, want);

	p.expect = value;
	tls_same_var(&p);
	p.expect = before_value;
	worker_run(before, tls_same_var, &p);
	new_thread_run(tls_fresh_thread, &p);
	dlclose(p.proxy);
	dlclose(p.base);
}

/* Opens MODEL's module into a fresh namespace and checks it
 * (tls_check_loaded); returns its handle. */
static void *tls_check_model(const char *model, struct worker *before,
			     int value, int before_value)
{
	char name[64];
	snprintf(name, sizeof name, "libtls-user-%s.so", model);
	void *h = dlmopen(LM_ID_NEWLM, tls_module(name), RTLD_NOW);
	REQUIRE(h, "dlmopen %s: %s", name, dlerror());
	tls_check_loaded(model, h, before, value, before_value);
	return h;
}

/* Opens the initial-exec module, which must fail for want of static TLS
 * (the base copy's block is dynamic), saying so. */
static inline void tls_check_ie_refused(void)
{
	void *ie = dlmopen(LM_ID_NEWLM, tls_module("libtls-user-ie.so"),
			   RTLD_NOW);
	CHECK(ie == NULL, "initial-exec against a block in dynamic TLS fails");
	const char *err = dlerror();
	CHECK(err && strstr(err, "libtls-user-ie.so") &&
	      strstr(err, BASE_MOD) && strstr(err, "initial-exec") &&
	      strstr(err, "(tls_counter)") && strstr(err, "at startup"),
	      "the error names the module, the shared object, the variable, "
	      "the model and what to do: %s", err ? err : "(none)");
	if (ie)
		dlclose(ie);
	CHECK(dlmopen(LM_ID_NEWLM, tls_module("libtls-user-ie.so"),
		      RTLD_NOW | RTLD_NOLOAD) == NULL, "nothing was left loaded");
	dlerror();
}

#endif
