#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jsonread.h"
#include "limits.h"
#include "pricing.h"
#include "spans.h"
#include "usage.h"

/* json-c takes an int length. */
#if LF_SPAN_MAX_BODY > 0x7fffffff
#error LF_SPAN_MAX_BODY must fit an int
#endif

static int
bad(struct api_perr *err, const char *param, const char *msg)
{
	err->param = param;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
	return -1;
}

int
api_span_id_ok(const char *s)
{
	size_t	 n = 0;

	for (; s[n] != '\0'; n++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789._:-", s[n]) == NULL)
			return 0;
	return n >= 1 && n <= LF_MAX_ID;
}

/* Member k, or NULL when absent or null. */
static struct json_object *
member(struct json_object *o, const char *k)
{
	struct json_object	*v;

	if (!json_object_object_get_ex(o, k, &v) ||
	    json_object_is_type(v, json_type_null))
		return NULL;
	return v;
}

/* A string member of at most max bytes (cut there when cut) into *out,
 * in the arena; NULL when absent.  0, -1 (400), -2. */
static int
str_member(struct json_object *o, const char *k, size_t max, int cut,
    struct arena *a, const char **out, struct api_perr *err)
{
	struct json_object	*v;
	size_t			 len;
	const char		*s;
	char			 msg[128];

	*out = NULL;
	if ((v = member(o, k)) == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, sizeof(msg), "%s must be a string", k);
		return bad(err, k, msg);
	}
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (memchr(s, '\0', len) != NULL) {
		snprintf(msg, sizeof(msg), "%s must not hold a NUL", k);
		return bad(err, k, msg);
	}
	if (len > max) {
		if (!cut) {
			snprintf(msg, sizeof(msg), "%s is longer than %zu "
			    "bytes", k, max);
			return bad(err, k, msg);
		}
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;	/* not inside a UTF-8 sequence */
	}
	if ((*out = arena_strndup(a, s, len)) == NULL)
		return -2;
	return 0;
}

/* An id member; 0, -1, -2. */
static int
id_member(struct json_object *o, const char *k, struct arena *a,
    const char **out, struct api_perr *err)
{
	char	 msg[128];
	int	 rc;

	if ((rc = str_member(o, k, LF_MAX_ID, 0, a, out, err)) != 0)
		return rc;
	if (*out != NULL && !api_span_id_ok(*out)) {
		snprintf(msg, sizeof(msg), "%s must be 1 to %d characters of "
		    "A-Z a-z 0-9 . _ : -", k, LF_MAX_ID);
		return bad(err, k, msg);
	}
	return 0;
}

/* A whole number in [min, max] (a JSON integer, or a double that is
 * whole); DB_NULL when absent.  0 or -1. */
static int
int_member(struct json_object *o, const char *k, int64_t min, int64_t max,
    int64_t *out, struct api_perr *err)
{
	struct json_object	*v;
	double			 d;
	char			 msg[160];

	*out = DB_NULL;
	if ((v = member(o, k)) == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		errno = 0;
		*out = json_object_get_int64(v);
		if (errno == 0 && *out >= min && *out <= max)
			return 0;
	} else if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (isfinite(d) && d == floor(d) && d >= (double)min &&
		    d <= (double)max) {
			*out = (int64_t)d;
			return 0;
		}
	}
	*out = DB_NULL;
	snprintf(msg, sizeof(msg), "%s must be a whole number from %lld to "
	    "%lld", k, (long long)min, (long long)max);
	return bad(err, k, msg);
}

/* A time: ms (a number, fraction dropped) or an ISO-8601 string. */
static int
time_member(struct json_object *o, const char *k, int64_t *out,
    struct api_perr *err)
{
	struct json_object	*v;
	double			 d;
	char			 msg[160];

	*out = DB_NULL;
	if ((v = member(o, k)) == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (isfinite(d) && d >= 0 && d <= (double)API_TIME_MAX) {
			*out = (int64_t)d;
			return 0;
		}
	} else if (json_object_is_type(v, json_type_string) &&
	    api_parse_time(json_object_get_string(v), 0, out) == 0)
		return 0;
	*out = DB_NULL;
	snprintf(msg, sizeof(msg), "%s must be ms since the epoch or an "
	    "ISO-8601 time", k);
	return bad(err, k, msg);
}

