/* libFuzzer harness for nsshare-tag's ELF half (src/tag_elf.c): --show,
 * --set and --clear on the input's bytes, in memory, as nsshare-tag does
 * them on a file's.  Aborts when nsshare-tag(1)'s promises break:
 *  - a refusal has a reason and leaves the bytes as they were;
 *  - a patch changes bytes only inside the dynamic entries the action
 *    may touch, and says whether it changed any;
 *  - what --set wrote reads back unique, what --clear wrote not unique;
 *  - --set then --clear gives the input back byte for byte, but for the
 *    cases the man page names.
 * Build: see test/tag/CMakeLists.txt (NSSHARE_FUZZ), or by hand:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -Iinclude -Isrc \
 *     test/tag/fuzz_tag.c src/tag_elf.c -lelf -o fuzz-tag */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsshare.h"
#include "tag_elf.h"

static void require(bool ok, const char *broken)
{
	if (!ok) {
		fprintf(stderr, "fuzz-tag: %s\n", broken);
		abort();
	}
}

/* The man page's exceptions to "--set then --clear gives the file back":
 * the flag already in some DT_GNU_FLAGS_1 entry (--clear removes it from
 * all), or a DT_GNU_FLAGS_1 of value 0 just before the terminator (the
 * entry --set adds looks the same once cleared). */
static bool clear_undoes_set(const struct tag_image *t)
{
	for (size_t i = 0; i < t->terminator; i++) {
		if (t->dyn[i].d_tag != DT_GNU_FLAGS_1)
			continue;
		if (t->dyn[i].d_un.d_val & DF_GNU_1_UNIQUE)
			return false;
		if (t->dyn[i].d_un.d_val == 0 && i + 1 == t->terminator)
			return false;
	}
	return true;
}

/* Bytes outside the dynamic array are the input's; inside, only the
 * DT_GNU_FLAGS_1 entries before the terminator, the terminator and the
 * entry after it may differ.  t describes the input. */
static void require_confined(const struct tag_image *t, const uint8_t *input,
			     const char *output)
{
	size_t lo = t->dyn_offset, hi = lo + t->ndyn * t->dyn_entsize;
	require(memcmp(input, output, lo) == 0 &&
		memcmp(input + hi, output + hi, t->size - hi) == 0,
		"a patch changed bytes outside the dynamic array");
	for (size_t i = 0; i < t->ndyn; i++) {
		size_t at = lo + i * t->dyn_entsize;
		if (memcmp(input + at, output + at, t->dyn_entsize) == 0)
			continue;
		require((i < t->terminator &&
			 t->dyn[i].d_tag == DT_GNU_FLAGS_1) ||
			i == t->terminator || i == t->terminator + 1,
			"a patch changed a dynamic entry it has no business in");
	}
}

/* Patches bytes (a copy of input, opened as t) and checks the result;
 * returns whether the bytes changed. */
static bool patch_and_check(struct tag_image *t, const uint8_t *input,
			    enum tag_action action)
{
	bool was_unique = tag_image_unique(t);
	int changed = tag_image_patch(t, action);
	bool same = memcmp(input, t->bytes, t->size) == 0;
	if (changed < 0) {
		require(t->error[0] != '\0', "a refused patch gave no reason");
		require(same, "a refused patch changed the bytes");
		require(action == TAG_SET, "--clear refused a file it read");
		return false;
	}
	require(changed == !same, "a patch misreported whether it changed "
		"the bytes");
	require(changed || was_unique == (action == TAG_SET),
		"a patch that changed nothing left the tag wrong");
	require_confined(t, input, t->bytes);
	struct tag_image after;
	require(tag_image_open(&after, t->bytes, t->size),
		"a patched file does not read back");
	require(tag_image_unique(&after) == (action == TAG_SET),
		"a patched file does not read back with the tag asked for");
	tag_image_close(&after);
	return changed;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *bytes = malloc(size ? size : 1);
	if (!bytes)
		return 0;
	memcpy(bytes, data, size);
	struct tag_image t;
	if (!tag_image_open(&t, bytes, size)) {
		require(t.error[0] != '\0', "a refused file gave no reason");
		require(memcmp(bytes, data, size) == 0,
			"reading a refused file changed its bytes");
		tag_image_close(&t);
		free(bytes);
		return 0;
	}
	require(memcmp(bytes, data, size) == 0, "reading changed the bytes");
	bool undoable = clear_undoes_set(&t);
	if (patch_and_check(&t, data, TAG_SET)) {
		/* Then --clear, on what --set wrote, as a second run would. */
		char *set = malloc(size);
		require(set != NULL, "out of memory");
		memcpy(set, bytes, size);
		struct tag_image s;
		require(tag_image_open(&s, bytes, size), "--set wrote an "
			"unreadable file");
		require(patch_and_check(&s, (const uint8_t *)set, TAG_CLEAR),
			"--clear changed nothing after --set");
		require(!undoable || memcmp(bytes, data, size) == 0,
			"--set then --clear did not give the input back");
		tag_image_close(&s);
		free(set);
	}
	tag_image_close(&t);

	memcpy(bytes, data, size);
	require(tag_image_open(&t, bytes, size), "a file read once is refused "
		"the second time");
	patch_and_check(&t, data, TAG_CLEAR);
	tag_image_close(&t);
	free(bytes);
	return 0;
}
