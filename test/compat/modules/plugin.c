/* libplugin-rp.so (PLUGIN_ID 1) and libplugin-lib2.so (PLUGIN_ID 2):
 * plugins that exist only in a search-path folder. */
int compat_plugin_id(void)
{
	return PLUGIN_ID;
}
