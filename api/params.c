#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "limits.h"
#include "params.h"

enum ptype {
	PT_INT,		/* whole number in [min, max] */
	PT_STR,		/* text of at most LF_MAX_PARAM bytes */
	PT_ENUM,	/* one of choices; the value is its index + 1 */
	PT_TIME,	/* api_parse_time, a date alone is its first ms */
	PT_TIME_END,	/* the same, a date alone is its last ms */
	PT_NUM,		/* finite decimal number >= 0 (pv->d) */
	PT_CURSOR	/* "<timestamp>:<id>" (api_parse_cursor) */
};

struct pdef {
	const char		*name;
	enum ptype		 type;
	int64_t			 min, max;	/* PT_INT */
	const char *const	*choices;	/* PT_ENUM, NULL-terminated */
};

struct pval {
	int		 set;
	int64_t		 i;
	double		 d;
	const char	*s;
};

/* Index + 1 is the enum status_filter value. */
static const char *const status_choices[] = { "success", "error", NULL };
/* Index + 1 is the enum api_export_format value + 1. */
static const char *const format_choices[] = { "json", "jsonl", "csv", NULL };
static const char *const metric_type_choices[] = { "sum", "gauge",
    "histogram", "exponential_histogram", "summary", NULL };
static const char *const aggregation_choices[] = { "summary", NULL };
static const char *const timeline_type_choices[] = { "trace", "log", NULL };
static const char *const interval_choices[] = { "hour", "day", NULL };

/* GET /api/traces and GET /api/traces/export (which adds format and a
 * larger limit). */
enum traces_param {
	TP_LIMIT,
	TP_OFFSET,
	TP_MODEL,
	TP_PROVIDER,
	TP_STATUS,
	TP_Q,
	TP_DATE_FROM,
	TP_DATE_TO,
	TP_SESSION_ID,
	TP_CONVERSATION_ID,
	TP_SPAN_TYPE,
	TP_SERVICE_NAME,
	TP_TAG,
	TP_COST_MIN,
	TP_COST_MAX,
	TP_CURSOR,
	TP_FORMAT,	/* export only */
	TP__MAX
};

#define TRACE_FILTER_PARAMS \
	[TP_OFFSET] =		{ "offset", PT_INT, 0, LF_OFFSET_MAX, NULL }, \
	[TP_MODEL] =		{ "model", PT_STR, 0, 0, NULL }, \
	[TP_PROVIDER] =		{ "provider", PT_STR, 0, 0, NULL }, \
	[TP_STATUS] =		{ "status", PT_ENUM, 0, 0, status_choices }, \
	[TP_Q] =		{ "q", PT_STR, 0, 0, NULL }, \
	[TP_DATE_FROM] =	{ "date_from", PT_TIME, 0, 0, NULL }, \
	[TP_DATE_TO] =		{ "date_to", PT_TIME_END, 0, 0, NULL }, \
	[TP_SESSION_ID] =	{ "session_id", PT_STR, 0, 0, NULL }, \
	[TP_CONVERSATION_ID] =	{ "conversation_id", PT_STR, 0, 0, NULL }, \
	[TP_SPAN_TYPE] =	{ "span_type", PT_STR, 0, 0, NULL }, \
	[TP_SERVICE_NAME] =	{ "service_name", PT_STR, 0, 0, NULL }, \
	[TP_TAG] =		{ "tag", PT_STR, 0, 0, NULL }, \
	[TP_COST_MIN] =		{ "cost_min", PT_NUM, 0, 0, NULL }, \
	[TP_COST_MAX] =		{ "cost_max", PT_NUM, 0, 0, NULL }, \
	[TP_CURSOR] =		{ "cursor", PT_CURSOR, 0, 0, NULL }

static const struct pdef traces_params[TP_FORMAT] = {
	[TP_LIMIT] =		{ "limit", PT_INT, 1, LF_PAGE_MAX, NULL },
	TRACE_FILTER_PARAMS
};

static const struct pdef export_params[TP__MAX] = {
	[TP_LIMIT] =		{ "limit", PT_INT, 1, LF_EXPORT_MAX_ROWS, NULL },
	TRACE_FILTER_PARAMS,
	[TP_FORMAT] =		{ "format", PT_ENUM, 0, 0, format_choices },
};

