/* libord-gone: linked against by libord-needs-gone, then out of reach. */
int ord_gone(void) { return 1; }
