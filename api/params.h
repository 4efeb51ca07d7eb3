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

/*
 * The /api/traces query string (n bytes, not NUL-terminated) into a
 * filter: limit 1..LF_PAGE_MAX (default LF_PAGE_DEFAULT), offset
 * 0..LF_OFFSET_MAX (0), model, provider, q, status success|error,
 * date_from, date_to (see api_parse_time; from <= to), absent ones
 * DB_NULL.  session_id and conversation_id are accepted and ignored.
 * Strings are copied to the arena.  0; -1 with *err filled (a 400: the
 * query string is longer than LF_MAX_QUERY_STRING, err->param NULL, or a
 * parameter is bad); -2 when the arena is exhausted (a 500).
 */
int	 api_params_traces(const uint8_t *, size_t n, struct arena *,
	    struct trace_filter *, struct api_perr *err);

/*
 * The id segment of /api/traces/:id (raw, n bytes): percent-decoded
 * ('+' stays '+'), 1..LF_MAX_ID bytes, into the arena.  0; -1 with
 * *err filled (parameter "id"); -2 when the arena is exhausted.
 */
int	 api_param_id(const char *, size_t n, struct arena *, const char **id,
	    struct api_perr *err);

#endif
