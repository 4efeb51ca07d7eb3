/*
 * POST /api/spans: one span in the original SDK's JSON format, checked at
 * the edge into a trace_rec for db_insert_span.
 */
#ifndef LF_API_SPANS_H
#define LF_API_SPANS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"
#include "params.h"

/* Longest duration_ms accepted: a year. */
#define API_SPAN_MAX_DURATION	(366LL * 86400000)

/*
 * Parse n bytes of JSON (an object) into *r, strings in the arena.
 * Members, all optional, all may be null:
 *   id, trace_id, parent_id: 1..LF_MAX_ID of [A-Za-z0-9._:-] (id: 16
 *     random hex digits when absent; trace_id: the id when absent);
 *   span_type ("custom"), span_name (span_type, then "span"),
 *   service_name ("app"), model, provider, session_id, conversation_id,
 *   agent_name, user_id: strings of at most LF_MAX_PARAM bytes
 *     (model LF_MAX_MODEL - 1);
 *   error: a string, cut to LF_MAX_ERROR bytes;
 *   status: whole number 0..999 (200);
 *   start_time, end_time: ms since the epoch or an ISO-8601 string
 *     (api_parse_time); timestamp = start_time, else now_ms;
 *   duration_ms: 0..API_SPAN_MAX_DURATION, else end_time - start_time
 *     when both are given and in order;
 *   prompt_tokens, completion_tokens, total_tokens: whole numbers
 *     0..LF_MAX_TOKEN_COUNT (total: prompt + completion when absent);
 *   estimated_cost: a finite number >= 0 (cost_source "reported");
 *     otherwise priced with pricing_cost when model and tokens are
 *     given ("computed"), else unknown;
 *   attributes: an object; input, output: any JSON; tags: an array of
 *     at most LF_MAX_TAGS strings of at most LF_MAX_TAG bytes.
 * Unknown members are ignored.  0; -1 with *err naming the member (or
 * "body": not JSON, or not an object) for a 400; -2 when out of memory.
 */
int	 api_span_parse(const uint8_t *, size_t n, struct arena *,
	    int64_t now_ms, struct trace_rec *r, struct api_perr *err);

/* Whether s is a valid span or trace id (see above). */
int	 api_span_id_ok(const char *s);

#endif