/* GET /api/logs */
enum logs_param {
	LP_LIMIT, LP_OFFSET, LP_SERVICE_NAME, LP_EVENT_NAME, LP_TRACE_ID,
	LP_SEVERITY_MIN, LP_Q, LP_DATE_FROM, LP_DATE_TO, LP__MAX
};

static const struct pdef logs_params[LP__MAX] = {
	[LP_LIMIT] =		{ "limit", PT_INT, 1, LF_PAGE_MAX, NULL },
	[LP_OFFSET] =		{ "offset", PT_INT, 0, LF_OFFSET_MAX, NULL },
	[LP_SERVICE_NAME] =	{ "service_name", PT_STR, 0, 0, NULL },
	[LP_EVENT_NAME] =	{ "event_name", PT_STR, 0, 0, NULL },
	[LP_TRACE_ID] =		{ "trace_id", PT_STR, 0, 0, NULL },
	/* OTLP SeverityNumber: 1 (TRACE) .. 24 (FATAL4) */
	[LP_SEVERITY_MIN] =	{ "severity_min", PT_INT, 1, 24, NULL },
	[LP_Q] =		{ "q", PT_STR, 0, 0, NULL },
	[LP_DATE_FROM] =	{ "date_from", PT_TIME, 0, 0, NULL },
	[LP_DATE_TO] =		{ "date_to", PT_TIME_END, 0, 0, NULL },
};

/* GET /api/metrics */
enum metrics_param {
	MP_LIMIT, MP_OFFSET, MP_NAME, MP_SERVICE_NAME, MP_METRIC_TYPE,
	MP_DATE_FROM, MP_DATE_TO, MP_AGGREGATION, MP__MAX
};

static const struct pdef metrics_params[MP__MAX] = {
	[MP_LIMIT] =		{ "limit", PT_INT, 1, LF_PAGE_MAX, NULL },
	[MP_OFFSET] =		{ "offset", PT_INT, 0, LF_OFFSET_MAX, NULL },
	[MP_NAME] =		{ "name", PT_STR, 0, 0, NULL },
	[MP_SERVICE_NAME] =	{ "service_name", PT_STR, 0, 0, NULL },
	[MP_METRIC_TYPE] =	{ "metric_type", PT_ENUM, 0, 0,
				    metric_type_choices },
	[MP_DATE_FROM] =	{ "date_from", PT_TIME, 0, 0, NULL },
	[MP_DATE_TO] =		{ "date_to", PT_TIME_END, 0, 0, NULL },
	[MP_AGGREGATION] =	{ "aggregation", PT_ENUM, 0, 0,
				    aggregation_choices },
};

/* GET /api/metrics/summary: a date range. */
enum range_param { RP_DATE_FROM, RP_DATE_TO, RP__MAX };

static const struct pdef range_params[RP__MAX] = {
	[RP_DATE_FROM] =	{ "date_from", PT_TIME, 0, 0, NULL },
	[RP_DATE_TO] =		{ "date_to", PT_TIME_END, 0, 0, NULL },
};

/* GET /api/sessions: a page. */
enum page_param { PP_LIMIT, PP_OFFSET, PP__MAX };

static const struct pdef page_params[PP__MAX] = {
	[PP_LIMIT] =		{ "limit", PT_INT, 1, LF_PAGE_MAX, NULL },
	[PP_OFFSET] =		{ "offset", PT_INT, 0, LF_OFFSET_MAX, NULL },
};

/* GET /api/timeline */
enum timeline_param {
	TLP_LIMIT, TLP_Q, TLP_TOOL, TLP_DATE_FROM, TLP_TYPE, TLP__MAX
};

static const struct pdef timeline_params[TLP__MAX] = {
	[TLP_LIMIT] =		{ "limit", PT_INT, 1, LF_PAGE_MAX, NULL },
	[TLP_Q] =		{ "q", PT_STR, 0, 0, NULL },
	[TLP_TOOL] =		{ "tool", PT_STR, 0, 0, NULL },
	[TLP_DATE_FROM] =	{ "date_from", PT_TIME, 0, 0, NULL },
	[TLP_TYPE] =		{ "type", PT_ENUM, 0, 0, timeline_type_choices },
};

