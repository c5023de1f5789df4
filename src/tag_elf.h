/* The in-memory half of nsshare-tag: parses one ELF file held in memory
 * and patches its dynamic array there.  No file system access, no output:
 * nsshare-tag reads and writes the files, test/tag/fuzz_tag.c feeds it
 * arbitrary bytes. */
#ifndef NSSHARE_TAG_ELF_H
#define NSSHARE_TAG_ELF_H

#include <gelf.h>
#include <stdbool.h>
#include <stddef.h>

/* One file's bytes, and its dynamic array as ld.so reads it. */
struct tag_image {
	char *bytes;         /* the file; the caller's, patched in place */
	size_t size;
	Elf *elf;
	GElf_Off dyn_offset; /* file offset of PT_DYNAMIC */
	size_t dyn_entsize;  /* size of one entry in the file's class */
	size_t ndyn;         /* entries that fit in PT_DYNAMIC's p_filesz */
	size_t terminator;   /* index of the first DT_NULL */
	GElf_Dyn *dyn;       /* all ndyn entries, as opened */
	char error[256];     /* why the last call failed */
};

enum tag_action { TAG_SET, TAG_CLEAR };

/* Parses bytes[0, size) as a shared library.  False with t->error set
 * when it is not one, or is damaged; call tag_image_close either way. */
bool tag_image_open(struct tag_image *t, char *bytes, size_t size);

/* Whether the library is tagged, as libnsshare reads the tag. */
bool tag_image_unique(const struct tag_image *t);

/* Sets or clears the tag in t->bytes.  Returns 1 when bytes changed, 0
 * when none needed to, -1 with t->error set when the file cannot be
 * tagged; then t->bytes is as it was.  At most once per open. */
int tag_image_patch(struct tag_image *t, enum tag_action action);

void tag_image_close(struct tag_image *t);

#endif
