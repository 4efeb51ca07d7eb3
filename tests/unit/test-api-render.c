/*
 * JSON shapes of the query API: summary rows with nulls for absent
 * values and null cost when unpriced, the detail answer embedding stored
 * JSON raw or as a string, stats with 0 (not null) on an empty database.
 */
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "limits.h"
#include "render.h"
#include "t.h"

static struct buf	 b;
static struct jw	 w;

static void
start(void)
{
	buf_free(&b);
	buf_init(&b, 1UL << 20);
	jw_init(&w, &b);
}

/* Parse the output; NULL if it is not JSON.  Caller puts. */
static struct json_object *
parsed(void)
{
	return json_tokener_parse(buf_str(&b));
}

static struct json_object *
get(struct json_object *o, const char *path)
{
	struct json_object	*v = NULL;
	char			 key[64];
	const char		*dot;

	while (o != NULL && (dot = strchr(path, '.')) != NULL) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_object_get_ex(o, key, &v) ? v : NULL;
		path = dot + 1;
	}
	if (o == NULL || !json_object_object_get_ex(o, path, &v))
		return NULL;
	return v;
}

static int
has_null(struct json_object *o, const char *path)
{
	struct json_object	*v = NULL;
	const char		*dot = strrchr(path, '.');
	char			 parent[64];

	if (dot != NULL) {
		snprintf(parent, sizeof(parent), "%.*s", (int)(dot - path), path);
		o = get(o, parent);
		path = dot + 1;
	}
	return o != NULL && json_object_object_get_ex(o, path, &v) && v == NULL;
}

static void
test_summary(void)
{
	struct trace_rec	 r;
	struct json_object	*o;
	static const char	*fields[] = {
		"id", "timestamp", "duration_ms", "provider", "model",
		"prompt_tokens", "completion_tokens", "total_tokens",
		"estimated_cost", "status", "error", "trace_id", "parent_id",
		"span_type", "span_name", "service_name", "session_id",
		"conversation_id", "agent_name", "ttft_ms", "cached_tokens",
		"cache_creation_tokens", "reasoning_tokens", "cost_source",
		"tags", "request_method", "request_path",
	};
	size_t			 i;

	trace_rec_init(&r);
	r.id = "x";
	start();
	api_render_summary(&w, &r);
	o = parsed();
	CHECK("empty row is JSON", o != NULL);
	CHECK_I64("every field present", json_object_object_length(o),
	    sizeof(fields) / sizeof(fields[0]));
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		CHECK(fields[i], json_object_object_get_ex(o, fields[i], NULL));
	CHECK("absent int is null", has_null(o, "prompt_tokens"));
	CHECK("absent string is null", has_null(o, "model"));
	CHECK("absent cost is null", has_null(o, "estimated_cost"));
	CHECK_STR("absent tags are []", json_object_to_json_string(get(o,
	    "tags")), "[ ]");
	json_object_put(o);

	r.total_tokens = 15;
	r.prompt_tokens = 0;
	r.estimated_cost = 0.000045;
	r.cost_source = "computed";
	r.tags = " [\"a\", \"b\"] ";
	r.model = "m\"\n<\xff";
	start();
	api_render_summary(&w, &r);
	o = parsed();
	CHECK("row is JSON", o != NULL);
	CHECK_I64("tokens", json_object_get_int64(get(o, "total_tokens")), 15);
	CHECK("zero is 0, not null", get(o, "prompt_tokens") != NULL &&
	    json_object_get_int64(get(o, "prompt_tokens")) == 0);
	CHECK_NEAR("cost", json_object_get_double(get(o, "estimated_cost")),
	    0.000045);
	CHECK_I64("tags parsed", json_object_array_length(get(o, "tags")), 2);
	CHECK_STR("model escaped", json_object_get_string(get(o, "model")),
	    "m\"\n<\xef\xbf\xbd");
	json_object_put(o);

	r.cost_source = "unknown";
	r.estimated_cost = 0;
	r.tags = "not json";
	start();
	api_render_summary(&w, &r);
	o = parsed();
	CHECK("unknown cost is null, not 0", has_null(o, "estimated_cost"));
	CHECK_STR("bad tags are []", json_object_to_json_string(get(o, "tags")),
	    "[ ]");
	json_object_put(o);

	r.tags = "{\"a\":1}";
	start();
	api_render_summary(&w, &r);
	o = parsed();
	CHECK_STR("object tags are []", json_object_to_json_string(get(o,
	    "tags")), "[ ]");
	json_object_put(o);
}

