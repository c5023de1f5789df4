/* libglibc-plugin.so: a plugin (P) of libglibc-host.so with no DT_NEEDED on
 * it, as Python extension modules have none on libpython: host_value is
 * found in the namespace's global scope or not at all.  Built with
 * -z undefs so that the reference may stay open. */
extern int host_value;
char *strfry(char *s);

int *plugin_host_value_addr(void)
{
	return &host_value;
}

int plugin_host_get(void)
{
	return host_value;
}

/* The strfry this object is bound to. */
void *plugin_strfry_addr(void)
{
	return (void *)&strfry;
}
