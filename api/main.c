/*
 * llmflow-api: the query API behind the dashboard, and POST /api/spans.
 *
 * The whole surface is the table below.  Routing uses REQUEST_URI (its
 * path; the query string after '?'), never SCRIPT_NAME/PATH_INFO, so it
 * works the same under any FastCGI mount.  An unknown path is 404, a
 * known path with another method 405 with Allow, before any other work.
 * Query parameters are declared and checked in params.c; handlers see a
 * typed struct.  One read-only database handle per thread, and a writer
 * handle opened on a thread's first POST /api/spans.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "analytics.h"
#include "config.h"
#include "csv.h"
#include "db.h"
#include "health.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "params.h"
#include "pricing.h"
#include "providers.h"
#include "render.h"
#include "routes.h"
#include "server.h"
#include "spans.h"
#include "timeline.h"
#include "tree.h"
#include "upstream.h"

/* Fixed paths come before the ":id" route they would also match. */
enum route {
	ROUTE_HEALTH,		/* GET /api/health */
	ROUTE_HEALTH_PROVIDERS,	/* GET /api/health/providers */
	ROUTE_STATS,		/* GET /api/stats */
	ROUTE_MODELS,		/* GET /api/models */
	ROUTE_TRACES,		/* GET /api/traces?limit&offset&model&provider
				 *     &status&q&date_from&date_to&span_type
				 *     &service_name&session_id&conversation_id
				 *     &tag&cost_min&cost_max&cursor */
	ROUTE_EXPORT,		/* GET /api/traces/export?format&<filters> */
	ROUTE_TREE,		/* GET /api/traces/:id/tree */
	ROUTE_TRACE_LOGS,	/* GET /api/traces/:id/logs */
	ROUTE_TRACE,		/* GET /api/traces/:id */
	ROUTE_SPANS,		/* POST /api/spans */
	ROUTE_SESSIONS,		/* GET /api/sessions?limit&offset */
	ROUTE_SESSION,		/* GET /api/sessions/:id */
	ROUTE_TIMELINE,		/* GET /api/timeline?limit&q&tool&date_from
				 *     &type */
	ROUTE_LOGS,		/* GET /api/logs?limit&offset&service_name
				 *     &event_name&trace_id&severity_min&q
				 *     &date_from&date_to */
	ROUTE_LOG_FILTERS,	/* GET /api/logs/filters */
	ROUTE_LOG,		/* GET /api/logs/:id */
	ROUTE_METRICS,		/* GET /api/metrics?limit&offset&name
				 *     &service_name&metric_type&date_from
				 *     &date_to&aggregation */
	ROUTE_METRIC_FILTERS,	/* GET /api/metrics/filters */
	ROUTE_METRIC_SUMMARY,	/* GET /api/metrics/summary?date_from&date_to */
	ROUTE_METRIC_TOKENS,	/* GET /api/metrics/tokens */
	ROUTE_METRIC,		/* GET /api/metrics/:id */
	ROUTE_TOKEN_USAGE,	/* GET /api/token-usage */
	ROUTE_ANALYTICS,	/* GET /api/analytics?days */
	ROUTE_DAILY,		/* GET /api/analytics/daily?days */
	ROUTE_TRENDS,		/* GET /api/analytics/token-trends?interval
				 *     &days */
	ROUTE_BY_TOOL,		/* GET /api/analytics/cost-by-tool?days */
	ROUTE_BY_MODEL,		/* GET /api/analytics/cost-by-model?days */
	ROUTE__MAX
};

static const struct api_route routes[ROUTE__MAX] = {
	[ROUTE_HEALTH] =	{ API_GET, "/api/health", 0 },
	[ROUTE_HEALTH_PROVIDERS] = { API_GET, "/api/health/providers", 0 },
	[ROUTE_STATS] =		{ API_GET, "/api/stats", 0 },
	[ROUTE_MODELS] =	{ API_GET, "/api/models", 0 },
	[ROUTE_TRACES] =	{ API_GET, "/api/traces", 0 },
	[ROUTE_EXPORT] =	{ API_GET, "/api/traces/export", 0 },
	[ROUTE_TREE] =		{ API_GET, "/api/traces/:id/tree", 1 },
	[ROUTE_TRACE_LOGS] =	{ API_GET, "/api/traces/:id/logs", 1 },
	[ROUTE_TRACE] =		{ API_GET, "/api/traces", 1 },
	[ROUTE_SPANS] =		{ API_POST, "/api/spans", 0 },
	[ROUTE_SESSIONS] =	{ API_GET, "/api/sessions", 0 },
	[ROUTE_SESSION] =	{ API_GET, "/api/sessions", 1 },
	[ROUTE_TIMELINE] =	{ API_GET, "/api/timeline", 0 },
	[ROUTE_LOGS] =		{ API_GET, "/api/logs", 0 },
	[ROUTE_LOG_FILTERS] =	{ API_GET, "/api/logs/filters", 0 },
	[ROUTE_LOG] =		{ API_GET, "/api/logs", 1 },
	[ROUTE_METRICS] =	{ API_GET, "/api/metrics", 0 },
	[ROUTE_METRIC_FILTERS] = { API_GET, "/api/metrics/filters", 0 },
	[ROUTE_METRIC_SUMMARY] = { API_GET, "/api/metrics/summary", 0 },
	[ROUTE_METRIC_TOKENS] =	{ API_GET, "/api/metrics/tokens", 0 },
	[ROUTE_METRIC] =	{ API_GET, "/api/metrics", 1 },
	[ROUTE_TOKEN_USAGE] =	{ API_GET, "/api/token-usage", 0 },
	[ROUTE_ANALYTICS] =	{ API_GET, "/api/analytics", 0 },
	[ROUTE_DAILY] =		{ API_GET, "/api/analytics/daily", 0 },
	[ROUTE_TRENDS] =	{ API_GET, "/api/analytics/token-trends", 0 },
	[ROUTE_BY_TOOL] =	{ API_GET, "/api/analytics/cost-by-tool", 0 },
	[ROUTE_BY_MODEL] =	{ API_GET, "/api/analytics/cost-by-model", 0 },
};


