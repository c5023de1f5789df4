extern int a_value(void);
int b_call(void) { return a_value() + 1; }
