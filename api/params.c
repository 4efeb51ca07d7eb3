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
	PT_IGNORED	/* checked like PT_STR, then not used */
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
	const char	*s;
};

/* Index + 1 is the enum status_filter value. */
static const char *const status_choices[] = { "success", "error", NULL };

/* GET /api/traces */
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
	TP__MAX
};

static const struct pdef traces_params[TP__MAX] = {
	[TP_LIMIT] =		{ "limit", PT_INT, 1, LF_PAGE_MAX, NULL },
	[TP_OFFSET] =		{ "offset", PT_INT, 0, LF_OFFSET_MAX, NULL },
	[TP_MODEL] =		{ "model", PT_STR, 0, 0, NULL },
	[TP_PROVIDER] =		{ "provider", PT_STR, 0, 0, NULL },
	[TP_STATUS] =		{ "status", PT_ENUM, 0, 0, status_choices },
	[TP_Q] =		{ "q", PT_STR, 0, 0, NULL },
	[TP_DATE_FROM] =	{ "date_from", PT_TIME, 0, 0, NULL },
	[TP_DATE_TO] =		{ "date_to", PT_TIME_END, 0, 0, NULL },
	[TP_SESSION_ID] =	{ "session_id", PT_IGNORED, 0, 0, NULL },
	[TP_CONVERSATION_ID] =	{ "conversation_id", PT_IGNORED, 0, 0, NULL },
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
	case PT_IGNORED:
		pv->s = v;
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

int
api_params_traces(const uint8_t *qs, size_t n, struct arena *a,
    struct trace_filter *f, struct api_perr *err)
{
	struct pval	 v[TP__MAX];
	int		 rc;

	memset(v, 0, sizeof(v));
	memset(f, 0, sizeof(*f));
	memset(err, 0, sizeof(*err));
	if ((rc = params_parse(qs, n, traces_params, TP__MAX, v, a, err)) != 0)
		return rc;

	f->limit = v[TP_LIMIT].set ? v[TP_LIMIT].i : LF_PAGE_DEFAULT;
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
	if (v[TP_DATE_FROM].set && v[TP_DATE_TO].set &&
	    f->date_from > f->date_to) {
		perr_set(err, traces_params[TP_DATE_FROM].name,
		    "date_from is later than date_to");
		return -1;
	}
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
