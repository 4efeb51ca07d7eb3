/*
 * Cohere v2 chat streams translated to OpenAI chat.completion.chunk
 * events, byte for byte: a text answer, a tool-use answer with two calls
 * whose arguments arrive in pieces, include_usage, a stream cut before
 * message-end, error events; and the same events read natively for
 * passthrough.  The native bytes go through the SSE splitter in small
 * reads, as upstream delivers them.  Usage figures are written by hand.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "cohere.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"
#include "t.h"
#include "xlate.h"

struct run {
	void			*st;	/* NULL: native_event */
	struct llm_result	 res;
	struct buf		 data, out;
	int			 rc;
};

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct run	*r = ctx;

	if (!complete || sse_data(p, n, &r->data) != 1)
		return 0;
	if (r->st != NULL) {
		if (cohere_xlate.stream_event(r->st, buf_str(&r->data),
		    r->data.len, &r->res, &r->out) == -1)
			r->rc = -1;
	} else
		cohere_xlate.native_event(&r->res, buf_str(&r->data),
		    r->data.len);
	return 0;
}

/* Every "created":<digits> becomes "created":0 so that output compares. */
static const char *
unclock(struct buf *b)
{
	char	*p, *q, *s;

	s = b->p;
	while (s != NULL && (p = strstr(s, "\"created\":")) != NULL) {
		p += 10;
		for (q = p; *q >= '0' && *q <= '9'; q++)
			;
		if (q > p) {
			*p = '0';
			memmove(p + 1, q, strlen(q) + 1);
			b->len -= (size_t)(q - p) - 1;
		}
		s = p;
	}
	return buf_str(b);
}

/* Feed native SSE text in reads of k bytes; translated when xl. */
static void
run(struct run *r, const char *sse, size_t k, int xl, int include_usage,
    size_t outmax)
{
	struct sse	 s;
	size_t		 i, n = strlen(sse);

	memset(r, 0, sizeof(*r));
	llm_result_init(&r->res, LF_MAX_ASSEMBLED_TEXT);
	buf_init(&r->data, LF_SSE_MAX_EVENT);
	buf_init(&r->out, outmax);
	if (xl)
		r->st = cohere_xlate.stream_new("command-a-03-2025",
		    include_usage);
	sse_init(&s, LF_SSE_MAX_EVENT);
	for (i = 0; i < n; i += k)
		sse_feed(&s, sse + i, k < n - i ? k : n - i, on_event, r);
	sse_finish(&s, on_event, r);
	sse_free(&s);
	if (xl && cohere_xlate.stream_end(r->st, &r->res, &r->out) == -1)
		r->rc = -1;
}

static void
run_free(struct run *r)
{
	cohere_xlate.stream_free(r->st);
	buf_free(&r->data);
	buf_free(&r->out);
	llm_result_free(&r->res);
}

#define ID	"29f14a5a-11de-4cae-9800-25e4747408ea"
#define HEAD(id) "data: {\"id\":\"chatcmpl-" id "\",\"object\":"	\
	"\"chat.completion.chunk\",\"created\":0,\"model\":"		\
	"\"command-a-03-2025\",\"choices\":[{\"index\":0,\"delta\":"
#define TAIL	",\"finish_reason\":null}]}\n\n"
#define ROLE(id)	HEAD(id) "{\"role\":\"assistant\",\"content\":\"\"}" TAIL
#define TEXT(id, t)	HEAD(id) "{\"content\":\"" t "\"}" TAIL
#define FINISH(id, f)	HEAD(id) "{},\"finish_reason\":\"" f "\"}]}\n\n"
#define DONE		"data: [DONE]\n\n"

static const char text_stream[] =
    "event: message-start\n"
    "data: {\"id\":\"" ID "\",\"type\":\"message-start\",\"delta\":"
    "{\"message\":{\"role\":\"assistant\",\"content\":[],\"tool_plan\":"
    "\"\",\"tool_calls\":[],\"citations\":[]}}}\n\n"
    "event: content-start\n"
    "data: {\"type\":\"content-start\",\"index\":0,\"delta\":{\"message\":"
    "{\"content\":{\"type\":\"text\",\"text\":\"\"}}}}\n\n"
    "event: content-delta\n"
    "data: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":"
    "{\"content\":{\"text\":\"Hello\"}}},\"logprobs\":null}\n\n"
    "event: content-delta\n"
    "data: {\"type\":\"content-delta\",\"index\":0,\"delta\":{\"message\":"
    "{\"content\":{\"text\":\", \\\"w\\u00f6rld\\\"\"}}}}\n\n"
    "event: content-end\n"
    "data: {\"type\":\"content-end\",\"index\":0}\n\n"
    "event: message-end\n"
    "data: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":"
    "\"COMPLETE\",\"usage\":{\"billed_units\":{\"input_tokens\":5,"
    "\"output_tokens\":3},\"tokens\":{\"input_tokens\":71,"
    "\"output_tokens\":3}}}}\n\n";

