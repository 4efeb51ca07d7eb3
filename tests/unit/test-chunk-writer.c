/*
 * proxy/chunk.c byte for byte: each chat.completion.chunk event (role,
 * text, tool start, tool arguments, finish, usage-only), the OpenAI usage
 * object in each shape, error bodies and events, [DONE]; ids prefixed
 * once, a random id when none is given; escaping and invalid UTF-8 in
 * text; -1 on overflow.
 */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "chunk.h"
#include "json.h"
#include "usage.h"
#include "t.h"

#define HEAD	"data: {\"id\":\"chatcmpl-abc\",\"object\":" \
	"\"chat.completion.chunk\",\"created\":1700000000,\"model\":" \
	"\"claude-x\",\"choices\":"

static struct buf	 out;

static const char *
usage_json(const struct usage *u)
{
	struct jw	 w;

	buf_reset(&out);
	jw_init(&w, &out);
	openai_usage_json(&w, u);
	return buf_str(&out);
}

int
main(void)
{
	struct chunk_ctx	 c;
	struct usage		 u;
	struct buf		 small;
	time_t			 now = time(NULL);
	size_t			 i;
	int			 hex;

	buf_init(&out, 1 << 16);

	chunk_init(&c, "abc", "claude-x");
	CHECK_STR("init: id prefixed", c.id, "chatcmpl-abc");
	CHECK_STR("init: model", c.model, "claude-x");
	CHECK("init: created is now", c.created >= (int64_t)now - 5 &&
	    c.created <= (int64_t)now + 5);
	c.created = 1700000000;

	CHECK("role: rc", chunk_role(&c, &out) == 0);
	CHECK_STR("role", buf_str(&out), HEAD "[{\"index\":0,\"delta\":"
	    "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":"
	    "null}]}\n\n");

	buf_reset(&out);
	CHECK("text: rc", chunk_text(&c, "a\"b\\\n\t\x01\xc3\xa9\xff\0z", 12,
	    &out) == 0);
	CHECK_STR("text: escaped, U+FFFD for a bad byte", buf_str(&out),
	    HEAD "[{\"index\":0,\"delta\":{\"content\":\"a\\\"b\\\\\\n\\t"
	    "\\u0001\xc3\xa9\xef\xbf\xbd\\u0000z\"},\"finish_reason\":"
	    "null}]}\n\n");

	buf_reset(&out);
	CHECK("text: only n bytes", chunk_text(&c, "Hello", 3, &out) == 0 &&
	    strstr(buf_str(&out), "{\"content\":\"Hel\"}") != NULL);

	buf_reset(&out);
	CHECK("tool start: rc", chunk_tool_start(&c, 1, "toolu_01",
	    "get_weather", &out) == 0);
	CHECK_STR("tool start", buf_str(&out), HEAD "[{\"index\":0,\"delta\":"
	    "{\"tool_calls\":[{\"index\":1,\"id\":\"toolu_01\",\"type\":"
	    "\"function\",\"function\":{\"name\":\"get_weather\","
	    "\"arguments\":\"\"}}]},\"finish_reason\":null}]}\n\n");

	buf_reset(&out);
	CHECK("tool args: rc", chunk_tool_args(&c, 1, "{\"city\":", 8,
	    &out) == 0);
	CHECK_STR("tool args", buf_str(&out), HEAD "[{\"index\":0,\"delta\":"
	    "{\"tool_calls\":[{\"index\":1,\"function\":{\"arguments\":"
	    "\"{\\\"city\\\":\"}}]},\"finish_reason\":null}]}\n\n");

	buf_reset(&out);
	CHECK("finish: rc", chunk_finish(&c, "tool_calls", &out) == 0);
	CHECK_STR("finish", buf_str(&out), HEAD "[{\"index\":0,\"delta\":{},"
	    "\"finish_reason\":\"tool_calls\"}]}\n\n");
	buf_reset(&out);
	chunk_finish(&c, NULL, &out);
	CHECK_STR("finish: NULL is stop", buf_str(&out), HEAD "[{\"index\":0,"
	    "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n");

	/* Usage chunk: total computed, cached and reasoning details. */
	usage_init(&u);
	u.prompt = 1225;
	u.completion = 89;
	u.cached = 1000;
	u.cache_creation = 200;
	u.reasoning = 40;
	buf_reset(&out);
	CHECK("usage chunk: rc", chunk_usage(&c, &u, &out) == 0);
	CHECK_STR("usage chunk", buf_str(&out), HEAD "[],\"usage\":"
	    "{\"prompt_tokens\":1225,\"completion_tokens\":89,"
	    "\"total_tokens\":1314,\"prompt_tokens_details\":{\"cached_tokens\":"
	    "1000},\"completion_tokens_details\":{\"reasoning_tokens\":40}}}"
	    "\n\n");

	/* The usage object alone. */
	usage_init(&u);
	CHECK_STR("usage: nothing reported", usage_json(&u),
	    "{\"prompt_tokens\":0,\"completion_tokens\":0,\"total_tokens\":0}");
	u.prompt = 7;
	CHECK_STR("usage: prompt only", usage_json(&u),
	    "{\"prompt_tokens\":7,\"completion_tokens\":0,\"total_tokens\":7}");
	u.completion = 3;
	u.total = 11;
	CHECK_STR("usage: reported total kept", usage_json(&u),
	    "{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":11}");
	u.total = -1;
	u.cache_creation = 4;
	CHECK_STR("usage: cache write only -> cached 0", usage_json(&u),
	    "{\"prompt_tokens\":7,\"completion_tokens\":3,\"total_tokens\":10,"
	    "\"prompt_tokens_details\":{\"cached_tokens\":0}}");
	usage_init(&u);
	u.completion = 9;
	u.reasoning = 0;
	CHECK_STR("usage: reasoning 0 written", usage_json(&u),
	    "{\"prompt_tokens\":0,\"completion_tokens\":9,\"total_tokens\":9,"
	    "\"completion_tokens_details\":{\"reasoning_tokens\":0}}");

	/* Errors. */
	buf_reset(&out);
	CHECK("error body: rc", openai_error_body(&out, "Rate limited",
	    "rate_limit_error", "rate_limit_exceeded") == 0);
	CHECK_STR("error body", buf_str(&out), "{\"error\":{\"message\":"
	    "\"Rate limited\",\"type\":\"rate_limit_error\",\"code\":"
	    "\"rate_limit_exceeded\"}}");
	buf_reset(&out);
	openai_error_body(&out, "x", "api_error", NULL);
	CHECK_STR("error body: code null", buf_str(&out), "{\"error\":"
	    "{\"message\":\"x\",\"type\":\"api_error\",\"code\":null}}");
	buf_reset(&out);
	CHECK("error event: rc", chunk_error("Over\"loaded\"",
	    "overloaded_error", &out) == 0);
	CHECK_STR("error event", buf_str(&out), "data: {\"error\":{\"message\":"
	    "\"Over\\\"loaded\\\"\",\"type\":\"overloaded_error\",\"code\":"
	    "null}}\n\n");

	buf_reset(&out);
	CHECK("done: rc", chunk_done(&out) == 0);
	CHECK_STR("done", buf_str(&out), "data: [DONE]\n\n");

	/* Ids and models. */
	chunk_init(&c, "chatcmpl-zz", NULL);
	CHECK_STR("id already prefixed", c.id, "chatcmpl-zz");
	CHECK_STR("no model", c.model, "");
	chunk_set_model(&c, "m2");
	chunk_set_model(&c, "");
	chunk_set_model(&c, NULL);
	CHECK_STR("set model, empty ignored", c.model, "m2");
	chunk_set_id(&c, "msg_1");
	chunk_set_id(&c, NULL);
	chunk_set_id(&c, "");
	CHECK_STR("set id, empty ignored", c.id, "chatcmpl-msg_1");
	chunk_init(&c, NULL, "m");
	hex = strncmp(c.id, "chatcmpl-", 9) == 0 && strlen(c.id) == 9 + 24;
	for (i = 9; hex && c.id[i] != '\0'; i++)
		hex = isxdigit((unsigned char)c.id[i]) &&
		    !isupper((unsigned char)c.id[i]);
	CHECK("random id: chatcmpl- and 24 hex", hex);

	/* Overflow: -1, and the buffer says so. */
	buf_init(&small, 32);
	CHECK("overflow: role", chunk_role(&c, &small) == -1 && small.err);
	buf_free(&small);
	buf_init(&small, 8);
	CHECK("overflow: done", chunk_done(&small) == -1);
	buf_free(&small);

	buf_free(&out);
	return t_done();
}
