/*
 * llmflow-proxy: the FastCGI program behind the proxy port.  It forwards
 * each call to the provider's upstream, streams the answer back as it
 * arrives, and, once the client has its answer, stores the call as a trace.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "config.h"
#include "db.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "openai.h"
#include "pricing.h"
#include "request.h"
#include "server.h"
#include "sse.h"
#include "upstream.h"
#include "usage.h"

/* ---- The surface of this program ------------------------------------ */

/* How a provider takes its key when the client sends none. */
enum auth {
	AUTH_BEARER		/* Authorization: Bearer KEY */
};

/* Request and response dialect the provider speaks. */
enum dialect {
	DIALECT_OPENAI
};

enum provider_id {
	PROV_OPENAI,
	PROV__MAX
};

struct provider {
	const char	*name;		/* stored in traces.provider */
	const char	*prefix;	/* path prefix on the proxy port */
	const char	*upstream_env;	/* overrides the origin */
	const char	*upstream_def;	/* default origin */
	const char	*key_env;	/* key added when the client has none */
	enum auth	 auth;
	enum dialect	 dialect;
};

static const struct provider providers[PROV__MAX] = {
	[PROV_OPENAI] = { "openai", "/v1/", "LLMFLOW_UPSTREAM_OPENAI",
	    "https://api.openai.com", "OPENAI_API_KEY", AUTH_BEARER,
	    DIALECT_OPENAI },
};

/* Methods forwarded; anything else is 405. */
static const char *const methods[] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL
};

/* ---- Start-up state (read-only once threads run) -------------------- */

struct origin {
	char		 url[512];	/* scheme://host[:port][/base], no slash at end */
	char		 error[160];	/* why the configured origin is unusable */
	const char	*key;		/* from the environment, or NULL */
};

static struct origin	 origins[PROV__MAX];

struct worker {
	struct db	*db;
	struct upstream	*up;
};

/* ---- One call -------------------------------------------------------- */

/* Bytes of a non-stream response body kept for reading usage. */
#define PARSE_BODY_MAX	(16UL << 20)

struct call {
	struct req		*req;
	struct worker		*w;
	const struct provider	*prov;
	struct timespec		 t0;		/* monotonic start */
	int64_t			 start_ms;	/* wall-clock start */
	int64_t			 ttft_ms;
	struct timespec		 last_rx;	/* last upstream byte */
	struct timespec		 last_ping;
	const char		*method;
	const char		*uri;
	struct buf		 body;		/* client's request body */
	struct buf		 up_body;	/* body sent upstream, if rewritten */
	int			 rewrite;	/* we asked for usage: strip it */
	char			 req_model[LF_MAX_MODEL];
	int			 stream_req;
	char			 span_id[17];
	char			 trace_id[LF_MAX_ID + 1];
	char			 parent_id[LF_MAX_ID + 1];
	struct buf		 req_headers;	/* JSON, redacted */
	struct buf		 tags;		/* JSON array */
	/* response */
	int			 status;	/* upstream status */
	int			 headers_sent;
	int			 is_sse;
	int			 have_clen;
	char			 clen[32];
	struct buf		 head;		/* CGI header block for the client */
	struct buf		 resp_headers;	/* JSON, for the trace */
	struct jw		 rhw;
	struct buf		 resp_body;	/* non-stream body copy */
	size_t			 resp_total;	/* body bytes seen */
	struct sse		 sse;
	struct buf		 data;		/* one event's data */
	struct buf		 out;		/* one rewritten event */
	struct llm_result	 res;
	char			 error[LF_MAX_ERROR];
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
since_ms(const struct timespec *t0)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)(ts.tv_sec - t0->tv_sec) * 1000 +
	    (ts.tv_nsec - t0->tv_nsec) / 1000000;
}

