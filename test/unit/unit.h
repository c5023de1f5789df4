/* unit.h: what the Check programs of test/unit share. */
#ifndef NSSHARE_UNIT_H
#define NSSHARE_UNIT_H

#include <check.h>

/* Seconds a test case may take before Check calls it a failure: the
 * slowest takes about a second, so this is for a hang, never for a slow
 * or loaded machine.  Sanitizer builds scale it by CK_TIMEOUT_MULTIPLIER
 * (CMakeLists.txt).  Check's own default, 4 s, is no such margin. */
#define UNIT_TIMEOUT 120

static inline TCase *unit_tcase(const char *name)
{
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, UNIT_TIMEOUT);
	return tc;
}

#endif
