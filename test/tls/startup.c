/* TLS of a shared object whose base copy is in static TLS (the program
 * needs it, so it is loaded at startup): every access model of a
 * namespace module, global-dynamic, TLS descriptors and initial-exec,
 * reaches the base copy's variable of the calling thread (issue 10,
 * points 1 to 3).  Under LD_AUDIT glibc sets TLS up before it loads the
 * program's libraries, which then get dynamic TLS, as with stock: there
 * initial-exec is refused (point 4). */
#include "tls_check.h"

int *tls_base_addr(void);

static void set_77(void *arg)
{
	(void)arg;
	*tls_base_addr() = 77;
}

int main(void)
{
	struct worker before;
	worker_start(&before);
	*tls_base_addr() = 41;
	worker_run(&before, set_77, NULL);
	void *handles[3];
	const char *models[] = { "gd", "desc", "ie" };
	int n = getenv("LD_AUDIT") ? 2 : 3;
	for (int i = 0; i < n; i++)
		handles[i] = tls_check_model(models[i], &before, 41, 77);
	if (n == 2)
		tls_check_ie_refused();
	CHECK(*tls_base_addr() == 41, "the base copy's value is kept");
	for (int i = 0; i < n; i++)
		CHECK(dlclose(handles[i]) == 0, "dlclose %s", models[i]);
	CHECK(*tls_base_addr() == 41, "and kept after the namespaces close");
	worker_stop(&before);
	return it_finish();
}
