/* Binds stub_func@@UNITSTUB_2, the hidden stub_func@UNITSTUB_1 and
 * stub_data@UNITSTUB_1 from whatever object in its namespace has the
 * SONAME libunitstub.so: in unit_image.c, a written proxy image. */
int stub_func(void);
int stub_func_v1(void);
extern int stub_data;

/* A reference to the old, non-default version. */
__asm__(".symver stub_func_v1, stub_func@UNITSTUB_1");

int user_call_new(void)
{
	return stub_func();
}

int user_call_old(void)
{
	return stub_func_v1();
}

int *user_data_addr(void)
{
	return &stub_data;
}