static const char tool_stream[] =
    "event: message-start\r\n"
    "data: {\"id\":\"t-1\",\"type\":\"message-start\",\"delta\":"
    "{\"message\":{\"role\":\"assistant\",\"content\":[],\"tool_plan\":"
    "\"\",\"tool_calls\":[],\"citations\":[]}}}\r\n\r\n"
    "event: tool-plan-delta\r\n"
    "data: {\"type\":\"tool-plan-delta\",\"delta\":{\"message\":"
    "{\"tool_plan\":\"I will look up the weather.\"}}}\r\n\r\n"
    "event: tool-call-start\r\n"
    "data: {\"type\":\"tool-call-start\",\"index\":0,\"delta\":{\"message\":"
    "{\"tool_calls\":{\"id\":\"get_weather_nsz5zm3w56q3\",\"type\":"
    "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
    "\"\"}}}}}\r\n\r\n"
    "event: tool-call-delta\r\n"
    "data: {\"type\":\"tool-call-delta\",\"index\":0,\"delta\":{\"message\":"
    "{\"tool_calls\":{\"function\":{\"arguments\":\"{\\\"location\\\"\"}}}}}"
    "\r\n\r\n"
    "event: tool-call-delta\r\n"
    "data: {\"type\":\"tool-call-delta\",\"index\":0,\"delta\":{\"message\":"
    "{\"tool_calls\":{\"function\":{\"arguments\":\":\\\"Toronto\\\"}\"}}}}}"
    "\r\n\r\n"
    "event: tool-call-end\r\n"
    "data: {\"type\":\"tool-call-end\",\"index\":0}\r\n\r\n"
    "event: tool-call-start\r\n"
    "data: {\"type\":\"tool-call-start\",\"index\":1,\"delta\":{\"message\":"
    "{\"tool_calls\":{\"id\":\"get_time_2\",\"type\":\"function\","
    "\"function\":{\"name\":\"get_time\",\"arguments\":\"{}\"}}}}}\r\n\r\n"
    "event: tool-call-end\r\n"
    "data: {\"type\":\"tool-call-end\",\"index\":1}\r\n\r\n"
    "event: message-end\r\n"
    "data: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":"
    "\"TOOL_CALL\",\"usage\":{\"billed_units\":{\"input_tokens\":37,"
    "\"output_tokens\":28},\"tokens\":{\"input_tokens\":913,"
    "\"output_tokens\":81}}}}\r\n\r\n";

#define TOOL_OUT							\
	ROLE("t-1")							\
	HEAD("t-1") "{\"tool_calls\":[{\"index\":0,\"id\":"		\
	    "\"get_weather_nsz5zm3w56q3\",\"type\":\"function\","	\
	    "\"function\":{\"name\":\"get_weather\",\"arguments\":\"\"}}]}" \
	    TAIL							\
	HEAD("t-1") "{\"tool_calls\":[{\"index\":0,\"function\":"	\
	    "{\"arguments\":\"{\\\"location\\\"\"}}]}" TAIL		\
	HEAD("t-1") "{\"tool_calls\":[{\"index\":0,\"function\":"	\
	    "{\"arguments\":\":\\\"Toronto\\\"}\"}}]}" TAIL		\
	HEAD("t-1") "{\"tool_calls\":[{\"index\":1,\"id\":"		\
	    "\"get_time_2\",\"type\":\"function\",\"function\":"	\
	    "{\"name\":\"get_time\",\"arguments\":\"\"}}]}" TAIL	\
	HEAD("t-1") "{\"tool_calls\":[{\"index\":1,\"function\":"	\
	    "{\"arguments\":\"{}\"}}]}" TAIL				\
	FINISH("t-1", "tool_calls")

