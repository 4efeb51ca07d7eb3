/*
 * The span tree of /api/traces/:id/tree (roots, orphans, children in
 * start order, parent cycles, the depth cap, linear time on a long
 * chain) and the merge of /api/timeline, and the gap-filled buckets of
 * the analytics routes.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "limits.h"
#include "analytics.h"
#include "timeline.h"
#include "tree.h"
#include "t.h"

static struct arena	 a;
static char		 ids[20000][16], pids[20000][16];

static void
add(struct tree *t, const char *id, const char *parent, int64_t ts)
{
	struct trace_rec	 r;

	trace_rec_init(&r);
	r.id = id;
	r.trace_id = "T";
	r.parent_id = parent;
	r.timestamp = ts;
	tree_add(t, &r);
}

/* Index of the node with this id. */
static int
node(const struct tree *t, const char *id)
{
	size_t	 i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->nodes[i].r.id, id) == 0)
			return (int)i;
	return -1;
}

/* Ids of x's children (or the roots for NULL), comma-separated. */
static const char *
kids(const struct tree *t, const char *id)
{
	static char	 s[512];
	int		 c;

	s[0] = '\0';
	c = id == NULL ? t->first_root : t->nodes[node(t, id)].first;
	for (; c >= 0; c = t->nodes[c].next) {
		if (s[0] != '\0')
			strcat(s, ",");
		strcat(s, t->nodes[c].r.id);
	}
	return s;
}

static void
test_shape(void)
{
	struct tree	 t;
	struct buf	 b;
	struct jw	 w;

	arena_reset(&a);
	tree_init(&t, &a);
	/* Start order: the child "late" was seen before its parent. */
	add(&t, "root", NULL, 1);
	add(&t, "late", "p2", 2);
	add(&t, "p1", "root", 3);
	add(&t, "p2", "root", 4);
	add(&t, "orphan", "missing", 5);
	add(&t, "c1", "p1", 6);
	add(&t, "self", "self", 7);
	add(&t, "c0", "p1", 8);
	CHECK("build", tree_build(&t) == 0);
	CHECK_STR("roots in start order (orphan, self-parent)", kids(&t, NULL),
	    "root,orphan,self");
	CHECK_STR("children in start order", kids(&t, "root"), "p1,p2");
	CHECK_STR("child seen before parent", kids(&t, "p2"), "late");
	CHECK_STR("children of p1", kids(&t, "p1"), "c1,c0");
	CHECK("no flattening", t.flattened == 0);

	buf_init(&b, 1 << 20);
	jw_init(&w, &b);
	tree_render(&w, &t);
	CHECK("render ok", !b.err);
	CHECK("render span_count", strstr(buf_str(&b), "\"span_count\":8") !=
	    NULL);
	CHECK("render start/end", strstr(buf_str(&b), "\"start_time\":1,"
	    "\"end_time\":8,\"duration_ms\":7") != NULL);
	CHECK("render children", strstr(buf_str(&b), "\"children\":[") !=
	    NULL);
	buf_free(&b);
}

static void
test_cycles(void)
{
	struct tree	 t;

	arena_reset(&a);
	tree_init(&t, &a);
	add(&t, "a", "b", 1);
	add(&t, "b", "a", 2);
	add(&t, "c", "b", 3);
	add(&t, "x", "z", 4);	/* x -> z -> y -> x */
	add(&t, "y", "x", 5);
	add(&t, "z", "y", 6);
	CHECK("cycle build", tree_build(&t) == 0);
	/* Each cycle is cut at a span on it; everything is reachable. */
	CHECK_STR("cycle roots", kids(&t, NULL), "a,x");
	CHECK_STR("cycle a", kids(&t, "a"), "b");
	CHECK_STR("cycle b", kids(&t, "b"), "c");
	CHECK_STR("cycle x", kids(&t, "x"), "y");
	CHECK_STR("cycle y", kids(&t, "y"), "z");
}

/* A chain of n spans, each the parent of the next. */
static void
chain(struct tree *t, int n)
{
	int	 i;

	arena_reset(&a);
	tree_init(t, &a);
	for (i = 0; i < n; i++) {
		snprintf(ids[i], sizeof(ids[i]), "s%d", i);
		snprintf(pids[i], sizeof(pids[i]), "s%d", i - 1);
		add(t, ids[i], i ? pids[i] : NULL, i);
	}
}

