/*
 * Decoded export → rows → one transaction.  Rows are built one record at
 * a time into reused column builders, so memory does not grow with the
 * batch; the transaction is all or nothing (any database error rolls it
 * back), while records that cannot be stored (bad, duplicate span id) are
 * counted for partialSuccess and the rest is kept.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "classify.h"
#include "limits.h"
#include "log.h"
#include "pricing.h"

/* The first few reasons are kept for errorMessage. */
#define MAX_REASONS	5

void
rowbufs_init(struct rowbufs *rb)
{
	size_t	 i;

	for (i = 0; i < COL__MAX; i++)
		buf_init(&rb->b[i], LF_OTLP_MAX_COLUMN);
}

void
rowbufs_free(struct rowbufs *rb)
{
	size_t	 i;

	for (i = 0; i < COL__MAX; i++)
		buf_free(&rb->b[i]);
}

/* Start column c: a reset builder and a writer on it. */
static struct buf *
col(struct rowbufs *rb, enum row_col c, struct jw *w)
{
	buf_reset(&rb->b[c]);
	jw_init(w, &rb->b[c]);
	return &rb->b[c];
}

/* The column's text, or a note when it overflowed (valid JSON either way). */
static const char *
col_done(struct rowbufs *rb, enum row_col c, int object)
{
	struct buf	*b = &rb->b[c];

	if (!b->err)
		return buf_str(b);
	buf_reset(b);
	buf_printf(b, object ? "{\"_llmflow_omitted\":\"longer than %lu "
	    "bytes\"}" : "\"[omitted: longer than %lu bytes]\"",
	    LF_OTLP_MAX_COLUMN);
	return buf_str(b);
}

static int64_t
ns_to_ms(uint64_t ns)
{
	return (int64_t)(ns / 1000000u);
}

static const char *const kind_names[] = {
	"unspecified", "internal", "server", "client", "producer", "consumer",
};

void
otlp_span_row(const struct otlp_span *s, struct rowbufs *rb, int64_t now_ms,
    struct trace_rec *r)
{
	struct span_info	 si;
	struct jw		 w;
	enum cost_source	 cs;
	double			 cost;

	size_t			 i;
	const char		*err;

	trace_rec_init(r);
	otlp_span_info(s, &si);
	r->id = s->span_id;
	r->trace_id = s->trace_id;
	r->parent_id = s->parent_id[0] ? s->parent_id : NULL;
	r->timestamp = s->start_ns ? ns_to_ms(s->start_ns) :
	    s->end_ns ? ns_to_ms(s->end_ns) : now_ms;
	if (s->start_ns && s->end_ns >= s->start_ns)
		r->duration_ms = (int64_t)((s->end_ns - s->start_ns + 500000u) /
		    1000000u);
	r->span_type = si.type;
	r->span_name = si.name;
	r->model = si.model;
	r->provider = si.provider;
	r->service_name = s->res->service_name;
	r->scope_name = s->scope->name;
	r->session_id = si.session_id;
	r->conversation_id = si.conversation_id;
	r->user_id = si.user_id;
	r->agent_name = si.agent_name;
	if (s->kind >= 0 && (size_t)s->kind < sizeof(kind_names) /
	    sizeof(kind_names[0]))
		r->span_kind = kind_names[s->kind];
	else {
		/* Unknown kinds are kept as their number. */
		snprintf(rb->kind, sizeof(rb->kind), "%d", (int)s->kind);
		r->span_kind = rb->kind;
	}
	if (s->status_code == OTLP_STATUS_ERROR) {
		r->status = 500;
		err = s->status_message;
		if (err == NULL)
			err = otlp_attr_str(&s->attrs, "error.message");
		for (i = 0; err == NULL && i < s->nevents; i++)
			if (s->events[i].name &&
			    strcmp(s->events[i].name, "exception") == 0)
				err = otlp_attr_str(&s->events[i].attrs,
				    "exception.message");
		r->error = err != NULL ? err : "error";
	} else
		r->status = 200;

	/* Tokens and cost. */
	r->prompt_tokens = si.usage.prompt >= 0 ? si.usage.prompt : DB_NULL;
	r->completion_tokens = si.usage.completion >= 0 ?
	    si.usage.completion : DB_NULL;
	r->total_tokens = si.usage.total >= 0 ? si.usage.total : DB_NULL;
	r->cached_tokens = si.usage.cached >= 0 ? si.usage.cached : DB_NULL;
	r->cache_creation_tokens = si.usage.cache_creation >= 0 ?
	    si.usage.cache_creation : DB_NULL;
	r->reasoning_tokens = si.usage.reasoning >= 0 ? si.usage.reasoning :
	    DB_NULL;
	if (strcmp(si.type, "llm") == 0 || strcmp(si.type, "embedding") == 0) {
		cs = pricing_cost(si.provider, si.model, &si.usage, &cost);
		r->cost_source = cost_source_name(cs);
		r->estimated_cost = cs == COST_UNKNOWN ? NAN : cost;
	} else
		r->cost_source = cost_source_name(COST_UNKNOWN);