/* Any JSON member serialised into the arena (NULL when absent). */
static int
json_member(struct json_object *v, struct arena *a, const char **out)
{
	const char	*s;

	*out = NULL;
	if (v == NULL)
		return 0;
	if ((s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL)
		return -2;
	return (*out = arena_strdup(a, s)) == NULL ? -2 : 0;
}

static int
random_id(struct arena *a, const char **out)
{
	static const char	 hex[] = "0123456789abcdef";
	unsigned char		 r[8];
	char			*s;
	size_t			 i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return -2;
	if ((s = arena_alloc(a, 2 * sizeof(r) + 1)) == NULL)
		return -2;
	for (i = 0; i < sizeof(r); i++) {
		s[2 * i] = hex[r[i] >> 4];
		s[2 * i + 1] = hex[r[i] & 15];
	}
	*out = s;
	return 0;
}

/* The body as one JSON object, or NULL. */
static struct json_object *
parse_object(const uint8_t *p, size_t n)
{
	struct json_object	*o;

	if (n > LF_SPAN_MAX_BODY ||
	    (o = jr_parse((const char *)p, n)) == NULL)
		return NULL;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

/* The members into r; 0, -1, -2 (o is the caller's). */
static int
fill(struct json_object *o, struct arena *a, int64_t now,
    struct trace_rec *r, struct api_perr *err)
{
	struct json_object	*v, *t;
	struct usage		 u;
	enum cost_source	 src;
	int64_t			 start, end, dur, status;
	double			 cost;
	size_t			 i, nt;
	int			 rc;

#define TRY(x)	do { if ((rc = (x)) != 0) return rc; } while (0)
	TRY(id_member(o, "id", a, &r->id, err));
	TRY(id_member(o, "trace_id", a, &r->trace_id, err));
	TRY(id_member(o, "parent_id", a, &r->parent_id, err));
	TRY(str_member(o, "span_type", LF_MAX_PARAM, 0, a, &r->span_type, err));
	TRY(str_member(o, "span_name", LF_MAX_PARAM, 0, a, &r->span_name, err));
	TRY(str_member(o, "service_name", LF_MAX_PARAM, 0, a,
	    &r->service_name, err));
	TRY(str_member(o, "model", LF_MAX_MODEL - 1, 0, a, &r->model, err));
	TRY(str_member(o, "provider", LF_MAX_PARAM, 0, a, &r->provider, err));
	TRY(str_member(o, "session_id", LF_MAX_PARAM, 0, a, &r->session_id,
	    err));
	TRY(str_member(o, "conversation_id", LF_MAX_PARAM, 0, a,
	    &r->conversation_id, err));
	TRY(str_member(o, "agent_name", LF_MAX_PARAM, 0, a, &r->agent_name,
	    err));
	TRY(str_member(o, "user_id", LF_MAX_PARAM, 0, a, &r->user_id, err));
	TRY(str_member(o, "error", LF_MAX_ERROR, 1, a, &r->error, err));
	TRY(int_member(o, "status", 0, 999, &status, err));
	TRY(time_member(o, "start_time", &start, err));
	TRY(time_member(o, "end_time", &end, err));
	TRY(int_member(o, "duration_ms", 0, API_SPAN_MAX_DURATION, &dur, err));
	TRY(int_member(o, "prompt_tokens", 0, LF_MAX_TOKEN_COUNT,
	    &r->prompt_tokens, err));
	TRY(int_member(o, "completion_tokens", 0, LF_MAX_TOKEN_COUNT,
	    &r->completion_tokens, err));
	TRY(int_member(o, "total_tokens", 0, LF_MAX_TOKEN_COUNT,
	    &r->total_tokens, err));

	cost = NAN;
	if ((v = member(o, "estimated_cost")) != NULL) {
		if ((!json_object_is_type(v, json_type_int) &&
		    !json_object_is_type(v, json_type_double)) ||
		    !isfinite(cost = json_object_get_double(v)) || cost < 0)
			return bad(err, "estimated_cost",
			    "estimated_cost must be a number of at least 0");
	}
	if ((v = member(o, "attributes")) != NULL &&
	    !json_object_is_type(v, json_type_object))
		return bad(err, "attributes", "attributes must be an object");
	TRY(json_member(v, a, &r->attributes));
	TRY(json_member(member(o, "input"), a, &r->input));
	TRY(json_member(member(o, "output"), a, &r->output));
	if ((v = member(o, "tags")) != NULL) {
		if (!json_object_is_type(v, json_type_array) ||
		    (nt = json_object_array_length(v)) > LF_MAX_TAGS)
			goto badtags;
		for (i = 0; i < nt; i++) {
			t = json_object_array_get_idx(v, i);
			if (!json_object_is_type(t, json_type_string) ||
			    json_object_get_string_len(t) < 1 ||
			    json_object_get_string_len(t) > LF_MAX_TAG)
				goto badtags;
		}
		TRY(json_member(v, a, &r->tags));
	}
#undef TRY

	/* The original's defaults. */
	if (r->id == NULL && random_id(a, &r->id) != 0)
		return -2;
	if (r->trace_id == NULL)
		r->trace_id = r->id;
	if (r->span_type == NULL)
		r->span_type = "custom";
	if (r->span_name == NULL)
		r->span_name = r->span_type;
	if (r->service_name == NULL)
		r->service_name = "app";
	r->status = status != DB_NULL ? status : 200;
	r->timestamp = start != DB_NULL ? start : now;
	if (dur != DB_NULL)
		r->duration_ms = dur;
	else if (start != DB_NULL && end != DB_NULL && end >= start &&
	    end - start <= API_SPAN_MAX_DURATION)
		r->duration_ms = end - start;

	usage_init(&u);
	u.prompt = r->prompt_tokens != DB_NULL ? r->prompt_tokens : -1;
	u.completion = r->completion_tokens != DB_NULL ?
	    r->completion_tokens : -1;
	if (r->total_tokens == DB_NULL && (u.prompt >= 0 || u.completion >= 0))
		r->total_tokens = usage_sum(&u);
	u.total = r->total_tokens != DB_NULL ? r->total_tokens : -1;
	u.reported_cost = cost;
	src = COST_UNKNOWN;
	r->estimated_cost = NAN;
	if (isfinite(cost) || r->model != NULL)
		src = pricing_cost(r->provider, r->model, &u,
		    &r->estimated_cost);
	if (src == COST_UNKNOWN)
		r->estimated_cost = NAN;
	r->cost_source = cost_source_name(src);
	return 0;
badtags:
	err->param = "tags";
	snprintf(err->msg, sizeof(err->msg), "tags must be an array of at most "
	    "%d strings of 1 to %d bytes", LF_MAX_TAGS, LF_MAX_TAG);
	return -1;
}

int
api_span_parse(const uint8_t *p, size_t n, struct arena *a, int64_t now,
    struct trace_rec *r, struct api_perr *err)
{
	struct json_object	*o;
	int			 rc;

	trace_rec_init(r);
	memset(err, 0, sizeof(*err));
	if ((o = parse_object(p, n)) == NULL)
		return bad(err, "body", "body must be one JSON object");
	rc = fill(o, a, now, r, err);
	json_object_put(o);
	return rc;
}
