/*
 * Anthropic Messages answers translated to OpenAI chat.completion bodies:
 * text, tool_use (arguments as JSON text, content null when only tools),
 * every stop reason, usage with cache tokens (prompt = input + cache read
 * + cache write), error bodies; and the passthrough reading of the same
 * bodies (native_body).  Token figures are written out by hand.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "anthropic.h"
#include "buf.h"
#include "openai.h"
#include "t.h"

static struct buf		 out;
static struct llm_result	 res;

static int
resp(int status, const char *body, const char *model)
{
	buf_reset(&out);
	llm_result_free(&res);
	llm_result_init(&res, 4096);
	return anthropic_xlate.response(status, body, strlen(body), model,
	    &out, &res);
}

/* The output with "created":<digits> replaced by "created":0. */
static const char *
norm(void)
{
	static char	 s[8192];
	const char	*p = buf_str(&out), *c;
	size_t		 pre;

	if ((c = strstr(p, "\"created\":")) == NULL ||
	    strlen(p) >= sizeof(s))
		return p;
	pre = (size_t)(c - p) + 10;
	memcpy(s, p, pre);
	c += 10;
	while (*c >= '0' && *c <= '9')
		c++;
	snprintf(s + pre, sizeof(s) - pre, "0%s", c);
	return s;
}

static int
parses(const char *s)
{
	struct json_object	*o = json_tokener_parse(s);
	int			 ok = o != NULL &&
				    json_object_is_type(o, json_type_object);

	json_object_put(o);
	return ok;
}

#define MSG(content, stop, usage) "{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\"," \
	"\"type\":\"message\",\"role\":\"assistant\",\"model\":" \
	"\"claude-sonnet-4-5-20250929\",\"content\":" content \
	",\"stop_reason\":" stop ",\"stop_sequence\":null,\"usage\":" usage "}"

