/* Link-time stand-in for a proxy image with SONAME libunitstub.so:
 * unituser.c links against it to get versioned references.  At run time
 * the image written by unit_image.c takes its place in the namespace. */
int unitstub_f_old(void);
int unitstub_f_new(void);

__asm__(".symver unitstub_f_old, stub_func@UNITSTUB_1");
__asm__(".symver unitstub_f_new, stub_func@@UNITSTUB_2");

int unitstub_f_old(void)
{
	return -1;
}

int unitstub_f_new(void)
{
	return -2;
}

int stub_data = -3;
