/* Port of glibc's elf/tst-audit23mod.c. */
int foo(void)
{
	return 0;
}
