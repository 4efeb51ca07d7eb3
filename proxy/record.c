/*
 * Recording a call: once the client has its answer, the call is priced
 * and stored as one traces row, secrets redacted and bodies cut.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "call.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "pricing.h"
#include "request.h"

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
		    usage_sum(u));
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

void
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
		u->total = usage_sum(u);
	src = model ? pricing_cost(providers[c->route->prov].name, model, u, &cost) :
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
	r.provider = providers[c->route->prov].name;
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
	if (c->mode == M_XBODY && c->client_body.len > 0) {
		r.response_body = c->client_body.p;
		r.response_body_len = c->client_body.len > cfg.max_stored_body ?
		    cfg.max_stored_body : c->client_body.len;
		r.response_body_truncated = c->client_body.len >
		    cfg.max_stored_body;
	} else if (c->is_sse) {
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
	if (c->route->kind == R_PASSTHROUGH)
		r.attributes = "{\"llmflow.route\":\"passthrough\"}";
	else if (c->translating)
		r.attributes = "{\"llmflow.route\":\"translated\"}";
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
	else if (++c->w->stored % LF_PRUNE_EVERY == 0)
		db_maintain(c->w->db);	/* retention, off the request path */
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