/* An error answer in the shape OpenAI's SDKs read. */
static void
proxy_error(struct call *c, int status, const char *code, const char *msg)
{
	struct buf	 b;
	struct jw	 w;

	buf_init(&b, LF_MAX_ERROR * 8);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kstr(&w, "message", msg);
	jw_kstr(&w, "type", "llmflow_error");
	jw_kstr(&w, "code", code);
	jw_obj_end(&w);
	jw_obj_end(&w);
	reply(c->req, status, "application/json; charset=utf-8", NULL,
	    buf_str(&b), b.len);
	buf_free(&b);
	c->status = status;
	snprintf(c->error, sizeof(c->error), "%s", msg);
}

/* ---- Upstream callbacks ------------------------------------------------ */

static int
on_status(void *arg, int status)
{
	struct call	*c = arg;

	c->status = status;
	c->is_sse = 0;
	c->have_clen = 0;
	buf_reset(&c->head);
	buf_reset(&c->resp_headers);
	jw_init(&c->rhw, &c->resp_headers);
	jw_obj(&c->rhw);
	buf_printf(&c->head, "Status: %d %s\r\n", status, http_reason(status));
	return 0;
}

static int
on_header(void *arg, const char *name, size_t nlen, const char *v, size_t vlen)
{
	struct call	*c = arg;
	char		 lname[128];
	size_t		 i;

	if (nlen >= sizeof(lname))
		return 0;	/* no real header has such a name: dropped */
	for (i = 0; i < nlen; i++)
		lname[i] = (char)((name[i] >= 'A' && name[i] <= 'Z') ?
		    name[i] + 32 : name[i]);
	lname[nlen] = '\0';
	if (strcmp(lname, "content-length") == 0) {
		c->have_clen = vlen < sizeof(c->clen);
		if (c->have_clen) {
			memcpy(c->clen, v, vlen);
			c->clen[vlen] = '\0';
		}
	} else if (strcmp(lname, "status") != 0 && !header_is_hop(lname)) {
		buf_add(&c->head, name, nlen);
		buf_add(&c->head, ": ", 2);
		buf_add(&c->head, v, vlen);
		buf_add(&c->head, "\r\n", 2);
	}
	if (strcmp(lname, "content-type") == 0 && vlen >= 17 &&
	    strncasecmp(v, "text/event-stream", 17) == 0)
		c->is_sse = 1;
	jw_key(&c->rhw, lname);
	if (header_is_secret(lname))
		jw_str(&c->rhw, "[redacted]");
	else
		jw_strn(&c->rhw, v, vlen);
	return 0;
}

static int
on_headers_done(void *arg)
{
	struct call	*c = arg;

	/* A body we rewrite no longer has the upstream's length. */
	if (c->have_clen && !(c->rewrite && c->is_sse))
		buf_printf(&c->head, "Content-Length: %s\r\n", c->clen);
	buf_add(&c->head, "\r\n", 2);
	jw_obj_end(&c->rhw);
	if (c->head.err) {
		snprintf(c->error, sizeof(c->error),
		    "upstream response headers too large");
		return 1;
	}
	c->headers_sent = 1;
	c->req->status = c->status;
	if (req_write(c->req, c->head.p, c->head.len) == -1 ||
	    req_flush(c->req) == -1)
		return 1;
	return 0;
}

/* Parse one complete event's data into the result; returns its flags. */
static int
parse_event(struct call *c, const char *ev, size_t n)
{
	if (sse_data(ev, n, &c->data) != 1)
		return 0;
	return openai_stream_data(&c->res, c->data.p, c->data.len);
}

/* Events when the client gets the upstream's bytes as they are. */
static int
ev_parse(void *arg, const char *p, size_t n, int complete)
{
	struct call	*c = arg;

	if (complete)
		parse_event(c, p, n);
	return 0;
}

/* Events when we asked for usage and must take it out again. */
static int
ev_rewrite(void *arg, const char *p, size_t n, int complete)
{
	struct call	*c = arg;
	int		 r;

	if (!complete)
		return req_write(c->req, p, n) == -1;
	parse_event(c, p, n);
	r = openai_strip_usage(p, n, &c->out);
	if (r == 1)
		return 0;
	if (r == 0)
		return req_write(c->req, c->out.p, c->out.len) == -1;
	return req_write(c->req, p, n) == -1;
}

