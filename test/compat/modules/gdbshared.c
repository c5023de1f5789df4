/* Shared code for the gdb test: tagged unique, so a namespace's calls to
 * it run the base copy's, through its proxy.  Not inlined, so that a
 * breakpoint on it has a frame. */
__attribute__((noinline)) int gdbshared_hit(int x)
{
	__asm__ volatile("" ::: "memory");
	return x + 1;
}
