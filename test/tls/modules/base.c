/* The shared object with a thread-local variable (tagged unique, so that
 * every namespace gets its proxy).  Its initial value tells a thread's own
 * block from another's. */
__thread int tls_counter = 5;

int *tls_base_addr(void)
{
	return &tls_counter;
}
