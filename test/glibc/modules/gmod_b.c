/* libglibc-gmod-b.so: calls gmod_a_value without a DT_NEEDED on the
 * object that defines it (-z undefs): it loads only where that object is
 * in the global scope. */
extern int gmod_a_value(void);

int gmod_b_value(void)
{
	return gmod_a_value() + 1;
}

void *gmod_b_a_addr(void)
{
	return (void *)&gmod_a_value;
}
