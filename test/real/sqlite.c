/* SQLite in two namespaces: databases side by side, a result callback and
 * an SQL function in the program, strings SQLite formats, and a database
 * file one namespace writes and the other reads. */
#include "real_util.h"

#include <unistd.h>

#define SQLITE_OK 0
#define SQLITE_UTF8 1

typedef int (*row_fn)(void *, int, char **, char **);
typedef void (*sql_fn)(void *ctx, int argc, void **argv);

struct sqlite {
	void *h;
	const char *(*libversion)(void);
	int (*open)(const char *, void **);
	int (*close)(void *);
	int (*exec)(void *, const char *, row_fn, void *, char **);
	char *(*mprintf)(const char *, ...);
	void (*free)(void *);
	int (*create_function)(void *, const char *, int, int, void *, sql_fn,
			       sql_fn, void (*)(void *));
	void *(*user_data)(void *);
	long long (*value_int64)(void *);
	void (*result_int64)(void *, long long);
};

static void sqlite_open(struct sqlite *s)
{
	s->h = open_lib("libsqlite3.so.0");
	SYM(s->libversion, s->h, "sqlite3_libversion");
	SYM(s->open, s->h, "sqlite3_open");
	SYM(s->close, s->h, "sqlite3_close");
	SYM(s->exec, s->h, "sqlite3_exec");
	SYM(s->mprintf, s->h, "sqlite3_mprintf");
	SYM(s->free, s->h, "sqlite3_free");
	SYM(s->create_function, s->h, "sqlite3_create_function");
	SYM(s->user_data, s->h, "sqlite3_user_data");
	SYM(s->value_int64, s->h, "sqlite3_value_int64");
	SYM(s->result_int64, s->h, "sqlite3_result_int64");
}

/* Rows a query returned, one "a|b" line each, built by the callback. */
struct rows {
	char text[512];
	int n;
};

static int collect(void *arg, int ncol, char **val, char **col)
{
	(void)col;
	struct rows *r = arg;
	size_t len = strlen(r->text);
	for (int i = 0; i < ncol; i++)
		len += (size_t)snprintf(r->text + len, sizeof r->text - len,
					"%s%s", i ? "|" : "",
					val[i] ? val[i] : "NULL");
	snprintf(r->text + len, sizeof r->text - len, "\n");
	r->n++;
	return 0;
}

/* The namespace whose sqlite3_exec is running, and whether the SQL
 * function below was always called back with that namespace's user data. */
static struct sqlite *calling;
static int triple_calls, triple_wrong;

/* An SQL function of the program, triple(x), registered in both
 * namespaces with that namespace's struct sqlite as its user data. */
static void triple_fn(void *ctx, int argc, void **argv)
{
	(void)argc;
	struct sqlite *s = calling->user_data(ctx);
	triple_calls++;
	triple_wrong += s != calling;
	s->result_int64(ctx, 3 * s->value_int64(argv[0]));
}

/* Runs SQL on DB and returns the rows. */
static struct rows query(struct sqlite *s, void *db, const char *sql)
{
	struct rows r = {.n = 0};
	char *err = NULL;
	calling = s;
	int rc = s->exec(db, sql, collect, &r, &err);
	CHECK(rc == SQLITE_OK, "%s: %d %s", sql, rc, err ? err : "");
	s->free(err);
	return r;
}