int
main(void)
{
	static const struct {
		const char	*stop, *want;
	} stops[] = {
		{ "\"end_turn\"", "stop" },
		{ "\"stop_sequence\"", "stop" },
		{ "\"max_tokens\"", "length" },
		{ "\"tool_use\"", "tool_calls" },
		{ "\"refusal\"", "content_filter" },
		{ "\"pause_turn\"", "stop" },
		{ "null", "stop" },
	};
	size_t	 i;
	char	 name[64], body[1024];

	buf_init(&out, 1 << 16);
	llm_result_init(&res, 4096);

	/* Text in two blocks, a thinking block left out, cache usage:
	 * prompt = 12 + 100 + 30 = 142, total = 142 + 45 = 187. */
	CHECK("text: rc", resp(200, MSG("[{\"type\":\"thinking\",\"thinking\":"
	    "\"hmm\",\"signature\":\"x\"},{\"type\":\"text\",\"text\":"
	    "\"Hello, \"},{\"type\":\"text\",\"text\":\"w\\u00f6rld.\"}]",
	    "\"end_turn\"", "{\"input_tokens\":12,"
	    "\"cache_creation_input_tokens\":30,\"cache_read_input_tokens\":100,"
	    "\"output_tokens\":45,\"service_tier\":\"standard\"}"),
	    "claude-sonnet-4-5") == 0);
	CHECK_STR("text: body", norm(),
	    "{\"id\":\"chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL\",\"object\":"
	    "\"chat.completion\",\"created\":0,\"model\":"
	    "\"claude-sonnet-4-5-20250929\",\"choices\":[{\"index\":0,"
	    "\"message\":{\"role\":\"assistant\",\"content\":"
	    "\"Hello, w\xc3\xb6rld.\"},\"logprobs\":null,\"finish_reason\":"
	    "\"stop\"}],\"usage\":{\"prompt_tokens\":142,\"completion_tokens\":"
	    "45,\"total_tokens\":187,\"prompt_tokens_details\":"
	    "{\"cached_tokens\":100}}}");
	CHECK("text: parses", parses(buf_str(&out)));
	CHECK_I64("text: prompt", res.usage.prompt, 142);
	CHECK_I64("text: cached", res.usage.cached, 100);
	CHECK_I64("text: cache_creation", res.usage.cache_creation, 30);
	CHECK_I64("text: completion", res.usage.completion, 45);
	CHECK_I64("text: total", res.usage.total, 187);
	CHECK_I64("text: reasoning not reported", res.usage.reasoning, -1);
	CHECK_STR("text: model", res.model, "claude-sonnet-4-5-20250929");
	CHECK_STR("text: id", res.id, "msg_01XFDUDYJgAACzvnptvVoYEL");
	CHECK_STR("text: finish", res.finish_reason, "stop");
	CHECK_STR("text: no error", res.error, "");

	/* Text and a tool call; no cache figures: no details object. */
	CHECK("tool_use: rc", resp(200, MSG("[{\"type\":\"text\",\"text\":"
	    "\"Let me look.\"},{\"type\":\"tool_use\",\"id\":"
	    "\"toolu_01A09q90qw90lq917835lq9\",\"name\":\"get_weather\","
	    "\"input\":{\"location\":\"San Francisco, CA\",\"days\":3,"
	    "\"units\":[\"c\"]}}]", "\"tool_use\"",
	    "{\"input_tokens\":400,\"output_tokens\":61}"), "m") == 0);
	CHECK_STR("tool_use: body", norm(),
	    "{\"id\":\"chatcmpl-msg_01XFDUDYJgAACzvnptvVoYEL\",\"object\":"
	    "\"chat.completion\",\"created\":0,\"model\":"
	    "\"claude-sonnet-4-5-20250929\",\"choices\":[{\"index\":0,"
	    "\"message\":{\"role\":\"assistant\",\"content\":\"Let me look.\","
	    "\"tool_calls\":[{\"id\":\"toolu_01A09q90qw90lq917835lq9\","
	    "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
	    "\"arguments\":\"{\\\"location\\\":\\\"San Francisco, CA\\\","
	    "\\\"days\\\":3,\\\"units\\\":[\\\"c\\\"]}\"}}]},\"logprobs\":null,"
	    "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":"
	    "400,\"completion_tokens\":61,\"total_tokens\":461}}");
	CHECK("tool_use: parses", parses(buf_str(&out)));
	CHECK_STR("tool_use: finish", res.finish_reason, "tool_calls");
	CHECK_I64("tool_use: prompt", res.usage.prompt, 400);
	CHECK_I64("tool_use: cached unknown", res.usage.cached, -1);

	/* Only tool calls: content null; two calls keep their order. */
	CHECK("tools only: rc", resp(200, MSG("[{\"type\":\"tool_use\",\"id\":"
	    "\"t1\",\"name\":\"a\",\"input\":{}},{\"type\":\"tool_use\",\"id\":"
	    "\"t2\",\"name\":\"b\",\"input\":{\"x\":\"\\\"\"}}]", "\"tool_use\"",
	    "{\"input_tokens\":1,\"output_tokens\":2}"), "m") == 0);
	CHECK("tools only: content null", strstr(buf_str(&out),
	    "\"message\":{\"role\":\"assistant\",\"content\":null,"
	    "\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":"
	    "{\"name\":\"a\",\"arguments\":\"{}\"}},{\"id\":\"t2\",\"type\":"
	    "\"function\",\"function\":{\"name\":\"b\",\"arguments\":"
	    "\"{\\\"x\\\":\\\"\\\\\\\"\\\"}\"}}]}") != NULL);
	CHECK("tools only: parses", parses(buf_str(&out)));

	/* No model in the answer: the client's; empty content: "". */
	CHECK("no model: rc", resp(200, "{\"id\":\"msg_2\",\"type\":\"message\","
	    "\"content\":[],\"stop_reason\":\"end_turn\",\"usage\":"
	    "{\"input_tokens\":3,\"output_tokens\":0}}", "claude-x") == 0);
	CHECK("no model: client's model",
	    strstr(buf_str(&out), "\"model\":\"claude-x\"") != NULL);
	CHECK("no model: empty content", strstr(buf_str(&out),
	    "\"content\":\"\"") != NULL);
	CHECK_I64("no model: completion 0", res.usage.completion, 0);

	/* Every stop reason. */
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		snprintf(body, sizeof(body), "{\"id\":\"msg_3\",\"type\":"
		    "\"message\",\"model\":\"m\",\"content\":[{\"type\":"
		    "\"text\",\"text\":\"x\"}],\"stop_reason\":%s,\"usage\":"
		    "{\"input_tokens\":1,\"output_tokens\":1}}", stops[i].stop);
		snprintf(name, sizeof(name), "stop %s", stops[i].stop);
		CHECK(name, resp(200, body, "m") == 0);
		CHECK_STR(name, res.finish_reason, stops[i].want);
		CHECK(name, strstr(buf_str(&out), stops[i].want) != NULL);
	}

	/* An Anthropic error becomes an OpenAI error body. */
	CHECK("error: rc", resp(429, "{\"type\":\"error\",\"error\":{\"type\":"
	    "\"rate_limit_error\",\"message\":\"Number of request tokens has "
	    "exceeded your per-minute rate limit\"},\"request_id\":"
	    "\"req_011\"}", "m") == 0);
	CHECK_STR("error: body", buf_str(&out),
	    "{\"error\":{\"message\":\"Number of request tokens has exceeded "
	    "your per-minute rate limit\",\"type\":\"rate_limit_error\","
	    "\"code\":null}}");
	CHECK_STR("error: res", res.error, "Number of request tokens has "
	    "exceeded your per-minute rate limit");
	CHECK_I64("error: no usage", res.usage.prompt, -1);
	CHECK("overloaded 529", resp(529, "{\"type\":\"error\",\"error\":"
	    "{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}",
	    "m") == 0 && strcmp(res.error, "Overloaded") == 0);

	/* Not understood: forwarded unchanged by the caller. */
	CHECK("html 502", resp(502, "<html>Bad gateway</html>", "m") == -1);
	CHECK("json without content", resp(200, "{\"id\":\"x\"}", "m") == -1);
	CHECK("error without error object", resp(500, "{\"message\":\"x\"}",
	    "m") == -1);
	CHECK("empty", resp(200, "", "m") == -1);

	/* Passthrough: the same body read, stop reason kept native. */
	llm_result_free(&res);
	llm_result_init(&res, 64);
	{
		static const char b[] = MSG("[{\"type\":\"text\",\"text\":"
		    "\"hi\"}]", "\"max_tokens\"", "{\"input_tokens\":7,"
		    "\"cache_creation_input_tokens\":0,"
		    "\"cache_read_input_tokens\":2048,\"output_tokens\":16}");

		CHECK("native: rc", anthropic_xlate.native_body(b,
		    strlen(b), &res) == 0);
	}
	CHECK_I64("native: prompt", res.usage.prompt, 2055);
	CHECK_I64("native: cached", res.usage.cached, 2048);
	CHECK_I64("native: cache_creation", res.usage.cache_creation, 0);
	CHECK_I64("native: completion", res.usage.completion, 16);
	CHECK_I64("native: total", res.usage.total, 2071);
	CHECK_STR("native: finish", res.finish_reason, "max_tokens");
	CHECK_STR("native: model", res.model, "claude-sonnet-4-5-20250929");
	CHECK_STR("native: id", res.id, "msg_01XFDUDYJgAACzvnptvVoYEL");
	llm_result_free(&res);
	llm_result_init(&res, 64);
	{
		static const char b[] = "{\"type\":\"error\",\"error\":{\"type\":"
		    "\"invalid_request_error\",\"message\":\"max_tokens: "
		    "Field required\"}}";

		CHECK("native error: rc", anthropic_xlate.native_body(b,
		    strlen(b), &res) == 0);
		CHECK_STR("native error: message", res.error,
		    "max_tokens: Field required");
		CHECK("native not JSON", anthropic_xlate.native_body("nope", 4,
		    &res) == -1);
	}
	llm_result_free(&res);
	buf_free(&out);
	return t_done();
}