static void
test_detail(void)
{
	struct trace_rec	 r;
	struct json_object	*o;

	trace_rec_init(&r);
	r.id = "t1";
	r.request_method = "POST";
	r.request_path = "/v1/chat/completions";
	r.request_headers = "{\"content-type\":\"application/json\"}";
	r.request_body = "{\"model\":\"gpt\",\"messages\":[]}";
	r.request_body_len = strlen(r.request_body);
	r.response_status = 200;
	r.response_headers = "{}";
	r.response_body = "{\"x\":NaN}";
	r.response_body_len = strlen(r.response_body);
	start();
	api_render_detail(&w, &r);
	o = parsed();
	CHECK("detail is JSON", o != NULL);
	CHECK_STR("trace.id", json_object_get_string(get(o, "trace.id")), "t1");
	CHECK("trace has summary fields", get(o, "trace.cost_source") != NULL ||
	    has_null(o, "trace.cost_source"));
	CHECK_STR("request.method", json_object_get_string(get(o,
	    "request.method")), "POST");
	CHECK("request.headers is object", json_object_is_type(get(o,
	    "request.headers"), json_type_object));
	CHECK("request.body is object", json_object_is_type(get(o,
	    "request.body"), json_type_object));
	CHECK_STR("request.body.model", json_object_get_string(get(o,
	    "request.body.model")), "gpt");
	CHECK("request.body_truncated false", json_object_is_type(get(o,
	    "request.body_truncated"), json_type_boolean) &&
	    !json_object_get_boolean(get(o, "request.body_truncated")));
	CHECK_I64("response.status", json_object_get_int(get(o,
	    "response.status")), 200);
	CHECK_STR("non-JSON body is a string", json_object_get_string(get(o,
	    "response.body")), "{\"x\":NaN}");
	json_object_put(o);

	trace_rec_init(&r);
	r.id = "t2";
	r.request_body = "{\"model\":\"gp";
	r.request_body_len = 12;
	r.request_body_truncated = 1;
	r.response_body = "[1,2]trailing";
	r.response_body_len = 5;	/* the stored length bounds the text */
	start();
	api_render_detail(&w, &r);
	o = parsed();
	CHECK("truncated detail is JSON", o != NULL);
	CHECK_STR("truncated body as string", json_object_get_string(get(o,
	    "request.body")), "{\"model\":\"gp");
	CHECK("body_truncated true", json_object_get_boolean(get(o,
	    "request.body_truncated")));
	CHECK("body length respected", json_object_is_type(get(o,
	    "response.body"), json_type_array));
	CHECK("absent headers null", has_null(o, "request.headers"));
	CHECK("absent method null", has_null(o, "request.method"));
	CHECK("absent response status null", has_null(o, "response.status"));
	json_object_put(o);
}

static void
test_stats(void)
{
	struct stats		 s;
	struct model_stats	 m;
	struct json_object	*o;
	struct buf		 mb;
	struct jw		 mw;

	memset(&s, 0, sizeof(s));
	s.avg_duration = NAN;
	s.error_count = DB_NULL;
	start();
	api_render_stats(&w, &s, NULL, 0);
	CHECK_STR("empty stats", buf_str(&b), "{\"total_requests\":0,"
	    "\"total_tokens\":0,\"total_cost\":0,\"total_duration\":0,"
	    "\"error_count\":0,\"avg_duration\":0,\"unpriced_requests\":0,"
	    "\"models\":[]}");

	s.total_requests = 6;
	s.total_tokens = 35;
	s.total_cost = 0.000045;
	s.error_count = 1;
	s.avg_duration = 2378.8;
	s.unpriced_count = 1;
	buf_init(&mb, 4096);
	jw_init(&mw, &mb);
	jw_arr(&mw);
	m.model = "llama3";
	m.count = 5;
	m.tokens = 35;
	m.cost = 0.000045;
	m.unpriced = 0;
	api_render_model(&mw, &m);
	m.model = NULL;
	m.count = 1;
	m.tokens = 0;
	m.cost = NAN;
	m.unpriced = 1;
	api_render_model(&mw, &m);
	jw_arr_end(&mw);
	start();
	api_render_stats(&w, &s, buf_str(&mb), mb.len);
	buf_free(&mb);
	o = parsed();
	CHECK("stats is JSON", o != NULL);
	CHECK_NEAR("avg_duration", json_object_get_double(get(o,
	    "avg_duration")), 2378.8);
	CHECK_I64("models", json_object_array_length(get(o, "models")), 2);
	CHECK_STR("models[0].model", json_object_get_string(get(
	    json_object_array_get_idx(get(o, "models"), 0), "model")), "llama3");
	CHECK("null model", has_null(json_object_array_get_idx(get(o,
	    "models"), 1), "model"));
	CHECK_I64("unpriced", json_object_get_int(get(
	    json_object_array_get_idx(get(o, "models"), 1), "unpriced")), 1);
	json_object_put(o);
}

static void
test_health(void)
{
	struct json_object	*o;

	start();
	api_render_health(&w, 1795651200000LL, 3, 7);
	o = parsed();
	CHECK_STR("health status", json_object_get_string(get(o, "status")),
	    "ok");
	CHECK_I64("health timestamp", json_object_get_int64(get(o,
	    "timestamp")), 1795651200000LL);
	CHECK_STR("health service", json_object_get_string(get(o, "service")),
	    "dashboard");
	CHECK_STR("health version", json_object_get_string(get(o, "version")),
	    LF_VERSION);
	CHECK_I64("health traces", json_object_get_int64(get(o, "traces")), 3);
	CHECK_I64("health queued spans", json_object_get_int64(get(o,
	    "queued_spans")), 7);
	json_object_put(o);
}

int
main(void)
{
	test_summary();
	test_detail();
	test_stats();
	test_health();
	buf_free(&b);
	return t_done();
}