static void
test_depth_cap(void)
{
	struct tree	 t;
	struct buf	 b;
	struct jw	 w;
	char		 id[16];
	int		 cap = LF_TREE_MAX_DEPTH, i;

	chain(&t, cap + 5);
	CHECK("deep build", tree_build(&t) == 0);
	snprintf(id, sizeof(id), "s%d", cap - 1);
	snprintf(ids[0], sizeof(ids[0]), "s%d", cap);
	CHECK_STR("above the cap in place", kids(&t, id), ids[0]);
	snprintf(id, sizeof(id), "s%d", cap);
	CHECK_STR("deeper spans hang from the span at the cap, in start order",
	    kids(&t, id), "s26,s27,s28,s29");
	CHECK("spans under them are moved", t.flattened == 3);
	buf_init(&b, 1 << 20);
	jw_init(&w, &b);
	tree_render(&w, &t);
	CHECK("deep render within JSON nesting", !b.err);
	buf_free(&b);

	/* 20000 spans in a chain: linear, whatever the depth. */
	for (i = 0; i < 1; i++) {
		clock_t	 t0 = clock();

		chain(&t, 20000);
		CHECK("long chain build", tree_build(&t) == 0);
		CHECK("long chain flattened", t.flattened == 20000 - cap - 2);
		CHECK("long chain fast", (double)(clock() - t0) /
		    CLOCKS_PER_SEC < 1.0);
		buf_init(&b, 64 << 20);
		jw_init(&w, &b);
		tree_render(&w, &t);
		CHECK("long chain render", !b.err);
		buf_free(&b);
	}
}

static void
test_copy(void)
{
	struct tree	 t;
	char		 id[8] = "live";

	arena_reset(&a);
	tree_init(&t, &a);
	add(&t, id, NULL, 1);
	memcpy(id, "dead", 4);	/* the row's strings die after the call */
	CHECK("row copied", tree_build(&t) == 0 &&
	    strcmp(t.nodes[0].r.id, "live") == 0);
}

static void
test_merge(void)
{
	int64_t		 tr[] = { 100, 80, 80, 10 };
	int64_t		 lg[] = { 90, 80, 5 };
	struct tl_pick	 p[10];
	size_t		 n;

	n = timeline_merge(tr, 4, lg, 3, 10, p);
	CHECK_I64("merge all", n, 7);
	CHECK("merge order", p[0].kind == TL_KIND_TRACE && p[0].index == 0 &&
	    p[1].kind == TL_KIND_LOG && p[1].index == 0 &&
	    p[2].kind == TL_KIND_TRACE && p[2].index == 1 &&
	    p[3].kind == TL_KIND_TRACE && p[3].index == 2 &&
	    p[4].kind == TL_KIND_LOG && p[4].index == 1 &&
	    p[5].kind == TL_KIND_TRACE && p[5].index == 3 &&
	    p[6].kind == TL_KIND_LOG && p[6].index == 2);
	CHECK_I64("merge cut to limit", timeline_merge(tr, 4, lg, 3, 3, p), 3);
	CHECK("merge cut keeps newest", p[2].kind == TL_KIND_TRACE &&
	    p[2].index == 1);
	CHECK_I64("merge traces only", timeline_merge(tr, 4, NULL, 0, 10, p),
	    4);
	CHECK_I64("merge logs only", timeline_merge(NULL, 0, lg, 3, 2, p), 2);
	CHECK("logs only order", p[0].index == 0 && p[1].index == 1 &&
	    p[1].kind == TL_KIND_LOG);
	CHECK_I64("merge nothing", timeline_merge(NULL, 0, NULL, 0, 5, p), 0);
}

static void
test_buckets(void)
{
	struct buckets		 b;
	struct rollup_row	 r;
	int64_t			 now = 1795651200000LL + 10 * HOUR_MS + 123;

	arena_reset(&a);
	CHECK("daily buckets", buckets_init(&b, &a, now, 3, 0) == 0 &&
	    b.n == 3 && b.first == 1795651200000LL - 2 * DAY_MS &&
	    b.rows[2].bucket == 1795651200000LL &&
	    buckets_end(&b) == 1795651200000LL + DAY_MS - 1);
	memset(&r, 0, sizeof(r));
	r.bucket = 1795651200000LL - DAY_MS;
	r.requests = 2;
	r.cost = 0.5;
	buckets_add(&b, &r);
	r.bucket = b.first - DAY_MS;	/* before the range: ignored */
	buckets_add(&b, &r);
	CHECK("gap filled", b.rows[0].requests == 0 && b.rows[1].requests == 2
	    && b.rows[1].cost == 0.5 && b.rows[2].requests == 0);
	CHECK("hourly buckets", buckets_init(&b, &a, now, 1, 1) == 0 &&
	    b.n == 24 && b.rows[23].bucket == 1795651200000LL + 10 * HOUR_MS &&
	    b.first == 1795651200000LL - 13 * HOUR_MS);
	CHECK("no days", buckets_init(&b, &a, now, 0, 0) == -1);
}

int
main(void)
{
	arena_init(&a, 256UL << 20);
	test_shape();
	test_cycles();
	test_depth_cap();
	test_copy();
	test_merge();
	test_buckets();
	arena_free(&a);
	return t_done();
}
