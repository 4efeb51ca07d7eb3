/*
 * Anthropic Messages streams, as received (event: lines, ping, CRLF-free
 * SSE through the splitter), translated to OpenAI chat.completion.chunk
 * events: the exact chunk sequence for text then a tool call, the finish
 * reason, the include_usage chunk with cache tokens, [DONE]; thinking not
 * sent; usage that message_delta repeats or completes (input tokens are
 * never lost or zeroed); an error event; and the passthrough reading of
 * the same streams (native_event).  Token figures are written by hand.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "anthropic.h"
#include "buf.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"
#include "t.h"

struct run {
	void			*st;	/* NULL: passthrough (native_event) */
	struct llm_result	 res;
	struct buf		 d, out;
	int			 bad;	/* stream_event / native_event -1 */
};

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct run	*r = ctx;

	if (!complete || sse_data(p, n, &r->d) != 1)
		return 0;
	if (r->st != NULL) {
		if (anthropic_xlate.stream_event(r->st, buf_str(&r->d),
		    r->d.len, &r->res, &r->out) == -1)
			r->bad++;
	} else if (anthropic_xlate.native_event(&r->res, buf_str(&r->d),
	    r->d.len) == -1)
		r->bad++;
	return 0;
}

/* Feed the stream in reads of k bytes; translated when st != NULL. */
static void
run(struct run *r, const char *stream, size_t k, int translate,
    int include_usage)
{
	struct sse	 s;
	size_t		 i, n = strlen(stream);

	memset(r, 0, sizeof(*r));
	llm_result_init(&r->res, LF_MAX_ASSEMBLED_TEXT);
	buf_init(&r->d, LF_SSE_MAX_EVENT);
	buf_init(&r->out, 1 << 20);
	r->st = translate ? anthropic_xlate.stream_new("claude-client",
	    include_usage) : NULL;
	sse_init(&s, LF_SSE_MAX_EVENT);
	for (i = 0; i < n; i += k)
		sse_feed(&s, stream + i, k < n - i ? k : n - i, on_event, r);
	sse_finish(&s, on_event, r);
	sse_free(&s);
	if (r->st != NULL &&
	    anthropic_xlate.stream_end(r->st, &r->res, &r->out) == -1)
		r->bad++;
}

static void
run_free(struct run *r)
{
	if (r->st != NULL)
		anthropic_xlate.stream_free(r->st);
	llm_result_free(&r->res);
	buf_free(&r->d);
	buf_free(&r->out);
}

/* The output with every "created":<digits> made "created":0. */
static char *
norm(const struct buf *b)
{
	const char	*p = buf_str(b);
	char		*s, *q;

	if ((s = malloc(strlen(p) + 1)) == NULL)
		abort();
	for (q = s; *p != '\0';) {
		if (strncmp(p, "\"created\":", 10) == 0) {
			memcpy(q, "\"created\":0", 11);
			q += 11;
			p += 10;
			while (*p >= '0' && *p <= '9')
				p++;
		} else
			*q++ = *p++;
	}
	*q = '\0';
	return s;
}

/* Every event is "data: <JSON object>\n\n" or the final [DONE]; returns
 * the number of events. */
static int
events_parse(const struct buf *b)
{
	const char		*p = buf_str(b), *e;
	struct json_object	*o;
	char			*one;
	int			 n = 0;

	while (*p != '\0') {
		if (strncmp(p, "data: ", 6) != 0 ||
		    (e = strstr(p, "\n\n")) == NULL)
			return -1;
		n++;
		if (strcmp(p, "data: [DONE]\n\n") == 0)
			return n;
		if ((one = strndup(p + 6, (size_t)(e - p - 6))) == NULL)
			abort();
		o = json_tokener_parse(one);
		free(one);
		if (o == NULL || !json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			return -1;
		}
		json_object_put(o);
		p = e + 2;
	}
	return -1;	/* no [DONE] */
}

