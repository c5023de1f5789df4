/* libcompat-nodelete.so: opened with RTLD_NODELETE. */
int compat_nodelete_value(void)
{
	return 9090;
}
