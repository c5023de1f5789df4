/* A position-independent executable: ET_DYN like a library, but
 * nsshare-tag must refuse it. */
int main(void)
{
	return 0;
}
