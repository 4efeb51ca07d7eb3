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

/* The whole answer of GET /api/traces/:id:
 * {"trace":{summary},"request":{...},"response":{...}}. */
void	 api_render_detail(struct jw *, const struct trace_rec *);

/* One element of the "models" array of GET /api/stats. */
void	 api_render_model(struct jw *, const struct model_stats *);

/* The whole answer of GET /api/stats; models_json is the "models" array
 * already written (valid JSON, from api_render_model calls). */
void	 api_render_stats(struct jw *, const struct stats *,
	    const char *models_json, size_t models_len);

/* The whole answer of GET /api/health. */
void	 api_render_health(struct jw *, int64_t now_ms, int64_t traces);

#endif
