/*
 * Query parameters of the query program, parsed at the edge into typed
 * values.  Each route that takes parameters has a table (in params.c) of
 * name, type and range; a handler sees only the filled struct.
 *
 * Rules, for every route:
 *   - names and values are percent-decoded, '+' is a space;
 *   - unknown names (and names that do not decode) are ignored;
 *   - an empty value ("limit=" or "limit") counts as not given;
 *   - a repeated parameter: the last one wins;
 *   - a value with a bad %-escape, a NUL byte, more than LF_MAX_PARAM
 *     bytes, or out of its type or range is an error naming the parameter.
 */
#ifndef LF_API_PARAMS_H
#define LF_API_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "buf.h"
#include "db.h"

/* Latest time a date parameter accepts: 2100-01-01T00:00:00Z, in ms. */
#define API_TIME_MAX	4102444800000LL

/* Why parsing failed: the parameter (NULL if none) and a message. */
struct api_perr {
	const char	*param;
	char		 msg[192];
};

/*
 * Decode n bytes of percent-encoding into out (room for n + 1 bytes), with
 * '+' as a space when plus_space.  Sets *outlen and NUL-terminates.  -1 on
 * a bad escape or a NUL byte (raw or %00).
 */
int	 api_pct_decode(const char *, size_t n, int plus_space, char *out,
	    size_t *outlen);

/*
 * Parse a time: ms since the epoch as a whole number, or ISO-8601
 * "YYYY-MM-DD", "YYYY-MM-DDTHH:MM[:SS[.fff]]" with "Z", "+HH:MM",
 * "-HH:MM" or no zone (UTC); ' ' may stand for 'T', and for '+' in the
 * zone (a '+' that was not percent-encoded).  A date alone means its
 * first millisecond, or with end_of_day its last.  Result in
 * [0, API_TIME_MAX].  0, or -1.
 */
int	 api_parse_time(const char *, int end_of_day, int64_t *);

/* Days of the analytics routes: 1..API_DAYS_MAX (default 30), and of
 * token-trends 1..API_TREND_DAYS_MAX (default 7; 90 days of hours is
 * 2160 buckets). */
#define API_DAYS_MAX		365
#define API_DAYS_DEFAULT	30
#define API_TREND_DAYS_MAX	90
#define API_TREND_DAYS_DEFAULT	7
/* Timeline items by default. */
#define API_TIMELINE_DEFAULT	100

/*
 * The /api/traces query string (n bytes, not NUL-terminated) into a
 * filter (trace_filter_init first): limit 1..LF_PAGE_MAX (default
 * LF_PAGE_DEFAULT), offset 0..LF_OFFSET_MAX (0), model, provider, q,
 * span_type, service_name, session_id, conversation_id, tag (exact
 * strings), status success|error, cost_min, cost_max (finite numbers
 * >= 0, min <= max), date_from, date_to (see api_parse_time; from <= to),
 * cursor (api_parse_cursor: before_ts, before_id).  Strings are copied to
 * the arena.  0; -1 with *err filled (a 400: the query string is longer
 * than LF_MAX_QUERY_STRING, err->param NULL, or a parameter is bad); -2
 * when the arena is exhausted (a 500).  The other api_params_* functions
 * have the same contract for their routes.
 */
int	 api_params_traces(const uint8_t *, size_t n, struct arena *,
	    struct trace_filter *, struct api_perr *err);

/* GET /api/traces/export: the filters above, limit 1..LF_EXPORT_MAX_ROWS
 * (absent: 0, every row), format json (default) | jsonl | csv. */
enum api_export_format { API_EXPORT_JSON, API_EXPORT_JSONL, API_EXPORT_CSV };

struct api_export_params {
	struct trace_filter	 f;
	enum api_export_format	 format;
};

int	 api_params_export(const uint8_t *, size_t n, struct arena *,
	    struct api_export_params *, struct api_perr *err);

/* GET /api/logs: limit (1..LF_PAGE_MAX, 50), offset, service_name,
 * event_name, trace_id, severity_min 1..24, q, date_from, date_to. */
int	 api_params_logs(const uint8_t *, size_t n, struct arena *,
	    struct log_filter *, struct api_perr *err);

/* GET /api/metrics: limit, offset, name, service_name, metric_type (sum,
 * gauge, histogram, exponential_histogram, summary), date_from, date_to,
 * aggregation=summary (summary set). */
struct api_metrics_params {
	struct metric_filter	 f;
	int			 summary;
};

int	 api_params_metrics(const uint8_t *, size_t n, struct arena *,
	    struct api_metrics_params *, struct api_perr *err);

/* date_from, date_to (DB_NULL when absent). */
int	 api_params_range(const uint8_t *, size_t n, struct arena *,
	    int64_t *from, int64_t *to, struct api_perr *err);

/* limit (1..LF_PAGE_MAX, LF_PAGE_DEFAULT), offset (0..LF_OFFSET_MAX). */
int	 api_params_page(const uint8_t *, size_t n, struct arena *,
	    int64_t *limit, int64_t *offset, struct api_perr *err);

/* GET /api/timeline: limit 1..LF_PAGE_MAX (API_TIMELINE_DEFAULT), q,
 * tool (exact service name), date_from, type trace|log (absent: both). */
enum api_timeline_type { API_TL_ALL, API_TL_TRACE, API_TL_LOG };

struct api_timeline_params {
	int64_t			 limit;
	const char		*q;
	const char		*tool;
	int64_t			 date_from;	/* DB_NULL = none */
	enum api_timeline_type	 type;
};

int	 api_params_timeline(const uint8_t *, size_t n, struct arena *,
	    struct api_timeline_params *, struct api_perr *err);

/* GET /api/analytics*: days; with trends (token-trends) the smaller days
 * range and interval hour (default) | day, anything else a 400. */
enum api_interval { API_HOUR, API_DAY };

struct api_analytics_params {
	int64_t			 days;
	enum api_interval	 interval;
};

int	 api_params_analytics(const uint8_t *, size_t n, struct arena *,
	    int trends, struct api_analytics_params *, struct api_perr *err);

/*
 * A cursor "<timestamp>:<id>" (decoded): timestamp 0..API_TIME_MAX in ms,
 * id 1..LF_MAX_ID bytes (may hold ':'); *id points into s.  0 or -1.
 */
int	 api_parse_cursor(const char *s, int64_t *ts, const char **id);

/* Append the cursor for a row, percent-encoded so that it can go in a
 * header and back in a query string as it is. */
void	 api_cursor_write(struct buf *, int64_t ts, const char *id);

/*
 * The id segment of /api/traces/:id (raw, n bytes): percent-decoded
 * ('+' stays '+'), 1..LF_MAX_ID bytes, into the arena.  0; -1 with
 * *err filled (parameter "id"); -2 when the arena is exhausted.
 */
int	 api_param_id(const char *, size_t n, struct arena *, const char **id,
	    struct api_perr *err);

#endif
