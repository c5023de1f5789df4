/* libglibc-gmod-c.so: loaded local first, then promoted to the global
 * scope by dlopen(RTLD_NOLOAD | RTLD_GLOBAL). */
int gmod_c_value(void)
{
	return 7;
}
