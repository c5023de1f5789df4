/* libcompat-inner.so: what libcompat-reent.so's constructor dlopen()s. */
int compat_inner_value(void)
{
	return 5150;
}
