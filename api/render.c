#include <math.h>
#include <string.h>

#include "jsonvalid.h"
#include "limits.h"
#include "render.h"

/* Integer or null. */
static void
kint(struct jw *w, const char *k, int64_t v)
{
	jw_key(w, k);
	if (v == DB_NULL)
		jw_null(w);
	else
		jw_int(w, v);
}

/* Integer, 0 when absent (sums over no rows). */
static void
kint0(struct jw *w, const char *k, int64_t v)
{
	jw_kint(w, k, v == DB_NULL ? 0 : v);
}

/* Double, 0 when absent or not finite. */
static void
kdouble0(struct jw *w, const char *k, double v)
{
	jw_kdouble(w, k, isfinite(v) ? v : 0.0);
}

void
api_render_embedded(struct jw *w, const char *s, size_t len)
{
	if (s == NULL)
		jw_null(w);
	else if (api_json_valid(s, len, LF_JSON_MAX_DEPTH))
		jw_raw(w, s, len);
	else
		jw_strn(w, s, len);
}

/* The stored tags if they are a JSON array, else []. */
static void
tags(struct jw *w, const char *s)
{
	size_t	 len, i;

	if (s != NULL) {
		len = strlen(s);
		for (i = 0; i < len && strchr(" \t\r\n", s[i]) != NULL; i++)
			continue;
		if (i < len && s[i] == '[' &&
		    api_json_valid(s, len, LF_JSON_MAX_DEPTH)) {
			jw_raw(w, s, len);
			return;
		}
	}
	jw_arr(w);
	jw_arr_end(w);
}

static void
summary_fields(struct jw *w, const struct trace_rec *r)
{
	int	 unknown;

	unknown = r->cost_source != NULL &&
	    strcmp(r->cost_source, "unknown") == 0;

	jw_kstr(w, "id", r->id);
	kint(w, "timestamp", r->timestamp);
	kint(w, "duration_ms", r->duration_ms);
	jw_kstr(w, "provider", r->provider);
	jw_kstr(w, "model", r->model);
	kint(w, "prompt_tokens", r->prompt_tokens);
	kint(w, "completion_tokens", r->completion_tokens);
	kint(w, "total_tokens", r->total_tokens);
	/* NAN writes null; unknown cost is null, never 0. */
	jw_kdouble(w, "estimated_cost", unknown ? NAN : r->estimated_cost);
	kint(w, "status", r->status);
	jw_kstr(w, "error", r->error);
	jw_kstr(w, "trace_id", r->trace_id);
	jw_kstr(w, "parent_id", r->parent_id);
	jw_kstr(w, "span_type", r->span_type);
	jw_kstr(w, "span_name", r->span_name);
	jw_kstr(w, "service_name", r->service_name);
	jw_kstr(w, "session_id", r->session_id);
	jw_kstr(w, "conversation_id", r->conversation_id);
	jw_kstr(w, "agent_name", r->agent_name);
	kint(w, "ttft_ms", r->ttft_ms);
	kint(w, "cached_tokens", r->cached_tokens);
	kint(w, "cache_creation_tokens", r->cache_creation_tokens);
	kint(w, "reasoning_tokens", r->reasoning_tokens);
	jw_kstr(w, "cost_source", r->cost_source);
	jw_key(w, "tags");
	tags(w, r->tags);
	jw_kstr(w, "request_method", r->request_method);
	jw_kstr(w, "request_path", r->request_path);
}

void
api_render_summary(struct jw *w, const struct trace_rec *r)
{
	jw_obj(w);
	summary_fields(w, r);
	jw_obj_end(w);
}

/* A body: its stored length, or its string length if none was given. */
static void
body(struct jw *w, const char *s, size_t len)
{
	if (s != NULL && len == 0)
		len = strlen(s);
	api_render_embedded(w, s, len);
}

static void
headers(struct jw *w, const char *s)
{
	api_render_embedded(w, s, s != NULL ? strlen(s) : 0);
}

void
api_render_detail(struct jw *w, const struct trace_rec *r)
{
	jw_obj(w);
	jw_key(w, "trace");
	api_render_summary(w, r);

	jw_key(w, "request");
	jw_obj(w);
	jw_kstr(w, "method", r->request_method);
	jw_kstr(w, "path", r->request_path);
	jw_key(w, "headers");
	headers(w, r->request_headers);
	jw_key(w, "body");
	body(w, r->request_body, r->request_body_len);
	jw_kbool(w, "body_truncated", r->request_body_truncated);
	jw_obj_end(w);

	jw_key(w, "response");
	jw_obj(w);
	kint(w, "status", r->response_status);
	jw_key(w, "headers");
	headers(w, r->response_headers);
	jw_key(w, "body");
	body(w, r->response_body, r->response_body_len);
	jw_kbool(w, "body_truncated", r->response_body_truncated);
	jw_obj_end(w);

	jw_obj_end(w);
}

void
api_render_model(struct jw *w, const struct model_stats *m)
{
	jw_obj(w);
	jw_kstr(w, "model", m->model);
	kint0(w, "count", m->count);
	kint0(w, "tokens", m->tokens);
	kdouble0(w, "cost", m->cost);
	kint0(w, "unpriced", m->unpriced);
	jw_obj_end(w);
}

void
api_render_stats(struct jw *w, const struct stats *s, const char *models,
    size_t models_len)
{
	jw_obj(w);
	kint0(w, "total_requests", s->total_requests);
	kint0(w, "total_tokens", s->total_tokens);
	kdouble0(w, "total_cost", s->total_cost);
	kint0(w, "total_duration", s->total_duration);
	kint0(w, "error_count", s->error_count);
	kdouble0(w, "avg_duration", s->avg_duration);
	kint0(w, "unpriced_requests", s->unpriced_count);
	jw_key(w, "models");
	if (models != NULL && models_len > 0)
		jw_raw(w, models, models_len);
	else {
		jw_arr(w);
		jw_arr_end(w);
	}
	jw_obj_end(w);
}

void
api_render_health(struct jw *w, int64_t now_ms, int64_t traces)
{
	jw_obj(w);
	jw_kstr(w, "status", "ok");
	jw_kint(w, "timestamp", now_ms);
	jw_kstr(w, "service", "dashboard");
	jw_kstr(w, "version", LF_VERSION);
	kint0(w, "traces", traces);
	jw_obj_end(w);
}
