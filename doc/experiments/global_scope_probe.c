#define _GNU_SOURCE
#include <dlfcn.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
struct r_scope { struct link_map **r_list; unsigned r_nlist; };
struct ns_head { struct link_map *loaded; unsigned nloaded; struct r_scope *msl; unsigned alloc; };
int main(void) {
  char *base = dlvsym(RTLD_DEFAULT, "_rtld_global", "GLIBC_PRIVATE");
  if (!base) { printf("no _rtld_global: %s\n", dlerror()); return 1; }
  struct ns_head *ns0 = (struct ns_head *)base;
  struct link_map *mainmap = _r_debug.r_map;
  printf("ns0 loaded==main %d nloaded %u msl %p\n", ns0->loaded == mainmap, ns0->nloaded, (void*)ns0->msl);
  long off = (char *)ns0->msl - (char *)ns0->loaded;
  printf("l_searchlist offset %ld, r_list[0]==main %d\n", off, ns0->msl->r_list[0] == mainmap);
  void *h = dlmopen(LM_ID_NEWLM, "./libhost.so", RTLD_NOW);
  Lmid_t id; dlinfo(h, RTLD_DI_LMID, &id);
  struct link_map *hl; dlinfo(h, RTLD_DI_LINKMAP, &hl);
  /* find stride: entry id whose loaded == hl */
  long stride = 0;
  for (long s = 32; s < 4096; s += 8) if (*(struct link_map **)(base + s * id) == hl) { stride = s; break; }
  printf("ns %ld stride %ld\n", (long)id, stride);
  struct ns_head *nsN = (struct ns_head *)(base + stride * id);
  printf("nsN msl %p alloc %u\n", (void*)nsN->msl, nsN->alloc);
  nsN->msl = (struct r_scope *)((char *)hl + off);
  printf("host searchlist n %u first==host %d\n", nsN->msl->r_nlist, nsN->msl->r_list[0] == hl);
  void *(*hd)(const char *, int) = dlsym(h, "host_dlopen");
  void *(*hs)(const char *) = dlsym(h, "host_sym");
  const char *(*he)(void) = dlsym(h, "host_err");
  void *a = hd("./liba.so", RTLD_NOW | RTLD_GLOBAL);
  printf("global a: %p %s\n", a, a ? "" : he());
  printf("dlsym default from ns: %p\n", hs("a_value"));
  void *b = hd("./libb.so", RTLD_NOW);
  printf("b: %p %s\n", b, b ? "" : he());
  if (b) { int (*bc)(void) = dlsym(b, "b_call"); printf("b_call %d\n", bc()); }
  printf("base sees a_value: %p\n", dlsym(RTLD_DEFAULT, "a_value"));
  dlclose(b); dlclose(a); dlclose(h);
  printf("after close msl %p alloc %u\n", (void*)nsN->msl, nsN->alloc);
  return 0;
}
