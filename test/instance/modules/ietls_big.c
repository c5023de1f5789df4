/* 2 KiB of initial-exec TLS: more than glibc's static TLS surplus leaves
 * for a few namespaces' copies. */
__thread char ietls_big[2048] __attribute__((tls_model("initial-exec")));

int ietls_big_touch(void)
{
	return ++ietls_big[0];
}