static int
on_body(void *arg, const char *p, size_t n)
{
	struct call	*c = arg;

	if (c->ttft_ms == DB_NULL)
		c->ttft_ms = since_ms(&c->t0);
	clock_gettime(CLOCK_MONOTONIC, &c->last_rx);
	if (c->resp_total > SIZE_MAX - n)
		c->resp_total = SIZE_MAX;
	else
		c->resp_total += n;
	if (c->is_sse && c->rewrite) {
		if (sse_feed(&c->sse, p, n, ev_rewrite, c) != 0)
			return 1;
		return req_flush(c->req) == -1;
	}
	if (req_write(c->req, p, n) == -1 || req_flush(c->req) == -1)
		return 1;
	if (c->is_sse)
		sse_feed(&c->sse, p, n, ev_parse, c);
	else if (c->resp_body.len < c->resp_body.max)
		buf_add(&c->resp_body, p, n <= c->resp_body.max -
		    c->resp_body.len ? n : c->resp_body.max - c->resp_body.len);
	return 0;
}

static int
on_tick(void *arg)
{
	struct call	*c = arg;
	int64_t		 hb = cfg.heartbeat * 1000;

	/* A client that went away is only noticed when we write to it:
	 * during a long silence, write an SSE comment between events. */
	if (hb <= 0 || !c->headers_sent || !c->is_sse ||
	    !sse_idle(&c->sse) || c->ttft_ms == DB_NULL)
		return 0;
	if (since_ms(&c->last_rx) < hb || since_ms(&c->last_ping) < hb)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &c->last_ping);
	if (req_write(c->req, ": ping\n\n", 8) == -1 ||
	    req_flush(c->req) == -1)
		return 1;
	return 0;
}

/* ---- Request side ------------------------------------------------------ */

static int
route(const char *uri, const struct provider **out)
{
	int	 i;

	for (i = 0; i < PROV__MAX; i++)
		if (strncmp(uri, providers[i].prefix,
		    strlen(providers[i].prefix)) == 0) {
			*out = &providers[i];
			return 0;
		}
	return -1;
}

static int
method_ok(const char *m)
{
	const char *const	*p;

	for (p = methods; *p != NULL; p++)
		if (strcmp(m, *p) == 0)
			return 1;
	return 0;
}

/* Read the whole body, at most cfg.max_body bytes: 0, or the status. */
static int
read_body(struct call *c)
{
	const char	*cl = req_env(c->req, "CONTENT_LENGTH");
	int64_t		 want = 0;
	char		 tmp[65536];
	ssize_t		 n;

	if (cl != NULL && *cl != '\0' &&
	    parse_i64(cl, 0, INT64_MAX, &want) == -1)
		return 400;
	if ((uint64_t)want > cfg.max_body)
		return 413;
	buf_init(&c->body, cfg.max_body);
	while ((n = req_read(c->req, tmp, sizeof(tmp))) > 0)
		if (buf_add(&c->body, tmp, (size_t)n) == -1)
			return 413;
	if (n < 0)
		return 400;
	if ((int64_t)c->body.len != want && cl != NULL && *cl != '\0')
		return 400;
	return 0;
}

/* "Name: <prefix><value>" in the arena, or NULL. */
static const char *
header_line(struct arena *a, const char *name, const char *prefix,
    const char *v)
{
	struct buf	 b;
	const char	*s;

	buf_init(&b, LF_MAX_HEADER_BYTES);
	buf_adds(&b, name);
	buf_add(&b, ": ", 2);
	buf_adds(&b, prefix);
	buf_adds(&b, v);
	s = b.err ? NULL : arena_strndup(a, b.p, b.len);
	buf_free(&b);
	return s;
}

/*
 * Forwarded headers ("Name: value" in the arena) and, at once, the
 * redacted JSON copy kept with the trace.  Also picks up trace context
 * and tags.
 */