/* How a request failed; api_fail() maps each to a status and a body. */
enum api_err {
	AE_OK = 0,
	AE_SENT,		/* the handler has answered (a stream) */
	AE_BAD_PARAM,		/* 400, names the parameter */
	AE_NOT_FOUND,		/* 404 */
	AE_METHOD,		/* 405 */
	AE_TRACE_NOT_FOUND,	/* 404 */
	AE_SPAN_NOT_FOUND,	/* 404 */
	AE_LOG_NOT_FOUND,	/* 404 */
	AE_METRIC_NOT_FOUND,	/* 404 */
	AE_SESSION_NOT_FOUND,	/* 404 */
	AE_CONFLICT,		/* 409, span id taken */
	AE_TOO_LARGE,		/* 413 */
	AE_MEDIA_TYPE,		/* 415 */
	AE_INTERNAL,		/* 500 */
	AE_NO_DB,		/* 503 */
	AE_DB_BUSY		/* 503 */
};

/* A thread whose database could not be opened tries again at most this
 * often, so a database that appears later (or was briefly locked while
 * another program created it) is picked up without a restart. */
#define DB_REOPEN_MS	1000

/* Per-thread state, made by thread_init. */
struct api_thread {
	struct db	*db;		/* NULL if it could not be opened */
	int64_t		 opened_at;	/* ms of the last attempt */
	struct db	*w;		/* writer, for POST /api/spans */
	int64_t		 w_opened_at;
};

