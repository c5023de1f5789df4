/* libord-undef: needs a function that nothing defines; RTLD_NOW fails. */
int ord_nowhere(void);
int ord_undef(void) { return ord_nowhere(); }
