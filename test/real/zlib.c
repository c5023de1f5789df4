/* zlib in two namespaces: data deflated by one namespace's zlib inflates
 * in the other's and back, with allocator callbacks into the program, and
 * zlib's own allocations landing on the program's heap. */
#include "real_util.h"

/* zlib's z_stream, as zlib.h (1.2.x) lays it out; declared here so the
 * test needs the runtime package only. */
typedef void *(*alloc_fn)(void *opaque, unsigned items, unsigned size);
typedef void (*free_fn)(void *opaque, void *address);
typedef struct {
	const unsigned char *next_in;
	unsigned avail_in;
	unsigned long total_in;
	unsigned char *next_out;
	unsigned avail_out;
	unsigned long total_out;
	const char *msg;
	void *state;
	alloc_fn zalloc;
	free_fn zfree;
	void *opaque;
	int data_type;
	unsigned long adler;
	unsigned long reserved;
} z_stream;

#define Z_OK 0
#define Z_STREAM_END 1
#define Z_FINISH 4

struct zlib {
	void *h;
	const char *(*version)(void);
	int (*deflate_init)(z_stream *, int, const char *, int);
	int (*deflate)(z_stream *, int);
	int (*deflate_end)(z_stream *);
	unsigned long (*bound)(z_stream *, unsigned long);
	int (*inflate_init)(z_stream *, const char *, int);
	int (*inflate)(z_stream *, int);
	int (*inflate_end)(z_stream *);
	int (*compress2)(unsigned char *, unsigned long *,
			 const unsigned char *, unsigned long, int);
	int (*uncompress)(unsigned char *, unsigned long *,
			  const unsigned char *, unsigned long);
};

static void zlib_open(struct zlib *z)
{
	z->h = open_lib("libz.so.1");
	SYM(z->version, z->h, "zlibVersion");
	SYM(z->deflate_init, z->h, "deflateInit_");
	SYM(z->deflate, z->h, "deflate");
	SYM(z->deflate_end, z->h, "deflateEnd");
	SYM(z->bound, z->h, "deflateBound");
	SYM(z->inflate_init, z->h, "inflateInit_");
	SYM(z->inflate, z->h, "inflate");
	SYM(z->inflate_end, z->h, "inflateEnd");
	SYM(z->compress2, z->h, "compress2");
	SYM(z->uncompress, z->h, "uncompress");
}

/* The program's allocator, handed to one namespace's deflate. */
static int live_blocks, calls;

static void *prog_alloc(void *opaque, unsigned items, unsigned size)
{
	(void)opaque;
	calls++;
	live_blocks++;
	return calloc(items, size);
}

static void prog_free(void *opaque, void *p)
{
	(void)opaque;
	live_blocks--;
	free(p);
}

int main(void)
{
	/* Compressible but not trivial: a few kilobytes of numbered lines. */
	size_t len = 0;
	char *text = malloc(64 * 1024);
	REQUIRE(text, "malloc");
	for (int i = 0; i < 2000; i++)
		len += (size_t)sprintf(text + len, "line %d of the text\n", i);

	struct zlib a, b;
	zlib_open(&a);
	zlib_open(&b);
	CHECK(it_handle_ns(a.h) != it_handle_ns(b.h),
	      "both in namespace %ld", (long)it_handle_ns(a.h));
	CHECK_PRIVATE_LIB_SHARED_LIBC(a.h, "zlibVersion", "A");
	CHECK_PRIVATE_LIB_SHARED_LIBC(b.h, "zlibVersion", "B");
	CHECK(a.version != b.version, "one zlibVersion for both namespaces");
	CHECK(strncmp(a.version(), "1.", 2) == 0, "version %s", a.version());

	/* A deflates with the program's allocator. */
	z_stream zs = {.zalloc = prog_alloc, .zfree = prog_free};
	REQUIRE(a.deflate_init(&zs, 9, a.version(), (int)sizeof zs) == Z_OK,
		"deflateInit: %s", zs.msg ? zs.msg : "");
	unsigned long cap = a.bound(&zs, len);
	unsigned char *packed = malloc(cap);
	zs.next_in = (const unsigned char *)text;
	zs.avail_in = (unsigned)len;
	zs.next_out = packed;
	zs.avail_out = (unsigned)cap;
	CHECK(a.deflate(&zs, Z_FINISH) == Z_STREAM_END, "deflate: %s",
	      zs.msg ? zs.msg : "");
	unsigned long packed_len = zs.total_out;
	CHECK(a.deflate_end(&zs) == Z_OK, "deflateEnd");
	CHECK(calls > 0, "deflate never called the program's allocator");
	CHECK(live_blocks == 0, "%d blocks not given back", live_blocks);
	CHECK(packed_len > 0 && packed_len < len / 4,
	      "deflated %zu bytes to %lu", len, packed_len);

	/* B inflates with zlib's default allocator: its state is on the
	 * program's heap, and all of it is given back. */
	char *out = malloc(len + 1);
	size_t before = heap_in_use();
	z_stream zi = {0};
	REQUIRE(b.inflate_init(&zi, b.version(), (int)sizeof zi) == Z_OK,
		"inflateInit: %s", zi.msg ? zi.msg : "");
	size_t during = heap_in_use();
	CHECK(during > before || !heap_counted(), "inflate state not on the program's heap "
	      "(%zu bytes in use before, %zu after)", before, during);
	zi.next_in = packed;
	zi.avail_in = (unsigned)packed_len;
	zi.next_out = (unsigned char *)out;
	zi.avail_out = (unsigned)len + 1;
	CHECK(b.inflate(&zi, Z_FINISH) == Z_STREAM_END, "inflate: %s",
	      zi.msg ? zi.msg : "");
	CHECK(zi.total_out == len && memcmp(out, text, len) == 0,
	      "inflated %lu bytes, wanted %zu", zi.total_out, len);
	CHECK(b.inflate_end(&zi) == Z_OK, "inflateEnd");
	CHECK(heap_in_use() == before || !heap_counted(), "%zu bytes in use, %zu before",
	      heap_in_use(), before);

	/* And back: B's one-shot compress, A's uncompress. */
	unsigned long packed2_len = cap;
	CHECK(b.compress2(packed, &packed2_len, (unsigned char *)text, len,
			  6) == Z_OK, "compress2");
	unsigned long out_len = len + 1;
	memset(out, 0, len + 1);
	CHECK(a.uncompress((unsigned char *)out, &out_len, packed,
			   packed2_len) == Z_OK, "uncompress");
	CHECK(out_len == len && memcmp(out, text, len) == 0,
	      "uncompressed %lu bytes, wanted %zu", out_len, len);

	free(out);
	free(packed);
	free(text);
	CHECK(dlclose(a.h) == 0, "dlclose A: %s", dlerror());
	CHECK(dlclose(b.h) == 0, "dlclose B: %s", dlerror());
	return it_finish();
}
