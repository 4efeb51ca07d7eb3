/*
 * llmflow-api: the read-only query API behind the dashboard.
 *
 * The whole surface is the table below.  Routing uses REQUEST_URI (its
 * path; the query string after '?'), never SCRIPT_NAME/PATH_INFO, so it
 * works the same under any FastCGI mount.  An unknown path is 404, a
 * known path with another method 405 with Allow, before any other work.
 * Query parameters are declared and checked in params.c; handlers see a
 * typed struct.  One read-only database handle per thread.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "health.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "params.h"
#include "providers.h"
#include "render.h"
#include "routes.h"
#include "server.h"
#include "upstream.h"

enum route {
	ROUTE_HEALTH,	/* GET /api/health */
	ROUTE_TRACES,	/* GET /api/traces?limit&offset&model&provider&status
			 *     &q&date_from&date_to (params.c) */
	ROUTE_TRACE,	/* GET /api/traces/:id */
	ROUTE_STATS,	/* GET /api/stats */
	ROUTE_HEALTH_PROVIDERS,	/* GET /api/health/providers */
	ROUTE__MAX
};

static const struct api_route routes[ROUTE__MAX] = {
	[ROUTE_HEALTH] =	{ API_GET, "/api/health", 0 },
	[ROUTE_TRACES] =	{ API_GET, "/api/traces", 0 },
	[ROUTE_TRACE] =		{ API_GET, "/api/traces", 1 },
	[ROUTE_STATS] =		{ API_GET, "/api/stats", 0 },
	[ROUTE_HEALTH_PROVIDERS] = { API_GET, "/api/health/providers", 0 },
};

/* How a request failed; api_fail() maps each to a status and a body. */
enum api_err {
	AE_OK = 0,
	AE_BAD_PARAM,		/* 400, names the parameter */
	AE_NOT_FOUND,		/* 404 */
	AE_METHOD,		/* 405 */
	AE_TRACE_NOT_FOUND,	/* 404 */
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
};

/* One request. */
struct ctx {
	struct req		*req;
	struct db		*db;
	struct api_match	 m;
	const uint8_t		*query;
	size_t			 query_len;
	struct buf		 out;	/* the 200 answer */
	struct jw		 w;
	struct api_perr		 perr;	/* AE_BAD_PARAM */
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

/* Open the thread's read-only handle unless it is open or was tried
 * within DB_REOPEN_MS; t->db stays NULL on failure. */
static void
thread_db(struct api_thread *t)
{
	enum db_rc	 rc;
	int64_t		 now = now_ms();

	if (t->db != NULL || (t->opened_at != 0 &&
	    now - t->opened_at >= 0 && now - t->opened_at < DB_REOPEN_MS))
		return;
	t->opened_at = now;
	if ((rc = db_open(&t->db, cfg.db_path, DB_READ)) != DB_OK) {
		log_warn("cannot open database %s (%s); answering 503",
		    cfg.db_path, db_rc_name(rc));
		t->db = NULL;
	}
}

static enum api_err
db_err(enum db_rc rc)
{
	switch (rc) {
	case DB_OK:
		return AE_OK;
	case DB_NOTFOUND:
		return AE_TRACE_NOT_FOUND;
	case DB_BUSY:
		return AE_DB_BUSY;
	case DB_ERROR:
		return AE_INTERNAL;
	default:
		abort();
	}
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
	default:
		abort();
	}
}


static enum api_err
h_health(struct ctx *c)
{
	int64_t		 n;
	enum db_rc	 rc;

	if ((rc = db_trace_count(c->db, &n)) != DB_OK)
		return db_err(rc);
	api_render_health(&c->w, now_ms(), n);
	return AE_OK;
}

/* Row callbacks stop the walk once the answer has overflowed. */
static int
summary_cb(void *arg, const struct trace_rec *r)
{
	struct ctx	*c = arg;

	api_render_summary(&c->w, r);
	return c->out.err;
}

static enum api_err
h_traces(struct ctx *c)
{
	struct trace_filter	 f;
	enum db_rc		 rc;

	switch (api_params_traces(c->query, c->query_len, &c->req->arena, &f,
	    &c->perr)) {
	case 0:
		break;
	case -1:
		return AE_BAD_PARAM;
	default:
		return AE_INTERNAL;
	}
	if (c->db == NULL)
		return AE_NO_DB;
	jw_arr(&c->w);
	rc = db_traces_list(c->db, &f, summary_cb, c);
	jw_arr_end(&c->w);
	if (rc == DB_ERROR && c->out.err)
		return AE_OK;	/* reply_json answers "Response too large" */
	return db_err(rc);
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
	enum db_rc	 rc;

	switch (api_param_id(c->m.id, c->m.id_len, &c->req->arena, &id,
	    &c->perr)) {
	case 0:
		break;
	case -1:
		return AE_BAD_PARAM;
	default:
		return AE_INTERNAL;
	}
	if (c->db == NULL)
		return AE_NO_DB;
	rc = db_trace_get(c->db, id, detail_cb, c);
	if (rc == DB_ERROR && c->out.err)
		return AE_OK;
	return db_err(rc);
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
	} else if ((e = db_err(rc)) == AE_OK)
		api_render_stats(&c->w, &st, buf_str(&ms.b), ms.b.len);
	buf_free(&ms.b);
	return e;
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
	api_uri_split(req_env(req, "REQUEST_URI"), &path, &path_len, &query,
	    &query_len);
	c.query = (const uint8_t *)query;
	c.query_len = query_len;
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

	if (t != NULL) {
		thread_db(t);
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
	if (c.db == NULL && c.m.index != ROUTE_TRACES &&
	    c.m.index != ROUTE_TRACE && c.m.index != ROUTE_HEALTH_PROVIDERS) {
		e = AE_NO_DB;
		goto out;
	}

	switch (c.m.index) {
	case ROUTE_HEALTH:
		e = h_health(&c);
		break;
	case ROUTE_TRACES:
		e = h_traces(&c);
		break;
	case ROUTE_TRACE:
		e = h_trace(&c);
		break;
	case ROUTE_STATS:
		e = h_stats(&c);
		break;
	case ROUTE_HEALTH_PROVIDERS:
		api_health_providers(&c.w);
		e = AE_OK;
		break;
	default:
		abort();
	}
out:
	if (e == AE_OK)
		reply_json(req, 200, &c.out);
	else
		api_fail(&c, e);
	buf_free(&c.out);
}

static void *
thread_init(int index)
{
	struct api_thread	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("thread %d: out of memory", index);
		return NULL;
	}
	thread_db(t);
	return t;
}

static void
thread_fini(void *arg)
{
	struct api_thread	*t = arg;

	if (t == NULL)
		return;
	db_close(&t->db);
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
	return server_run(&ops, cfg.threads);
}
