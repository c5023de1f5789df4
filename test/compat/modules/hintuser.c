/* Uses hintlib's symbol without naming hintlib in DT_NEEDED, as a
 * Python extension module uses libpython's: it loads where hintlib is
 * global. */
extern int hintlib_value;

int *hintuser_value(void)
{
	return &hintlib_value;
}