#define EV(name, json)	"event: " name "\ndata: " json "\n\n"

/* Text, then a tool call; cache write and read on the input side. */
static const char full[] =
    EV("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":"
    "\"msg_01ABC\",\"type\":\"message\",\"role\":\"assistant\",\"model\":"
    "\"claude-sonnet-4-5-20250929\",\"content\":[],\"stop_reason\":null,"
    "\"stop_sequence\":null,\"usage\":{\"input_tokens\":25,"
    "\"cache_creation_input_tokens\":200,\"cache_read_input_tokens\":1000,"
    "\"output_tokens\":1}}}")
    EV("content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
    "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}")
    EV("ping", "{\"type\": \"ping\"}")
    EV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\"Let me check\"}}")
    EV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
    "\"delta\":{\"type\":\"text_delta\",\"text\":\" the weather.\"}}")
    EV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}")
    EV("content_block_start", "{\"type\":\"content_block_start\",\"index\":1,"
    "\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_01X\",\"name\":"
    "\"get_weather\",\"input\":{}}}")
    EV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
    "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}")
    EV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
    "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
    "\"{\\\"city\\\": \"}}")
    EV("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":1,"
    "\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":"
    "\"\\\"Paris\\\"}\"}}")
    EV("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":1}")
    EV("message_delta", "{\"type\":\"message_delta\",\"delta\":{"
    "\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":"
    "{\"output_tokens\":89}}")
    EV("message_stop", "{\"type\":\"message_stop\"}");

#define HEAD	"data: {\"id\":\"chatcmpl-msg_01ABC\",\"object\":" \
	"\"chat.completion.chunk\",\"created\":0,\"model\":" \
	"\"claude-sonnet-4-5-20250929\",\"choices\":"
#define DELTA(d, fin)	HEAD "[{\"index\":0,\"delta\":" d \
	",\"finish_reason\":" fin "}]}\n\n"

static const char full_want[] =
    DELTA("{\"role\":\"assistant\",\"content\":\"\"}", "null")
    DELTA("{\"content\":\"Let me check\"}", "null")
    DELTA("{\"content\":\" the weather.\"}", "null")
    DELTA("{\"tool_calls\":[{\"index\":0,\"id\":\"toolu_01X\",\"type\":"
    "\"function\",\"function\":{\"name\":\"get_weather\",\"arguments\":"
    "\"\"}}]}", "null")
    DELTA("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
    "\"{\\\"city\\\": \"}}]}", "null")
    DELTA("{\"tool_calls\":[{\"index\":0,\"function\":{\"arguments\":"
    "\"\\\"Paris\\\"}\"}}]}", "null")
    DELTA("{}", "\"tool_calls\"")
    HEAD "[],\"usage\":{\"prompt_tokens\":1225,\"completion_tokens\":89,"
    "\"total_tokens\":1314,\"prompt_tokens_details\":{\"cached_tokens\":"
    "1000}}}\n\n"
    "data: [DONE]\n\n";