/* GET /api/analytics*: days (range set per route) and interval. */
enum analytics_param { AP_DAYS, AP_INTERVAL, AP__MAX };

static const struct pdef analytics_params[AP__MAX] = {
	[AP_DAYS] =		{ "days", PT_INT, 1, API_DAYS_MAX, NULL },
	[AP_INTERVAL] =		{ "interval", PT_ENUM, 0, 0, interval_choices },
};

static const struct pdef trends_params[AP__MAX] = {
	[AP_DAYS] =		{ "days", PT_INT, 1, API_TREND_DAYS_MAX, NULL },
	[AP_INTERVAL] =		{ "interval", PT_ENUM, 0, 0, interval_choices },
};

/* Longest raw name looked up; longer ones cannot be a known name. */
#define NAME_RAW_MAX	96

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
api_pct_decode(const char *s, size_t n, int plus_space, char *out,
    size_t *outlen)
{
	size_t	 i, o = 0;
	int	 hi, lo;
	unsigned char c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3 || (hi = hexval((unsigned char)s[i + 1])) < 0 ||
			    (lo = hexval((unsigned char)s[i + 2])) < 0)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		} else if (c == '+' && plus_space)
			c = ' ';
		if (c == '\0')
			return -1;
		out[o++] = (char)c;
	}
	out[o] = '\0';
	*outlen = o;
	return 0;
}

/* Parse exactly n decimal digits at *p, advancing it. */
static int
digits(const char **p, int n, int *out)
{
	int	 v = 0, i;

	for (i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
	static const int dim[12] = {
	    31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	if (m == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 29;
	return dim[m - 1];
}

int
api_parse_time(const char *s, int end_of_day, int64_t *out)
{
	const char	*p = s;
	int		 y, mo, d, h = 0, mi = 0, sec = 0, ms = 0, zh, zm;
	int		 i, sign, date_only = 1;
	int64_t		 t, off = 0;

	if (s == NULL || *s == '\0')
		return -1;
	if (strlen(s) < 10 || s[4] != '-')
		return parse_i64(s, 0, API_TIME_MAX, out);

	if (digits(&p, 4, &y) == -1 || *p++ != '-' ||
	    digits(&p, 2, &mo) == -1 || *p++ != '-' ||
	    digits(&p, 2, &d) == -1)
		return -1;
	if (y < 1970 || y > 2100 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		date_only = 0;
		if (digits(&p, 2, &h) == -1 || *p++ != ':' ||
		    digits(&p, 2, &mi) == -1)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) == -1)
				return -1;
			if (*p == '.' || *p == ',') {
				p++;
				for (i = 0; *p >= '0' && *p <= '9'; i++, p++) {
					if (i >= 9)
						return -1;
					if (i < 3)
						ms = ms * 10 + (*p - '0');
				}
				if (i == 0)
					return -1;
				for (; i < 3; i++)
					ms *= 10;
			}
		}
		if (h > 23 || mi > 59 || sec > 59)
			return -1;
		if (*p == 'Z' || *p == 'z')
			p++;
		else if (*p == '+' || *p == ' ' || *p == '-') {
			sign = *p++ == '-' ? -1 : 1;
			if (digits(&p, 2, &zh) == -1)
				return -1;
			if (*p == ':')
				p++;
			if (digits(&p, 2, &zm) == -1 || zh > 23 || zm > 59)
				return -1;
			off = sign * ((int64_t)zh * 3600000 + (int64_t)zm * 60000);
		}
	}
	if (*p != '\0')
		return -1;

	t = days_from_civil(y, mo, d) * 86400000LL + (int64_t)h * 3600000 +
	    (int64_t)mi * 60000 + (int64_t)sec * 1000 + ms - off;
	if (date_only && end_of_day)
		t += 86400000LL - 1;
	if (t < 0 || t > API_TIME_MAX)
		return -1;
	*out = t;
	return 0;
}

/* A finite decimal number >= 0, digits with an optional fraction and
 * exponent (no sign, no hex, no inf/nan).  0 or -1. */
