#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

/* Stored JSON text (NUL-terminated) as a value; null when absent. */
static void
embedded(struct jw *w, const char *k, const char *s)
{
	jw_key(w, k);
	api_render_embedded(w, s, s != NULL ? strlen(s) : 0);
}

/* The span columns of a row (schema version 2 and input/output). */
static void
span_fields(struct jw *w, const struct trace_rec *r)
{
	embedded(w, "input", r->input);
	embedded(w, "output", r->output);
	embedded(w, "attributes", r->attributes);
	embedded(w, "events", r->events);
	jw_kstr(w, "span_kind", r->span_kind);
	jw_kstr(w, "scope_name", r->scope_name);
	jw_kstr(w, "user_id", r->user_id);
	embedded(w, "resource_attributes", r->resource_attributes);
	embedded(w, "links", r->links);
}

void
api_render_span_fields(struct jw *w, const struct trace_rec *r)
{
	summary_fields(w, r);
	span_fields(w, r);
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

	jw_key(w, "span");
	jw_obj(w);
	span_fields(w, r);
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
api_render_health(struct jw *w, int64_t now_ms, int64_t traces,
    int64_t queued)
{
	jw_obj(w);
	jw_kstr(w, "status", "ok");
	jw_kint(w, "timestamp", now_ms);
	jw_kstr(w, "service", "dashboard");
	jw_kstr(w, "version", LF_VERSION);
	kint0(w, "traces", traces);
	kint0(w, "queued_spans", queued);
	jw_obj_end(w);
}

/* ---- Logs and metrics ---- */

void
api_render_log(struct jw *w, const struct log_row *r)
{
	jw_obj(w);
	jw_kstr(w, "id", r->id);
	kint(w, "timestamp", r->timestamp);
	kint(w, "observed_timestamp", r->observed_timestamp);
	kint(w, "severity_number", r->severity_number);
	jw_kstr(w, "severity_text", r->severity_text);
	jw_kstr(w, "body", r->body);
	jw_kstr(w, "trace_id", r->trace_id);
	jw_kstr(w, "span_id", r->span_id);
	jw_kstr(w, "event_name", r->event_name);
	jw_kstr(w, "service_name", r->service_name);
	jw_kstr(w, "scope_name", r->scope_name);
	embedded(w, "attributes", r->attributes);
	embedded(w, "resource_attributes", r->resource_attributes);
	jw_obj_end(w);
}

void
api_render_metric(struct jw *w, const struct metric_row *r)
{
	jw_obj(w);
	jw_kstr(w, "id", r->id);
	kint(w, "timestamp", r->timestamp);
	jw_kstr(w, "name", r->name);
	jw_kstr(w, "description", r->description);
	jw_kstr(w, "unit", r->unit);
	jw_kstr(w, "metric_type", r->metric_type);
	kint(w, "value_int", r->value_int);
	jw_kdouble(w, "value_double", r->value_double);
	embedded(w, "histogram_data", r->histogram_data);
	jw_kstr(w, "service_name", r->service_name);
	jw_kstr(w, "scope_name", r->scope_name);
	embedded(w, "attributes", r->attributes);
	embedded(w, "resource_attributes", r->resource_attributes);
	jw_obj_end(w);
}

void
api_render_metric_summary(struct jw *w, const struct metric_summary *m)
{
	jw_obj(w);
	jw_kstr(w, "name", m->name);
	jw_kstr(w, "service_name", m->service_name);
	jw_kstr(w, "metric_type", m->metric_type);
	kint0(w, "data_points", m->data_points);
	kint(w, "first_seen", m->first_seen);
	kint(w, "last_seen", m->last_seen);
	kint(w, "sum_int", m->sum_int);
	jw_kdouble(w, "avg_double", m->avg_double);
	kint(w, "max_int", m->max_int);
	kint(w, "min_int", m->min_int);
	jw_obj_end(w);
}

void
api_render_token_usage(struct jw *w, const struct token_usage *u)
{
	jw_obj(w);
	jw_kstr(w, "service_name", u->service_name);
	jw_kstr(w, "model", u->model);
	jw_kstr(w, "token_type", u->token_type);
	kint0(w, "total_tokens", u->total_tokens);
	jw_obj_end(w);
}

/* ---- Sessions ---- */

void
api_render_session(struct jw *w, const struct session_row *r)
{
	jw_obj(w);
	jw_kstr(w, "session_id", r->session_id);
	kint(w, "first_seen", r->first_seen);
	kint(w, "last_seen", r->last_seen);
	kint0(w, "trace_count", r->trace_count);
	kdouble0(w, "total_cost", r->total_cost);
	kint0(w, "total_tokens", r->total_tokens);
	jw_kstr(w, "agent_name", r->agent_name);
	jw_kstr(w, "service_name", r->service_name);
	jw_obj_end(w);
}

void
api_render_session_trace(struct jw *w, const struct session_trace *t)
{
	jw_obj(w);
	jw_kstr(w, "trace_id", t->trace_id);
	kint(w, "started_at", t->started_at);
	kint(w, "ended_at", t->ended_at);
	kdouble0(w, "cost", t->cost);
	kint0(w, "tokens", t->tokens);
	kint0(w, "span_count", t->span_count);
	jw_kint(w, "has_error", t->has_error ? 1 : 0);
	jw_obj_end(w);
}

/* ---- Rollups ---- */

/* Average duration of a group; null when no row had one. */
static void
avg_duration(struct jw *w, const char *k, const struct rollup_row *r)
{
	jw_kdouble(w, k, r->duration_n > 0 ?
	    (double)r->duration_ms / (double)r->duration_n : NAN);
}

static const char *
or_unknown(const char *s)
{
	return s != NULL ? s : "unknown";
}

void
api_render_model_rollup(struct jw *w, const struct rollup_row *r)
{
	jw_obj(w);
	jw_kstr(w, "model", r->model);
	jw_kstr(w, "provider", r->provider);
	kint0(w, "request_count", r->requests);
	kint0(w, "total_tokens", r->total_tokens);
	kint0(w, "prompt_tokens", r->prompt_tokens);
	kint0(w, "completion_tokens", r->completion_tokens);
	kdouble0(w, "total_cost", r->cost);
	avg_duration(w, "avg_latency", r);
	kint0(w, "unpriced", r->unpriced);
	jw_obj_end(w);
}

void
api_render_tool_rollup(struct jw *w, const struct rollup_row *r)
{
	jw_obj(w);
	jw_kstr(w, "provider", or_unknown(r->provider));
	jw_kstr(w, "service_name", or_unknown(r->service_name));
	kdouble0(w, "total_cost", r->cost);
	kint0(w, "total_tokens", r->total_tokens);
	kint0(w, "prompt_tokens", r->prompt_tokens);
	kint0(w, "completion_tokens", r->completion_tokens);
	kint0(w, "request_count", r->requests);
	avg_duration(w, "avg_duration", r);
	kint0(w, "unpriced", r->unpriced);
	jw_obj_end(w);
}

void
api_render_by_model(struct jw *w, const struct rollup_row *r)
{
	jw_obj(w);
	jw_kstr(w, "model", or_unknown(r->model));
	jw_kstr(w, "provider", r->provider);
	kdouble0(w, "total_cost", r->cost);
	kint0(w, "total_tokens", r->total_tokens);
	kint0(w, "prompt_tokens", r->prompt_tokens);
	kint0(w, "completion_tokens", r->completion_tokens);
	kint0(w, "request_count", r->requests);
	kint0(w, "unpriced", r->unpriced);
	jw_obj_end(w);
}

void
api_render_daily(struct jw *w, const struct rollup_row *r)
{
	char	 label[32];

	api_bucket_label(r->bucket, 0, label, sizeof(label));
	jw_obj(w);
	jw_kint(w, "bucket", r->bucket);
	jw_kstr(w, "date", label);
	kint0(w, "tokens", r->total_tokens);
	kdouble0(w, "cost", r->cost);
	kint0(w, "requests", r->requests);
	kint0(w, "unpriced", r->unpriced);
	jw_obj_end(w);
}

void
api_render_trend(struct jw *w, const struct rollup_row *r, int hourly)
{
	char	 label[32];

	api_bucket_label(r->bucket, hourly, label, sizeof(label));
	jw_obj(w);
	jw_kint(w, "bucket", r->bucket);
	jw_kstr(w, "label", label);
	kint0(w, "prompt_tokens", r->prompt_tokens);
	kint0(w, "completion_tokens", r->completion_tokens);
	kint0(w, "total_tokens", r->total_tokens);
	kdouble0(w, "total_cost", r->cost);
	kint0(w, "request_count", r->requests);
	jw_obj_end(w);
}

void
api_bucket_label(int64_t ms, int hourly, char *out, size_t n)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms < 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(out, n, "?");
		return;
	}
	if (hourly)
		snprintf(out, n, "%04d-%02d-%02d %02d:00", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour);
	else
		snprintf(out, n, "%04d-%02d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1, tm.tm_mday);
}

