/* A plain module for nsshare-tag to tag and untag. */
int tagmod_answer(void);

int tagmod_answer(void)
{
	return 42;
}