static const char **
collect_headers(struct call *c, size_t *nout)
{
	struct jw	 w, tw;
	const char	**hv;
	char		 name[128], tp_trace[33], tp_parent[17];
	const char	*v, *ct;
	char		**e;
	size_t		 n = 0;
	int		 has_auth = 0, ntags = 0, have_tp = 0;
	const char	*xtrace = NULL, *xparent = NULL;

	if ((hv = arena_alloc(&c->req->arena,
	    (LF_MAX_HEADERS + 4) * sizeof(*hv))) == NULL)
		return NULL;
	buf_init(&c->req_headers, LF_MAX_HEADER_BYTES * 2);
	buf_init(&c->tags, LF_MAX_TAGS * (LF_MAX_TAG + 8) + 8);
	jw_init(&w, &c->req_headers);
	jw_init(&tw, &c->tags);
	jw_obj(&w);
	jw_arr(&tw);
	if ((ct = req_env(c->req, "CONTENT_TYPE")) != NULL && *ct != '\0' &&
	    header_value_ok(ct)) {
		if ((hv[n++] = header_line(&c->req->arena, "Content-Type",
		    "", ct)) == NULL)
			return NULL;
		jw_kstr(&w, "content-type", ct);
	}
	for (e = c->req->envp; e && *e != NULL; e++) {
		if (cgi_header_name(*e, name, sizeof(name)) == -1)
			continue;
		v = strchr(*e, '=') + 1;
		if (strcmp(name, "x-llmflow-tag") == 0 ||
		    strcmp(name, "x-llmflow-tags") == 0)
			tags_add(&tw, v, &ntags);
		else if (strcmp(name, "traceparent") == 0)
			have_tp = parse_traceparent(v, tp_trace, tp_parent) == 0;
		else if (strcmp(name, "x-trace-id") == 0)
			xtrace = v;
		else if (strcmp(name, "x-parent-id") == 0)
			xparent = v;
		if (strcmp(name, "authorization") == 0 ||
		    strcmp(name, "api-key") == 0)
			has_auth = 1;
		jw_key(&w, name);
		jw_str(&w, header_is_secret(name) ? "[redacted]" : v);
		if (header_not_forwarded(name) || !header_value_ok(v) ||
		    n >= LF_MAX_HEADERS)
			continue;
		if ((hv[n++] = header_line(&c->req->arena, name, "", v)) == NULL)
			return NULL;
	}
	if (!has_auth && origins[c->prov - providers].key != NULL &&
	    (hv[n++] = header_line(&c->req->arena, "Authorization",
	    "Bearer ", origins[c->prov - providers].key)) == NULL)
		return NULL;
	jw_obj_end(&w);
	jw_arr_end(&tw);
	if (have_tp) {
		memcpy(c->trace_id, tp_trace, sizeof(tp_trace));
		memcpy(c->parent_id, tp_parent, sizeof(tp_parent));
	} else if (xtrace != NULL && id_ok(xtrace)) {
		snprintf(c->trace_id, sizeof(c->trace_id), "%s", xtrace);
		if (xparent != NULL && id_ok(xparent))
			snprintf(c->parent_id, sizeof(c->parent_id), "%s",
			    xparent);
	}
	*nout = n;
	return hv;
}

/* ---- Recording ----------------------------------------------------------- */

