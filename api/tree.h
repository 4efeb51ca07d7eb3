/*
 * The span tree of GET /api/traces/:id/tree, built in the request's arena.
 *
 * Spans are added in start order (as db_trace_spans hands them out) and
 * copied, since a row's strings live only during its callback.  Building
 * is O(n): ids go into an open-addressing hash table, each span is linked
 * to its parent, and a walk from the roots gives every depth.
 *   - a root is a span with no parent_id, whose parent is not in the set
 *     (an orphan), or whose parent is itself;
 *   - spans in a parent cycle (A's parent is B, B's is A), which no root
 *     reaches, are made reachable by turning the first span on the cycle
 *     into a root;
 *   - children, and roots, are in start order;
 *   - JSON nesting is capped (JW_MAX_DEPTH; each level of children costs
 *     two levels: the "children" array and the span object), so a span
 *     deeper than LF_TREE_MAX_DEPTH is attached to its ancestor at depth
 *     LF_TREE_MAX_DEPTH, in start order among that ancestor's children.
 */
#ifndef LF_API_TREE_H
#define LF_API_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "json.h"


struct tree_node {
	struct trace_rec r;		/* copied into the arena */
	int		 parent;	/* from parent_id, -1 for roots */
	int		 depth;		/* -1 until reached */
	int		 top;		/* ancestor at LF_TREE_MAX_DEPTH, or self */
	int		 first, last;	/* children */
	int		 next, prev;	/* siblings */
	int		 mark;
};

struct tree {
	struct arena	*a;
	struct tree_node *nodes;
	size_t		 n, cap;
	int		 first_root, last_root;
	int		 flattened;	/* spans moved up by the depth cap */
	int		 oom;		/* the arena ran out */
};

void	 tree_init(struct tree *, struct arena *);
/* Copy a row in (rows in start order).  0, or -1 when the arena is
 * exhausted (t->oom set, later adds ignored). */
int	 tree_add(struct tree *, const struct trace_rec *);
/* Link parents and children.  0, or -1 when the arena is exhausted. */
int	 tree_build(struct tree *);

/* A copy of r with every string in the arena (NULLs stay NULL); bodies
 * are copied with their lengths.  NULL when the arena is exhausted. */
struct trace_rec *trace_rec_copy(struct arena *, const struct trace_rec *);
int	 trace_rec_copy_into(struct arena *, struct trace_rec *dst,
	    const struct trace_rec *src);

/*
 * The answer: {"trace":{"trace_id","start_time","end_time","duration_ms",
 * "total_cost","total_tokens","span_count"},"spans":[roots]} with each
 * span rendered by api_render_span plus "children":[...].  total_cost sums
 * the known costs; total_tokens sums total_tokens of "llm" and "embedding"
 * spans only (wrappers repeat their children's counts).
 */
void	 tree_render(struct jw *, const struct tree *);

#endif
