/*
 * Query parameters of GET /api/traces and the :id segment: typed values,
 * defaults, ranges, percent-decoding, and a 400 that names the parameter.
 */
#include <stdint.h>
#include <string.h>

#include "limits.h"
#include "params.h"
#include "t.h"

static struct arena	 a;
static struct trace_filter f;
static struct api_perr	 e;

static int
parse(const char *qs)
{
	return api_params_traces((const uint8_t *)qs, strlen(qs), &a, &f, &e);
}

/* The query fails and names param. */
static void
bad(const char *name, const char *qs, const char *param)
{
	int	 rc = parse(qs);

	CHECK(name, rc == -1);
	if (param == NULL)
		CHECK(name, e.param == NULL);
	else
		CHECK_STR(name, e.param, param);
	CHECK(name, e.msg[0] != '\0');
}

static void
test_defaults(void)
{
	CHECK("empty query ok", parse("") == 0);
	CHECK_I64("default limit", f.limit, LF_PAGE_DEFAULT);
	CHECK_I64("default offset", f.offset, 0);
	CHECK("no model", f.model == NULL);
	CHECK("no provider", f.provider == NULL);
	CHECK("no q", f.q == NULL);
	CHECK_I64("any status", f.status, STATUS_ANY);
	CHECK_I64("no date_from", f.date_from, DB_NULL);
	CHECK_I64("no date_to", f.date_to, DB_NULL);
}

static void
test_limit_offset(void)
{
	CHECK("limit=10", parse("limit=10") == 0 && f.limit == 10);
	CHECK("limit=1", parse("limit=1") == 0 && f.limit == 1);
	CHECK("limit max", parse("limit=1000") == 0 && f.limit == LF_PAGE_MAX);
	bad("limit=0", "limit=0", "limit");
	bad("limit=-1 (no dump-all)", "limit=-1", "limit");
	bad("limit over max", "limit=1001", "limit");
	bad("limit=abc", "limit=abc", "limit");
	bad("limit=1.5", "limit=1.5", "limit");
	bad("limit=+5", "limit=+5", "limit");
	bad("limit with space", "limit=5%20", "limit");
	bad("limit=1e3", "limit=1e3", "limit");
	bad("limit overflow", "limit=99999999999999999999999", "limit");
	CHECK("empty limit is default", parse("limit=") == 0 &&
	    f.limit == LF_PAGE_DEFAULT);
	CHECK("bare limit is default", parse("limit") == 0 &&
	    f.limit == LF_PAGE_DEFAULT);
	CHECK("offset=20", parse("offset=20") == 0 && f.offset == 20);
	CHECK("offset=0", parse("offset=0") == 0 && f.offset == 0);
	CHECK("offset max", parse("offset=100000000") == 0 &&
	    f.offset == LF_OFFSET_MAX);
	bad("offset over max", "offset=100000001", "offset");
	bad("offset=-1", "offset=-1", "offset");
	bad("offset=x", "limit=5&offset=x", "offset");
	CHECK_STR("message names range", (parse("limit=0"), e.msg),
	    "limit must be a whole number from 1 to 1000");
}

static void
test_status(void)
{
	CHECK("status=success", parse("status=success") == 0 &&
	    f.status == STATUS_SUCCESS);
	CHECK("status=error", parse("status=error") == 0 &&
	    f.status == STATUS_ERROR);
	CHECK("status= is any", parse("status=") == 0 && f.status == STATUS_ANY);
	bad("status=ok", "status=ok", "status");
	bad("status=ERROR", "status=ERROR", "status");
	bad("status=errors", "status=errors", "status");
	CHECK_STR("status message", (parse("status=x"), e.msg),
	    "status must be one of: success, error");
}

