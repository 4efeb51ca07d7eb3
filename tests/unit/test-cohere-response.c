/*
 * Cohere v2 chat answers translated to OpenAI chat.completion bodies:
 * joined text, tool calls (with the plan as content), every finish
 * reason, usage from tokens with billed_units as the fallback, error
 * bodies for HTTP >= 400, and the same figures read from native bodies
 * for passthrough.  Usage figures are written by hand from the input.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cohere.h"
#include "limits.h"
#include "openai.h"
#include "t.h"
#include "xlate.h"

static struct llm_result	 res;
static struct buf		 out;

/* "created":<digits> becomes "created":0 so that output compares. */
static const char *
unclock(struct buf *b)
{
	char	*p, *q;

	if (b->p == NULL || (p = strstr(b->p, "\"created\":")) == NULL)
		return buf_str(b);
	p += 10;
	for (q = p; *q >= '0' && *q <= '9'; q++)
		;
	if (q > p) {
		*p = '0';
		memmove(p + 1, q, strlen(q) + 1);
		b->len -= (size_t)(q - p) - 1;
	}
	return b->p;
}

static int
answer(int status, const char *s)
{
	llm_result_free(&res);
	llm_result_init(&res, LF_MAX_ASSEMBLED_TEXT);
	buf_reset(&out);
	return cohere_xlate.response(status, s, strlen(s), "command-a-03-2025",
	    &out, &res);
}

static int
native(const char *s)
{
	llm_result_free(&res);
	llm_result_init(&res, LF_MAX_ASSEMBLED_TEXT);
	return cohere_xlate.native_body(s, strlen(s), &res);
}

static const char text_answer[] =
    "{\"id\":\"c14c80c3-18eb-4519-9460-6c92edd8cfb4\","
    "\"finish_reason\":\"COMPLETE\",\"message\":{\"role\":\"assistant\","
    "\"content\":[{\"type\":\"text\",\"text\":\"LLMs are \"},"
    "{\"type\":\"thinking\",\"thinking\":\"hmm\"},"
    "{\"type\":\"text\",\"text\":\"models.\"}]},"
    "\"usage\":{\"billed_units\":{\"input_tokens\":5,\"output_tokens\":418},"
    "\"tokens\":{\"input_tokens\":71,\"output_tokens\":418}}}";

static const char tool_answer[] =
    "{\"id\":\"abc\",\"finish_reason\":\"TOOL_CALL\",\"message\":{\"role\":"
    "\"assistant\",\"tool_plan\":\"I will look up the weather.\","
    "\"tool_calls\":[{\"id\":\"get_weather_1byjy32y4hvq\",\"type\":"
    "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
    "\"{\\\"location\\\":\\\"Toronto\\\"}\"}}]},"
    "\"usage\":{\"billed_units\":{\"input_tokens\":37,\"output_tokens\":"
    "28},\"tokens\":{\"input_tokens\":1010,\"output_tokens\":83}}}";