int
main(void)
{
	struct run	 r;
	char		*got;
	size_t		 k;
	char		 name[64];

	/* The whole stream, fed 1, 7 and all bytes at a time. */
	for (k = 1; k <= sizeof(full); k = k == 1 ? 7 : k == 7 ?
	    sizeof(full) : sizeof(full) + 1) {
		run(&r, full, k, 1, 1);
		got = norm(&r.out);
		snprintf(name, sizeof(name), "full stream, reads of %zu", k);
		CHECK_STR(name, got, full_want);
		free(got);
		CHECK_I64("full: events parse", events_parse(&r.out), 9);
		CHECK_I64("full: no failures", r.bad, 0);
		CHECK_I64("full: prompt = 25 + 200 + 1000", r.res.usage.prompt,
		    1225);
		CHECK_I64("full: cached", r.res.usage.cached, 1000);
		CHECK_I64("full: cache_creation", r.res.usage.cache_creation,
		    200);
		CHECK_I64("full: completion", r.res.usage.completion, 89);
		CHECK_I64("full: total", r.res.usage.total, 1314);
		CHECK_STR("full: text", buf_str(&r.res.text),
		    "Let me check the weather.");
		CHECK_STR("full: model", r.res.model,
		    "claude-sonnet-4-5-20250929");
		CHECK_STR("full: id", r.res.id, "msg_01ABC");
		CHECK_STR("full: finish", r.res.finish_reason, "tool_calls");
		CHECK_I64("full: done", r.res.done, 1);
		CHECK_I64("full: chunks", r.res.chunks, 13);
		run_free(&r);
	}

	/* Without include_usage: no usage chunk, the rest the same. */
	run(&r, full, 64, 1, 0);
	got = norm(&r.out);
	CHECK("no include_usage: no usage chunk",
	    strstr(got, "\"usage\"") == NULL);
	CHECK("no include_usage: ends with finish, [DONE]",
	    strlen(got) > 30 && strstr(got, DELTA("{}", "\"tool_calls\"")
	    "data: [DONE]\n\n") != NULL);
	CHECK_I64("no include_usage: usage still read", r.res.usage.prompt,
	    1225);
	free(got);
	run_free(&r);

	/* Passthrough of the same stream: the same figures, native stop. */
	run(&r, full, 5, 0, 0);
	CHECK_I64("native: no failures", r.bad, 0);
	CHECK_I64("native: prompt", r.res.usage.prompt, 1225);
	CHECK_I64("native: cached", r.res.usage.cached, 1000);
	CHECK_I64("native: cache_creation", r.res.usage.cache_creation, 200);
	CHECK_I64("native: completion", r.res.usage.completion, 89);
	CHECK_I64("native: total", r.res.usage.total, 1314);
	CHECK_STR("native: text", buf_str(&r.res.text),
	    "Let me check the weather.");
	CHECK_STR("native: finish", r.res.finish_reason, "tool_use");
	CHECK_STR("native: id", r.res.id, "msg_01ABC");
	CHECK_I64("native: done", r.res.done, 1);
	CHECK_I64("native: chunks", r.res.chunks, 13);
	run_free(&r);

	/* Newer API versions repeat the input side in message_delta; a
	 * thinking block is not sent. prompt = 472 + 30 + 0. */
	{
		static const char s[] =
		    EV("message_start", "{\"type\":\"message_start\",\"message\":"
		    "{\"id\":\"msg_2\",\"model\":\"claude-opus-4-1\",\"usage\":"
		    "{\"input_tokens\":472,\"cache_read_input_tokens\":30,"
		    "\"output_tokens\":2}}}")
		    EV("content_block_start", "{\"type\":\"content_block_start\","
		    "\"index\":0,\"content_block\":{\"type\":\"thinking\","
		    "\"thinking\":\"\"}}")
		    EV("content_block_delta", "{\"type\":\"content_block_delta\","
		    "\"index\":0,\"delta\":{\"type\":\"thinking_delta\","
		    "\"thinking\":\"Secret plan.\"}}")
		    EV("content_block_delta", "{\"type\":\"content_block_delta\","
		    "\"index\":0,\"delta\":{\"type\":\"signature_delta\","
		    "\"signature\":\"EqQB\"}}")
		    EV("content_block_stop", "{\"type\":\"content_block_stop\","
		    "\"index\":0}")
		    EV("content_block_start", "{\"type\":\"content_block_start\","
		    "\"index\":1,\"content_block\":{\"type\":\"text\","
		    "\"text\":\"\"}}")
		    EV("content_block_delta", "{\"type\":\"content_block_delta\","
		    "\"index\":1,\"delta\":{\"type\":\"text_delta\","
		    "\"text\":\"42\"}}")
		    EV("content_block_stop", "{\"type\":\"content_block_stop\","
		    "\"index\":1}")
		    EV("message_delta", "{\"type\":\"message_delta\",\"delta\":"
		    "{\"stop_reason\":\"max_tokens\",\"stop_sequence\":null},"
		    "\"usage\":{\"input_tokens\":472,"
		    "\"cache_creation_input_tokens\":0,"
		    "\"cache_read_input_tokens\":30,\"output_tokens\":310}}")
		    EV("message_stop", "{\"type\":\"message_stop\"}");

		run(&r, s, 3, 1, 1);
		got = norm(&r.out);
		CHECK("repeat: thinking not sent",
		    strstr(got, "Secret") == NULL && strstr(got, "EqQB") == NULL);
		CHECK("repeat: text sent", strstr(got,
		    "\"delta\":{\"content\":\"42\"}") != NULL);
		CHECK("repeat: finish length", strstr(got,
		    "\"delta\":{},\"finish_reason\":\"length\"") != NULL);
		CHECK("repeat: usage chunk", strstr(got, "\"usage\":{"
		    "\"prompt_tokens\":502,\"completion_tokens\":310,"
		    "\"total_tokens\":812,\"prompt_tokens_details\":"
		    "{\"cached_tokens\":30}}") != NULL);
		CHECK_I64("repeat: events parse", events_parse(&r.out), 5);
		CHECK_I64("repeat: prompt", r.res.usage.prompt, 502);
		CHECK_I64("repeat: cache_creation", r.res.usage.cache_creation,
		    0);
		CHECK_I64("repeat: completion", r.res.usage.completion, 310);
		CHECK_STR("repeat: text", buf_str(&r.res.text), "42");
		free(got);
		run_free(&r);
		run(&r, s, 1000, 0, 0);
		CHECK_I64("repeat native: prompt", r.res.usage.prompt, 502);
		CHECK_I64("repeat native: completion", r.res.usage.completion,
		    310);
		CHECK_STR("repeat native: stop", r.res.finish_reason,
		    "max_tokens");
		run_free(&r);
	}

	/* message_start without usage (a compatible server); the input side
	 * arrives only in message_delta: prompt = 50 + 10 + 5. */
	{
		static const char s[] =
		    EV("message_start", "{\"type\":\"message_start\",\"message\":"
		    "{\"id\":\"msg_3\",\"model\":\"m\"}}")
		    EV("content_block_delta", "{\"type\":\"content_block_delta\","
		    "\"index\":0,\"delta\":{\"type\":\"text_delta\","
		    "\"text\":\"ok\"}}")
		    EV("message_delta", "{\"type\":\"message_delta\",\"delta\":"
		    "{\"stop_reason\":\"end_turn\"},\"usage\":{\"input_tokens\":"
		    "50,\"cache_read_input_tokens\":10,"
		    "\"cache_creation_input_tokens\":5,\"output_tokens\":7}}")
		    EV("message_stop", "{\"type\":\"message_stop\"}");

		run(&r, s, 1000, 1, 1);
		CHECK_I64("late input: prompt", r.res.usage.prompt, 65);
		CHECK_I64("late input: cached", r.res.usage.cached, 10);
		CHECK_I64("late input: completion", r.res.usage.completion, 7);
		CHECK("late input: usage chunk", strstr(buf_str(&r.out),
		    "\"prompt_tokens\":65,\"completion_tokens\":7,"
		    "\"total_tokens\":72") != NULL);
		CHECK_I64("late input: events parse", events_parse(&r.out), 5);
		run_free(&r);
	}

	/* A message_delta reporting zeros never lowers what message_start
	 * said (the original lost input tokens exactly here). */
	{
		static const char s[] =
		    EV("message_start", "{\"type\":\"message_start\",\"message\":"
		    "{\"id\":\"msg_4\",\"model\":\"m\",\"usage\":{\"input_tokens\":"
		    "900,\"cache_read_input_tokens\":100,\"output_tokens\":1}}}")
		    EV("message_delta", "{\"type\":\"message_delta\",\"delta\":"
		    "{\"stop_reason\":\"end_turn\"},\"usage\":{\"input_tokens\":0,"
		    "\"cache_read_input_tokens\":0,\"output_tokens\":12}}");

		run(&r, s, 1000, 0, 0);
		CHECK_I64("zeros: prompt kept", r.res.usage.prompt, 1000);
		CHECK_I64("zeros: cached kept", r.res.usage.cached, 100);
		CHECK_I64("zeros: completion", r.res.usage.completion, 12);
		CHECK_I64("zeros: no message_stop, not done", r.res.done, 0);
		run_free(&r);
	}

	/* An error event mid-stream: an OpenAI error event, no finish and
	 * no usage chunk after it, then [DONE]. */
	{
		static const char s[] =
		    EV("message_start", "{\"type\":\"message_start\",\"message\":"
		    "{\"id\":\"msg_5\",\"model\":\"m\",\"usage\":{\"input_tokens\":"
		    "10,\"output_tokens\":1}}}")
		    EV("content_block_start", "{\"type\":\"content_block_start\","
		    "\"index\":0,\"content_block\":{\"type\":\"text\","
		    "\"text\":\"\"}}")
		    EV("content_block_delta", "{\"type\":\"content_block_delta\","
		    "\"index\":0,\"delta\":{\"type\":\"text_delta\","
		    "\"text\":\"Hel\"}}")
		    EV("error", "{\"type\":\"error\",\"error\":{\"type\":"
		    "\"overloaded_error\",\"message\":\"Overloaded\"}}");

		run(&r, s, 1000, 1, 1);
		got = norm(&r.out);
		CHECK_STR("error: sequence", got,
		    "data: {\"id\":\"chatcmpl-msg_5\",\"object\":"
		    "\"chat.completion.chunk\",\"created\":0,\"model\":\"m\","
		    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
		    "\"content\":\"\"},\"finish_reason\":null}]}\n\n"
		    "data: {\"id\":\"chatcmpl-msg_5\",\"object\":"
		    "\"chat.completion.chunk\",\"created\":0,\"model\":\"m\","
		    "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
		    "\"finish_reason\":null}]}\n\n"
		    "data: {\"error\":{\"message\":\"Overloaded\",\"type\":"
		    "\"overloaded_error\",\"code\":null}}\n\n"
		    "data: [DONE]\n\n");
		CHECK_STR("error: res", r.res.error, "Overloaded");
		CHECK_I64("error: events parse", events_parse(&r.out), 4);
		free(got);
		run_free(&r);
		run(&r, s, 1000, 0, 0);
		CHECK_STR("error native: res", r.res.error, "Overloaded");
		CHECK_I64("error native: prompt", r.res.usage.prompt, 10);
		run_free(&r);
	}

	/* A stream cut before message_start: role, finish, usage of
	 * zeros, [DONE]; not JSON data is skipped. */
	run(&r, "data: not json\n\n", 1000, 1, 1);
	got = norm(&r.out);
	CHECK_I64("empty: events parse", events_parse(&r.out), 4);
	CHECK("empty: finish stop", strstr(got,
	    "\"delta\":{},\"finish_reason\":\"stop\"") != NULL);
	CHECK("empty: client model", strstr(got,
	    "\"model\":\"claude-client\"") != NULL);
	CHECK("empty: zero usage", strstr(got, "\"usage\":{\"prompt_tokens\":0,"
	    "\"completion_tokens\":0,\"total_tokens\":0}") != NULL);
	CHECK_I64("empty: prompt unknown", r.res.usage.prompt, -1);
	free(got);
	run_free(&r);
	run(&r, "data: not json\n\n", 1000, 0, 0);
	CHECK_I64("native not JSON: -1", r.bad, 1);
	CHECK_I64("native not JSON: counted", r.res.chunks, 1);
	run_free(&r);
	return t_done();
}
