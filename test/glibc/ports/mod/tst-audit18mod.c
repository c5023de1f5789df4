/* Port of glibc's elf/tst-audit18mod.c. */
int foo(void)
{
	return 10;
}
