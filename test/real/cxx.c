/* A C++ library in two namespaces, each with a private libstdc++ and
 * libgcc_s: exceptions unwind and are caught inside each, containers and
 * strings work, memory crosses both ways, and std::cout writes land in
 * order with the program's printf on one stdout. */
#include "real_util.h"
#include "glibc/glibc_util.h"

#define CXX_MOD "libreal-cxx.so"

struct cxx {
	void *h;
	int (*unwind)(int);
	long (*sum)(const char *);
	char *(*word_counts)(const char *);
	size_t (*consume)(char *);
	void (*say)(const char *, int);
};

static void cxx_open(struct cxx *c)
{
	/* One path for both, kept reachable: it_module's string is never
	 * freed, and valgrind.sh looks for memory definitely lost. */
	static const char *path;
	if (!path)
		path = it_module(CXX_MOD);
	c->h = dlmopen(LM_ID_NEWLM, path, RTLD_NOW);
	REQUIRE(c->h, "dlmopen %s: %s", CXX_MOD, dlerror());
	REQUIRE(it_handle_ns(c->h) > 0, "namespace %ld",
		(long)it_handle_ns(c->h));
	SYM(c->unwind, c->h, "cxx_unwind");
	SYM(c->sum, c->h, "cxx_sum");
	SYM(c->word_counts, c->h, "cxx_word_counts");
	SYM(c->consume, c->h, "cxx_consume");
	SYM(c->say, c->h, "cxx_say");
}

static struct cxx a, b;

/* Program and namespaces take turns writing to stdout, a pipe, so fully
 * buffered; nobody flushes until exit. */
static void interleave(void *arg)
{
	(void)arg;
	printf("program 1\n");
	a.say("A", 2);
	printf("program 3\n");
	b.say("B", 4);
	a.say("A", 5);
	printf("program 6\n");
	exit(0);
}

int main(void)
{
	cxx_open(&a);
	cxx_open(&b);
	CHECK(it_handle_ns(a.h) != it_handle_ns(b.h),
	      "both in namespace %ld", (long)it_handle_ns(a.h));
	CHECK_PRIVATE_LIB_SHARED_LIBC(a.h, "cxx_sum", "A");
	CHECK_PRIVATE_LIB_SHARED_LIBC(b.h, "cxx_sum", "B");
	/* libstdc++ is not glibc: each namespace has its own std::cout. */
	CHECK(it_code_ns(a.h, "_ZSt4cout") == it_handle_ns(a.h) &&
	      it_code_ns(b.h, "_ZSt4cout") == it_handle_ns(b.h),
	      "std::cout in namespaces %ld and %ld",
	      (long)it_code_ns(a.h, "_ZSt4cout"),
	      (long)it_code_ns(b.h, "_ZSt4cout"));

	CHECK(a.unwind(10) == 11 && b.unwind(20) == 21,
	      "unwound %d and %d frames", a.unwind(10), b.unwind(20));
	CHECK(a.sum("1,2,3,4") == 10 && b.sum("40,2") == 42,
	      "sums %ld %ld", a.sum("1,2,3,4"), b.sum("40,2"));
	CHECK(a.sum("1,x,3") == -1 && b.sum("y") == -1,
	      "bad lists gave %ld %ld", a.sum("1,x,3"), b.sum("y"));

	/* Allocated in the namespace, freed by the program... */
	char *counts = a.word_counts("b a c a b a");
	CHECK(counts && strcmp(counts, "a=3 b=2 c=1") == 0, "A counts %s",
	      counts ? counts : "(null)");
	free(counts);
	counts = b.word_counts("x");
	CHECK(counts && strcmp(counts, "x=1") == 0, "B counts %s",
	      counts ? counts : "(null)");
	/* ...and the other way: the namespace frees what the program and
	 * the other namespace allocated. */
	CHECK(a.consume(counts) == 3, "A consumed B's string");
	CHECK(b.consume(strdup("program")) == 7, "B consumed the program's");

	struct child_run run;
	REQUIRE(run_child(interleave, NULL, &run), "cannot run the child");
	CHECK(exited_with(&run, 0), "child status %#x", run.status);
	CHECK_OUTPUT(&run,
		     "program 1\nA says 2\nprogram 3\nB says 4\nA says 5\n"
		     "program 6\n", "interleave");

	CHECK(dlclose(a.h) == 0, "dlclose A: %s", dlerror());
	CHECK(dlclose(b.h) == 0, "dlclose B: %s", dlerror());
	return it_finish();
}