static void
test_strings(void)
{
	CHECK("model", parse("model=gpt-4o-mini&provider=openai&q=hello") == 0);
	CHECK_STR("model value", f.model, "gpt-4o-mini");
	CHECK_STR("provider value", f.provider, "openai");
	CHECK_STR("q value", f.q, "hello");
	CHECK("plus is space", parse("q=a+b") == 0);
	CHECK_STR("plus decoded", f.q, "a b");
	CHECK("percent escapes", parse("q=%41%2b%2F%c3%A9") == 0);
	CHECK_STR("percent decoded", f.q, "A+/\xc3\xa9");
	CHECK("escaped name", parse("m%6Fdel=x") == 0);
	CHECK_STR("escaped name matches", f.model, "x");
	CHECK("escaped = and &", parse("q=a%3Db%26c") == 0);
	CHECK_STR("escaped = and & kept", f.q, "a=b&c");
	bad("bad escape %zz", "q=%zz", "q");
	bad("truncated escape", "q=abc%4", "q");
	bad("lone percent", "model=%", "model");
	bad("escaped NUL", "provider=a%00b", "provider");
	CHECK("unknown params ignored", parse("foo=%zz&bar&limit=7&_=1") == 0 &&
	    f.limit == 7);
	CHECK("bad name ignored", parse("li%zzmit=0") == 0 &&
	    f.limit == LF_PAGE_DEFAULT);
	CHECK("session_id accepted", parse("session_id=s1&conversation_id=c")
	    == 0);
	CHECK("empty pairs", parse("&&limit=3&&") == 0 && f.limit == 3);
	CHECK("last one wins", parse("limit=5&limit=9") == 0 && f.limit == 9);
	CHECK("last one wins over bad", parse("limit=x&limit=9") == -1);
	CHECK("last empty resets", parse("model=a&model=") == 0 &&
	    f.model == NULL);
	CHECK("value with =", parse("q=a=b") == 0);
	CHECK_STR("value with = kept", f.q, "a=b");
}

static void
test_lengths(void)
{
	char	 qs[LF_MAX_QUERY_STRING + 64];
	size_t	 n;

	memcpy(qs, "model=", 6);
	memset(qs + 6, 'm', LF_MAX_PARAM);
	qs[6 + LF_MAX_PARAM] = '\0';
	CHECK("value at LF_MAX_PARAM", parse(qs) == 0 &&
	    strlen(f.model) == LF_MAX_PARAM);
	qs[6 + LF_MAX_PARAM] = 'm';
	qs[7 + LF_MAX_PARAM] = '\0';
	bad("value over LF_MAX_PARAM", qs, "model");

	/* Decoded length counts: 1024 %41 is 1024 bytes, ok; 1025 is not. */
	memcpy(qs, "q=", 2);
	for (n = 0; n < LF_MAX_PARAM; n++)
		memcpy(qs + 2 + 3 * n, "%41", 3);
	qs[2 + 3 * n] = '\0';
	CHECK("escaped value at max", parse(qs) == 0 &&
	    strlen(f.q) == LF_MAX_PARAM);
	memcpy(qs + 2 + 3 * n, "%41", 4);
	bad("escaped value over max", qs, "q");

	memset(qs, 'x', sizeof(qs) - 1);
	qs[LF_MAX_QUERY_STRING + 1] = '\0';
	bad("query string too long", qs, NULL);
}