/* The answer of a stream, assembled, as the trace keeps it. */
static void
assemble_stream(struct call *c, struct buf *out)
{
	struct jw		 w;
	const struct usage	*u = &c->res.usage;
	int			 responses = strstr(c->uri, "/responses") != NULL;

	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "id", c->res.id[0] ? c->res.id : NULL);
	jw_kstr(&w, "object", responses ? "response" : "chat.completion");
	jw_kstr(&w, "model", c->res.model[0] ? c->res.model : c->req_model);
	if (responses)
		jw_kstr(&w, "output_text", buf_str(&c->res.text));
	else {
		jw_key(&w, "choices");
		jw_arr(&w);
		jw_obj(&w);
		jw_kint(&w, "index", 0);
		jw_key(&w, "message");
		jw_obj(&w);
		jw_kstr(&w, "role", "assistant");
		jw_kstr(&w, "content", buf_str(&c->res.text));
		jw_obj_end(&w);
		jw_kstr(&w, "finish_reason", c->res.finish_reason[0] ?
		    c->res.finish_reason : NULL);
		jw_obj_end(&w);
		jw_arr_end(&w);
	}
	jw_key(&w, "usage");
	if (u->prompt < 0 && u->completion < 0)
		jw_null(&w);
	else {
		jw_obj(&w);
		jw_kint(&w, "prompt_tokens", u->prompt < 0 ? 0 : u->prompt);
		jw_kint(&w, "completion_tokens", u->completion < 0 ? 0 :
		    u->completion);
		jw_kint(&w, "total_tokens", u->total >= 0 ? u->total :
		    (u->prompt > 0 ? u->prompt : 0) +
		    (u->completion > 0 ? u->completion : 0));
		jw_obj_end(&w);
	}
	jw_kbool(&w, "_streaming", 1);
	jw_kint(&w, "_chunks", c->res.chunks);
	if (c->res.text.err)
		jw_kbool(&w, "_text_truncated", 1);
	jw_obj_end(&w);
}

/* "chat gpt-4o-mini", after the GenAI conventions. */
static void
span_name(const struct call *c, const char *model, char *out, size_t outsz)
{
	static const struct { const char *suffix, *op; } ops[] = {
		{ "/chat/completions", "chat" },
		{ "/completions", "text_completion" },
		{ "/embeddings", "embeddings" },
		{ "/responses", "responses" },
	};
	char	 path[256];
	size_t	 i, n, sl;

	n = strcspn(c->uri, "?");
	if (n >= sizeof(path))
		n = sizeof(path) - 1;
	memcpy(path, c->uri, n);
	path[n] = '\0';
	for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		sl = strlen(ops[i].suffix);
		if (n >= sl && strcmp(path + n - sl, ops[i].suffix) == 0) {
			snprintf(out, outsz, "%s%s%s", ops[i].op,
			    model ? " " : "", model ? model : "");
			return;
		}
	}
	snprintf(out, outsz, "%s %s", c->method, path);
}

static void
record(struct call *c)
{
	struct trace_rec	 r;
	struct buf		 path, stream_body;
	struct usage		*u = &c->res.usage;
	double			 cost = NAN;
	enum cost_source	 src;
	enum db_rc		 rc;
	const char		*model;
	char			 name[LF_MAX_MODEL + 64];
	int			 i;

	model = c->res.model[0] ? c->res.model :
	    c->req_model[0] ? c->req_model : NULL;
	if (u->total < 0 && (u->prompt >= 0 || u->completion >= 0))
		u->total = (u->prompt > 0 ? u->prompt : 0) +
		    (u->completion > 0 ? u->completion : 0);
	src = model ? pricing_cost(c->prov->name, model, u, &cost) :
	    COST_UNKNOWN;
	buf_init(&path, LF_MAX_QUERY_STRING * 2);
	redact_uri(c->uri, &path);
	buf_init(&stream_body, cfg.max_stored_body);