static int
parse_num(const char *s, double *out)
{
	const char	*p = s;
	char		*end;
	double		 v;

	if (*p < '0' || *p > '9') {
		if (*p != '.' || p[1] < '0' || p[1] > '9')
			return -1;
	}
	for (; *p; p++)
		if (strchr("0123456789.eE+-", *p) == NULL)
			return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || *end != '\0' || !isfinite(v) || v < 0)
		return -1;
	*out = v;
	return 0;
}

int
api_parse_cursor(const char *s, int64_t *ts, const char **id)
{
	const char	*colon;
	char		 num[24];
	size_t		 n;

	if (s == NULL || (colon = strchr(s, ':')) == NULL)
		return -1;
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	if (parse_i64(num, 0, API_TIME_MAX, ts) == -1)
		return -1;
	n = strlen(colon + 1);
	if (n == 0 || n > LF_MAX_ID)
		return -1;
	*id = colon + 1;
	return 0;
}

void
api_cursor_write(struct buf *b, int64_t ts, const char *id)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p;

	buf_printf(b, "%lld:", (long long)ts);
	for (p = (const unsigned char *)id; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~:", *p) != NULL)
			buf_addc(b, (char)*p);
		else {
			buf_addc(b, '%');
			buf_addc(b, hex[*p >> 4]);
			buf_addc(b, hex[*p & 15]);
		}
	}
}

static void
perr_set(struct api_perr *err, const char *param, const char *msg)
{
	err->param = param;
	snprintf(err->msg, sizeof(err->msg), "%s", msg);
}

/* Check and convert one decoded, non-empty value for d.  0 or -1. */
static int
param_value(const struct pdef *d, const char *v, struct pval *pv,
    struct api_perr *err)
{
	size_t	 i;

	switch (d->type) {
	case PT_INT:
		if (parse_i64(v, d->min, d->max, &pv->i) == -1) {
			err->param = d->name;
			snprintf(err->msg, sizeof(err->msg),
			    "%s must be a whole number from %lld to %lld",
			    d->name, (long long)d->min, (long long)d->max);
			return -1;
		}
		break;
	case PT_STR:
		pv->s = v;
		break;
	case PT_NUM:
		if (parse_num(v, &pv->d) == -1) {
			err->param = d->name;
			snprintf(err->msg, sizeof(err->msg),
			    "%s must be a number of at least 0", d->name);
			return -1;
		}
		break;
	case PT_CURSOR:
		if (api_parse_cursor(v, &pv->i, &pv->s) == -1) {
			err->param = d->name;
			snprintf(err->msg, sizeof(err->msg),
			    "%s must be a value of X-Next-Cursor "
			    "(\"<timestamp>:<id>\")", d->name);
			return -1;
		}
		break;
	case PT_ENUM:
		for (i = 0; d->choices[i] != NULL; i++)
			if (strcmp(v, d->choices[i]) == 0)
				break;
		if (d->choices[i] == NULL) {
			err->param = d->name;
			snprintf(err->msg, sizeof(err->msg), "%s must be one of",
			    d->name);
			for (i = 0; d->choices[i] != NULL; i++) {
				size_t l = strlen(err->msg);
				snprintf(err->msg + l, sizeof(err->msg) - l,
				    "%s %s", i ? "," : ":", d->choices[i]);
			}
			return -1;
		}
		pv->i = (int64_t)i + 1;
		break;
	case PT_TIME:
	case PT_TIME_END:
		if (api_parse_time(v, d->type == PT_TIME_END, &pv->i) == -1) {
			err->param = d->name;
			snprintf(err->msg, sizeof(err->msg),
			    "%s must be ms since the epoch (0 to %lld) or an "
			    "ISO-8601 date such as 2026-11-26 or "
			    "2026-11-26T10:00:00Z", d->name,
			    (long long)API_TIME_MAX);
			return -1;
		}
		break;
	default:
		abort();
	}
	pv->set = 1;
	return 0;
}

/*
 * Walk a query string against a table of n definitions, filling vals[]
 * (zeroed by the caller).  0; -1 with *err for a bad parameter; -2 when
 * the arena is exhausted.
 */