static void
test_dates(void)
{
	int64_t	 t;

	CHECK("date ms", parse("date_from=1700000000000&date_to=1800000000000")
	    == 0 && f.date_from == 1700000000000LL &&
	    f.date_to == 1800000000000LL);
	CHECK("date 0", parse("date_from=0") == 0 && f.date_from == 0);
	CHECK("date max", parse("date_to=4102444800000") == 0 &&
	    f.date_to == API_TIME_MAX);
	bad("date over max", "date_to=4102444800001", "date_to");
	bad("date negative", "date_from=-1", "date_from");
	bad("date junk", "date_from=yesterday", "date_from");
	bad("from after to", "date_from=2000&date_to=1000", "date_from");
	CHECK("from equals to", parse("date_from=1000&date_to=1000") == 0);

	CHECK("ISO date from", parse("date_from=2026-11-26") == 0 &&
	    f.date_from == 1795651200000LL);
	CHECK("ISO date to is end of day", parse("date_to=2026-11-26") == 0 &&
	    f.date_to == 1795651200000LL + 86400000 - 1);
	CHECK("same day from/to", parse("date_from=2026-11-26&date_to=2026-11-26")
	    == 0);
	CHECK("ISO datetime Z", parse("date_from=2026-11-26T10:00:00Z") == 0 &&
	    f.date_from == 1795651200000LL + 10 * 3600000);
	CHECK("ISO datetime ms", parse("date_from=2026-11-26T10:00:00.250Z")
	    == 0 && f.date_from == 1795651200000LL + 10 * 3600000 + 250);
	CHECK("ISO offset escaped +", parse("date_from=2026-11-26T10:00:00%2B01:00")
	    == 0 && f.date_from == 1795651200000LL + 9 * 3600000);
	CHECK("ISO offset raw + (space)",
	    parse("date_from=2026-11-26T10:00:00+01:00") == 0 &&
	    f.date_from == 1795651200000LL + 9 * 3600000);
	CHECK("ISO offset -", parse("date_from=2026-11-26T10:00-02:30") == 0 &&
	    f.date_from == 1795651200000LL + 12 * 3600000 + 30 * 60000);
	CHECK("ISO space separator", parse("date_from=2026-11-26+10:00:00") == 0 &&
	    f.date_from == 1795651200000LL + 10 * 3600000);
	CHECK("ISO to with time is exact", parse("date_to=2026-11-26T00:00:00Z")
	    == 0 && f.date_to == 1795651200000LL);
	bad("ISO bad month", "date_from=2026-13-01", "date_from");
	bad("ISO Feb 30", "date_from=2026-02-30", "date_from");
	bad("ISO hour 24", "date_from=2026-11-26T24:00:00Z", "date_from");
	bad("ISO trailing junk", "date_from=2026-11-26Tx", "date_from");
	bad("ISO year 1969", "date_from=1969-12-31", "date_from");
	bad("ISO past 2100", "date_to=2100-01-01T00:00:01Z", "date_to");
	bad("ISO month only", "date_from=2026-11", "date_from");

	CHECK("leap day", api_parse_time("2024-02-29", 0, &t) == 0 &&
	    t == 1709164800000LL);
	CHECK("not leap 2100", api_parse_time("2100-02-29", 0, &t) == -1);
	CHECK("epoch", api_parse_time("1970-01-01T00:00:00Z", 0, &t) == 0 &&
	    t == 0);
	CHECK("before epoch by zone",
	    api_parse_time("1970-01-01T00:00:00+01:00", 0, &t) == -1);
	CHECK("empty time", api_parse_time("", 0, &t) == -1);
}

static void
test_decode(void)
{
	char	 out[16];
	size_t	 n;

	CHECK("decode plain", api_pct_decode("abc", 3, 1, out, &n) == 0 &&
	    n == 3 && strcmp(out, "abc") == 0);
	CHECK("decode plus kept", api_pct_decode("a+b", 3, 0, out, &n) == 0 &&
	    strcmp(out, "a+b") == 0);
	CHECK("decode plus space", api_pct_decode("a+b", 3, 1, out, &n) == 0 &&
	    strcmp(out, "a b") == 0);
	CHECK("decode stops at n", api_pct_decode("%41%", 3, 1, out, &n) == 0 &&
	    strcmp(out, "A") == 0);
	CHECK("decode raw NUL", api_pct_decode("a\0b", 3, 1, out, &n) == -1);
	CHECK("decode %0", api_pct_decode("%0", 2, 1, out, &n) == -1);
	CHECK("decode %g0", api_pct_decode("%g0", 3, 1, out, &n) == -1);
}

static void
test_id(void)
{
	const char	*id;
	char		 raw[3 * LF_MAX_ID + 8];

	CHECK("id plain", api_param_id("abc-123", 7, &a, &id, &e) == 0);
	CHECK_STR("id value", id, "abc-123");
	CHECK("id decoded", api_param_id("a%20b%2Fc+d", 11, &a, &id, &e) == 0);
	CHECK_STR("id decoded value", id, "a b/c+d");
	CHECK("id bad escape", api_param_id("a%zz", 4, &a, &id, &e) == -1);
	CHECK_STR("id bad escape names id", e.param, "id");
	CHECK("id NUL", api_param_id("a%00", 4, &a, &id, &e) == -1);
	memset(raw, 'i', LF_MAX_ID);
	CHECK("id at max", api_param_id(raw, LF_MAX_ID, &a, &id, &e) == 0);
	memset(raw, 'i', LF_MAX_ID + 1);
	CHECK("id over max", api_param_id(raw, LF_MAX_ID + 1, &a, &id, &e)
	    == -1);
	CHECK_STR("id too long names id", e.param, "id");
}

int
main(void)
{
	arena_init(&a, 1UL << 20);
	test_defaults();
	test_limit_offset();
	test_status();
	test_strings();
	test_lengths();
	test_dates();
	test_decode();
	test_id();
	arena_free(&a);
	return t_done();
}
