/*
 * openai_strip_usage gives the client the exact bytes it would have had
 * without include_usage: the top-level "usage":null member and one comma
 * go, at any position, with or without spaces; the usage-only chunk is
 * dropped; nested or non-null usage, [DONE], comments and multi-line data
 * are left alone.
 */
#include <string.h>

#include "buf.h"
#include "openai.h"
#include "t.h"

static struct buf	 out;

/* strip(ev) returns rc; out holds the result. */
static int
strip(const char *ev)
{
	return openai_strip_usage(ev, strlen(ev), &out);
}

#define STRIPS(name, in, want) do {					\
	int t_rc = strip(in);						\
	CHECK(name ": returns 0", t_rc == 0);				\
	CHECK_STR(name ": exact bytes", buf_str(&out), want);		\
} while (0)

int
main(void)
{
	buf_init(&out, 1 << 20);

	STRIPS("real chunk, usage last",
	    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
	    "\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\","
	    "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,"
	    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
	    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}\n\n",
	    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
	    "\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\","
	    "\"system_fingerprint\":\"fp_1\",\"choices\":[{\"index\":0,"
	    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
	    "\"logprobs\":null,\"finish_reason\":null}]}\n\n");
	STRIPS("usage first", "data: {\"usage\":null,\"id\":\"x\",\"a\":1}\n\n",
	    "data: {\"id\":\"x\",\"a\":1}\n\n");
	STRIPS("usage middle", "data: {\"id\":\"x\",\"usage\":null,\"a\":1}\n\n",
	    "data: {\"id\":\"x\",\"a\":1}\n\n");
	STRIPS("usage only member", "data: {\"usage\":null}\n\n",
	    "data: {}\n\n");
	STRIPS("spaces, last", "data: {\"id\": \"x\", \"usage\": null}\n\n",
	    "data: {\"id\": \"x\"}\n\n");
	STRIPS("spaces, first", "data: { \"usage\" : null , \"id\": \"x\" }\n\n",
	    "data: { \"id\": \"x\" }\n\n");
	STRIPS("spaces, middle",
	    "data: {\"a\": 1, \"usage\": null, \"b\": [1, {\"c\": \"}\"}]}\n\n",
	    "data: {\"a\": 1, \"b\": [1, {\"c\": \"}\"}]}\n\n");
	STRIPS("CRLF event", "data: {\"a\":1,\"usage\":null}\r\n\r\n",
	    "data: {\"a\":1}\r\n\r\n");
	STRIPS("event and id fields kept",
	    "event: chunk\nid: 7\ndata:{\"a\":1,\"usage\":null}\n\n",
	    "event: chunk\nid: 7\ndata:{\"a\":1}\n\n");
	STRIPS("escaped quotes and braces in strings",
	    "data: {\"t\":\"a\\\"usage\\\":null,}{\",\"usage\":null}\n\n",
	    "data: {\"t\":\"a\\\"usage\\\":null,}{\"}\n\n");
	STRIPS("escaped key spelling", "data: {\"a\":1,\"\\u0075sage\":null}\n\n",
	    "data: {\"a\":1}\n\n");
	STRIPS("nested usage untouched",
	    "data: {\"choices\":[{\"delta\":{\"usage\":null}}],\"x\":"
	    "{\"usage\":null}}\n\n",
	    "data: {\"choices\":[{\"delta\":{\"usage\":null}}],\"x\":"
	    "{\"usage\":null}}\n\n");
	STRIPS("non-null usage untouched",
	    "data: {\"choices\":[{\"index\":0}],\"usage\":{\"prompt_tokens\":1}}"
	    "\n\n",
	    "data: {\"choices\":[{\"index\":0}],\"usage\":{\"prompt_tokens\":1}}"
	    "\n\n");
	STRIPS("no usage: unchanged", "data: {\"a\":1}\n\n", "data: {\"a\":1}\n\n");
	STRIPS("usage is a string \"null\": unchanged",
	    "data: {\"usage\":\"null\"}\n\n", "data: {\"usage\":\"null\"}\n\n");

	CHECK_I64("usage-only chunk dropped", strip(
	    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
	    "\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\","
	    "\"system_fingerprint\":\"fp_1\",\"choices\":[],\"usage\":"
	    "{\"prompt_tokens\":9,\"completion_tokens\":12,\"total_tokens\":21,"
	    "\"prompt_tokens_details\":{\"cached_tokens\":0},"
	    "\"completion_tokens_details\":{\"reasoning_tokens\":0}}}\n\n"), 1);
	CHECK_I64("choices [] without usage (Azure filter results) kept",
	    strip("data: {\"choices\":[],\"prompt_filter_results\":[]}\n\n"), 0);
	CHECK_I64("[DONE]: forward unchanged", strip("data: [DONE]\n\n"), -1);
	CHECK_I64("comment: forward unchanged", strip(": ping\n\n"), -1);
	CHECK_I64("two data lines: forward unchanged",
	    strip("data: {\"a\":1,\ndata: \"usage\":null}\n\n"), -1);
	CHECK_I64("not JSON: forward unchanged",
	    strip("data: {\"usage\":null,\n\n"), -1);
	CHECK_I64("duplicate usage keys: forward unchanged",
	    strip("data: {\"usage\":null,\"usage\":null}\n\n"), -1);
	CHECK_I64("key with an escaped NUL: forward unchanged",
	    strip("data: {\"a\":1,\"usage\":null,\"usage\\u0000\":1}\n\n"),
	    -1);
	buf_free(&out);
	return t_done();
}
