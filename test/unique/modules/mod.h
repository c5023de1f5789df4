/* What the unique tests' modules export.  libunique-norm.so (untagged),
 * libunique-uniq.so (-z unique) and libunique-other.so are mod.c compiled
 * again and again; libunique-a-*.so are a.c, each needing one of them. */
#ifndef UNIQUE_MOD_H
#define UNIQUE_MOD_H

/* mod.c */
extern int mod_counter;
int mod_bump(void);
void *mod_free_addr(void); /* the free this module is bound to */

/* a.c: what A's own references to its dependency resolve to. */
void *a_counter_addr(void); /* &mod_counter, as A sees it */
void *a_bump_addr(void);    /* &mod_bump, as A sees it */
int a_bump(void);           /* calls mod_bump */
void *a_free_addr(void);    /* the free A is bound to */

#endif
