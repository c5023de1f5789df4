/* Real libraries past glibc's namespaces (issue 14): 500 instances of
 * libz, each compressing with its own code, and 200 of SQLite, each with
 * an in-memory database of its own, in one process. */
#include "it.h"

#include <stdint.h>

typedef int (*compress2_fn)(unsigned char *, unsigned long *,
			    const unsigned char *, unsigned long, int);
typedef int (*uncompress_fn)(unsigned char *, unsigned long *,
			     const unsigned char *, unsigned long);
typedef int (*open_fn)(const char *, void **);
typedef int (*exec_fn)(void *, const char *,
		       int (*)(void *, int, char **, char **), void *, char **);
typedef int (*close_fn)(void *);
typedef int64_t (*memory_used_fn)(void);

/* Under valgrind (scripts/valgrind.sh, looking for leaks) fewer: 20 of
 * each are past the 15 namespaces all the same. */
static int NZ = 500, NSQL = 200;
#define NZ_MAX 500
#define NSQL_MAX 200

static int first_column(void *arg, int n, char **values, char **names)
{
	(void)names;
	if (n > 0 && values[0])
		*(int *)arg = atoi(values[0]);
	return 0;
}

static void zlib_instances(void)
{
	static void *h[NZ_MAX];
	long before = it_rss_kib();
	int ok = 0;
	for (int i = 0; i < NZ; i++) {
		h[i] = dlmopen(LM_ID_NEWLM, "libz.so.1", RTLD_NOW);
		REQUIRE(h[i], "libz instance %d: %s", i, dlerror());
		if (i > 0)
			CHECK(dlsym(h[i], "deflate") != dlsym(h[i - 1], "deflate"),
			      "instance %d has code of its own", i);
		compress2_fn compress2;
		uncompress_fn uncompress;
		SYM(compress2, h[i], "compress2");
		SYM(uncompress, h[i], "uncompress");
		char text[64], back[64] = "";
		snprintf(text, sizeof text, "instance %d of libz, instance %d", i, i);
		unsigned char packed[128];
		unsigned long plen = sizeof packed, blen = sizeof back;
		ok += compress2(packed, &plen, (unsigned char *)text,
				strlen(text) + 1, 9) == 0 &&
		      uncompress((unsigned char *)back, &blen, packed, plen) == 0 &&
		      strcmp(back, text) == 0;
	}
	CHECK(ok == NZ, "%d of %d libz instances compressed and back", ok, NZ);
	printf("info: %d libz instances: %ld KiB RSS each\n", NZ,
	       (it_rss_kib() - before) / NZ);
	int closed = 0;
	for (int i = 0; i < NZ; i++)
		closed += dlclose(h[i]) == 0;
	CHECK(closed == NZ, "%d of %d closed", closed, NZ);
}

static void sqlite_instances(void)
{
	static void *h[NSQL_MAX], *db[NSQL_MAX];
	long before = it_rss_kib();
	int ok = 0;
	for (int i = 0; i < NSQL; i++) {
		h[i] = dlmopen(LM_ID_NEWLM, "libsqlite3.so.0", RTLD_NOW);
		REQUIRE(h[i], "sqlite instance %d: %s", i, dlerror());
		open_fn open_db;
		exec_fn exec;
		SYM(open_db, h[i], "sqlite3_open");
		SYM(exec, h[i], "sqlite3_exec");
		char sql[128];
		snprintf(sql, sizeof sql, "create table t(x); insert into t "
			 "values (%d);", i);
		ok += open_db(":memory:", &db[i]) == 0 &&
		      exec(db[i], sql, NULL, NULL, NULL) == 0;
	}
	CHECK(ok == NSQL, "%d of %d databases made", ok, NSQL);
	/* Each database holds its own row; each instance counts only its
	 * own memory. */
	int own = 0;
	int64_t used0 = 0;
	for (int i = 0; i < NSQL; i++) {
		exec_fn exec;
		memory_used_fn used;
		SYM(exec, h[i], "sqlite3_exec");
		SYM(used, h[i], "sqlite3_memory_used");
		int x = -1;
		exec(db[i], "select x from t;", first_column, &x, NULL);
		if (i == 0)
			used0 = used();
		own += x == i && used() > 0 && used() < used0 * 4;
	}
	CHECK(own == NSQL, "%d of %d instances see their own database only",
	      own, NSQL);
	printf("info: %d sqlite instances: %ld KiB RSS each\n", NSQL,
	       (it_rss_kib() - before) / NSQL);
	int closed = 0;
	for (int i = 0; i < NSQL; i++) {
		close_fn close_db;
		SYM(close_db, h[i], "sqlite3_close");
		closed += close_db(db[i]) == 0 && dlclose(h[i]) == 0;
	}
	CHECK(closed == NSQL, "%d of %d closed", closed, NSQL);
}

int main(void)
{
	if (getenv("NSSHARE_UNDER_VALGRIND"))
		NZ = NSQL = 35;
	zlib_instances();
	sqlite_instances();
	return it_finish();
}