int main(void)
{
	struct sqlite a, b;
	sqlite_open(&a);
	sqlite_open(&b);
	CHECK(it_handle_ns(a.h) != it_handle_ns(b.h),
	      "both in namespace %ld", (long)it_handle_ns(a.h));
	CHECK_PRIVATE_LIB_SHARED_LIBC(a.h, "sqlite3_exec", "A");
	CHECK_PRIVATE_LIB_SHARED_LIBC(b.h, "sqlite3_exec", "B");
	CHECK(a.exec != b.exec, "one sqlite3_exec for both namespaces");
	CHECK(strcmp(a.libversion(), b.libversion()) == 0 &&
	      strncmp(a.libversion(), "3.", 2) == 0, "versions %s %s",
	      a.libversion(), b.libversion());

	/* Two in-memory databases side by side, same schema, other rows. */
	void *da = NULL, *db = NULL;
	size_t before = heap_in_use();
	REQUIRE(a.open(":memory:", &da) == SQLITE_OK, "open A");
	CHECK(heap_in_use() > before || !heap_counted(), "SQLite's connection is not on the "
	      "program's heap");
	REQUIRE(b.open(":memory:", &db) == SQLITE_OK, "open B");
	query(&a, da, "create table t(k integer primary key, v text);"
		      "insert into t(v) values ('alpha'), ('beta');");
	query(&b, db, "create table t(k integer primary key, v text);"
		      "insert into t(v) values ('gamma');");
	struct rows ra = query(&a, da, "select k, v from t order by k");
	struct rows rb = query(&b, db, "select k, v from t order by k");
	CHECK(ra.n == 2 && strcmp(ra.text, "1|alpha\n2|beta\n") == 0,
	      "A rows: %s", ra.text);
	CHECK(rb.n == 1 && strcmp(rb.text, "1|gamma\n") == 0, "B rows: %s",
	      rb.text);

	/* The program's SQL function, registered in both, called by each. */
	CHECK(a.create_function(da, "triple", 1, SQLITE_UTF8, &a, triple_fn,
				NULL, NULL) == SQLITE_OK, "create_function A");
	CHECK(b.create_function(db, "triple", 1, SQLITE_UTF8, &b, triple_fn,
				NULL, NULL) == SQLITE_OK, "create_function B");
	ra = query(&a, da, "select sum(triple(k)) from t");
	rb = query(&b, db, "select triple(14)");
	CHECK(strcmp(ra.text, "9\n") == 0, "A: triple sum %s", ra.text);
	CHECK(strcmp(rb.text, "42\n") == 0, "B: triple %s", rb.text);
	CHECK(triple_calls == 3 && triple_wrong == 0, "triple: %d calls, %d "
	      "with the other namespace's user data", triple_calls,
	      triple_wrong);

	/* A string formatted by A, quoted for SQL, used by B. */
	char *sql = a.mprintf("insert into t(v) values (%Q)", "it's");
	REQUIRE(sql, "mprintf");
	CHECK(strcmp(sql, "insert into t(v) values ('it''s')") == 0, "%s",
	      sql);
	query(&b, db, sql);
	a.free(sql);
	rb = query(&b, db, "select v from t where k = 2");
	CHECK(strcmp(rb.text, "it's\n") == 0, "B row 2: %s", rb.text);

	/* An error message SQLite allocates, released by the other
	 * namespace's sqlite3_free: both free to the one heap. */
	char *err = NULL;
	CHECK(a.exec(da, "select * from nonesuch", NULL, NULL, &err) !=
	      SQLITE_OK && err && strstr(err, "nonesuch"), "error %s",
	      err ? err : "(none)");
	b.free(err);

	/* A file A writes and B reads. */
	char path[] = "/tmp/nsshare-real-sqlite-XXXXXX";
	int fd = mkstemp(path);
	REQUIRE(fd >= 0, "mkstemp");
	close(fd);
	void *fa = NULL, *fb = NULL;
	REQUIRE(a.open(path, &fa) == SQLITE_OK, "open %s in A", path);
	query(&a, fa, "create table f(x); insert into f values (6), (7);");
	CHECK(a.close(fa) == SQLITE_OK, "close file in A");
	REQUIRE(b.open(path, &fb) == SQLITE_OK, "open %s in B", path);
	rb = query(&b, fb, "select x * 1 from f order by x");
	CHECK(strcmp(rb.text, "6\n7\n") == 0, "B reads A's file: %s", rb.text);
	CHECK(b.close(fb) == SQLITE_OK, "close file in B");
	unlink(path);

	CHECK(a.close(da) == SQLITE_OK, "close A");
	CHECK(b.close(db) == SQLITE_OK, "close B");
	CHECK(dlclose(a.h) == 0, "dlclose A: %s", dlerror());
	CHECK(dlclose(b.h) == 0, "dlclose B: %s", dlerror());
	return it_finish();
}
