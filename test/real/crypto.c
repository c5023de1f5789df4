/* OpenSSL's libcrypto in two namespaces: each computes digests with its
 * own copy of the library (its own provider state), the results agree,
 * and a buffer libcrypto allocates in one namespace is freed by the
 * program, and one the program allocates is freed by libcrypto. */
#include "real_util.h"

struct crypto {
	void *h;
	const void *(*sha256)(void);
	int (*digest)(const void *data, size_t count, unsigned char *md,
		      unsigned int *size, const void *type, void *engine);
	char *(*buf2hexstr)(const unsigned char *buf, long buflen);
	void (*crypto_free)(void *ptr, const char *file, int line);
};

static void crypto_open(struct crypto *c)
{
	static const char *const sonames[] = {
		"libcrypto.so.3", "libcrypto.so.1.1", NULL
	};
	c->h = open_lib_of(sonames, NULL);
	SYM(c->sha256, c->h, "EVP_sha256");
	SYM(c->digest, c->h, "EVP_Digest");
	SYM(c->buf2hexstr, c->h, "OPENSSL_buf2hexstr");
	SYM(c->crypto_free, c->h, "CRYPTO_free");
}

/* SHA-256 of "abc", FIPS 180-2 appendix B.1. */
static const char abc_sha256[] =
	"BA:78:16:BF:8F:01:CF:EA:41:41:40:DE:5D:AE:22:23:"
	"B0:03:61:A3:96:17:7A:9C:B4:10:FF:61:F2:00:15:AD";

/* The hex digest of "abc" as C computes it; the program frees it. */
static char *abc_digest(const struct crypto *c)
{
	unsigned char md[32];
	unsigned int size = 0;
	if (!c->digest("abc", 3, md, &size, c->sha256(), NULL) || size != 32)
		return NULL;
	return c->buf2hexstr(md, size);
}

int main(void)
{
	struct crypto a, b;
	crypto_open(&a);
	crypto_open(&b);
	CHECK(it_handle_ns(a.h) != it_handle_ns(b.h), "two namespaces");
	CHECK_PRIVATE_LIB_SHARED_LIBC(a.h, "EVP_Digest", "A");
	CHECK_PRIVATE_LIB_SHARED_LIBC(b.h, "EVP_Digest", "B");
	CHECK(dlsym(a.h, "EVP_Digest") != dlsym(b.h, "EVP_Digest"),
	      "each namespace has its own libcrypto");

	for (int round = 0; round < 3; round++) {
		char *x = abc_digest(&a), *y = abc_digest(&b);
		CHECK(x && strcmp(x, abc_sha256) == 0, "A: sha256(abc) = %s",
		      x ? x : "(null)");
		CHECK(y && strcmp(y, abc_sha256) == 0, "B: sha256(abc) = %s",
		      y ? y : "(null)");
		/* libcrypto's OPENSSL_malloc is malloc: the program frees A's
		 * buffer, and B's libcrypto frees one the program made. */
		free(x);
		free(y);
		char *mine = strdup("the program's");
		b.crypto_free(mine, __FILE__, __LINE__);
	}
	CHECK(dlclose(a.h) == 0, "dlclose A: %s", dlerror());
	CHECK(dlclose(b.h) == 0, "dlclose B: %s", dlerror());
	return it_finish();
}