	trace_rec_init(&r);
	r.id = c->span_id;
	r.trace_id = c->trace_id;
	r.parent_id = c->parent_id[0] ? c->parent_id : NULL;
	r.timestamp = c->start_ms;
	r.duration_ms = since_ms(&c->t0);
	r.ttft_ms = c->stream_req || c->is_sse ? c->ttft_ms : DB_NULL;
	r.provider = c->prov->name;
	r.model = model;
	r.prompt_tokens = u->prompt < 0 ? DB_NULL : u->prompt;
	r.completion_tokens = u->completion < 0 ? DB_NULL : u->completion;
	r.total_tokens = u->total < 0 ? DB_NULL : u->total;
	r.cached_tokens = u->cached < 0 ? DB_NULL : u->cached;
	r.cache_creation_tokens = u->cache_creation < 0 ? DB_NULL :
	    u->cache_creation;
	r.reasoning_tokens = u->reasoning < 0 ? DB_NULL : u->reasoning;
	r.estimated_cost = src == COST_UNKNOWN ? NAN : cost;
	r.cost_source = cost_source_name(src);
	r.status = c->req->client_gone ? 499 : c->status;
	if (c->req->client_gone && c->error[0] == '\0')
		snprintf(c->error, sizeof(c->error),
		    "client closed the connection");
	if (c->error[0] == '\0' && c->status >= 400)
		snprintf(c->error, sizeof(c->error), "%s",
		    c->res.error[0] ? c->res.error : http_reason(c->status));
	r.error = c->error[0] ? c->error : NULL;
	r.request_method = c->method;
	r.request_path = path.err ? NULL : path.p;
	r.request_headers = c->req_headers.err ? "{}" : buf_str(&c->req_headers);
	if (c->body.len > 0) {
		r.request_body = c->body.p;
		r.request_body_len = c->body.len > cfg.max_stored_body ?
		    cfg.max_stored_body : c->body.len;
		r.request_body_truncated = c->body.len > cfg.max_stored_body;
	}
	r.response_status = c->headers_sent ? c->status : DB_NULL;
	if (c->headers_sent)
		r.response_headers = c->resp_headers.err ? "{}" :
		    buf_str(&c->resp_headers);
	if (c->is_sse) {
		assemble_stream(c, &stream_body);
		if (!stream_body.err) {
			r.response_body = stream_body.p;
			r.response_body_len = stream_body.len;
		}
		r.response_body_truncated = stream_body.err || c->res.text.err;
	} else if (c->resp_body.len > 0) {
		r.response_body = c->resp_body.p;
		r.response_body_len = c->resp_body.len > cfg.max_stored_body ?
		    cfg.max_stored_body : c->resp_body.len;
		r.response_body_truncated = c->resp_total > cfg.max_stored_body;
	}
	r.tags = c->tags.err ? "[]" : buf_str(&c->tags);
	r.span_type = "llm";
	span_name(c, model, name, sizeof(name));
	r.span_name = name;

	rc = DB_ERROR;
	for (i = 0; i < 2 && rc != DB_OK; i++) {
		if (c->w->db == NULL &&
		    db_open(&c->w->db, cfg.db_path, DB_WRITE) != DB_OK)
			continue;
		if ((rc = db_insert_trace(c->w->db, &r)) == DB_ERROR)
			db_close(&c->w->db);	/* reopen once */
	}
	if (rc != DB_OK)
		log_warn("trace %s not stored", c->span_id);
	if (isfinite(cost))
		log_info("%s %s %lld %s %lld tok $%.6f %lldms", c->method,
		    path.err ? "-" : path.p, (long long)r.status,
		    model ? model : "-", (long long)(u->total < 0 ? 0 : u->total),
		    cost, (long long)r.duration_ms);
	else
		log_info("%s %s %lld %s %lld tok unpriced %lldms", c->method,
		    path.err ? "-" : path.p, (long long)r.status,
		    model ? model : "-", (long long)(u->total < 0 ? 0 : u->total),
		    (long long)r.duration_ms);
	buf_free(&path);
	buf_free(&stream_body);
}

/* ---- The handler ------------------------------------------------------- */

static void
call_free(struct call *c)
{
	buf_free(&c->body);
	buf_free(&c->up_body);
	buf_free(&c->req_headers);
	buf_free(&c->tags);
	buf_free(&c->head);
	buf_free(&c->resp_headers);
	buf_free(&c->resp_body);
	buf_free(&c->data);
	buf_free(&c->out);
	sse_free(&c->sse);
	llm_result_free(&c->res);
}

/* Endpoints whose streams report usage only when asked (chat completions
 * and completions); the Responses API always reports it and refuses the
 * option. */