int
main(void)
{
	struct run	 r;
	size_t		 k;

	/* Text, without include_usage, in reads of every size 1..40. */
	for (k = 1; k <= 40; k++) {
		run(&r, text_stream, k, 1, 0, 1 << 20);
		if (k == 1 || k == 7 || k == 40) {
			CHECK_I64("text: no overflow", r.rc, 0);
			CHECK_STR("text: chunks", unclock(&r.out),
			    ROLE(ID) TEXT(ID, "Hello")
			    TEXT(ID, ", \\\"w\xc3\xb6rld\\\"")
			    FINISH(ID, "stop") DONE);
			CHECK_STR("text: assembled", buf_str(&r.res.text),
			    "Hello, \"w\xc3\xb6rld\"");
			CHECK_I64("text: prompt", r.res.usage.prompt, 71);
			CHECK_I64("text: completion", r.res.usage.completion, 3);
			CHECK_STR("text: id", r.res.id, ID);
			CHECK_STR("text: finish", r.res.finish_reason, "stop");
			CHECK_I64("text: done", r.res.done, 1);
			CHECK_I64("text: events counted", r.res.chunks, 6);
			CHECK_STR("text: no error", r.res.error, "");
		}
		run_free(&r);
	}

	/* Text with include_usage: the usage-only chunk before [DONE]. */
	run(&r, text_stream, 64, 1, 1, 1 << 20);
	CHECK_STR("text+usage: chunks", unclock(&r.out),
	    ROLE(ID) TEXT(ID, "Hello") TEXT(ID, ", \\\"w\xc3\xb6rld\\\"")
	    FINISH(ID, "stop")
	    "data: {\"id\":\"chatcmpl-" ID "\",\"object\":"
	    "\"chat.completion.chunk\",\"created\":0,\"model\":"
	    "\"command-a-03-2025\",\"choices\":[],\"usage\":{"
	    "\"prompt_tokens\":71,\"completion_tokens\":3,"
	    "\"total_tokens\":74}}\n\n" DONE);
	run_free(&r);

	/* Two tool calls, CRLF lines, include_usage. */
	run(&r, tool_stream, 13, 1, 1, 1 << 20);
	CHECK_I64("tools: no overflow", r.rc, 0);
	CHECK_STR("tools: chunks", unclock(&r.out), TOOL_OUT
	    "data: {\"id\":\"chatcmpl-t-1\",\"object\":"
	    "\"chat.completion.chunk\",\"created\":0,\"model\":"
	    "\"command-a-03-2025\",\"choices\":[],\"usage\":{"
	    "\"prompt_tokens\":913,\"completion_tokens\":81,"
	    "\"total_tokens\":994}}\n\n" DONE);
	CHECK_STR("tools: finish", r.res.finish_reason, "tool_calls");
	CHECK_I64("tools: prompt from tokens", r.res.usage.prompt, 913);
	CHECK_I64("tools: completion from tokens", r.res.usage.completion, 81);
	CHECK_STR("tools: the plan is not text", buf_str(&r.res.text), "");
	run_free(&r);

	/* Cut before message-end: the stream still closes properly. */
	run(&r, "event: message-start\ndata: {\"id\":\"c\",\"type\":"
	    "\"message-start\"}\n\nevent: content-delta\ndata: {\"type\":"
	    "\"content-delta\",\"delta\":{\"message\":{\"content\":{\"text\":"
	    "\"Hi\"}}}}\n\n", 5, 1, 1, 1 << 20);
	CHECK_STR("cut: closed with stop and zero usage", unclock(&r.out),
	    ROLE("c") TEXT("c", "Hi") FINISH("c", "stop")
	    "data: {\"id\":\"chatcmpl-c\",\"object\":"
	    "\"chat.completion.chunk\",\"created\":0,\"model\":"
	    "\"command-a-03-2025\",\"choices\":[],\"usage\":{"
	    "\"prompt_tokens\":0,\"completion_tokens\":0,"
	    "\"total_tokens\":0}}\n\n" DONE);
	CHECK_I64("cut: not done", r.res.done, 0);
	CHECK_STR("cut: finish unknown", r.res.finish_reason, "");
	CHECK_I64("cut: prompt unreported", r.res.usage.prompt, -1);
	run_free(&r);

	/* An error event mid-stream: an OpenAI error event, then [DONE]. */
	run(&r, "event: message-start\ndata: {\"id\":\"e\",\"type\":"
	    "\"message-start\"}\n\nevent: content-delta\ndata: {\"type\":"
	    "\"content-delta\",\"delta\":{\"message\":{\"content\":{\"text\":"
	    "\"Hi\"}}}}\n\nevent: error\ndata: {\"type\":\"error\","
	    "\"message\":\"internal server error\"}\n\n"
	    "event: message-end\ndata: {\"type\":\"message-end\",\"delta\":"
	    "{\"finish_reason\":\"ERROR\",\"usage\":{\"tokens\":{"
	    "\"input_tokens\":4,\"output_tokens\":1}}}}\n\n", 64, 1, 1, 1 << 20);
	CHECK_STR("error: chunks", unclock(&r.out),
	    ROLE("e") TEXT("e", "Hi")
	    "data: {\"error\":{\"message\":\"internal server error\","
	    "\"type\":\"api_error\",\"code\":null}}\n\n" DONE);
	CHECK_STR("error: recorded", r.res.error, "internal server error");
	CHECK_I64("error: usage after it still counted", r.res.usage.prompt, 4);
	run_free(&r);

	/* A bare Cohere error body as the only event. */
	run(&r, "data: {\"message\":\"invalid api token\"}\n\n", 64, 1, 0,
	    1 << 20);
	CHECK_STR("bare error: chunks", buf_str(&r.out),
	    "data: {\"error\":{\"message\":\"invalid api token\","
	    "\"type\":\"api_error\",\"code\":null}}\n\n" DONE);
	CHECK_STR("bare error: recorded", r.res.error, "invalid api token");
	run_free(&r);

	/* MAX_TOKENS alone: role, length, no id from Cohere (a random
	 * one). */
	run(&r, "data: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":"
	    "\"MAX_TOKENS\"}}\n\n", 64, 1, 0, 1 << 20);
	CHECK("max tokens: role first", strstr(buf_str(&r.out),
	    "{\"role\":\"assistant\",\"content\":\"\"}") != NULL);
	CHECK("max tokens: length", strstr(buf_str(&r.out),
	    "\"delta\":{},\"finish_reason\":\"length\"}]}\n\n" DONE) != NULL);
	CHECK_STR("max tokens: recorded", r.res.finish_reason, "length");
	run_free(&r);

	/* ERROR as the finish reason: stop, with the reason recorded. */
	run(&r, "data: {\"type\":\"message-start\",\"id\":\"q\"}\n\n"
	    "data: {\"type\":\"message-end\",\"delta\":{\"finish_reason\":"
	    "\"ERROR\"}}\n\n", 64, 1, 0, 1 << 20);
	CHECK_STR("ERROR finish: stop", unclock(&r.out),
	    ROLE("q") FINISH("q", "stop") DONE);
	CHECK_STR("ERROR finish: recorded", r.res.error,
	    "Cohere finish_reason ERROR");
	run_free(&r);

	/* Not JSON and unknown events are skipped. */
	run(&r, "data: [DONE]\n\ndata: {\"type\":\"citation-start\"}\n\n"
	    "data: {\"type\":\"message-start\",\"id\":\"z\"}\n\n", 64, 1, 0,
	    1 << 20);
	CHECK_STR("skipped: closes only", unclock(&r.out),
	    ROLE("z") FINISH("z", "stop") DONE);
	run_free(&r);

	/* Overflow of the caller's buf is reported. */
	run(&r, text_stream, 64, 1, 1, 100);
	CHECK_I64("overflow: -1", r.rc, -1);
	run_free(&r);

	/* Native: the same streams read for passthrough. */
	run(&r, tool_stream, 9, 0, 0, 1 << 20);
	CHECK_STR("native tools: Cohere's finish reason", r.res.finish_reason,
	    "TOOL_CALL");
	CHECK_I64("native tools: prompt", r.res.usage.prompt, 913);
	CHECK_I64("native tools: completion", r.res.usage.completion, 81);
	CHECK_STR("native tools: id", r.res.id, "t-1");
	CHECK_I64("native tools: done", r.res.done, 1);
	CHECK_I64("native tools: events", r.res.chunks, 9);
	run_free(&r);
	run(&r, text_stream, 3, 0, 0, 1 << 20);
	CHECK_STR("native text: assembled", buf_str(&r.res.text),
	    "Hello, \"w\xc3\xb6rld\"");
	CHECK_STR("native text: finish", r.res.finish_reason, "COMPLETE");
	CHECK_I64("native text: prompt", r.res.usage.prompt, 71);
	CHECK_I64("native: not JSON", cohere_xlate.native_event(&r.res,
	    "nope", 4), -1);
	CHECK_I64("native: not JSON leaves usage", r.res.usage.prompt, 71);
	run_free(&r);

	return t_done();
}