int
main(void)
{
	llm_result_init(&res, LF_MAX_ASSEMBLED_TEXT);
	buf_init(&out, 1 << 20);

	CHECK_I64("text: translated", answer(200, text_answer), 0);
	CHECK_STR("text: body", unclock(&out),
	    "{\"id\":\"chatcmpl-c14c80c3-18eb-4519-9460-6c92edd8cfb4\","
	    "\"object\":\"chat.completion\",\"created\":0,"
	    "\"model\":\"command-a-03-2025\",\"choices\":[{\"index\":0,"
	    "\"message\":{\"role\":\"assistant\",\"content\":"
	    "\"LLMs are models.\",\"refusal\":null},\"logprobs\":null,"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":71,"
	    "\"completion_tokens\":418,\"total_tokens\":489}}");
	CHECK_I64("text: prompt from tokens, not billed", res.usage.prompt, 71);
	CHECK_I64("text: completion", res.usage.completion, 418);
	CHECK_I64("text: total not reported", res.usage.total, -1);
	CHECK_I64("text: cached not reported", res.usage.cached, -1);
	CHECK_STR("text: id", res.id, "c14c80c3-18eb-4519-9460-6c92edd8cfb4");
	CHECK_STR("text: finish", res.finish_reason, "stop");
	CHECK_STR("text: model not named by Cohere", res.model, "");
	CHECK_STR("text: no error", res.error, "");

	CHECK_I64("tool: translated", answer(200, tool_answer), 0);
	CHECK_STR("tool: body", unclock(&out),
	    "{\"id\":\"chatcmpl-abc\",\"object\":\"chat.completion\","
	    "\"created\":0,\"model\":\"command-a-03-2025\",\"choices\":[{"
	    "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":"
	    "\"I will look up the weather.\",\"tool_calls\":[{\"id\":"
	    "\"get_weather_1byjy32y4hvq\",\"type\":\"function\",\"function\":"
	    "{\"name\":\"get_weather\",\"arguments\":"
	    "\"{\\\"location\\\":\\\"Toronto\\\"}\"}}],\"refusal\":null},"
	    "\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],\"usage\":"
	    "{\"prompt_tokens\":1010,\"completion_tokens\":83,"
	    "\"total_tokens\":1093}}");
	CHECK_STR("tool: finish", res.finish_reason, "tool_calls");

	CHECK_I64("tool, no plan, object arguments", answer(200,
	    "{\"id\":\"x\",\"finish_reason\":\"TOOL_CALL\",\"message\":{"
	    "\"tool_calls\":[{\"id\":\"t1\",\"function\":{\"name\":\"f\","
	    "\"arguments\":{\"a\":1}}}]}}"), 0);
	CHECK_STR("tool, no plan: content null, arguments a string",
	    unclock(&out),
	    "{\"id\":\"chatcmpl-x\",\"object\":\"chat.completion\","
	    "\"created\":0,\"model\":\"command-a-03-2025\",\"choices\":[{"
	    "\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":null,"
	    "\"tool_calls\":[{\"id\":\"t1\",\"type\":\"function\",\"function\":"
	    "{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":1}\"}}],\"refusal\":"
	    "null},\"logprobs\":null,\"finish_reason\":\"tool_calls\"}],"
	    "\"usage\":{\"prompt_tokens\":0,\"completion_tokens\":0,"
	    "\"total_tokens\":0}}");
	CHECK_I64("tool, no usage: prompt unreported", res.usage.prompt, -1);

	CHECK_I64("max tokens", answer(200, "{\"id\":\"a\",\"finish_reason\":"
	    "\"MAX_TOKENS\",\"message\":{\"content\":[{\"type\":\"text\","
	    "\"text\":\"cut\"}]},\"usage\":{\"billed_units\":{\"input_tokens\":"
	    "12,\"output_tokens\":20.0}}}"), 0);
	CHECK_STR("max tokens: length", res.finish_reason, "length");
	CHECK("max tokens: body says length",
	    strstr(buf_str(&out), "\"finish_reason\":\"length\"") != NULL);
	CHECK_I64("billed_units fallback: prompt", res.usage.prompt, 12);
	CHECK_I64("billed_units fallback: integral double", res.usage.completion,
	    20);

	CHECK_I64("stop sequence", answer(200, "{\"id\":\"a\",\"finish_reason\":"
	    "\"STOP_SEQUENCE\",\"message\":{\"content\":[]}}"), 0);
	CHECK_STR("stop sequence: stop", res.finish_reason, "stop");
	CHECK("stop sequence: empty content is \"\"",
	    strstr(buf_str(&out), "\"content\":\"\"") != NULL);

	CHECK_I64("ERROR finish", answer(200, "{\"id\":\"a\",\"finish_reason\":"
	    "\"ERROR\",\"message\":{\"content\":[]}}"), 0);
	CHECK_STR("ERROR finish: stop", res.finish_reason, "stop");
	CHECK_STR("ERROR finish: error", res.error, "Cohere finish_reason ERROR");
	CHECK_I64("TIMEOUT finish", answer(200, "{\"id\":\"a\",\"finish_reason\":"
	    "\"TIMEOUT\",\"message\":{}}"), 0);
	CHECK_STR("TIMEOUT finish: error", res.error,
	    "Cohere finish_reason TIMEOUT");

	CHECK_I64("tokens partly missing: billed for the rest",
	    answer(200, "{\"message\":{},\"usage\":{\"tokens\":{"
	    "\"output_tokens\":9},\"billed_units\":{\"input_tokens\":3,"
	    "\"output_tokens\":8}}}"), 0);
	CHECK_I64("mixed: prompt billed", res.usage.prompt, 3);
	CHECK_I64("mixed: completion tokens", res.usage.completion, 9);
	CHECK("no id: a random chatcmpl id", strncmp(buf_str(&out),
	    "{\"id\":\"chatcmpl-", 16) == 0);

	CHECK_I64("counts beyond 2^53", answer(200, "{\"message\":{},"
	    "\"usage\":{\"tokens\":{\"input_tokens\":1010,\"output_tokens\":"
	    "835555555555555555555555555}}}"), 0);
	CHECK_I64("counts beyond 2^53: kept", res.usage.prompt, 1010);
	CHECK_I64("counts beyond 2^53: not reported", res.usage.completion, -1);

	CHECK_I64("error 400", answer(400, "{\"id\":\"e1\",\"message\":"
	    "\"invalid request: model 'x' not found\"}"), 0);
	CHECK_STR("error 400: OpenAI error body", buf_str(&out),
	    "{\"error\":{\"message\":\"invalid request: model 'x' not found\","
	    "\"type\":\"api_error\",\"code\":null}}");
	CHECK_STR("error 400: res error", res.error,
	    "invalid request: model 'x' not found");
	CHECK_I64("error without message", answer(503, "{}"), 0);
	CHECK_STR("error without message: status named", res.error,
	    "Cohere answered HTTP 503");
	CHECK_I64("error not JSON: not understood", answer(502,
	    "<html>bad gateway</html>"), -1);
	CHECK_I64("error not JSON: out untouched", out.len, 0);
	CHECK_I64("200 without message: not understood", answer(200,
	    "{\"foo\":1}"), -1);
	CHECK_I64("200 not JSON", answer(200, "{\"message\":"), -1);

	/* A bound too small for the answer is reported, not cut silently. */
	buf_free(&out);
	buf_init(&out, 32);
	CHECK_I64("overflow", answer(200, text_answer), -1);
	buf_free(&out);
	buf_init(&out, 1 << 20);

	CHECK_I64("native: parsed", native(tool_answer), 0);
	CHECK_I64("native: prompt", res.usage.prompt, 1010);
	CHECK_I64("native: completion", res.usage.completion, 83);
	CHECK_STR("native: id", res.id, "abc");
	CHECK_STR("native: Cohere's finish reason", res.finish_reason,
	    "TOOL_CALL");
	CHECK_STR("native: no error", res.error, "");
	CHECK_I64("native error", native("{\"id\":\"e\",\"message\":"
	    "\"too many tokens\"}"), 0);
	CHECK_STR("native error: message", res.error, "too many tokens");
	CHECK_I64("native ERROR finish", native("{\"finish_reason\":\"ERROR\","
	    "\"message\":{}}"), 0);
	CHECK_STR("native ERROR finish: reason kept", res.finish_reason,
	    "ERROR");
	CHECK_STR("native ERROR finish: error", res.error,
	    "Cohere finish_reason ERROR");
	CHECK_I64("native: not JSON", native("nope"), -1);
	CHECK_I64("native: not JSON leaves usage", res.usage.prompt, -1);

	buf_free(&out);
	llm_result_free(&res);
	return t_done();
}
