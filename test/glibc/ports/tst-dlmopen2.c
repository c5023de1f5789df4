/* Port of glibc's elf/tst-dlmopen2.c (a tests-internal test there: it
 * reads DL_NNS from ldsodefs.h, 16 on every Linux target).  Ten rounds
 * of filling every namespace but the base with tst-dlmopen1mod.so and
 * closing them again; each dlmopen must get a namespace no other holds.
 * Adapted: ctest sets GLIBC_TUNABLES=glibc.rtld.nns=16 and
 * glibc.rtld.optional_static_tls=16384: with the first alone stock 2.36
 * runs out of static TLS for the private libcs in round 3 ("cannot
 * allocate memory in static TLS block"); namespace ids are the point. */
#define PORT_MAIN
#include "port.h"

#define DL_NNS 16

static int do_test(void)
{
	int result = 0;

	for (int round = 1; round <= 10; round++) {
		void *h[DL_NNS - 1];
		char used[DL_NNS] = { [LM_ID_BASE] = 1 };

		printf("round %d\n", round);
		for (int j = 0; j < DL_NNS - 1; j++) {
			Lmid_t ns;

			h[j] = dlmopen(LM_ID_NEWLM,
				       "$ORIGIN/tst-dlmopen1mod.so", RTLD_LAZY);
			if (h[j] == NULL) {
				printf("round %d, namespace %d: load failed: %s\n",
				       round, j, dlerror());
				return 1;
			}
			if (dlinfo(h[j], RTLD_DI_LMID, &ns) != 0) {
				printf("round %d, namespace %d: dlinfo failed: %s\n",
				       round, j, dlerror());
				return 1;
			}
			if (ns < 0 || ns >= DL_NNS) {
				printf("round %d, namespace %d: invalid namespace %ld\n",
				       round, j, (long)ns);
				result = 1;
			} else if (used[ns]) {
				printf("round %d, namespace %d: duplicate allocation of namespace %ld\n",
				       round, j, (long)ns);
				result = 1;
			} else {
				used[ns] = 1;
			}
		}
		for (int j = 0; j < DL_NNS - 1; j++)
			if (dlclose(h[j]) != 0) {
				printf("round %d, namespace %d: close failed: %s\n",
				       round, j, dlerror());
				return 1;
			}
	}
	return result;
}
