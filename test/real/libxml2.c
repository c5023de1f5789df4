/* libxml2 in two namespaces: a document parsed and changed in one, dumped
 * to a buffer the program frees with free(), parsed in the other; a name
 * the program allocates that libxml2 takes over and frees. */
#include "real_util.h"

typedef void (*xml_free_fn)(void *);

struct xml {
	void *h;
	void *(*read_memory)(const char *, int, const char *, const char *,
			     int);
	void *(*root)(void *doc);
	char *(*content)(void *node);
	void *(*new_node_eat_name)(void *doc, void *ns, char *name,
				   const char *content);
	void *(*add_child)(void *parent, void *child);
	void (*dump)(void *doc, char **mem, int *size);
	void (*free_doc)(void *doc);
	void (*cleanup)(void);
	xml_free_fn *xml_free; /* libxml2's xmlFree is a variable */
};

/* libxml2 2.14 changed its soname (Debian testing's libxml2-16); the
 * functions used here are the same. */
static const char *const xml_libs[] = { "libxml2.so.16", "libxml2.so.2",
					NULL };

static void xml_open(struct xml *x)
{
	x->h = open_lib_of(xml_libs, NULL);
	SYM(x->read_memory, x->h, "xmlReadMemory");
	SYM(x->root, x->h, "xmlDocGetRootElement");
	SYM(x->content, x->h, "xmlNodeGetContent");
	SYM(x->new_node_eat_name, x->h, "xmlNewDocNodeEatName");
	SYM(x->add_child, x->h, "xmlAddChild");
	SYM(x->dump, x->h, "xmlDocDumpMemory");
	SYM(x->free_doc, x->h, "xmlFreeDoc");
	SYM(x->cleanup, x->h, "xmlCleanupParser");
	SYM(x->xml_free, x->h, "xmlFree");
}

static const char doc_text[] =
	"<?xml version=\"1.0\"?>\n<list><item>one</item><item>two</item>"
	"</list>\n";

int main(void)
{
	struct xml a, b;
	xml_open(&a);
	xml_open(&b);
	CHECK(it_handle_ns(a.h) != it_handle_ns(b.h),
	      "both in namespace %ld", (long)it_handle_ns(a.h));
	CHECK_PRIVATE_LIB_SHARED_LIBC(a.h, "xmlReadMemory", "A");
	CHECK_PRIVATE_LIB_SHARED_LIBC(b.h, "xmlReadMemory", "B");
	CHECK(a.xml_free != b.xml_free, "one xmlFree variable for both");
	/* libxml2's default deallocator is the free it binds: the
	 * program's, since glibc is shared. */
	CHECK(*a.xml_free == free && *b.xml_free == free,
	      "xmlFree is %p and %p, free is %p", (void *)*a.xml_free,
	      (void *)*b.xml_free, (void *)free);

	/* A parses, reads the text, and gains a node whose name the
	 * program allocated: libxml2 frees that name (xmlFree) later. */
	void *da = a.read_memory(doc_text, (int)strlen(doc_text), "a.xml",
				 NULL, 0);
	REQUIRE(da, "A cannot parse");
	char *text = a.content(a.root(da));
	CHECK(text && strcmp(text, "onetwo") == 0, "A content %s",
	      text ? text : "(null)");
	free(text); /* allocated in A, freed by the program */
	char *name = strdup("added");
	void *node = a.new_node_eat_name(da, NULL, name, NULL);
	REQUIRE(node, "xmlNewDocNodeEatName");
	CHECK(a.add_child(a.root(da), node) == node, "xmlAddChild");

	char *dumped = NULL;
	int size = 0;
	a.dump(da, &dumped, &size);
	REQUIRE(dumped && size > 0, "xmlDocDumpMemory");
	CHECK(strstr(dumped, "<item>two</item><added/></list>") != NULL,
	      "A dumped %s", dumped);
	a.free_doc(da); /* frees "added", which the program allocated */

	/* B parses what A dumped; the program frees A's buffer. */
	void *db = b.read_memory(dumped, size, "b.xml", NULL, 0);
	free(dumped);
	REQUIRE(db, "B cannot parse A's output");
	void *root = b.root(db);
	text = b.content(root);
	CHECK(text && strcmp(text, "onetwo") == 0, "B content %s",
	      text ? text : "(null)");
	(*a.xml_free)(text); /* B's allocation, A's xmlFree */
	b.dump(db, &dumped, &size);
	CHECK(dumped && strstr(dumped, "<added/>"), "B dumped %s",
	      dumped ? dumped : "(null)");
	free(dumped);
	b.free_doc(db);

	a.cleanup();
	b.cleanup();
	CHECK(dlclose(a.h) == 0, "dlclose A: %s", dlerror());
	CHECK(dlclose(b.h) == 0, "dlclose B: %s", dlerror());
	return it_finish();
}