static int
asks_stream_usage(const char *uri)
{
	static const char *const ends[] = { "/chat/completions",
	    "/completions" };
	size_t	 n = strcspn(uri, "?"), i, l;

	for (i = 0; i < sizeof(ends) / sizeof(ends[0]); i++) {
		l = strlen(ends[i]);
		if (n >= l && strncmp(uri + n - l, ends[i], l) == 0)
			return 1;
	}
	return 0;
}

static void
forward(struct call *c)
{
	struct upstream_req	 rq;
	struct upstream_cb	 cb = { c, on_status, on_header,
	    on_headers_done, on_body, on_tick };
	const struct origin	*o = &origins[c->prov - providers];
	const char		**hv;
	struct buf		 url;
	char			 err[256];
	enum up_rc		 urc;
	size_t			 nh = 0;
	int			 rc;

	if ((rc = read_body(c)) != 0) {
		if (rc == 413)
			proxy_error(c, 413, "request_too_large",
			    "request body is larger than LLMFLOW_MAX_BODY");
		else
			proxy_error(c, 400, "bad_request_body",
			    "request body does not match Content-Length");
		return;
	}
	if ((hv = collect_headers(c, &nh)) == NULL) {
		proxy_error(c, 400, "bad_request_headers",
		    "request headers are too large");
		return;
	}
	if (c->body.len > 0 && c->prov->dialect == DIALECT_OPENAI) {
		openai_request_info(c->body.p, c->body.len, &c->stream_req,
		    c->req_model, sizeof(c->req_model));
		buf_init(&c->up_body, cfg.max_body + 64);
		if (c->stream_req && asks_stream_usage(c->uri) &&
		    openai_request_usage(c->body.p, c->body.len,
		    &c->up_body) == 1)
			c->rewrite = 1;
	}
	if (o->error[0] != '\0') {
		proxy_error(c, 502, "upstream_misconfigured", o->error);
		return;
	}
	buf_init(&url, sizeof(o->url) + LF_MAX_QUERY_STRING + 4096);
	buf_adds(&url, o->url);
	buf_adds(&url, c->uri);
	if (url.err) {
		buf_free(&url);
		proxy_error(c, 414, "uri_too_long", "request URI is too long");
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.url = url.p;
	rq.method = c->method;
	rq.headers = hv;
	rq.nheaders = nh;
	rq.body = c->rewrite ? c->up_body.p : c->body.p;
	rq.body_len = c->rewrite ? c->up_body.len : c->body.len;
	rq.timeout_s = cfg.upstream_timeout;
	clock_gettime(CLOCK_MONOTONIC, &c->last_rx);
	c->last_ping = c->last_rx;
	urc = upstream_perform(c->w->up, &rq, &cb, err, sizeof(err));
	buf_free(&url);
	if (c->is_sse)
		sse_finish(&c->sse, c->rewrite ? ev_rewrite : ev_parse, c);
	if (!c->is_sse && c->resp_body.len > 0 &&
	    c->resp_total <= c->resp_body.max)
		openai_parse_body(c->resp_body.p, c->resp_body.len, &c->res);
	switch (urc) {
	case UP_OK:
	case UP_ABORTED:
		break;
	case UP_CONNECT:
	case UP_TIMEOUT:
	case UP_ERROR:
		if (!c->headers_sent) {
			int st = urc == UP_TIMEOUT ? 504 : 502;
			char msg[LF_MAX_ERROR];

			snprintf(msg, sizeof(msg), "upstream %s failed: %s",
			    c->prov->name, err);
			proxy_error(c, st, urc == UP_TIMEOUT ?
			    "upstream_timeout" : "upstream_unreachable", msg);
		} else
			snprintf(c->error, sizeof(c->error),
			    "upstream transfer failed: %s", err);
		break;
	}
}

static void
handle(struct req *req, void *arg)
{
	struct call	 c;

	memset(&c, 0, sizeof(c));
	c.req = req;
	c.w = arg;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.start_ms = now_ms();
	c.ttft_ms = DB_NULL;
	c.method = req_env(req, "REQUEST_METHOD");
	c.uri = req_env(req, "REQUEST_URI");
	buf_init(&c.head, LF_MAX_HEADER_BYTES);
	buf_init(&c.resp_headers, LF_MAX_HEADER_BYTES * 2);
	buf_init(&c.resp_body, PARSE_BODY_MAX);
	buf_init(&c.data, LF_SSE_MAX_EVENT);
	buf_init(&c.out, LF_SSE_MAX_EVENT);
	sse_init(&c.sse, LF_SSE_MAX_EVENT);
	llm_result_init(&c.res, cfg.max_stored_body > 1024 ?
	    cfg.max_stored_body - 1024 : cfg.max_stored_body);
	random_hex(c.span_id, 8);
	random_hex(c.trace_id, 16);
	if (c.method == NULL || c.uri == NULL || c.uri[0] != '/') {
		reply_error(req, 400, "Bad request", NULL);
		goto out;
	}
	if (route(c.uri, &c.prov) == -1) {
		reply_error(req, 404, "Not Found", NULL);
		goto out;
	}
	if (!method_ok(c.method)) {
		reply(req, 405, "application/json; charset=utf-8",
		    "Allow: GET, POST, PUT, PATCH, DELETE, HEAD\r\n",
		    "{\"error\":\"Method Not Allowed\"}", 30);
		goto out;
	}
	if (c.w->up == NULL) {
		proxy_error(&c, 503, "unavailable", "proxy is out of memory");
		goto out;
	}
	forward(&c);
	/* The client has its answer; the trace is stored after. */
	req_finish(req);
	record(&c);
out:
	call_free(&c);
}

/* ---- Start-up ------------------------------------------------------------ */

/* Check a configured origin: http(s)://host[:port][/base], no query. */
static void
origin_load(const struct provider *p, struct origin *o)
{
	const char	*v = getenv(p->upstream_env), *host;
	size_t		 n;

	if (v == NULL || *v == '\0')
		v = p->upstream_def;
	o->key = getenv(p->key_env);
	if (o->key != NULL && (*o->key == '\0' || !header_value_ok(o->key)))
		o->key = NULL;
	if (strncmp(v, "http://", 7) == 0)
		host = v + 7;
	else if (strncmp(v, "https://", 8) == 0)
		host = v + 8;
	else
		host = NULL;
	n = strlen(v);
	while (n > 0 && v[n - 1] == '/')
		n--;
	if (host == NULL || *host == '\0' || *host == '/' ||
	    strpbrk(v, "?# \r\n\t") != NULL || n >= sizeof(o->url)) {
		snprintf(o->error, sizeof(o->error), "%s must be an http:// "
		    "or https:// origin", p->upstream_env);
		log_warn("%s", o->error);
		return;
	}
	memcpy(o->url, v, n);
	o->url[n] = '\0';
}

static void *
thread_init(int index)
{
	struct worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->up = upstream_new();
	if (db_open(&w->db, cfg.db_path, DB_WRITE) != DB_OK)
		w->db = NULL;	/* retried when a trace is stored */
	return w;
}

static void
thread_fini(void *arg)
{
	struct worker	*w = arg;

	if (w == NULL)
		return;
	db_close(&w->db);
	upstream_free(&w->up);
	free(w);
}

int
main(void)
{
	static const struct server_ops	 ops = { thread_init, thread_fini,
	    handle };
	char				 err[512];
	int				 i;

	signal(SIGPIPE, SIG_IGN);
	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "llmflow-proxy: %s\n", err);
		return 1;
	}
	log_init("llmflow-proxy", cfg.verbose);
	if (pricing_load(cfg.prices, cfg.pricing_file, err, sizeof(err)) == -1)
		log_warn("%s: every call will be unpriced", err);
	if (upstream_global_init() == -1) {
		log_warn("libcurl failed to initialise");
		return 1;
	}
	for (i = 0; i < PROV__MAX; i++)
		origin_load(&providers[i], &origins[i]);
	return server_run(&ops, cfg.threads);
}
