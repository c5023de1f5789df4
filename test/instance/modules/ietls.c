/* A library with initial-exec TLS (DF_STATIC_TLS): each copy of it that
 * glibc loads takes static TLS of its own, which runs out. */
__thread char ietls_buf[16] __attribute__((tls_model("initial-exec")));

int ietls_touch(void)
{
	return ++ietls_buf[0];
}
