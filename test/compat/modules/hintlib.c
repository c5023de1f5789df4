/* The object hints.c shares: its symbol is what another object misses. */
int hintlib_value = 42;
