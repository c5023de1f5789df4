/* Stands in for an old glibc: linked ahead of libc, its
 * gnu_get_libc_version is the one libnsshare binds. */
const char *gnu_get_libc_version(void);

const char *gnu_get_libc_version(void)
{
	return "2.27";
}
