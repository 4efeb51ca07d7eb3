#include <math.h>
#include <stdint.h>
#include <string.h>

#include "limits.h"
#include "render.h"
#include "tree.h"

/* First nodes allocated; the array doubles (in the arena) past it. */
#define TREE_FIRST_CAP	64

static int
dup_str(struct arena *a, const char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	return (*dst = arena_strdup(a, src)) == NULL ? -1 : 0;
}

static int
dup_body(struct arena *a, const char **dst, const char *src, size_t len)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	if (len == 0)
		len = strlen(src);
	return (*dst = arena_strndup(a, src, len)) == NULL ? -1 : 0;
}

int
trace_rec_copy_into(struct arena *a, struct trace_rec *d,
    const struct trace_rec *s)
{
	*d = *s;
	if (dup_str(a, &d->id, s->id) || dup_str(a, &d->trace_id, s->trace_id) ||
	    dup_str(a, &d->parent_id, s->parent_id) ||
	    dup_str(a, &d->provider, s->provider) ||
	    dup_str(a, &d->model, s->model) ||
	    dup_str(a, &d->cost_source, s->cost_source) ||
	    dup_str(a, &d->error, s->error) ||
	    dup_str(a, &d->request_method, s->request_method) ||
	    dup_str(a, &d->request_path, s->request_path) ||
	    dup_str(a, &d->request_headers, s->request_headers) ||
	    dup_body(a, &d->request_body, s->request_body,
	    s->request_body_len) ||
	    dup_str(a, &d->response_headers, s->response_headers) ||
	    dup_body(a, &d->response_body, s->response_body,
	    s->response_body_len) ||
	    dup_str(a, &d->tags, s->tags) ||
	    dup_str(a, &d->span_type, s->span_type) ||
	    dup_str(a, &d->span_name, s->span_name) ||
	    dup_str(a, &d->service_name, s->service_name) ||
	    dup_str(a, &d->session_id, s->session_id) ||
	    dup_str(a, &d->conversation_id, s->conversation_id) ||
	    dup_str(a, &d->agent_name, s->agent_name) ||
	    dup_str(a, &d->input, s->input) ||
	    dup_str(a, &d->output, s->output) ||
	    dup_str(a, &d->attributes, s->attributes) ||
	    dup_str(a, &d->span_kind, s->span_kind) ||
	    dup_str(a, &d->scope_name, s->scope_name) ||
	    dup_str(a, &d->user_id, s->user_id) ||
	    dup_str(a, &d->events, s->events) ||
	    dup_str(a, &d->resource_attributes, s->resource_attributes) ||
	    dup_str(a, &d->links, s->links))
		return -1;
	return 0;
}

struct trace_rec *
trace_rec_copy(struct arena *a, const struct trace_rec *s)
{
	struct trace_rec	*d;

	if ((d = arena_alloc(a, sizeof(*d))) == NULL ||
	    trace_rec_copy_into(a, d, s) == -1)
		return NULL;
	return d;
}

void
tree_init(struct tree *t, struct arena *a)
{
	memset(t, 0, sizeof(*t));
	t->a = a;
	t->first_root = t->last_root = -1;
}

int
tree_add(struct tree *t, const struct trace_rec *r)
{
	struct tree_node	*nn;
	size_t			 ncap;

	if (t->oom)
		return -1;
	if (t->n == t->cap) {
		ncap = t->cap ? t->cap * 2 : TREE_FIRST_CAP;
		if (ncap > SIZE_MAX / sizeof(*nn) ||
		    (nn = arena_alloc(t->a, ncap * sizeof(*nn))) == NULL)
			goto oom;
		if (t->n > 0)
			memcpy(nn, t->nodes, t->n * sizeof(*nn));
		t->nodes = nn;
		t->cap = ncap;
	}
	if (trace_rec_copy_into(t->a, &t->nodes[t->n].r, r) == -1)
		goto oom;
	t->n++;
	return 0;
oom:
	t->oom = 1;
	return -1;
}