static int
params_parse(const uint8_t *qs, size_t len, const struct pdef *defs,
    size_t n, struct pval *vals, struct arena *a, struct api_perr *err)
{
	const char	*p = (const char *)qs, *end = p + len;
	const char	*pair, *pend, *eq, *raw;
	char		 name[NAME_RAW_MAX + 1], *v;
	size_t		 i, nlen, rlen, vlen;

	if (len > LF_MAX_QUERY_STRING) {
		perr_set(err, NULL, "Query string too long");
		return -1;
	}
	for (pair = p; pair < end; pair = pend + 1) {
		if ((pend = memchr(pair, '&', (size_t)(end - pair))) == NULL)
			pend = end;
		if (pend == pair)
			continue;
		if ((eq = memchr(pair, '=', (size_t)(pend - pair))) == NULL)
			eq = pend;
		nlen = (size_t)(eq - pair);
		if (nlen > NAME_RAW_MAX ||
		    api_pct_decode(pair, nlen, 1, name, &nlen) == -1)
			continue;	/* cannot be a known name */
		for (i = 0; i < n; i++)
			if (strcmp(name, defs[i].name) == 0)
				break;
		if (i == n)
			continue;	/* unknown: ignored */

		memset(&vals[i], 0, sizeof(vals[i]));	/* last one wins */
		raw = eq < pend ? eq + 1 : pend;
		rlen = (size_t)(pend - raw);
		if (rlen == 0)
			continue;	/* empty: not given */
		if (rlen / 3 > LF_MAX_PARAM)
			goto toolong;	/* even all-%XX decodes too long */
		if ((v = arena_alloc(a, rlen + 1)) == NULL)
			return -2;
		if (api_pct_decode(raw, rlen, 1, v, &vlen) == -1) {
			err->param = defs[i].name;
			snprintf(err->msg, sizeof(err->msg),
			    "%s has a bad percent-escape or a NUL byte",
			    defs[i].name);
			return -1;
		}
		if (vlen > LF_MAX_PARAM)
			goto toolong;
		if (param_value(&defs[i], v, &vals[i], err) == -1)
			return -1;
	}
	return 0;
toolong:
	err->param = defs[i].name;
	snprintf(err->msg, sizeof(err->msg), "%s is longer than %d bytes",
	    defs[i].name, (int)LF_MAX_PARAM);
	return -1;
}

/* date_from <= date_to when both are given; else a 400 naming
 * date_from (name). */
static int
check_range(const struct pval *from, const struct pval *to,
    const char *name, struct api_perr *err)
{
	if (from->set && to->set && from->i > to->i) {
		perr_set(err, name, "date_from is later than date_to");
		return -1;
	}
	return 0;
}

/* Start parsing: clear the outputs and walk the table. */
static int
begin(const uint8_t *qs, size_t n, const struct pdef *defs, size_t nd,
    struct pval *v, struct arena *a, struct api_perr *err)
{
	memset(v, 0, nd * sizeof(*v));
	memset(err, 0, sizeof(*err));
	return params_parse(qs, n, defs, nd, v, a, err);
}

/* The trace filter from parsed values (both tables share the layout). */
static int
trace_filter_of(const struct pval *v, struct trace_filter *f,
    struct api_perr *err)
{
	f->offset = v[TP_OFFSET].set ? v[TP_OFFSET].i : 0;
	f->model = v[TP_MODEL].s;
	f->provider = v[TP_PROVIDER].s;
	f->q = v[TP_Q].s;
	switch (v[TP_STATUS].i) {
	case 0:
		f->status = STATUS_ANY;
		break;
	case 1:
		f->status = STATUS_SUCCESS;
		break;
	case 2:
		f->status = STATUS_ERROR;
		break;
	default:
		abort();
	}
	f->date_from = v[TP_DATE_FROM].set ? v[TP_DATE_FROM].i : DB_NULL;
	f->date_to = v[TP_DATE_TO].set ? v[TP_DATE_TO].i : DB_NULL;
	if (check_range(&v[TP_DATE_FROM], &v[TP_DATE_TO], "date_from",
	    err) == -1)
		return -1;
	f->session_id = v[TP_SESSION_ID].s;
	f->conversation_id = v[TP_CONVERSATION_ID].s;
	f->span_type = v[TP_SPAN_TYPE].s;
	f->service_name = v[TP_SERVICE_NAME].s;
	f->tag = v[TP_TAG].s;
	f->cost_min = v[TP_COST_MIN].set ? v[TP_COST_MIN].d : NAN;
	f->cost_max = v[TP_COST_MAX].set ? v[TP_COST_MAX].d : NAN;
	if (v[TP_COST_MIN].set && v[TP_COST_MAX].set &&
	    f->cost_min > f->cost_max) {
		perr_set(err, "cost_min", "cost_min is more than cost_max");
		return -1;
	}
	if (v[TP_CURSOR].set) {
		f->before_ts = v[TP_CURSOR].i;
		f->before_id = v[TP_CURSOR].s;
	}
	return 0;
}