void
api_iso8601(int64_t ms, char *out, size_t n)
{
	time_t		 t = (time_t)(ms / 1000);
	struct tm	 tm;

	if (ms < 0 || gmtime_r(&t, &tm) == NULL) {
		snprintf(out, n, "1970-01-01T00:00:00.000Z");
		return;
	}
	snprintf(out, n, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}

/* ---- Timeline ---- */

void
api_render_timeline_trace(struct jw *w, const struct trace_rec *r)
{
	const char	*title, *sub;
	int		 unknown;

	title = r->span_name ? r->span_name : r->model ? r->model :
	    "LLM Request";
	sub = r->service_name ? r->service_name : r->provider;
	unknown = r->cost_source != NULL &&
	    strcmp(r->cost_source, "unknown") == 0;
	jw_obj(w);
	jw_kstr(w, "id", r->id);
	jw_kstr(w, "type", "trace");
	kint(w, "timestamp", r->timestamp);
	jw_kstr(w, "title", title);
	jw_kstr(w, "subtitle", sub);
	jw_kstr(w, "model", r->model);
	jw_kstr(w, "service_name", r->service_name);
	jw_kstr(w, "tool", r->service_name);
	kint(w, "status", r->status);
	kint(w, "duration_ms", r->duration_ms);
	kint(w, "tokens", r->total_tokens);
	jw_kdouble(w, "cost", unknown ? NAN : r->estimated_cost);
	jw_key(w, "data");
	api_render_summary(w, r);
	jw_obj_end(w);
}

/* Bytes of the first `chars` UTF-8 characters of s (at most len). */
static size_t
utf8_prefix(const char *s, size_t len, size_t chars)
{
	size_t	 i = 0;

	while (i < len && chars > 0) {
		i++;
		while (i < len && ((unsigned char)s[i] & 0xc0) == 0x80)
			i++;
		chars--;
	}
	return i;
}

void
api_render_timeline_log(struct jw *w, const struct log_row *r)
{
	jw_obj(w);
	jw_kstr(w, "id", r->id);
	jw_kstr(w, "type", "log");
	kint(w, "timestamp", r->timestamp);
	jw_key(w, "title");
	if (r->event_name != NULL && *r->event_name != '\0')
		jw_str(w, r->event_name);
	else if (r->body != NULL && *r->body != '\0')
		jw_strn(w, r->body, utf8_prefix(r->body, strlen(r->body), 50));
	else
		jw_str(w, "Log");
	jw_kstr(w, "subtitle", r->service_name);
	jw_kstr(w, "service_name", r->service_name);
	jw_kstr(w, "tool", r->service_name);
	jw_kstr(w, "severity_text", r->severity_text);
	jw_key(w, "data");
	api_render_log(w, r);
	jw_obj_end(w);
}
