/* libshared-damage.so: the small library test/shared/damage.py makes
 * damaged copies of.  Versioned (one hidden version), with data, a
 * function calling another, and an IFUNC whose resolver the proxy builder
 * must only call where it lies in the object's code. */
int damage_value = 42;

int damage_get(void)
{
	return damage_value;
}

int damage_add(int n)
{
	damage_value += n;
	return damage_get();
}

static int damage_fast(void)
{
	return 7;
}

static int (*damage_pick(void))(void)
{
	return damage_fast;
}

int damage_ifunc(void) __attribute__((ifunc("damage_pick")));

__attribute__((symver("damage_old@D1"))) int damage_old_v1(void)
{
	return 1;
}

__attribute__((symver("damage_old@@D2"))) int damage_old_v2(void)
{
	return 2;
}