int
api_params_traces(const uint8_t *qs, size_t n, struct arena *a,
    struct trace_filter *f, struct api_perr *err)
{
	struct pval	 v[TP__MAX];
	int		 rc;

	trace_filter_init(f);
	if ((rc = begin(qs, n, traces_params, TP_FORMAT, v, a, err)) != 0)
		return rc;
	f->limit = v[TP_LIMIT].set ? v[TP_LIMIT].i : LF_PAGE_DEFAULT;
	return trace_filter_of(v, f, err);
}

int
api_params_export(const uint8_t *qs, size_t n, struct arena *a,
    struct api_export_params *p, struct api_perr *err)
{
	struct pval	 v[TP__MAX];
	int		 rc;

	trace_filter_init(&p->f);
	p->format = API_EXPORT_JSON;
	if ((rc = begin(qs, n, export_params, TP__MAX, v, a, err)) != 0)
		return rc;
	p->f.limit = v[TP_LIMIT].set ? v[TP_LIMIT].i : 0;	/* 0: all */
	if (v[TP_FORMAT].set)
		p->format = (enum api_export_format)(v[TP_FORMAT].i - 1);
	return trace_filter_of(v, &p->f, err);
}

int
api_params_logs(const uint8_t *qs, size_t n, struct arena *a,
    struct log_filter *f, struct api_perr *err)
{
	struct pval	 v[LP__MAX];
	int		 rc;

	log_filter_init(f);
	if ((rc = begin(qs, n, logs_params, LP__MAX, v, a, err)) != 0)
		return rc;
	f->limit = v[LP_LIMIT].set ? v[LP_LIMIT].i : LF_PAGE_DEFAULT;
	f->offset = v[LP_OFFSET].set ? v[LP_OFFSET].i : 0;
	f->service_name = v[LP_SERVICE_NAME].s;
	f->event_name = v[LP_EVENT_NAME].s;
	f->trace_id = v[LP_TRACE_ID].s;
	f->severity_min = v[LP_SEVERITY_MIN].set ? v[LP_SEVERITY_MIN].i :
	    DB_NULL;
	f->q = v[LP_Q].s;
	f->date_from = v[LP_DATE_FROM].set ? v[LP_DATE_FROM].i : DB_NULL;
	f->date_to = v[LP_DATE_TO].set ? v[LP_DATE_TO].i : DB_NULL;
	return check_range(&v[LP_DATE_FROM], &v[LP_DATE_TO], "date_from", err);
}

int
api_params_metrics(const uint8_t *qs, size_t n, struct arena *a,
    struct api_metrics_params *p, struct api_perr *err)
{
	struct pval	 v[MP__MAX];
	int		 rc;

	metric_filter_init(&p->f);
	p->summary = 0;
	if ((rc = begin(qs, n, metrics_params, MP__MAX, v, a, err)) != 0)
		return rc;
	p->f.limit = v[MP_LIMIT].set ? v[MP_LIMIT].i : LF_PAGE_DEFAULT;
	p->f.offset = v[MP_OFFSET].set ? v[MP_OFFSET].i : 0;
	p->f.name = v[MP_NAME].s;
	p->f.service_name = v[MP_SERVICE_NAME].s;
	if (v[MP_METRIC_TYPE].set)
		p->f.metric_type =
		    metric_type_choices[v[MP_METRIC_TYPE].i - 1];
	p->f.date_from = v[MP_DATE_FROM].set ? v[MP_DATE_FROM].i : DB_NULL;
	p->f.date_to = v[MP_DATE_TO].set ? v[MP_DATE_TO].i : DB_NULL;
	p->summary = v[MP_AGGREGATION].set;
	return check_range(&v[MP_DATE_FROM], &v[MP_DATE_TO], "date_from", err);
}