	col(rb, COL_ATTRS, &w);
	otlp_jw_attrs_dropped(&w, &s->attrs, s->dropped_attrs,
	    s->dropped_events, s->dropped_links);
	r->attributes = col_done(rb, COL_ATTRS, 1);
	col(rb, COL_RES_ATTRS, &w);
	otlp_jw_attrs_dropped(&w, &s->res->attrs,
	    s->res->dropped_attrs, 0, 0);
	r->resource_attributes = col_done(rb, COL_RES_ATTRS, 1);
	if (s->nevents > 0) {
		col(rb, COL_EVENTS, &w);
		jw_arr(&w);
		for (i = 0; i < s->nevents; i++) {
			jw_obj(&w);
			jw_kint(&w, "time", ns_to_ms(s->events[i].time_ns));
			jw_kstr(&w, "name", s->events[i].name);
			jw_key(&w, "attributes");
			otlp_jw_attrs_dropped(&w, &s->events[i].attrs,
			    s->events[i].dropped_attrs, 0, 0);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		r->events = col_done(rb, COL_EVENTS, 0);
	}
	if (s->nlinks > 0) {
		col(rb, COL_LINKS, &w);
		jw_arr(&w);
		for (i = 0; i < s->nlinks; i++) {
			jw_obj(&w);
			jw_kstr(&w, "trace_id", s->links[i].trace_id);
			jw_kstr(&w, "span_id", s->links[i].span_id);
			if (s->links[i].trace_state != NULL)
				jw_kstr(&w, "trace_state",
				    s->links[i].trace_state);
			jw_key(&w, "attributes");
			otlp_jw_attrs_dropped(&w, &s->links[i].attrs,
			    s->links[i].dropped_attrs, 0, 0);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
		r->links = col_done(rb, COL_LINKS, 0);
	}
	{
		struct jw	 win, wout;
		int		 hin, hout;

		col(rb, COL_INPUT, &win);
		col(rb, COL_OUTPUT, &wout);
		otlp_span_io(s, &win, &hin, &wout, &hout);
		r->input = hin ? col_done(rb, COL_INPUT, 0) : NULL;
		r->output = hout ? col_done(rb, COL_OUTPUT, 0) : NULL;
	}

}

static const char *
severity_name(int32_t n)
{
	static const char *const names[] = { "TRACE", "DEBUG", "INFO",
		"WARN", "ERROR", "FATAL" };

	if (n < 1 || n > 24)
		return NULL;
	return names[(n - 1) / 4];
}

void
otlp_log_row(const struct otlp_log *l, struct rowbufs *rb, int64_t now_ms,
    struct log_rec *r)
{
	struct jw	 w;

	memset(r, 0, sizeof(*r));
	r->timestamp = l->time_ns ? ns_to_ms(l->time_ns) :
	    l->observed_ns ? ns_to_ms(l->observed_ns) : now_ms;
	r->observed_timestamp = l->observed_ns ? ns_to_ms(l->observed_ns) :
	    DB_NULL;
	r->severity_number = l->severity_number ? l->severity_number : DB_NULL;
	r->severity_text = l->severity_text ? l->severity_text :
	    severity_name(l->severity_number);
	if (l->body.type == AV_STRING)
		r->body = l->body.s;
	else if (l->body.type != AV_EMPTY) {
		col(rb, COL_BODY, &w);
		otlp_jw_value(&w, &l->body);
		r->body = col_done(rb, COL_BODY, 0);
	}
	r->trace_id = l->trace_id[0] ? l->trace_id : NULL;
	r->span_id = l->span_id[0] ? l->span_id : NULL;
	r->event_name = l->event_name;
	if (r->event_name == NULL)
		r->event_name = otlp_attr_str(&l->attrs, "event.name");
	r->service_name = l->res->service_name;
	r->scope_name = l->scope->name;
	col(rb, COL_ATTRS, &w);
	otlp_jw_attrs_dropped(&w, &l->attrs, l->dropped_attrs, 0, 0);
	r->attributes = col_done(rb, COL_ATTRS, 1);
	col(rb, COL_RES_ATTRS, &w);
	otlp_jw_attrs_dropped(&w, &l->res->attrs,
	    l->res->dropped_attrs, 0, 0);
	r->resource_attributes = col_done(rb, COL_RES_ATTRS, 1);
}

static const char *const metric_types[MK__MAX] = {
	[MK_GAUGE] = "gauge",
	[MK_SUM] = "sum",
	[MK_HISTOGRAM] = "histogram",
	[MK_EXP_HISTOGRAM] = "exponential_histogram",
	[MK_SUMMARY] = "summary",
};

static void
jw_u64(struct jw *w, uint64_t v)
{
	/* Counts past INT64_MAX are written as strings, like OTLP/JSON. */
	char	 s[24];

	if (v <= INT64_MAX)
		jw_int(w, (int64_t)v);
	else {
		snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
		jw_str(w, s);
	}
}

static void
jw_u64s(struct jw *w, const char *key, const uint64_t *v, size_t n)
{
	size_t	 i;

	jw_key(w, key);
	jw_arr(w);
	for (i = 0; i < n; i++)
		jw_u64(w, v[i]);
	jw_arr_end(w);
}

static void
jw_temporality(struct jw *w, int32_t t)
{
	static const char *const names[] = { "unspecified", "delta",
		"cumulative" };

	jw_key(w, "temporality");
	if (t >= 0 && t <= 2)
		jw_str(w, names[t]);
	else
		jw_int(w, t);
}

/* A double as JSON; one that is not finite as a string (JSON has none). */
static void
jw_finite(struct jw *w, double d)
{
	if (isfinite(d))
		jw_double(w, d);
	else
		jw_str(w, isnan(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity");
}

static void
jw_exemplar(struct jw *w, const struct exemplar *e)
{
	jw_obj(w);
	if (e->time_ns)
		jw_kint(w, "time", ns_to_ms(e->time_ns));
	if (e->vtype == EV_INT)
		jw_kint(w, "value", e->as_int);
	else if (e->vtype == EV_DOUBLE) {
		jw_key(w, "value");
		jw_finite(w, e->as_double);
	}
	if (e->trace_id[0] != '\0')
		jw_kstr(w, "trace_id", e->trace_id);
	if (e->span_id[0] != '\0')
		jw_kstr(w, "span_id", e->span_id);
	jw_key(w, "attributes");
	otlp_jw_attrs(w, &e->attrs);
	jw_obj_end(w);
}

void
otlp_point_row(const struct otlp_point *p, struct rowbufs *rb,
    int64_t now_ms, struct metric_rec *r)
{
	const struct otlp_metric	*m = p->metric;
	struct jw			 w;
	size_t				 i;

	memset(r, 0, sizeof(*r));
	r->timestamp = p->time_ns ? ns_to_ms(p->time_ns) : now_ms;
	r->name = m->name;
	r->description = m->description;
	r->unit = m->unit;
	r->metric_type = metric_types[m->kind];
	r->value_int = DB_NULL;
	r->value_double = NAN;
	r->service_name = p->res->service_name;
	r->scope_name = p->scope->name;

	col(rb, COL_HIST, &w);
	jw_obj(&w);
	if (p->start_ns)
		jw_kint(&w, "startTime", ns_to_ms(p->start_ns));
	if (p->flags)
		jw_kint(&w, "flags", p->flags);
	switch (m->kind) {
	case MK_SUM:
		jw_temporality(&w, m->temporality);
		jw_kbool(&w, "monotonic", m->monotonic);
		/* FALLTHROUGH */
	case MK_GAUGE:
		if (p->vtype == PV_INT)
			r->value_int = p->as_int;
		else if (p->vtype == PV_DOUBLE)
			r->value_double = p->as_double;
		if (p->vtype == PV_DOUBLE && !isfinite(p->as_double)) {
			jw_key(&w, "value");
			jw_finite(&w, p->as_double);
		}
		break;
	case MK_HISTOGRAM:
	case MK_EXP_HISTOGRAM:
	case MK_SUMMARY:
		if (m->kind != MK_SUMMARY)
			jw_temporality(&w, m->temporality);
		r->value_int = p->count <= INT64_MAX ? (int64_t)p->count :
		    DB_NULL;
		if (p->has_sum)
			r->value_double = p->sum;
		jw_key(&w, "count");
		jw_u64(&w, p->count);
		if (p->has_sum)
			jw_kdouble(&w, "sum", p->sum);
		if (p->has_min)
			jw_kdouble(&w, "min", p->min);
		if (p->has_max)
			jw_kdouble(&w, "max", p->max);
		break;
	default:
		break;
	}
	if (m->kind == MK_HISTOGRAM) {
		jw_u64s(&w, "bucketCounts", p->bucket_counts,
		    p->nbucket_counts);
		jw_key(&w, "explicitBounds");
		jw_arr(&w);
		for (i = 0; i < p->nbounds; i++)
			jw_double(&w, p->bounds[i]);
		jw_arr_end(&w);
	} else if (m->kind == MK_EXP_HISTOGRAM) {
		jw_kint(&w, "scale", p->scale);
		jw_key(&w, "zeroCount");
		jw_u64(&w, p->zero_count);
		jw_kdouble(&w, "zeroThreshold", p->zero_threshold);
		jw_key(&w, "positive");
		jw_obj(&w);
		jw_kint(&w, "offset", p->pos.offset);
		jw_u64s(&w, "bucketCounts", p->pos.counts, p->pos.n);
		jw_obj_end(&w);
		jw_key(&w, "negative");
		jw_obj(&w);
		jw_kint(&w, "offset", p->neg.offset);
		jw_u64s(&w, "bucketCounts", p->neg.counts, p->neg.n);
		jw_obj_end(&w);
	} else if (m->kind == MK_SUMMARY) {
		jw_key(&w, "quantiles");
		jw_arr(&w);
		for (i = 0; i < p->nquantiles; i++) {
			jw_obj(&w);
			jw_kdouble(&w, "quantile", p->quantiles[i].q);
			jw_kdouble(&w, "value", p->quantiles[i].v);
			jw_obj_end(&w);
		}
		jw_arr_end(&w);
	}
	if (p->nexemplars > 0) {
		jw_key(&w, "exemplars");
		jw_arr(&w);
		for (i = 0; i < p->nexemplars; i++)
			jw_exemplar(&w, &p->exemplars[i]);
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	r->histogram_data = col_done(rb, COL_HIST, 1);
	col(rb, COL_ATTRS, &w);
	otlp_jw_attrs(&w, &p->attrs);
	r->attributes = col_done(rb, COL_ATTRS, 1);
	col(rb, COL_RES_ATTRS, &w);
	otlp_jw_attrs_dropped(&w, &p->res->attrs,
	    p->res->dropped_attrs, 0, 0);
	r->resource_attributes = col_done(rb, COL_RES_ATTRS, 1);
}

void
otlp_result_init(struct otlp_result *res)
{
	res->accepted = res->rejected = 0;
	buf_init(&res->msg, LF_OTLP_MAX_ERRMSG);
}

void
otlp_result_free(struct otlp_result *res)
{
	buf_free(&res->msg);
}

void
otlp_reject(struct otlp_result *res, const char *why)
{
	if (res->rejected++ >= MAX_REASONS)
		return;
	if (res->msg.len > 0)
		buf_adds(&res->msg, "; ");
	buf_adds(&res->msg, why);
}

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Spans go through the ingest queue (set up under FastCGI, where the
 * mover runs); spans queued by the leader's transaction (only a leader
 * writes the queue: see group_writing). */
static int		 queue_on;
static int64_t		 queue_added;

/* What store_rows writes. */
#define ROWS_SPANS	1
#define ROWS_REST	2	/* log records and metric points */

/*
 * Where a writer puts an export's records: spans in the ingest queue's
 * file, the rest in the database (the same connection, and then one
 * transaction, without the queue).  The database is written under
 * data_mu, which the mover holds while it moves.
 */
struct writers {
	struct db	*spans;
	struct db	*rest;
};

static pthread_mutex_t	 data_mu = PTHREAD_MUTEX_INITIALIZER;

/* The records of one export, inside the caller's transaction.  On a
 * database error the caller rolls back. */
static enum db_rc
store_rows(struct db *db, const struct otlp_export *ex,
    struct otlp_result *res, struct rowbufs *rb, int64_t now, int what)
{
	struct trace_rec	 tr;
	struct log_rec		 lr;
	struct metric_rec	 mr;
	enum db_rc		 rc;
	size_t			 i;
	int			 ins;

	for (i = 0; (what & ROWS_SPANS) && i < ex->nspans; i++) {
		if (ex->spans[i].bad) {
			otlp_reject(res, ex->spans[i].bad);
			continue;
		}
		otlp_span_row(&ex->spans[i], rb, now, &tr);
		if (queue_on && !(what & ROWS_REST)) {
			if ((rc = db_queue_span(db, &tr)) != DB_OK)
				return rc;
			queue_added++;
			res->accepted++;
			continue;
		}
		if ((rc = db_insert_span(db, &tr, &ins)) != DB_OK)
			return rc;
		if (ins)
			res->accepted++;
		else
			otlp_reject(res, "duplicate spanId");
	}
	for (i = 0; (what & ROWS_REST) && i < ex->nlogs; i++) {
		if (ex->logs[i].bad) {
			otlp_reject(res, ex->logs[i].bad);
			continue;
		}
		otlp_log_row(&ex->logs[i], rb, now, &lr);
		if ((rc = db_insert_log(db, &lr)) != DB_OK)
			return rc;
		res->accepted++;
	}
	for (i = 0; (what & ROWS_REST) && i < ex->npoints; i++) {
		if (ex->points[i].bad) {
			otlp_reject(res, ex->points[i].bad);
			continue;
		}
		otlp_point_row(&ex->points[i], rb, now, &mr);
		if ((rc = db_insert_metric(db, &mr)) != DB_OK)
			return rc;
		res->accepted++;
	}
	return DB_OK;
}

/* Start res over (a group that failed is stored again one by one). */
static void
result_reset(struct otlp_result *res)
{
	res->accepted = res->rejected = 0;
	buf_reset(&res->msg);
}

/* Exports' records of one kind (what) in one transaction on db. */
static enum db_rc
store_part(struct db *db, const struct otlp_export *const *ex,
    struct otlp_result *const *res, size_t n, int what)
{
	struct rowbufs	 rb;
	enum db_rc	 rc;
	int64_t		 now = now_ms();
	size_t		 i;

	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	rowbufs_init(&rb);
	for (i = 0; i < n && rc == DB_OK; i++)
		rc = store_rows(db, ex[i], res[i], &rb, now, what);
	rowbufs_free(&rb);
	if (rc != DB_OK) {
		db_rollback(db);
		return rc;
	}
	return db_commit(db);
}

/* Exports in as few transactions as their writers allow: one, or spans
 * then the rest. */
static enum db_rc
store_exports(const struct writers *w, const struct otlp_export *const *ex,
    struct otlp_result *const *res, size_t n)
{
	enum db_rc	 rc = DB_OK;
	size_t		 i, spans = 0, rest = 0;

	for (i = 0; i < n; i++) {
		spans += ex[i]->nspans;
		rest += ex[i]->nlogs + ex[i]->npoints;
	}
	if (w->spans != w->rest) {
		if (spans > 0 && (rc = store_part(w->spans, ex, res, n,
		    ROWS_SPANS)) != DB_OK)
			return rc;
		if (rest == 0)
			return DB_OK;
	} else if (spans + rest == 0)
		return DB_OK;
	pthread_mutex_lock(&data_mu);
	rc = store_part(w->rest, ex, res, n, w->spans != w->rest ? ROWS_REST :
	    ROWS_SPANS | ROWS_REST);
	pthread_mutex_unlock(&data_mu);
	return rc;
}

/* One export on its own. */
static enum db_rc
store_one(const struct writers *w, const struct otlp_export *ex,
    struct otlp_result *res)
{
	size_t	 i;

	for (i = 0; i < ex->rejected_metrics; i++)
		otlp_reject(res, ex->rejected_metric_reason);
	return store_exports(w, &ex, &res, 1);
}

/*
 * Group commit.  Exports that arrive while another thread is writing
 * wait here; when the writer is done, one waiting thread (the leader)
 * takes up to LF_OTLP_GROUP_RECORDS records' worth of waiting exports and
 * stores them together, then wakes their threads.  Every thread answers
 * only after the commits that hold its records.  If the group fails, each
 * of its exports is stored again on its own, so one bad export never fails
 * another.
 *
 * Under FastCGI, spans are stored by appending them to the ingest queue
 * (a file of its own: see db_queue_move), and the mover thread moves them
 * into traces in large transactions (see LF_OTLP_MOVE_ROWS) while leaders
 * go on queueing.  Leaders and the mover take turns only to take moved
 * spans off the queue (group_writing), and to write the database
 * (data_mu).
 */
struct group_item {
	const struct otlp_export	*ex;
	struct otlp_result		*res;
	enum db_rc			 rc;
	int				 done;
	struct group_item		*next;
};

static pthread_mutex_t	 group_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 group_cv = PTHREAD_COND_INITIALIZER;
static struct group_item	*group_head;	/* waiting, oldest first */
static int		 group_writing;	/* a leader or the mover writes the queue */
/* The writers' connections: to the database (under data_mu) and to the
 * queue (under group_writing), each used by one thread at a time, so
 * their page caches stay warm.  NULL until opened (a leader falls back to
 * its own thread's connection, without the queue, when they cannot be). */
static struct db		*group_db;
static struct db		*queue_db;
static struct db		*mover_db;	/* the mover's own (no triggers) */
static int64_t			 mover_tried;
static const char		*group_path;
static int64_t			 group_tried;	/* ms of the last open tried */
static int64_t			 queue_tried;

/* The mover (all under group_mu). */
static pthread_cond_t	 mover_cv = PTHREAD_COND_INITIALIZER;
static pthread_t	 mover_tid;
static int		 mover_running, mover_stop;
static int		 move_wanted;	/* the mover waits for the queue */
static int64_t		 queued;	/* spans queued (-1: not counted yet) */
static int64_t		 queued_first;	/* ms the oldest was queued */
static int64_t		 queued_last;	/* ms the last export was queued */
static int		 maintain_wanted;	/* logs or metrics written */
static int		 inflight;	/* requests being served */
static int64_t		 idle_since;	/* ms inflight last became 0 */

/* Open *db in mode unless it is open or was tried within a second. */
static struct db *
lazy_open(struct db **db, int64_t *tried, enum db_mode mode)
{
	int64_t	 now = now_ms();

	if (*db == NULL && group_path != NULL && (*tried == 0 ||
	    now - *tried >= 1000 || now < *tried)) {
		*tried = now;
		if (db_open(db, group_path, mode) != DB_OK)
			*db = NULL;
	}
	return *db;
}

/* The database connection, opened if need be (it is then used under
 * data_mu; open_mu guards only the opening, which a move never holds). */
static pthread_mutex_t	 open_mu = PTHREAD_MUTEX_INITIALIZER;

static struct db *
data_db(void)
{
	struct db	*db;

	pthread_mutex_lock(&open_mu);
	db = lazy_open(&group_db, &group_tried, DB_BATCH);
	pthread_mutex_unlock(&open_mu);
	return db;
}

/* A leader's writers (called with group_writing set). */
static void
leader_writers(struct db *own, struct writers *w)
{
	struct db	*d = data_db();

	w->rest = d != NULL ? d : own;
	w->spans = w->rest;
	if (queue_on && lazy_open(&queue_db, &queue_tried, DB_QUEUE) != NULL)
		w->spans = queue_db;
}

static size_t
records_of(const struct otlp_export *ex)
{
	return ex->nspans + ex->nlogs + ex->npoints;
}

/* Store the group (a list); sets rc of each item. */
static void
store_group(const struct writers *w, struct group_item *g)
{
	const struct otlp_export	*ex[LF_OTLP_GROUP_EXPORTS] = { NULL };
	struct otlp_result		*res[LF_OTLP_GROUP_EXPORTS] = { NULL };
	struct group_item		*it;
	enum db_rc			 rc;
	size_t				 i, n = 0;

	for (it = g; it != NULL; it = it->next) {
		if (n == sizeof(ex) / sizeof(ex[0]))
			break;
		ex[n] = it->ex;
		res[n++] = it->res;
	}
	if (it != NULL || n == 1)
		rc = DB_ERROR;	/* one at a time below */
	else {
		for (it = g; it != NULL; it = it->next)
			for (i = 0; i < it->ex->rejected_metrics; i++)
				otlp_reject(it->res,
				    it->ex->rejected_metric_reason);
		rc = store_exports(w, ex, res, n);
	}
	for (it = g; it != NULL; it = it->next) {
		if (rc == DB_OK)
			it->rc = DB_OK;
		else {
			if (n > 1)
				result_reset(it->res);
			it->rc = store_one(w, it->ex, it->res);
		}
	}
}

/* Since when no export has been queued or served (with inflight 0). */
static int64_t
quiet_since(void)
{
	return idle_since > queued_last ? idle_since : queued_last;
}

void
otlp_store_enter(void)
{
	pthread_mutex_lock(&group_mu);
	inflight++;
	pthread_mutex_unlock(&group_mu);
}

void
otlp_store_leave(void)
{
	pthread_mutex_lock(&group_mu);
	if (--inflight == 0) {
		idle_since = now_ms();
		pthread_cond_signal(&mover_cv);
	}
	pthread_mutex_unlock(&group_mu);
}

/*
 * The checkpointer: copies the database's WAL back after each move, on
 * its own connection and thread, so the mover goes on moving meanwhile
 * (db_checkpoint).  Once the WAL has grown past LF_DB_WAL_MAX_PAGES
 * (about six moves), the copy starts it over, and the next move waits
 * for that (ckpt_wait): that bounds it.  It copies the queue file's WAL
 * back too, after moved spans were taken off it, so neither the mover nor
 * the leaders wait for that.  Without the thread (it could not start),
 * the mover checkpoints itself.
 */
static pthread_mutex_t	 ckpt_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 ckpt_cv = PTHREAD_COND_INITIALIZER;
static pthread_cond_t	 ckpt_done_cv = PTHREAD_COND_INITIALIZER;
static pthread_t	 ckpt_tid;
static int		 ckpt_running, ckpt_stop, ckpt_wanted, ckpt_busy;
static int		 qckpt_wanted;	/* the queue file's WAL, too */
static int		 qckpt_pages;	/* its WAL pages after the last copy */
static int		 wal_pages;	/* after the last move or copy */
static struct db	*ckpt_db;
static int64_t		 ckpt_tried;

static void *
ckpt_main(void *arg)
{
	struct db	*c;
	int		 n, queue;

	(void)arg;
	pthread_mutex_lock(&ckpt_mu);
	while (!ckpt_stop) {
		if (!ckpt_wanted && !qckpt_wanted) {
			pthread_cond_wait(&ckpt_cv, &ckpt_mu);
			continue;
		}
		/* The database first: a move may be waiting for it. */
		queue = !ckpt_wanted;
		if (queue)
			qckpt_wanted = 0;
		else {
			ckpt_wanted = 0;
			ckpt_busy = 1;	/* ckpt_wait: a database copy */
		}
		pthread_mutex_unlock(&ckpt_mu);
		/* The queue's WAL is started over only if no move or leader
		 * is in the way (a pending restart would hold up leaders
		 * until the move ends); else the mover does it (qckpt). */
		c = lazy_open(&ckpt_db, &ckpt_tried, DB_WRITE);
		n = queue ? db_queue_checkpoint(c, 0) : db_checkpoint(c);
		pthread_mutex_lock(&ckpt_mu);
		if (queue)
			qckpt_pages = n;
		else {
			ckpt_busy = 0;
			wal_pages = n;
			pthread_cond_broadcast(&ckpt_done_cv);
		}
	}
	pthread_mutex_unlock(&ckpt_mu);
	return NULL;
}

/* After a move: checkpoint the database soon (mv: the mover's
 * connection). */
static void
ckpt_request(struct db *mv)
{
	if (!ckpt_running) {
		db_checkpoint(mv);
		return;
	}
	pthread_mutex_lock(&ckpt_mu);
	ckpt_wanted = 1;
	wal_pages = db_wal_pages(mv);
	pthread_cond_signal(&ckpt_cv);
	pthread_mutex_unlock(&ckpt_mu);
}

/* After moved spans were taken off the queue (with the queue's turn):
 * checkpoint the queue file soon (q: the queue's connection), after the
 * database; here, waiting for its readers, once its WAL is long because
 * the checkpointer found a move or a leader in the way too often. */
static void
qckpt(struct db *q)
{
	int	 long_wal;

	pthread_mutex_lock(&ckpt_mu);
	long_wal = !ckpt_running || qckpt_pages >= LF_DB_QUEUE_WAL_MAX_PAGES;
	if (long_wal)
		qckpt_pages = 0;
	else {
		qckpt_wanted = 1;
		pthread_cond_signal(&ckpt_cv);
	}
	pthread_mutex_unlock(&ckpt_mu);
	if (long_wal)
		(void)db_queue_checkpoint(q, 1);
}

/* Before a move: wait for the copy in progress if the WAL is long. */
static void
ckpt_wait(void)
{
	pthread_mutex_lock(&ckpt_mu);
	while (ckpt_running && !ckpt_stop && (ckpt_busy || ckpt_wanted) &&
	    wal_pages >= LF_DB_WAL_MAX_PAGES)
		pthread_cond_wait(&ckpt_done_cv, &ckpt_mu);
	pthread_mutex_unlock(&ckpt_mu);
}

/* Take the queue for the mover (group_mu held; returns with it held). */
static void
mover_take_queue(void)
{
	move_wanted = 1;
	while (group_writing)
		pthread_cond_wait(&group_cv, &group_mu);
	move_wanted = 0;
	group_writing = 1;
}

static void
mover_give_queue(void)
{
	group_writing = 0;
	pthread_cond_broadcast(&group_cv);
}

/* Move queued spans into traces (group_mu held, dropped while working):
 * 1 when the queue was moved from, 0 on an error. */
static int
move_queue(void)
{
	struct db_moved	 m;
	struct db	*db, *q, *mv;
	enum db_rc	 rc = DB_ERROR;
	int64_t		 n = -1, t0, tw;

	pthread_mutex_unlock(&group_mu);
	memset(&m, 0, sizeof(m));
	t0 = now_ms();
	/* The database: leaders go on queueing meanwhile. */
	mv = lazy_open(&mover_db, &mover_tried, DB_MOVE);
	db = data_db();
	ckpt_wait();
	tw = now_ms();
	pthread_mutex_lock(&data_mu);
	if (mv != NULL &&
	    (rc = db_queue_move(mv, LF_OTLP_MOVE_MAX, &m)) == DB_OK &&
	    m.moved > 0 && db != NULL)
		/* Retention for the rows just moved (the exports' own
		 * threads leave it to the mover), with the triggers. */
		db_maintain(db);
	pthread_mutex_unlock(&data_mu);
	if (rc == DB_OK && m.moved > 0)
		ckpt_request(mv);
	log_debug("ingest queue: %lld spans moved in %lld ms (%lld of them "
	    "waiting for a checkpoint), %lld left", (long long)m.moved,
	    (long long)(now_ms() - t0), (long long)(tw - t0),
	    (long long)m.left);
	if (rc == DB_OK && m.dropped > 0)
		log_info("ingest queue: %lld spans moved, %lld dropped (span id "
		    "already stored)", (long long)m.moved,
		    (long long)m.dropped);
	else if (rc != DB_OK)
		log_warn("ingest queue: move failed; retrying");
	/* The queue: take the moved spans off, with no leader writing. */
	pthread_mutex_lock(&group_mu);
	mover_take_queue();
	pthread_mutex_unlock(&group_mu);
	if ((q = lazy_open(&queue_db, &queue_tried, DB_QUEUE)) != NULL &&
	    (rc == DB_OK ? db_queue_delete(q, m.upto) : DB_OK) == DB_OK) {
		qckpt(q);
		if (db_queue_count(q, &n) != DB_OK)
			n = -1;
	}
	pthread_mutex_lock(&group_mu);
	mover_give_queue();
	if (n >= 0) {
		queued = n;
		queued_first = n > 0 ? now_ms() : 0;
	}
	return rc == DB_OK && n >= 0;
}

static void *
mover_main(void *arg)
{
	struct timespec	 ts;
	struct db	*q, *d;
	int64_t		 now, due, n;

	(void)arg;
	pthread_mutex_lock(&group_mu);
	while (!mover_stop) {
		now = now_ms();
		if (queued < 0) {
			/* At start: what an earlier run left queued. */
			mover_take_queue();
			pthread_mutex_unlock(&group_mu);
			n = -1;
			if ((q = lazy_open(&queue_db, &queue_tried,
			    DB_QUEUE)) == NULL || db_queue_count(q, &n) != DB_OK)
				n = -1;
			pthread_mutex_lock(&group_mu);
			mover_give_queue();
			if (n >= 0) {
				queued = n;
				queued_first = queued_last = n > 0 ? now : 0;
				continue;
			}
			due = now + 1000;
		} else if (maintain_wanted) {
			/* Retention after logs and metrics (after spans, the
			 * move runs it). */
			maintain_wanted = 0;
			pthread_mutex_unlock(&group_mu);
			if ((d = data_db()) != NULL) {
				pthread_mutex_lock(&data_mu);
				db_maintain(d);
				pthread_mutex_unlock(&data_mu);
			}
			pthread_mutex_lock(&group_mu);
			continue;
		} else if (queued == 0) {
			pthread_cond_wait(&mover_cv, &group_mu);
			continue;
		} else if (queued >= LF_OTLP_MOVE_ROWS ||
		    now - queued_first >= LF_OTLP_MOVE_WAIT_MS ||
		    (inflight == 0 && now - quiet_since() >=
		    LF_OTLP_MOVE_IDLE_MS) || now < queued_last) {
			if (move_queue())
				continue;
			/* An error: try again in a while. */
			due = now_ms() + 1000;
		} else {
			due = queued_first + LF_OTLP_MOVE_WAIT_MS;
			if (inflight == 0 &&
			    quiet_since() + LF_OTLP_MOVE_IDLE_MS < due)
				due = quiet_since() + LF_OTLP_MOVE_IDLE_MS;
		}
		ts.tv_sec = (time_t)(due / 1000);
		ts.tv_nsec = (long)(due % 1000) * 1000000;
		pthread_cond_timedwait(&mover_cv, &group_mu, &ts);
	}
	pthread_mutex_unlock(&group_mu);
	return NULL;
}

int
otlp_store_maintains(void)
{
	return mover_running;
}

void
otlp_store_setup(const char *db_path, int queue)
{
	group_path = db_path;
	if (!queue)
		return;
	queue_on = 1;
	queued = -1;
	if (pthread_create(&ckpt_tid, NULL, ckpt_main, NULL) == 0) {
		ckpt_running = 1;
		pthread_setname_np(ckpt_tid, "otlp-checkpoint");
	}
	if (pthread_create(&mover_tid, NULL, mover_main, NULL) != 0) {
		log_warn("cannot start the ingest queue's mover; spans are "
		    "stored directly");
		queue_on = 0;
		return;
	}
	mover_running = 1;
	pthread_setname_np(mover_tid, "otlp-mover");
}

void
otlp_store_close(void)
{
	if (mover_running) {
		pthread_mutex_lock(&group_mu);
		mover_stop = 1;
		pthread_cond_broadcast(&mover_cv);
		pthread_cond_broadcast(&group_cv);
		pthread_mutex_unlock(&group_mu);
		pthread_join(mover_tid, NULL);
		mover_running = 0;
	}
	if (ckpt_running) {
		pthread_mutex_lock(&ckpt_mu);
		ckpt_stop = 1;
		pthread_cond_signal(&ckpt_cv);
		pthread_cond_broadcast(&ckpt_done_cv);
		pthread_mutex_unlock(&ckpt_mu);
		pthread_join(ckpt_tid, NULL);
		ckpt_running = 0;
	}
	db_close(&ckpt_db);
	db_close(&queue_db);
	db_close(&mover_db);
	db_close(&group_db);
}

/* Without a mover (plain CGI), spans a FastCGI run left queued are moved
 * by the next export. */
static void
drain_queue(struct db *db)
{
	struct db_moved	 m;
	int64_t		 n;
	int		 i;

	if (db_queue_count(db, &n) != DB_OK || n == 0)
		return;
	for (i = 0; i < 4; i++)
		if (db_queue_move(db, LF_OTLP_MOVE_MAX, &m) != DB_OK ||
		    db_queue_delete(db, m.upto) != DB_OK || m.left == 0)
			break;
}

enum db_rc
otlp_store(struct db *db, const struct otlp_export *ex,
    struct otlp_result *res)
{
	struct group_item	 me, *g, **tail, *it;
	struct writers		 w;
	enum db_rc		 rc;
	size_t			 n, k;

	if (!mover_running) {
		w.spans = w.rest = db;
		if ((rc = store_one(&w, ex, res)) == DB_OK &&
		    records_of(ex) > 0)
			drain_queue(db);
		return rc;
	}
	if (records_of(ex) == 0) {
		w.spans = w.rest = db;
		return store_one(&w, ex, res);
	}
	memset(&me, 0, sizeof(me));
	me.ex = ex;
	me.res = res;
	pthread_mutex_lock(&group_mu);
	for (tail = &group_head; *tail != NULL; tail = &(*tail)->next)
		continue;
	*tail = &me;
	while (!me.done) {
		/* The mover goes first when it wants to, and always when the
		 * queue is full. */
		if (group_writing || move_wanted ||
		    queued >= LF_OTLP_QUEUE_MAX) {
			if (queued >= LF_OTLP_QUEUE_MAX)
				pthread_cond_signal(&mover_cv);
			pthread_cond_wait(&group_cv, &group_mu);
			continue;
		}
		/* Lead: take the oldest exports, up to the record cap (at
		 * least one, so a large export still goes alone). */
		group_writing = 1;
		g = group_head;
		n = records_of(g->ex);
		k = 1;
		for (it = g; it->next != NULL && k < LF_OTLP_GROUP_EXPORTS &&
		    records_of(it->next->ex) <= LF_OTLP_GROUP_RECORDS - n;
		    it = it->next, k++)
			n += records_of(it->next->ex);
		group_head = it->next;
		it->next = NULL;
		queue_added = 0;
		pthread_mutex_unlock(&group_mu);
		leader_writers(db, &w);
		store_group(&w, g);
		pthread_mutex_lock(&group_mu);
		if (n > (size_t)queue_added) {
			/* Logs or metrics went to the database. */
			maintain_wanted = 1;
			pthread_cond_signal(&mover_cv);
		}
		if (queue_added > 0) {
			if (queued <= 0)
				queued_first = now_ms();
			queued = (queued > 0 ? queued : 0) + queue_added;
			queued_last = now_ms();
			pthread_cond_signal(&mover_cv);
		}
		while (g != NULL) {
			it = g->next;
			g->next = NULL;
			g->done = 1;
			g = it;
		}
		group_writing = 0;
		pthread_cond_broadcast(&group_cv);
	}
	pthread_mutex_unlock(&group_mu);
	return me.rc;
}
