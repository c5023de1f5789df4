/* Port of glibc's elf/tst-nodeps2-mod.c: empty; only its DT_NEEDED list
 * (libc.so.6, then tst-nodeps1-mod.so) matters. */
extern int tst_nodeps2_mod_empty;