int
api_params_range(const uint8_t *qs, size_t n, struct arena *a,
    int64_t *from, int64_t *to, struct api_perr *err)
{
	struct pval	 v[RP__MAX];
	int		 rc;

	*from = *to = DB_NULL;
	if ((rc = begin(qs, n, range_params, RP__MAX, v, a, err)) != 0)
		return rc;
	if (v[RP_DATE_FROM].set)
		*from = v[RP_DATE_FROM].i;
	if (v[RP_DATE_TO].set)
		*to = v[RP_DATE_TO].i;
	return check_range(&v[RP_DATE_FROM], &v[RP_DATE_TO], "date_from", err);
}

int
api_params_page(const uint8_t *qs, size_t n, struct arena *a,
    int64_t *limit, int64_t *offset, struct api_perr *err)
{
	struct pval	 v[PP__MAX];
	int		 rc;

	*limit = LF_PAGE_DEFAULT;
	*offset = 0;
	if ((rc = begin(qs, n, page_params, PP__MAX, v, a, err)) != 0)
		return rc;
	if (v[PP_LIMIT].set)
		*limit = v[PP_LIMIT].i;
	if (v[PP_OFFSET].set)
		*offset = v[PP_OFFSET].i;
	return 0;
}

int
api_params_timeline(const uint8_t *qs, size_t n, struct arena *a,
    struct api_timeline_params *p, struct api_perr *err)
{
	struct pval	 v[TLP__MAX];
	int		 rc;

	memset(p, 0, sizeof(*p));
	p->limit = API_TIMELINE_DEFAULT;
	p->date_from = DB_NULL;
	if ((rc = begin(qs, n, timeline_params, TLP__MAX, v, a, err)) != 0)
		return rc;
	if (v[TLP_LIMIT].set)
		p->limit = v[TLP_LIMIT].i;
	p->q = v[TLP_Q].s;
	p->tool = v[TLP_TOOL].s;
	if (v[TLP_DATE_FROM].set)
		p->date_from = v[TLP_DATE_FROM].i;
	p->type = (enum api_timeline_type)v[TLP_TYPE].i;
	return 0;
}

int
api_params_analytics(const uint8_t *qs, size_t n, struct arena *a,
    int trends, struct api_analytics_params *p, struct api_perr *err)
{
	struct pval	 v[AP__MAX];
	int		 rc;

	p->days = trends ? API_TREND_DAYS_DEFAULT : API_DAYS_DEFAULT;
	p->interval = API_HOUR;
	/* interval is known only to token-trends; elsewhere ignored. */
	if ((rc = begin(qs, n, trends ? trends_params : analytics_params,
	    trends ? AP__MAX : AP_INTERVAL, v, a, err)) != 0)
		return rc;
	if (v[AP_DAYS].set)
		p->days = v[AP_DAYS].i;
	if (v[AP_INTERVAL].set)
		p->interval = v[AP_INTERVAL].i == 2 ? API_DAY : API_HOUR;
	return 0;
}

int
api_param_id(const char *raw, size_t n, struct arena *a, const char **id,
    struct api_perr *err)
{
	char	*v;
	size_t	 len;

	memset(err, 0, sizeof(*err));
	if (n == 0) {
		perr_set(err, "id", "id is empty");
		return -1;
	}
	if (n / 3 > LF_MAX_ID)
		goto toolong;
	if ((v = arena_alloc(a, n + 1)) == NULL)
		return -2;
	if (api_pct_decode(raw, n, 0, v, &len) == -1) {
		perr_set(err, "id", "id has a bad percent-escape or a NUL byte");
		return -1;
	}
	if (len > LF_MAX_ID)
		goto toolong;
	*id = v;
	return 0;
toolong:
	err->param = "id";
	snprintf(err->msg, sizeof(err->msg), "id is longer than %d bytes",
	    (int)LF_MAX_ID);
	return -1;
}
