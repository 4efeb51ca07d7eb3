/*
 * POST /api/spans body: the original SDK format into a trace_rec, with
 * its defaults, and a 400 naming the member for each bad one.
 */
#include <math.h>
#include <string.h>

#include "limits.h"
#include "spans.h"
#include "t.h"

static struct arena	 a;
static struct trace_rec	 r;
static struct api_perr	 e;

#define NOW	1800000000000LL

static int
parse(const char *s)
{
	return api_span_parse((const uint8_t *)s, strlen(s), &a, NOW, &r, &e);
}

static void
bad(const char *name, const char *body, const char *param)
{
	CHECK(name, parse(body) == -1);
	CHECK_STR(name, e.param, param);
}

int
main(void)
{
	char	 big[300];

	arena_init(&a, 8UL << 20);
	CHECK("empty object", parse("{}") == 0);
	CHECK("fresh id: 16 hex", r.id != NULL && strlen(r.id) == 16 &&
	    strspn(r.id, "0123456789abcdef") == 16);
	CHECK("trace id = id", r.trace_id == r.id);
	CHECK_STR("span_type default", r.span_type, "custom");
	CHECK_STR("span_name default", r.span_name, "custom");
	CHECK_STR("service default", r.service_name, "app");
	CHECK_I64("status default", r.status, 200);
	CHECK_I64("timestamp now", r.timestamp, NOW);
	CHECK("no duration", r.duration_ms == DB_NULL);
	CHECK_STR("cost unknown", r.cost_source, "unknown");
	CHECK("cost NAN", isnan(r.estimated_cost));

	CHECK("full", parse("{\"id\":\"s-1.a:b_c\",\"trace_id\":\"t1\","
	    "\"parent_id\":\"p\",\"span_type\":\"tool\",\"start_time\":1000,"
	    "\"end_time\":1500,\"status\":500,\"error\":\"x\",\"attributes\":"
	    "{\"k\":[1,2]},\"input\":\"hi\",\"output\":{\"a\":null},\"tags\":"
	    "[\"x\",\"y\"],\"service_name\":\"svc\",\"model\":\"m\","
	    "\"provider\":\"p\",\"prompt_tokens\":10,\"completion_tokens\":5,"
	    "\"estimated_cost\":0.25,\"unknown\":[1]}") == 0);
	CHECK_STR("id", r.id, "s-1.a:b_c");
	CHECK_STR("trace_id", r.trace_id, "t1");
	CHECK_STR("span_name from type", r.span_name, "tool");
	CHECK_I64("start", r.timestamp, 1000);
	CHECK_I64("duration from end", r.duration_ms, 500);
	CHECK_I64("status", r.status, 500);
	CHECK_STR("attributes", r.attributes, "{\"k\":[1,2]}");
	CHECK_STR("input", r.input, "\"hi\"");
	CHECK_STR("output", r.output, "{\"a\":null}");
	CHECK_STR("tags", r.tags, "[\"x\",\"y\"]");
	CHECK_I64("total from parts", r.total_tokens, 15);
	CHECK_STR("reported", r.cost_source, "reported");
	CHECK("reported cost", r.estimated_cost == 0.25);

	CHECK("duration_ms wins", parse("{\"start_time\":1000,\"end_time\":"
	    "5000,\"duration_ms\":7}") == 0 && r.duration_ms == 7);
	CHECK("ISO start", parse("{\"start_time\":\"2026-11-26T00:00:00Z\"}")
	    == 0 && r.timestamp == 1795651200000LL);
	CHECK("end before start: no duration", parse("{\"start_time\":5,"
	    "\"end_time\":1}") == 0 && r.duration_ms == DB_NULL);
	CHECK("nulls are absent", parse("{\"id\":null,\"model\":null,"
	    "\"tags\":null,\"status\":null}") == 0 && r.status == 200);
	CHECK("whole double ok", parse("{\"prompt_tokens\":3.0}") == 0 &&
	    r.prompt_tokens == 3);
	{
		static char	 body[LF_MAX_ERROR * 2 + 32];
		size_t		 n = LF_MAX_ERROR * 2;

		memcpy(body, "{\"error\":\"", 10);
		memset(body + 10, 'e', n);
		memcpy(body + 10 + n, "\"}", 3);
		CHECK("long error cut", parse(body) == 0 &&
		    strlen(r.error) == LF_MAX_ERROR);
	}

	bad("not JSON", "{", "body");
	bad("not object", "[1]", "body");
	bad("trailing junk", "{} x", "body");
	bad("empty", "", "body");
	bad("id charset", "{\"id\":\"a b\"}", "id");
	bad("id empty", "{\"id\":\"\"}", "id");
	bad("id number", "{\"id\":5}", "id");
	bad("trace_id slash", "{\"trace_id\":\"a/b\"}", "trace_id");
	bad("parent_id newline", "{\"parent_id\":\"a\\nb\"}", "parent_id");
	bad("status string", "{\"status\":\"200\"}", "status");
	bad("status range", "{\"status\":1000}", "status");
	bad("tokens negative", "{\"prompt_tokens\":-1}", "prompt_tokens");
	bad("tokens fraction", "{\"completion_tokens\":1.5}",
	    "completion_tokens");
	bad("total huge", "{\"total_tokens\":1e300}", "total_tokens");
	bad("cost negative", "{\"estimated_cost\":-0.1}", "estimated_cost");
	bad("cost string", "{\"estimated_cost\":\"1\"}", "estimated_cost");
	bad("start bad", "{\"start_time\":\"yesterday\"}", "start_time");
	bad("start negative", "{\"start_time\":-5}", "start_time");
	bad("end bool", "{\"end_time\":true}", "end_time");
	bad("duration negative", "{\"duration_ms\":-1}", "duration_ms");
	bad("attributes array", "{\"attributes\":[1]}", "attributes");
	bad("tags not strings", "{\"tags\":[1]}", "tags");
	bad("tags object", "{\"tags\":{}}", "tags");
	bad("span_type number", "{\"span_type\":1}", "span_type");
	bad("model NUL", "{\"model\":\"a\\u0000b\"}", "model");
	memset(big, 'm', sizeof(big));
	memcpy(big, "{\"model\":\"", 10);
	memcpy(big + sizeof(big) - 3, "\"}", 3);
	bad("model too long", big, "model");
	arena_free(&a);
	return t_done();
}