/* FNV-1a. */
static uint64_t
hash(const char *s)
{
	uint64_t	 h = 1469598103934665603ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

/* The node with this id, or -1. */
static int
lookup(const struct tree *t, const int *slots, size_t mask, const char *id)
{
	size_t	 i;

	if (id == NULL)
		return -1;
	for (i = hash(id) & mask; slots[i] != -1; i = (i + 1) & mask)
		if (strcmp(t->nodes[slots[i]].r.id, id) == 0)
			return slots[i];
	return -1;
}

/* Append c to p's children (p -1: the roots). */
static void
link_child(struct tree *t, int p, int c)
{
	int	*first = p < 0 ? &t->first_root : &t->nodes[p].first;
	int	*last = p < 0 ? &t->last_root : &t->nodes[p].last;

	t->nodes[c].next = -1;
	t->nodes[c].prev = *last;
	if (*last >= 0)
		t->nodes[*last].next = c;
	else
		*first = c;
	*last = c;
}

static void
unlink_child(struct tree *t, int p, int c)
{
	struct tree_node	*n = &t->nodes[c];

	if (n->prev >= 0)
		t->nodes[n->prev].next = n->next;
	else
		t->nodes[p].first = n->next;
	if (n->next >= 0)
		t->nodes[n->next].prev = n->prev;
	else
		t->nodes[p].last = n->prev;
	n->next = n->prev = -1;
}

/* Depth and top of every node under root (stack: room for n). */
static void
reach(struct tree *t, int root, int *stack)
{
	struct tree_node	*nodes = t->nodes;
	size_t			 sp = 0;
	int			 x, c;

	nodes[root].depth = 0;
	nodes[root].top = root;
	stack[sp++] = root;
	while (sp > 0) {
		x = stack[--sp];
		for (c = nodes[x].first; c >= 0; c = nodes[c].next) {
			nodes[c].depth = nodes[x].depth + 1;
			nodes[c].top = nodes[c].depth <= LF_TREE_MAX_DEPTH ? c :
			    nodes[x].top;
			stack[sp++] = c;
		}
	}
}

int
tree_build(struct tree *t)
{
	struct tree_node	*nodes = t->nodes;
	size_t			 nslots, mask, i;
	int			*slots, *stack, x, p, e;

	if (t->oom)
		return -1;
	t->first_root = t->last_root = -1;
	t->flattened = 0;
	if (t->n == 0)
		return 0;
	if (t->n > (size_t)INT32_MAX / 4)
		return -1;
	for (nslots = 16; nslots < 2 * t->n; nslots *= 2)
		continue;
	mask = nslots - 1;
	if ((slots = arena_alloc(t->a, nslots * sizeof(*slots))) == NULL ||
	    (stack = arena_alloc(t->a, t->n * sizeof(*stack))) == NULL) {
		t->oom = 1;
		return -1;
	}
	memset(slots, 0xff, nslots * sizeof(*slots));	/* all -1 */
	for (i = 0; i < t->n; i++) {
		nodes[i].first = nodes[i].last = -1;
		nodes[i].next = nodes[i].prev = -1;
		nodes[i].depth = -1;
		nodes[i].mark = -1;
		if (nodes[i].r.id == NULL || lookup(t, slots, mask,
		    nodes[i].r.id) >= 0)
			continue;	/* no id, or a repeat: never a parent */
		for (x = (int)(hash(nodes[i].r.id) & mask); slots[x] != -1;
		    x = (int)(((size_t)x + 1) & mask))
			continue;
		slots[x] = (int)i;
	}

	/* Links by parent_id, in start order. */
	for (i = 0; i < t->n; i++) {
		p = lookup(t, slots, mask, nodes[i].r.parent_id);
		if (p == (int)i)
			p = -1;
		nodes[i].parent = p;
		if (p >= 0)
			link_child(t, p, (int)i);
	}
	for (i = 0; i < t->n; i++)
		if (nodes[i].parent < 0)
			reach(t, (int)i, stack);
	/* What no root reached hangs from a cycle: walk up to the cycle and
	 * cut it there.  Every node walked is then reached, so this stays
	 * O(n) over all. */
	for (i = 0; i < t->n; i++) {
		if (nodes[i].depth >= 0)
			continue;
		for (x = (int)i; nodes[x].mark != (int)i; x = nodes[x].parent)
			nodes[x].mark = (int)i;
		unlink_child(t, nodes[x].parent, x);
		nodes[x].parent = -1;
		reach(t, x, stack);
	}

	/* Final links: each node under its parent, or under the ancestor at
	 * the depth cap; again in start order. */
	for (i = 0; i < t->n; i++)
		nodes[i].first = nodes[i].last = -1;
	for (i = 0; i < t->n; i++) {
		p = nodes[i].parent;
		e = p < 0 ? -1 : nodes[p].top;
		if (e != p)
			t->flattened++;
		link_child(t, e, (int)i);
	}
	return 0;
}

/* Known cost: a finite estimated_cost not marked unknown. */
static int
cost_known(const struct trace_rec *r)
{
	return isfinite(r->estimated_cost) && !(r->cost_source != NULL &&
	    strcmp(r->cost_source, "unknown") == 0);
}

/* Spans whose tokens are their own (wrappers repeat their children's). */
static int
carries_tokens(const struct trace_rec *r)
{
	return r->span_type != NULL && (strcmp(r->span_type, "llm") == 0 ||
	    strcmp(r->span_type, "embedding") == 0);
}

static void
render_node(struct jw *w, const struct tree *t, int x)
{
	int	 c;

	jw_obj(w);
	api_render_span_fields(w, &t->nodes[x].r);
	jw_key(w, "children");
	jw_arr(w);
	for (c = t->nodes[x].first; c >= 0; c = t->nodes[c].next)
		render_node(w, t, c);	/* depth <= LF_TREE_MAX_DEPTH + 1 */
	jw_arr_end(w);
	jw_obj_end(w);
}

void
tree_render(struct jw *w, const struct tree *t)
{
	const struct trace_rec	*r;
	int64_t			 start = INT64_MAX, end = INT64_MIN, e;
	int64_t			 tokens = 0;
	double			 cost = 0;
	size_t			 i;
	int			 x;

	for (i = 0; i < t->n; i++) {
		r = &t->nodes[i].r;
		if (r->timestamp != DB_NULL) {
			if (r->timestamp < start)
				start = r->timestamp;
			e = r->timestamp + (r->duration_ms != DB_NULL &&
			    r->duration_ms > 0 ? r->duration_ms : 0);
			if (e > end)
				end = e;
		}
		if (cost_known(r))
			cost += r->estimated_cost;
		if (carries_tokens(r) && r->total_tokens != DB_NULL &&
		    r->total_tokens > 0 && tokens <= INT64_MAX - r->total_tokens)
			tokens += r->total_tokens;
	}
	jw_obj(w);
	jw_key(w, "trace");
	jw_obj(w);
	jw_kstr(w, "trace_id", t->n > 0 ? t->nodes[0].r.trace_id : NULL);
	if (start == INT64_MAX) {
		jw_knull(w, "start_time");
		jw_knull(w, "end_time");
		jw_knull(w, "duration_ms");
	} else {
		jw_kint(w, "start_time", start);
		jw_kint(w, "end_time", end);
		jw_kint(w, "duration_ms", end - start);
	}
	jw_kdouble(w, "total_cost", cost);
	jw_kint(w, "total_tokens", tokens);
	jw_kint(w, "span_count", (int64_t)t->n);
	jw_obj_end(w);
	jw_key(w, "spans");
	jw_arr(w);
	for (x = t->first_root; x >= 0; x = t->nodes[x].next)
		render_node(w, t, x);
	jw_arr_end(w);
	jw_obj_end(w);
}
