/*
 * Query parameters added for issue 5 (and the logs/metrics routes):
 * every new parameter, valid and out of range, each bad one a 400 that
 * names it; the cursor's round trip.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "limits.h"
#include "params.h"
#include "t.h"

static struct arena	 a;
static struct api_perr	 e;

#define Q(s)	(const uint8_t *)(s), strlen(s)

static int
traces(const char *qs, struct trace_filter *f)
{
	return api_params_traces(Q(qs), &a, f, &e);
}

static void
bad_named(const char *name, int rc, const char *param)
{
	CHECK(name, rc == -1);
	CHECK_STR(name, e.param, param);
	CHECK(name, e.msg[0] != '\0');
}

static void
test_traces(void)
{
	struct trace_filter	 f;

	CHECK("defaults", traces("", &f) == 0);
	CHECK("no cost_min", isnan(f.cost_min) && isnan(f.cost_max));
	CHECK("no cursor", f.before_ts == DB_NULL && f.before_id == NULL);
	CHECK("no span filters", f.span_type == NULL && f.service_name == NULL
	    && f.tag == NULL && f.session_id == NULL &&
	    f.conversation_id == NULL);
	CHECK("strings", traces("span_type=llm&service_name=svc+1&tag=a%2Cb"
	    "&session_id=s&conversation_id=c", &f) == 0);
	CHECK_STR("span_type", f.span_type, "llm");
	CHECK_STR("service_name", f.service_name, "svc 1");
	CHECK_STR("tag", f.tag, "a,b");
	CHECK_STR("session_id", f.session_id, "s");
	CHECK_STR("conversation_id", f.conversation_id, "c");

	CHECK("cost range", traces("cost_min=0.01&cost_max=2", &f) == 0 &&
	    f.cost_min == 0.01 && f.cost_max == 2);
	CHECK("cost 0", traces("cost_min=0", &f) == 0 && f.cost_min == 0);
	CHECK("cost exp", traces("cost_max=1e-3", &f) == 0 &&
	    f.cost_max == 1e-3);
	CHECK("cost .5", traces("cost_max=.5", &f) == 0 && f.cost_max == .5);
	bad_named("cost_min negative", traces("cost_min=-1", &f), "cost_min");
	bad_named("cost_min word", traces("cost_min=cheap", &f), "cost_min");
	bad_named("cost_max inf", traces("cost_max=inf", &f), "cost_max");
	bad_named("cost_max nan", traces("cost_max=nan", &f), "cost_max");
	bad_named("cost_max hex", traces("cost_max=0x10", &f), "cost_max");
	bad_named("cost_max 1e999", traces("cost_max=1e999", &f), "cost_max");
	bad_named("cost_max trailing", traces("cost_max=1.5x", &f), "cost_max");
	bad_named("cost_min > cost_max", traces("cost_min=2&cost_max=1", &f),
	    "cost_min");

	CHECK("cursor", traces("cursor=1700000000000:abc", &f) == 0 &&
	    f.before_ts == 1700000000000LL);
	CHECK_STR("cursor id", f.before_id, "abc");
	CHECK("cursor id with colon", traces("cursor=5:a:b", &f) == 0 &&
	    f.before_ts == 5);
	CHECK_STR("cursor id with colon kept", f.before_id, "a:b");
	CHECK("cursor escaped", traces("cursor=5:a%20b", &f) == 0);
	CHECK_STR("cursor escaped id", f.before_id, "a b");
	bad_named("cursor no colon", traces("cursor=123", &f), "cursor");
	bad_named("cursor no id", traces("cursor=123:", &f), "cursor");
	bad_named("cursor no ts", traces("cursor=:abc", &f), "cursor");
	bad_named("cursor bad ts", traces("cursor=x1:abc", &f), "cursor");
	bad_named("cursor negative", traces("cursor=-1:abc", &f), "cursor");
	bad_named("cursor past max", traces("cursor=4102444800001:a", &f),
	    "cursor");
	CHECK("traces ignore format", traces("format=xml", &f) == 0);
}

static void
test_cursor_roundtrip(void)
{
	struct trace_filter	 f;
	struct buf		 b, q;

	buf_init(&b, 1024);
	api_cursor_write(&b, 1700000000123LL, "id with/odd&chars:\r\n");
	CHECK("cursor has no CR/LF/space", strpbrk(buf_str(&b), "\r\n &") ==
	    NULL);
	buf_init(&q, 1024);
	buf_adds(&q, "cursor=");
	buf_adds(&q, buf_str(&b));
	CHECK("cursor parses back", traces(buf_str(&q), &f) == 0);
	CHECK_I64("cursor ts back", f.before_ts, 1700000000123LL);
	CHECK_STR("cursor id back", f.before_id, "id with/odd&chars:\r\n");
	buf_free(&b);
	buf_free(&q);
}

static void
test_export(void)
{
	struct api_export_params p;

	CHECK("export defaults", api_params_export(Q(""), &a, &p, &e) == 0 &&
	    p.format == API_EXPORT_JSON && p.f.limit == 0);
	CHECK("export csv", api_params_export(Q("format=csv&limit=10000000"),
	    &a, &p, &e) == 0 && p.format == API_EXPORT_CSV &&
	    p.f.limit == 10000000);
	CHECK("export jsonl", api_params_export(Q("format=jsonl"), &a, &p,
	    &e) == 0 && p.format == API_EXPORT_JSONL);
	CHECK("export filters", api_params_export(Q("model=m&tag=t&"
	    "cost_min=1&status=error"), &a, &p, &e) == 0 &&
	    strcmp(p.f.model, "m") == 0 && strcmp(p.f.tag, "t") == 0 &&
	    p.f.cost_min == 1 && p.f.status == STATUS_ERROR);
	bad_named("export format", api_params_export(Q("format=xml"), &a, &p,
	    &e), "format");
	bad_named("export format case", api_params_export(Q("format=CSV"), &a,
	    &p, &e), "format");
	bad_named("export limit 0", api_params_export(Q("limit=0"), &a, &p,
	    &e), "limit");
	bad_named("export limit over", api_params_export(Q("limit=10000001"),
	    &a, &p, &e), "limit");
	bad_named("export cost", api_params_export(Q("cost_max=-2"), &a, &p,
	    &e), "cost_max");
}

static void
test_logs(void)
{
	struct log_filter	 f;

	CHECK("logs defaults", api_params_logs(Q(""), &a, &f, &e) == 0 &&
	    f.limit == 50 && f.offset == 0 && f.severity_min == DB_NULL &&
	    f.date_from == DB_NULL && f.date_to == DB_NULL && f.q == NULL);
	CHECK("logs all", api_params_logs(Q("limit=1000&offset=5&service_name"
	    "=s&event_name=ev&trace_id=t&severity_min=24&q=x&date_from="
	    "2026-01-01&date_to=2026-01-02"), &a, &f, &e) == 0 &&
	    f.limit == 1000 && f.offset == 5 && f.severity_min == 24 &&
	    strcmp(f.service_name, "s") == 0 &&
	    strcmp(f.event_name, "ev") == 0 && strcmp(f.trace_id, "t") == 0 &&
	    strcmp(f.q, "x") == 0 && f.date_from == 1767225600000LL &&
	    f.date_to == 1767225600000LL + 2 * 86400000 - 1);
	CHECK("severity 1", api_params_logs(Q("severity_min=1"), &a, &f, &e)
	    == 0 && f.severity_min == 1);
	bad_named("severity 0", api_params_logs(Q("severity_min=0"), &a, &f,
	    &e), "severity_min");
	bad_named("severity 25", api_params_logs(Q("severity_min=25"), &a, &f,
	    &e), "severity_min");
	bad_named("severity word", api_params_logs(Q("severity_min=INFO"), &a,
	    &f, &e), "severity_min");
	bad_named("logs limit", api_params_logs(Q("limit=1001"), &a, &f, &e),
	    "limit");
	bad_named("logs offset", api_params_logs(Q("offset=-1"), &a, &f, &e),
	    "offset");
	bad_named("logs date", api_params_logs(Q("date_to=soon"), &a, &f, &e),
	    "date_to");
	bad_named("logs range", api_params_logs(Q("date_from=5&date_to=4"),
	    &a, &f, &e), "date_from");
}

static void
test_metrics(void)
{
	struct api_metrics_params p;
	int64_t			 from, to;

	CHECK("metrics defaults", api_params_metrics(Q(""), &a, &p, &e) == 0 &&
	    p.f.limit == 50 && !p.summary && p.f.metric_type == NULL);
	CHECK("metrics type", api_params_metrics(Q("metric_type="
	    "exponential_histogram&name=n&service_name=s"), &a, &p, &e) == 0);
	CHECK_STR("metric_type value", p.f.metric_type,
	    "exponential_histogram");
	CHECK("summary", api_params_metrics(Q("aggregation=summary&"
	    "date_from=1"), &a, &p, &e) == 0 && p.summary &&
	    p.f.date_from == 1);
	bad_named("metric_type bad", api_params_metrics(Q("metric_type=count"),
	    &a, &p, &e), "metric_type");
	bad_named("aggregation bad", api_params_metrics(Q("aggregation=sum"),
	    &a, &p, &e), "aggregation");
	bad_named("metrics limit", api_params_metrics(Q("limit=x"), &a, &p,
	    &e), "limit");

	CHECK("range none", api_params_range(Q(""), &a, &from, &to, &e) == 0 &&
	    from == DB_NULL && to == DB_NULL);
	CHECK("range both", api_params_range(Q("date_from=2026-01-01&date_to="
	    "1767225600000"), &a, &from, &to, &e) == 0 &&
	    from == 1767225600000LL && to == 1767225600000LL);
	bad_named("range bad", api_params_range(Q("date_from=x"), &a, &from,
	    &to, &e), "date_from");
	bad_named("range order", api_params_range(Q("date_from=2&date_to=1"),
	    &a, &from, &to, &e), "date_from");
}

static void
test_page_timeline_analytics(void)
{
	struct api_timeline_params	 t;
	struct api_analytics_params	 an;
	int64_t				 limit, offset;

	CHECK("page defaults", api_params_page(Q(""), &a, &limit, &offset, &e)
	    == 0 && limit == 50 && offset == 0);
	CHECK("page values", api_params_page(Q("limit=7&offset=3"), &a,
	    &limit, &offset, &e) == 0 && limit == 7 && offset == 3);
	bad_named("page limit 0", api_params_page(Q("limit=0"), &a, &limit,
	    &offset, &e), "limit");
	bad_named("page offset", api_params_page(Q("offset=abc"), &a, &limit,
	    &offset, &e), "offset");

	CHECK("timeline defaults", api_params_timeline(Q(""), &a, &t, &e) == 0
	    && t.limit == 100 && t.type == API_TL_ALL &&
	    t.date_from == DB_NULL && t.q == NULL && t.tool == NULL);
	CHECK("timeline values", api_params_timeline(Q("limit=1000&q=x&tool="
	    "claude-code&date_from=2026-01-01&type=log"), &a, &t, &e) == 0 &&
	    t.limit == 1000 && t.type == API_TL_LOG &&
	    strcmp(t.tool, "claude-code") == 0 &&
	    t.date_from == 1767225600000LL);
	CHECK("timeline type trace", api_params_timeline(Q("type=trace"), &a,
	    &t, &e) == 0 && t.type == API_TL_TRACE);
	CHECK("timeline empty type is all", api_params_timeline(Q("type="),
	    &a, &t, &e) == 0 && t.type == API_TL_ALL);
	bad_named("timeline type metric", api_params_timeline(Q("type=metric"),
	    &a, &t, &e), "type");
	bad_named("timeline limit", api_params_timeline(Q("limit=1001"), &a,
	    &t, &e), "limit");
	bad_named("timeline date", api_params_timeline(Q("date_from=-5"), &a,
	    &t, &e), "date_from");

	CHECK("days default", api_params_analytics(Q(""), &a, 0, &an, &e) == 0
	    && an.days == 30);
	CHECK("days 365", api_params_analytics(Q("days=365"), &a, 0, &an, &e)
	    == 0 && an.days == 365);
	bad_named("days 0", api_params_analytics(Q("days=0"), &a, 0, &an, &e),
	    "days");
	bad_named("days 366", api_params_analytics(Q("days=366"), &a, 0, &an,
	    &e), "days");
	bad_named("days word", api_params_analytics(Q("days=week"), &a, 0,
	    &an, &e), "days");
	CHECK("interval ignored off trends", api_params_analytics(
	    Q("interval=week"), &a, 0, &an, &e) == 0);
	CHECK("trends default", api_params_analytics(Q(""), &a, 1, &an, &e)
	    == 0 && an.days == 7 && an.interval == API_HOUR);
	CHECK("trends day", api_params_analytics(Q("interval=day&days=90"),
	    &a, 1, &an, &e) == 0 && an.interval == API_DAY && an.days == 90);
	bad_named("trends interval", api_params_analytics(Q("interval=week"),
	    &a, 1, &an, &e), "interval");
	bad_named("trends interval case", api_params_analytics(
	    Q("interval=Hour"), &a, 1, &an, &e), "interval");
	bad_named("trends days 91", api_params_analytics(Q("days=91"), &a, 1,
	    &an, &e), "days");
}

int
main(void)
{
	arena_init(&a, 1UL << 20);
	test_traces();
	test_cursor_roundtrip();
	test_export();
	test_logs();
	test_metrics();
	test_page_timeline_analytics();
	arena_free(&a);
	return t_done();
}
