/*
 * The JSON shapes of the query API, written through the JSON writer.
 * Field names and order follow the original LLMFlow API; absent values
 * are null, never 0 or "".
 */
#ifndef LF_API_RENDER_H
#define LF_API_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "json.h"

/*
 * Stored text as a JSON value: raw when it is valid JSON (api_json_valid,
 * LF_JSON_MAX_DEPTH), else as a JSON string (invalid UTF-8 becomes
 * U+FFFD); null when s is NULL.
 */
void	 api_render_embedded(struct jw *, const char *s, size_t len);

/* One summary row of GET /api/traces, as an object. */
void	 api_render_summary(struct jw *, const struct trace_rec *);

/*
 * The whole answer of GET /api/traces/:id:
 * {"trace":{summary},"request":{...},"response":{...},"span":{...}}.
 * "span" holds what OTLP and SDK spans carry: "input", "output",
 * "attributes", "events" (stored JSON, parsed; null when absent),
 * "span_kind", "scope_name", "user_id", "resource_attributes".
 */
void	 api_render_detail(struct jw *, const struct trace_rec *);

/* The members of a span in the tree (no braces): the summary row and
 * then the members of "span" above. */
void	 api_render_span_fields(struct jw *, const struct trace_rec *);

/* Rows of /api/logs, /api/metrics, /api/metrics/summary, /api/token-usage
 * (stored JSON columns parsed; absent values null). */
void	 api_render_log(struct jw *, const struct log_row *);
void	 api_render_metric(struct jw *, const struct metric_row *);
void	 api_render_metric_summary(struct jw *, const struct metric_summary *);
void	 api_render_token_usage(struct jw *, const struct token_usage *);

/* Rows of /api/sessions and of /api/sessions/:id "traces". */
void	 api_render_session(struct jw *, const struct session_row *);
void	 api_render_session_trace(struct jw *, const struct session_trace *);

/*
 * Rollup rows: /api/models (avg_latency = duration_ms / duration_n, null
 * when no call had a duration), cost-by-tool (null provider or service
 * "unknown"), cost-by-model (null model "unknown"), both with "unpriced"
 * (calls with a model but no known cost) added, daily and token-trends
 * buckets (labels in UTC).
 */
void	 api_render_model_rollup(struct jw *, const struct rollup_row *);
void	 api_render_tool_rollup(struct jw *, const struct rollup_row *);
void	 api_render_by_model(struct jw *, const struct rollup_row *);
void	 api_render_daily(struct jw *, const struct rollup_row *);
void	 api_render_trend(struct jw *, const struct rollup_row *, int hourly);

/* "YYYY-MM-DD" or, hourly, "YYYY-MM-DD HH:00" of a UTC time in ms. */
void	 api_bucket_label(int64_t ms, int hourly, char *, size_t);
/* "YYYY-MM-DDTHH:MM:SS.mmmZ". */
void	 api_iso8601(int64_t ms, char *, size_t);

/* Timeline items (the row itself goes in "data"). */
void	 api_render_timeline_trace(struct jw *, const struct trace_rec *);
void	 api_render_timeline_log(struct jw *, const struct log_row *);

/* One element of the "models" array of GET /api/stats. */
void	 api_render_model(struct jw *, const struct model_stats *);

/* The whole answer of GET /api/stats; models_json is the "models" array
 * already written (valid JSON, from api_render_model calls). */
void	 api_render_stats(struct jw *, const struct stats *,
	    const char *models_json, size_t models_len);

/* The whole answer of GET /api/health. */
void	 api_render_health(struct jw *, int64_t now_ms, int64_t traces,
	    int64_t queued_spans);

#endif
