/* A library linked without a build id: no PT_NOTE, which a copy for an
 * instance turns into the segment of its new names. */
int nonote_value;

int nonote_next(void)
{
	return ++nonote_value;
}