/* One request. */
struct ctx {
	struct req		*req;
	struct api_thread	*t;
	struct db		*db;
	struct api_match	 m;
	const uint8_t		*query;
	size_t			 query_len;
	int			 status;	/* of the answer in out: 200 */
	struct buf		 hdr;	/* extra header lines of the answer */
	struct buf		 out;	/* the answer */
	struct jw		 w;
	struct api_perr		 perr;	/* AE_BAD_PARAM */
	enum api_err		 notfound;	/* what DB_NOTFOUND means */
	int64_t			 rows;		/* rows rendered by on_log */
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *
db_rc_name(enum db_rc rc)
{
	switch (rc) {
	case DB_OK:
		return "ok";
	case DB_NOTFOUND:
		return "not found";
	case DB_BUSY:
		return "busy";
	case DB_ERROR:
		return "error";
	default:
		abort();
	}
}

/* Open *db in mode unless it is open or was tried within DB_REOPEN_MS;
 * *db stays NULL on failure. */
static void
open_db(struct db **db, int64_t *opened_at, enum db_mode mode)
{
	enum db_rc	 rc;
	int64_t		 now = now_ms();

	if (*db != NULL || (*opened_at != 0 &&
	    now - *opened_at >= 0 && now - *opened_at < DB_REOPEN_MS))
		return;
	*opened_at = now;
	if ((rc = db_open(db, cfg.db_path, mode)) != DB_OK) {
		log_warn("cannot open database %s%s (%s); answering 503",
		    cfg.db_path, mode == DB_WRITE ? " for writing" : "",
		    db_rc_name(rc));
		*db = NULL;
	}
}

static enum api_err
db_err(struct ctx *c, enum db_rc rc)
{
	switch (rc) {
	case DB_OK:
		return AE_OK;
	case DB_NOTFOUND:
		return c->notfound;
	case DB_BUSY:
		return AE_DB_BUSY;
	case DB_ERROR:
		/* A row callback stopped the walk because the answer
		 * overflowed: reply_json answers "Response too large". */
		return c->out.err ? AE_OK : AE_INTERNAL;
	default:
		abort();
	}
}

/* The result of an api_params_* call. */
static enum api_err
param_err(int rc)
{
	return rc == 0 ? AE_OK : rc == -1 ? AE_BAD_PARAM : AE_INTERNAL;
}

/* Send the error answer for e. */
static void
api_fail(struct ctx *c, enum api_err e)
{
	struct buf	 allow;

	switch (e) {
	case AE_BAD_PARAM:
		reply_error(c->req, 400, c->perr.msg, c->perr.param);
		break;
	case AE_NOT_FOUND:
		reply_error(c->req, 404, "Not Found", NULL);
		break;
	case AE_METHOD:
		buf_init(&allow, 256);
		buf_adds(&allow, "Allow: ");
		api_allow_str(c->m.allow, &allow);
		buf_adds(&allow, "\r\n");
		reply(c->req, 405, "application/json; charset=utf-8",
		    allow.err ? NULL : buf_str(&allow),
		    "{\"error\":\"Method Not Allowed\"}",
		    strlen("{\"error\":\"Method Not Allowed\"}"));
		buf_free(&allow);
		break;
	case AE_TRACE_NOT_FOUND:
		reply_error(c->req, 404, "Trace not found", NULL);
		break;
	case AE_SPAN_NOT_FOUND:
		reply_error(c->req, 404, "Span not found", NULL);
		break;
	case AE_LOG_NOT_FOUND:
		reply_error(c->req, 404, "Log not found", NULL);
		break;
	case AE_METRIC_NOT_FOUND:
		reply_error(c->req, 404, "Metric not found", NULL);
		break;
	case AE_SESSION_NOT_FOUND:
		reply_error(c->req, 404, "Session not found", NULL);
		break;
	case AE_CONFLICT:
		reply_error(c->req, 409, "Span id already exists", "id");
		break;
	case AE_TOO_LARGE:
		reply_error(c->req, 413, c->perr.msg, NULL);
		break;
	case AE_MEDIA_TYPE:
		reply_error(c->req, 415, "Content-Type must be "
		    "application/json", NULL);
		break;
	case AE_INTERNAL:
		reply_error(c->req, 500, "Internal error", NULL);
		break;
	case AE_NO_DB:
		reply_error(c->req, 503, "Database unavailable", NULL);
		break;
	case AE_DB_BUSY:
		reply_error(c->req, 503, "Database busy", NULL);
		break;
	case AE_OK:
	case AE_SENT:
	default:
		abort();
	}
}

/* The :id segment, percent-decoded. */
static enum api_err
path_id(struct ctx *c, const char **id)
{
	return param_err(api_param_id(c->m.id, c->m.id_len, &c->req->arena,
	    id, &c->perr));
}

/* ---- Health and totals ---- */

static enum api_err
h_health(struct ctx *c)
{
	int64_t		 n, q;
	enum db_rc	 rc;

	if (c->db == NULL)
		return AE_NO_DB;
	if ((rc = db_trace_count(c->db, &n)) != DB_OK ||
	    (rc = db_queue_count(c->db, &q)) != DB_OK)
		return db_err(c, rc);
	api_render_health(&c->w, now_ms(), n, q);
	return AE_OK;
}

/* The "models" array is built apart: db_stats hands out the per-model
 * rows before it returns the totals that precede them in the answer. */
struct models {
	struct buf	 b;
	struct jw	 w;
};

static int
model_cb(void *arg, const struct model_stats *m)
{
	struct models	*ms = arg;

	api_render_model(&ms->w, m);
	return ms->b.err;
}

static enum api_err
h_stats(struct ctx *c)
{
	struct stats	 st;
	struct models	 ms;
	enum db_rc	 rc;
	enum api_err	 e;

	if (c->db == NULL)
		return AE_NO_DB;
	buf_init(&ms.b, LF_MAX_RESPONSE);
	jw_init(&ms.w, &ms.b);
	jw_arr(&ms.w);
	rc = db_stats(c->db, &st, model_cb, &ms);
	jw_arr_end(&ms.w);
	if (rc == DB_ERROR && ms.b.err) {
		c->out.err = 1;	/* reply_json answers "Response too large" */
		e = AE_OK;
	} else if ((e = db_err(c, rc)) == AE_OK)
		api_render_stats(&c->w, &st, buf_str(&ms.b), ms.b.len);
	buf_free(&ms.b);
	return e;
}

static int
model_rollup_cb(void *arg, const struct rollup_row *r)
{
	struct ctx	*c = arg;

	api_render_model_rollup(&c->w, r);
	return c->out.err;
}

static enum api_err
h_models(struct ctx *c)
{
	enum db_rc	 rc;

	if (c->db == NULL)
		return AE_NO_DB;
	jw_arr(&c->w);
	rc = db_rollup(c->db, RG_MODEL, DB_NULL, DB_NULL, model_rollup_cb, c);
	jw_arr_end(&c->w);
	return db_err(c, rc);
}

/* ---- Traces ---- */

/* The page of GET /api/traces: rows, and the last one for the cursor. */
struct page {
	struct ctx	*c;
	int64_t		 rows;
	int64_t		 last_ts;
	char		 last_id[LF_MAX_ID + 1];
	int		 last_ok;	/* last_id held the whole id */
};

/* Row callbacks stop the walk once the answer has overflowed. */
static int
summary_cb(void *arg, const struct trace_rec *r)
{
	struct page	*pg = arg;
	size_t		 n;

	api_render_summary(&pg->c->w, r);
	pg->rows++;
	pg->last_ts = r->timestamp;
	n = r->id != NULL ? strlen(r->id) : 0;
	pg->last_ok = r->id != NULL && r->timestamp != DB_NULL &&
	    n < sizeof(pg->last_id);
	if (pg->last_ok)
		memcpy(pg->last_id, r->id, n + 1);
	return pg->c->out.err;
}

static enum api_err
h_traces(struct ctx *c)
{
	struct trace_filter	 f;
	struct page		 pg;
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = param_err(api_params_traces(c->query, c->query_len,
	    &c->req->arena, &f, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	memset(&pg, 0, sizeof(pg));
	pg.c = c;
	jw_arr(&c->w);
	rc = db_traces_list(c->db, &f, summary_cb, &pg);
	jw_arr_end(&c->w);
	/* A full page may have more after it: say where to go on. */
	if (rc == DB_OK && pg.rows == f.limit && pg.last_ok) {
		buf_adds(&c->hdr, "X-Next-Cursor: ");
		api_cursor_write(&c->hdr, pg.last_ts, pg.last_id);
		buf_adds(&c->hdr, "\r\n");
	}
	return db_err(c, rc);
}

static int
detail_cb(void *arg, const struct trace_rec *r)
{
	struct ctx	*c = arg;

	api_render_detail(&c->w, r);
	return c->out.err;
}

static enum api_err
h_trace(struct ctx *c)
{
	const char	*id;
	enum api_err	 e;

	if ((e = path_id(c, &id)) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	c->notfound = AE_TRACE_NOT_FOUND;
	return db_err(c, db_trace_get(c->db, id, detail_cb, c));
}

static int
tree_cb(void *arg, const struct trace_rec *r)
{
	return tree_add(arg, r);
}

static enum api_err
h_tree(struct ctx *c)
{
	struct tree	 t;
	const char	*id;
	enum api_err	 e;
	enum db_rc	 rc;

	if ((e = path_id(c, &id)) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	tree_init(&t, &c->req->arena);
	rc = db_trace_spans(c->db, id, tree_cb, &t);
	if (t.oom)
		return AE_INTERNAL;
	c->notfound = AE_SPAN_NOT_FOUND;
	if (rc != DB_OK)
		return db_err(c, rc);
	if (tree_build(&t) == -1)
		return AE_INTERNAL;
	tree_render(&c->w, &t);
	return AE_OK;
}

/* The trace id of a span id or trace id: the first span's. */
struct resolve {
	struct arena	*a;
	const char	*trace_id;
};

static int
resolve_cb(void *arg, const struct trace_rec *r)
{
	struct resolve	*rs = arg;

	if (r->trace_id != NULL)
		rs->trace_id = arena_strdup(rs->a, r->trace_id);
	return 1;	/* one row is enough */
}

static int
on_log(void *arg, const struct log_row *r)
{
	struct ctx	*c = arg;

	api_render_log(&c->w, r);
	c->rows++;
	return c->out.err;
}

static enum api_err
h_trace_logs(struct ctx *c)
{
	struct log_filter	 f;
	struct resolve		 rs;
	const char		*id;
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = path_id(c, &id)) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	rs.a = &c->req->arena;
	rs.trace_id = NULL;
	rc = db_trace_spans(c->db, id, resolve_cb, &rs);
	if (rc == DB_BUSY)
		return AE_DB_BUSY;
	/* No span: logs may still carry it as their trace id (404 when
	 * none does). */
	log_filter_init(&f);
	f.trace_id = rs.trace_id != NULL ? rs.trace_id : id;
	f.limit = LF_MAX_TREE_SPANS;
	jw_obj(&c->w);
	jw_kstr(&c->w, "trace_id", f.trace_id);
	jw_key(&c->w, "logs");
	jw_arr(&c->w);
	rc = db_logs_list(c->db, &f, on_log, c, NULL);
	jw_arr_end(&c->w);
	/* Metrics carry no trace id (OTLP data points have exemplars at
	 * most, which are not stored): always empty, kept for the shape. */
	jw_key(&c->w, "metrics");
	jw_arr(&c->w);
	jw_arr_end(&c->w);
	jw_obj_end(&c->w);
	/* Neither a span nor a log knows this id. */
	if (rc == DB_OK && rs.trace_id == NULL && c->rows == 0)
		return AE_SPAN_NOT_FOUND;
	return db_err(c, rc);
}

/* ---- Export: streamed, constant memory ---- */

struct export {
	struct ctx		*c;
	enum api_export_format	 format;
	struct buf		 chunk;	/* not yet written */
	struct jw		 w;	/* JSON format: over chunk */
	int64_t			 count;
	int			 started;	/* headers sent */
};

static const struct {
	const char	*ctype;
	const char	*ext;
} export_types[] = {
	[API_EXPORT_JSON] =	{ "application/json; charset=utf-8", "json" },
	[API_EXPORT_JSONL] =	{ "application/x-ndjson; charset=utf-8",
				  "jsonl" },
	[API_EXPORT_CSV] =	{ "text/csv; charset=utf-8", "csv" },
};

/* Send the headers (once) and what the chunk holds.  0, or -1 when the
 * client is gone or a row overflowed the chunk. */
static int
export_flush(struct export *x)
{
	struct buf	 h;
	int		 rc = 0;

	if (x->chunk.err)
		return -1;
	if (!x->started) {
		buf_init(&h, 1024);
		buf_printf(&h, "Status: 200 OK\r\nContent-Type: %s\r\n"
		    "Content-Disposition: attachment; filename=\"traces.%s\""
		    "\r\nCache-Control: no-store\r\n"
		    "X-Content-Type-Options: nosniff\r\n\r\n",
		    export_types[x->format].ctype,
		    export_types[x->format].ext);
		rc = h.err ? -1 : req_write(x->c->req, h.p, h.len);
		buf_free(&h);
		x->c->req->status = 200;
		x->started = 1;
	}
	if (rc == 0 && x->chunk.len > 0)
		rc = req_write(x->c->req, x->chunk.p, x->chunk.len);
	if (rc == 0)
		rc = req_flush(x->c->req);
	buf_reset(&x->chunk);
	return rc;
}

static int
export_cb(void *arg, const struct trace_rec *r)
{
	struct export	*x = arg;
	struct jw	 w;

	switch (x->format) {
	case API_EXPORT_JSON:
		api_render_summary(&x->w, r);
		break;
	case API_EXPORT_JSONL:
		jw_init(&w, &x->chunk);
		api_render_summary(&w, r);
		buf_addc(&x->chunk, '\n');
		break;
	case API_EXPORT_CSV:
		csv_trace_row(&x->chunk, r);
		break;
	default:
		abort();
	}
	x->count++;
	if (x->chunk.err)
		return -1;
	return x->chunk.len >= LF_EXPORT_FLUSH ? export_flush(x) : 0;
}

/* The "filters" object of a JSON export: the filters given. */
static void
export_filters(struct jw *w, const struct trace_filter *f)
{
	static const char *const status[] = { NULL, "success", "error" };

	jw_obj(w);
	if (f->limit > 0)
		jw_kint(w, "limit", f->limit);
	if (f->offset > 0)
		jw_kint(w, "offset", f->offset);
#define S(k, v)	do { if ((v) != NULL) jw_kstr(w, k, v); } while (0)
	S("model", f->model);
	S("provider", f->provider);
	S("status", status[f->status]);
	S("q", f->q);
	S("span_type", f->span_type);
	S("service_name", f->service_name);
	S("session_id", f->session_id);
	S("conversation_id", f->conversation_id);
	S("tag", f->tag);
#undef S
	if (f->date_from != DB_NULL)
		jw_kint(w, "date_from", f->date_from);
	if (f->date_to != DB_NULL)
		jw_kint(w, "date_to", f->date_to);
	if (!isnan(f->cost_min))
		jw_kdouble(w, "cost_min", f->cost_min);
	if (!isnan(f->cost_max))
		jw_kdouble(w, "cost_max", f->cost_max);
	jw_obj_end(w);
}

/*
 * Rows go out as they are read, about LF_EXPORT_FLUSH bytes at a time, so a
 * million rows take the memory of one chunk.  Nothing is sent before the
 * first chunk fills: a small export that fails gets a proper error.  Once
 * sent, a failure can only cut the body short (the JSON format is then
 * not valid JSON, which a client notices); it is logged.  In the JSON
 * format "count" comes after "traces", once it is known.
 */
static enum api_err
h_export(struct ctx *c)
{
	struct api_export_params p;
	struct export		 x;
	char			 ts[40];
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = param_err(api_params_export(c->query, c->query_len,
	    &c->req->arena, &p, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	memset(&x, 0, sizeof(x));
	x.c = c;
	x.format = p.format;
	buf_init(&x.chunk, LF_EXPORT_FLUSH + LF_EXPORT_ROW_MAX);
	jw_init(&x.w, &x.chunk);
	if (x.format == API_EXPORT_JSON) {
		api_iso8601(now_ms(), ts, sizeof(ts));
		jw_obj(&x.w);
		jw_kstr(&x.w, "exported_at", ts);
		jw_key(&x.w, "filters");
		export_filters(&x.w, &p.f);
		jw_key(&x.w, "traces");
		jw_arr(&x.w);
	} else if (x.format == API_EXPORT_CSV)
		csv_header(&x.chunk);
	rc = db_traces_list(c->db, &p.f, export_cb, &x);
	if (rc == DB_OK && x.format == API_EXPORT_JSON) {
		jw_arr_end(&x.w);
		jw_kint(&x.w, "count", x.count);
		jw_obj_end(&x.w);
	}
	if (rc != DB_OK && !x.started) {
		buf_free(&x.chunk);
		if (rc == DB_ERROR && c->req->client_gone)
			return AE_SENT;
		return rc == DB_BUSY ? AE_DB_BUSY : AE_INTERNAL;
	}
	if (rc == DB_OK)
		export_flush(&x);
	else if (!c->req->client_gone)
		log_warn("export cut short after %lld rows (%s)",
		    (long long)x.count, db_rc_name(rc));
	buf_free(&x.chunk);
	return AE_SENT;
}

/* ---- POST /api/spans ---- */

/* Whether a Content-Type value is application/json (parameters such as
 * charset are allowed). */
static int
is_json_type(const char *v)
{
	size_t	 n;

	if (v == NULL)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, "; \t");
	return n == 16 && strncasecmp(v, "application/json", 16) == 0;
}

/* The body, at most LF_SPAN_MAX_BODY bytes, into b. */
static enum api_err
read_span_body(struct ctx *c, struct buf *b)
{
	const char	*cl = req_env(c->req, "CONTENT_LENGTH");
	int64_t		 want = -1;
	char		 chunk[16384];
	ssize_t		 n;

	snprintf(c->perr.msg, sizeof(c->perr.msg), "Body is larger than %lu "
	    "bytes", (unsigned long)LF_SPAN_MAX_BODY);
	if (cl != NULL && *cl != '\0') {
		if (parse_i64(cl, 0, INT64_MAX, &want) == -1) {
			c->perr.param = "body";
			snprintf(c->perr.msg, sizeof(c->perr.msg),
			    "Bad Content-Length");
			return AE_BAD_PARAM;
		}
		if ((uint64_t)want > LF_SPAN_MAX_BODY)
			return AE_TOO_LARGE;
	}
	while ((n = req_read(c->req, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)n) == -1)
			return AE_TOO_LARGE;
	if (n < 0 || (want >= 0 && (uint64_t)want != b->len)) {
		c->perr.param = "body";
		snprintf(c->perr.msg, sizeof(c->perr.msg),
		    "Body is shorter than Content-Length");
		return AE_BAD_PARAM;
	}
	return AE_OK;
}

static enum api_err
h_spans(struct ctx *c)
{
	struct trace_rec r;
	struct buf	 body;
	enum api_err	 e;
	enum db_rc	 rc;
	int		 inserted;

	if (!is_json_type(req_env(c->req, "CONTENT_TYPE")))
		return AE_MEDIA_TYPE;
	buf_init(&body, LF_SPAN_MAX_BODY);
	if ((e = read_span_body(c, &body)) != AE_OK)
		goto out;
	if ((e = param_err(api_span_parse((const uint8_t *)buf_str(&body),
	    body.len, &c->req->arena, now_ms(), &r, &c->perr))) != AE_OK)
		goto out;
	if (c->t != NULL)
		open_db(&c->t->w, &c->t->w_opened_at, DB_WRITE);
	if (c->t == NULL || c->t->w == NULL) {
		e = AE_NO_DB;
		goto out;
	}
	if ((rc = db_insert_span(c->t->w, &r, &inserted)) != DB_OK) {
		e = rc == DB_BUSY ? AE_DB_BUSY : AE_INTERNAL;
		goto out;
	}
	if (!inserted) {
		e = AE_CONFLICT;
		goto out;
	}
	c->status = 201;
	jw_obj(&c->w);
	jw_kstr(&c->w, "id", r.id);
	jw_kstr(&c->w, "trace_id", r.trace_id);
	jw_obj_end(&c->w);
	reply_json(c->req, c->status, &c->out);
	/* The client has its answer; retention runs after. */
	req_finish(c->req);
	db_maintain(c->t->w);
	e = AE_SENT;
out:
	buf_free(&body);
	return e;
}

/* ---- Sessions ---- */

static int
on_session(void *arg, const struct session_row *r)
{
	struct ctx	*c = arg;

	api_render_session(&c->w, r);
	return c->out.err;
}

static enum api_err
h_sessions(struct ctx *c)
{
	int64_t		 limit, offset, total = 0;
	enum api_err	 e;
	enum db_rc	 rc;

	if ((e = param_err(api_params_page(c->query, c->query_len,
	    &c->req->arena, &limit, &offset, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	jw_obj(&c->w);
	jw_key(&c->w, "sessions");
	jw_arr(&c->w);
	rc = db_sessions(c->db, limit, offset, on_session, c, &total);
	jw_arr_end(&c->w);
	jw_kint(&c->w, "total", total);
	jw_obj_end(&c->w);
	return db_err(c, rc);
}

struct session_sum {
	struct ctx	*c;
	double		 cost;
	int64_t		 tokens, spans, errors;
};

static int
on_session_trace(void *arg, const struct session_trace *t)
{
	struct session_sum	*s = arg;

	api_render_session_trace(&s->c->w, t);
	if (isfinite(t->cost))
		s->cost += t->cost;
	s->tokens += t->tokens;
	s->spans += t->span_count;
	s->errors += t->has_error ? 1 : 0;
	return s->c->out.err;
}

static enum api_err
h_session(struct ctx *c)
{
	struct session_sum	 s;
	const char		*id;
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = path_id(c, &id)) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	memset(&s, 0, sizeof(s));
	s.c = c;
	jw_obj(&c->w);
	jw_kstr(&c->w, "session_id", id);
	jw_key(&c->w, "traces");
	jw_arr(&c->w);
	rc = db_session_traces(c->db, id, on_session_trace, &s);
	jw_arr_end(&c->w);
	jw_key(&c->w, "summary");
	jw_obj(&c->w);
	jw_kdouble(&c->w, "cost", s.cost);
	jw_kint(&c->w, "tokens", s.tokens);
	jw_kint(&c->w, "spans", s.spans);
	jw_kint(&c->w, "errors", s.errors);
	jw_obj_end(&c->w);
	jw_obj_end(&c->w);
	c->notfound = AE_SESSION_NOT_FOUND;
	return db_err(c, rc);
}

/* ---- Timeline ---- */

struct tl_side {
	struct arena	*a;
	size_t		 n, cap;
	int64_t		*ts;
	struct trace_rec *traces;
	struct log_row	*logs;
	int		 oom;
};

static int
tl_trace_cb(void *arg, const struct trace_rec *r)
{
	struct tl_side	*s = arg;

	if (s->n >= s->cap || trace_rec_copy_into(s->a, &s->traces[s->n],
	    r) == -1) {
		s->oom = 1;
		return 1;
	}
	s->ts[s->n++] = r->timestamp;
	return 0;
}

static int
tl_log_cb(void *arg, const struct log_row *r)
{
	struct tl_side	*s = arg;

	if (s->n >= s->cap || log_row_copy(s->a, &s->logs[s->n], r) == -1) {
		s->oom = 1;
		return 1;
	}
	s->ts[s->n++] = r->timestamp;
	return 0;
}

static enum api_err
h_timeline(struct ctx *c)
{
	struct api_timeline_params p;
	struct trace_filter	 tf;
	struct log_filter	 lf;
	struct tl_side		 tr, lg;
	struct tl_pick		*picks;
	struct arena		*a = &c->req->arena;
	size_t			 n, i, cap;
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = param_err(api_params_timeline(c->query, c->query_len, a, &p,
	    &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	cap = (size_t)p.limit;
	memset(&tr, 0, sizeof(tr));
	memset(&lg, 0, sizeof(lg));
	tr.a = lg.a = a;
	tr.cap = lg.cap = cap;
	if ((tr.ts = arena_alloc(a, cap * sizeof(*tr.ts))) == NULL ||
	    (lg.ts = arena_alloc(a, cap * sizeof(*lg.ts))) == NULL ||
	    (tr.traces = arena_alloc(a, cap * sizeof(*tr.traces))) == NULL ||
	    (lg.logs = arena_alloc(a, cap * sizeof(*lg.logs))) == NULL ||
	    (picks = arena_alloc(a, cap * sizeof(*picks))) == NULL)
		return AE_INTERNAL;
	if (p.type != API_TL_LOG) {
		trace_filter_init(&tf);
		tf.limit = p.limit;
		tf.q = p.q;
		tf.service_name = p.tool;
		tf.date_from = p.date_from;
		rc = db_traces_list(c->db, &tf, tl_trace_cb, &tr);
		if (tr.oom)
			return AE_INTERNAL;
		if (rc != DB_OK)
			return db_err(c, rc);
	}
	if (p.type != API_TL_TRACE) {
		log_filter_init(&lf);
		lf.limit = p.limit;
		lf.q = p.q;
		lf.service_name = p.tool;
		lf.date_from = p.date_from;
		rc = db_logs_list(c->db, &lf, tl_log_cb, &lg, NULL);
		if (lg.oom)
			return AE_INTERNAL;
		if (rc != DB_OK)
			return db_err(c, rc);
	}
	n = timeline_merge(tr.ts, tr.n, lg.ts, lg.n, cap, picks);
	jw_arr(&c->w);
	for (i = 0; i < n; i++) {
		if (picks[i].kind == TL_KIND_TRACE)
			api_render_timeline_trace(&c->w,
			    &tr.traces[picks[i].index]);
		else
			api_render_timeline_log(&c->w, &lg.logs[picks[i].index]);
	}
	jw_arr_end(&c->w);
	return AE_OK;
}

/* ---- Logs and metrics ---- */

static enum api_err
h_logs(struct ctx *c)
{
	struct log_filter	 f;
	int64_t			 total = 0;
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = param_err(api_params_logs(c->query, c->query_len,
	    &c->req->arena, &f, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	jw_obj(&c->w);
	jw_key(&c->w, "logs");
	jw_arr(&c->w);
	rc = db_logs_list(c->db, &f, on_log, c, &total);
	jw_arr_end(&c->w);
	jw_kint(&c->w, "total", total);
	jw_obj_end(&c->w);
	return db_err(c, rc);
}

static int
on_str(void *arg, const char *s)
{
	struct ctx	*c = arg;

	jw_str(&c->w, s);
	return c->out.err;
}

/* {"<k0>":[distinct which=0],"<k1>":[which=1]} */
static enum api_err
distinct(struct ctx *c, enum db_rc (*fn)(struct db *, int, str_cb, void *),
    const char *k0, const char *k1)
{
	enum db_rc	 rc;

	if (c->db == NULL)
		return AE_NO_DB;
	jw_obj(&c->w);
	jw_key(&c->w, k0);
	jw_arr(&c->w);
	rc = fn(c->db, 0, on_str, c);
	jw_arr_end(&c->w);
	if (rc == DB_OK) {
		jw_key(&c->w, k1);
		jw_arr(&c->w);
		rc = fn(c->db, 1, on_str, c);
		jw_arr_end(&c->w);
	}
	jw_obj_end(&c->w);
	return db_err(c, rc);
}

static enum api_err
h_log(struct ctx *c)
{
	const char	*id;
	enum api_err	 e;

	if ((e = path_id(c, &id)) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	c->notfound = AE_LOG_NOT_FOUND;
	return db_err(c, db_log_get(c->db, id, on_log, c));
}

static int
on_metric(void *arg, const struct metric_row *r)
{
	struct ctx	*c = arg;

	api_render_metric(&c->w, r);
	return c->out.err;
}

static int
on_metric_summary(void *arg, const struct metric_summary *m)
{
	struct ctx	*c = arg;

	api_render_metric_summary(&c->w, m);
	return c->out.err;
}

static enum api_err
h_metrics(struct ctx *c)
{
	struct api_metrics_params p;
	int64_t			 total = 0;
	enum api_err		 e;
	enum db_rc		 rc;

	if ((e = param_err(api_params_metrics(c->query, c->query_len,
	    &c->req->arena, &p, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	jw_obj(&c->w);
	if (p.summary) {
		jw_key(&c->w, "summary");
		jw_arr(&c->w);
		rc = db_metrics_summary(c->db, p.f.date_from, p.f.date_to,
		    on_metric_summary, c);
		jw_arr_end(&c->w);
	} else {
		jw_key(&c->w, "metrics");
		jw_arr(&c->w);
		rc = db_metrics_list(c->db, &p.f, on_metric, c, &total);
		jw_arr_end(&c->w);
		jw_kint(&c->w, "total", total);
	}
	jw_obj_end(&c->w);
	return db_err(c, rc);
}

static enum api_err
h_metric_summary(struct ctx *c)
{
	int64_t		 from, to;
	enum api_err	 e;
	enum db_rc	 rc;

	if ((e = param_err(api_params_range(c->query, c->query_len,
	    &c->req->arena, &from, &to, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	jw_arr(&c->w);
	rc = db_metrics_summary(c->db, from, to, on_metric_summary, c);
	jw_arr_end(&c->w);
	return db_err(c, rc);
}

static enum api_err
h_metric(struct ctx *c)
{
	const char	*id;
	enum api_err	 e;

	if ((e = path_id(c, &id)) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	c->notfound = AE_METRIC_NOT_FOUND;
	return db_err(c, db_metric_get(c->db, id, on_metric, c));
}

static int
on_token_usage(void *arg, const struct token_usage *u)
{
	struct ctx	*c = arg;

	api_render_token_usage(&c->w, u);
	return c->out.err;
}

/* {"usage":[...]} (wrapped) or the bare array. */
static enum api_err
h_token_usage(struct ctx *c, int wrapped)
{
	enum db_rc	 rc;

	if (c->db == NULL)
		return AE_NO_DB;
	if (wrapped) {
		jw_obj(&c->w);
		jw_key(&c->w, "usage");
	}
	jw_arr(&c->w);
	rc = db_token_usage(c->db, on_token_usage, c);
	jw_arr_end(&c->w);
	if (wrapped)
		jw_obj_end(&c->w);
	return db_err(c, rc);
}

/* ---- Analytics (rollups) ---- */

static int
bucket_cb(void *arg, const struct rollup_row *r)
{
	buckets_add(arg, r);
	return 0;
}

/* "daily": the last days UTC days, gap-filled. */
static enum db_rc
daily(struct ctx *c, int64_t days)
{
	struct buckets	 b;
	enum db_rc	 rc;
	size_t		 i;

	if (buckets_init(&b, &c->req->arena, now_ms(), days, 0) == -1)
		return DB_ERROR;
	if ((rc = db_rollup(c->db, RG_DAY, b.first, buckets_end(&b),
	    bucket_cb, &b)) != DB_OK)
		return rc;
	jw_key(&c->w, "daily");
	jw_arr(&c->w);
	for (i = 0; i < b.n; i++)
		api_render_daily(&c->w, &b.rows[i]);
	jw_arr_end(&c->w);
	return DB_OK;
}

/* Start of the first UTC day of the last `days`. */
static int64_t
days_from(int64_t days)
{
	int64_t	 now = now_ms();

	return now - now % DAY_MS - (days - 1) * DAY_MS;
}

static int
tool_cb(void *arg, const struct rollup_row *r)
{
	struct ctx	*c = arg;

	api_render_tool_rollup(&c->w, r);
	return c->out.err;
}

static int
by_model_cb(void *arg, const struct rollup_row *r)
{
	struct ctx	*c = arg;

	api_render_by_model(&c->w, r);
	return c->out.err;
}

static enum db_rc
by_group(struct ctx *c, enum rollup_group g, int64_t days)
{
	enum db_rc	 rc;

	jw_key(&c->w, g == RG_TOOL ? "by_tool" : "by_model");
	jw_arr(&c->w);
	rc = db_rollup(c->db, g, days_from(days), DB_NULL,
	    g == RG_TOOL ? tool_cb : by_model_cb, c);
	jw_arr_end(&c->w);
	return rc;
}

static enum api_err
h_analytics(struct ctx *c, enum route which)
{
	struct api_analytics_params p;
	struct buckets		 b;
	enum api_err		 e;
	enum db_rc		 rc = DB_OK;
	size_t			 i;
	int			 hourly;

	if ((e = param_err(api_params_analytics(c->query, c->query_len,
	    &c->req->arena, which == ROUTE_TRENDS, &p, &c->perr))) != AE_OK)
		return e;
	if (c->db == NULL)
		return AE_NO_DB;
	jw_obj(&c->w);
	switch (which) {
	case ROUTE_ANALYTICS:
		if ((rc = daily(c, p.days)) == DB_OK &&
		    (rc = by_group(c, RG_TOOL, p.days)) == DB_OK)
			rc = by_group(c, RG_MODEL, p.days);
		break;
	case ROUTE_DAILY:
		rc = daily(c, p.days);
		break;
	case ROUTE_BY_TOOL:
		rc = by_group(c, RG_TOOL, p.days);
		break;
	case ROUTE_BY_MODEL:
		rc = by_group(c, RG_MODEL, p.days);
		break;
	case ROUTE_TRENDS:
		hourly = p.interval == API_HOUR;
		if (buckets_init(&b, &c->req->arena, now_ms(), p.days,
		    hourly) == -1)
			return AE_INTERNAL;
		if ((rc = db_rollup(c->db, hourly ? RG_HOUR : RG_DAY, b.first,
		    buckets_end(&b), bucket_cb, &b)) != DB_OK)
			break;
		jw_key(&c->w, "trends");
		jw_arr(&c->w);
		for (i = 0; i < b.n; i++)
			api_render_trend(&c->w, &b.rows[i], hourly);
		jw_arr_end(&c->w);
		jw_kstr(&c->w, "interval", hourly ? "hour" : "day");
		break;
	default:
		abort();
	}
	jw_kint(&c->w, "days", p.days);
	jw_obj_end(&c->w);
	return db_err(c, rc);
}

static void
handle(struct req *req, void *arg)
{
	struct api_thread	*t = arg;
	struct ctx		 c;
	const char		*path, *query;
	size_t			 path_len, query_len;
	enum api_err		 e;

	memset(&c, 0, sizeof(c));
	c.req = req;
	c.t = t;
	c.status = 200;
	c.notfound = AE_NOT_FOUND;
	api_uri_split(req_env(req, "REQUEST_URI"), &path, &path_len, &query,
	    &query_len);
	c.query = (const uint8_t *)query;
	c.query_len = query_len;
	buf_init(&c.hdr, LF_MAX_HEADER_BYTES);
	buf_init(&c.out, LF_MAX_RESPONSE);
	jw_init(&c.w, &c.out);

	switch (api_route_find(routes, ROUTE__MAX,
	    api_method_parse(req_env(req, "REQUEST_METHOD")), path, path_len,
	    &c.m)) {
	case API_ROUTE_FOUND:
		break;
	case API_ROUTE_NOT_FOUND:
		e = AE_NOT_FOUND;
		goto out;
	case API_ROUTE_BAD_METHOD:
		e = AE_METHOD;
		goto out;
	default:
		abort();
	}

	if (t != NULL && c.m.index != ROUTE_SPANS &&
	    c.m.index != ROUTE_HEALTH_PROVIDERS) {
		open_db(&t->db, &t->opened_at, DB_READ);
		c.db = t->db;
	}
	if (query_len > LF_MAX_QUERY_STRING) {
		c.perr.param = NULL;
		snprintf(c.perr.msg, sizeof(c.perr.msg),
		    "Query string longer than %d bytes",
		    (int)LF_MAX_QUERY_STRING);
		e = AE_BAD_PARAM;
		goto out;
	}

	switch (c.m.index) {
	case ROUTE_HEALTH:
		e = h_health(&c);
		break;
	case ROUTE_HEALTH_PROVIDERS:
		api_health_providers(&c.w);
		e = AE_OK;
		break;
	case ROUTE_STATS:
		e = h_stats(&c);
		break;
	case ROUTE_MODELS:
		e = h_models(&c);
		break;
	case ROUTE_TRACES:
		e = h_traces(&c);
		break;
	case ROUTE_EXPORT:
		e = h_export(&c);
		break;
	case ROUTE_TREE:
		e = h_tree(&c);
		break;
	case ROUTE_TRACE_LOGS:
		e = h_trace_logs(&c);
		break;
	case ROUTE_TRACE:
		e = h_trace(&c);
		break;
	case ROUTE_SPANS:
		e = h_spans(&c);
		break;
	case ROUTE_SESSIONS:
		e = h_sessions(&c);
		break;
	case ROUTE_SESSION:
		e = h_session(&c);
		break;
	case ROUTE_TIMELINE:
		e = h_timeline(&c);
		break;
	case ROUTE_LOGS:
		e = h_logs(&c);
		break;
	case ROUTE_LOG_FILTERS:
		e = distinct(&c, db_logs_distinct, "services", "event_names");
		break;
	case ROUTE_LOG:
		e = h_log(&c);
		break;
	case ROUTE_METRICS:
		e = h_metrics(&c);
		break;
	case ROUTE_METRIC_FILTERS:
		e = distinct(&c, db_metrics_distinct, "names", "services");
		break;
	case ROUTE_METRIC_SUMMARY:
		e = h_metric_summary(&c);
		break;
	case ROUTE_METRIC_TOKENS:
		e = h_token_usage(&c, 1);
		break;
	case ROUTE_METRIC:
		e = h_metric(&c);
		break;
	case ROUTE_TOKEN_USAGE:
		e = h_token_usage(&c, 0);
		break;
	case ROUTE_ANALYTICS:
	case ROUTE_DAILY:
	case ROUTE_TRENDS:
	case ROUTE_BY_TOOL:
	case ROUTE_BY_MODEL:
		e = h_analytics(&c, (enum route)c.m.index);
		break;
	default:
		abort();
	}
out:
	if (e == AE_OK) {
		if (c.out.err)
			reply_error(req, 500, "Response too large", NULL);
		else
			reply(req, c.status, "application/json; charset=utf-8",
			    c.hdr.err ? NULL : buf_str(&c.hdr),
			    buf_str(&c.out), c.out.len);
	} else if (e != AE_SENT)
		api_fail(&c, e);
	buf_free(&c.out);
	buf_free(&c.hdr);
}

static void *
thread_init(int index)
{
	struct api_thread	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("thread %d: out of memory", index);
		return NULL;
	}
	open_db(&t->db, &t->opened_at, DB_READ);
	return t;
}

static void
thread_fini(void *arg)
{
	struct api_thread	*t = arg;

	if (t == NULL)
		return;
	db_close(&t->db);
	db_close(&t->w);
	free(t);
}

static const struct server_ops ops = {
	.thread_init = thread_init,
	.thread_fini = thread_fini,
	.handle = handle,
};

int
main(void)
{
	char	 err[512];

	signal(SIGPIPE, SIG_IGN);
	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "llmflow-api: %s\n", err);
		return 1;
	}
	log_init("llmflow-api", cfg.verbose);
	if (upstream_global_init() == -1) {
		log_warn("libcurl failed to initialise");
		return 1;
	}
	providers_load();
	/* Without prices, POST /api/spans stores spans unpriced (a reported
	 * cost is still kept). */
	if (pricing_load(cfg.prices, cfg.pricing_file, err, sizeof(err)) == -1)
		log_warn("%s; costs will not be computed", err);
	return server_run(&ops, cfg.threads);
}
