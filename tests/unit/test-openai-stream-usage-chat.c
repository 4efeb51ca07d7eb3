/*
 * A real Chat Completions stream with include_usage, through the SSE
 * splitter and openai_stream_data: text, model, id, finish reason, usage
 * from the final chunk (cached and reasoning tokens), the usage-only chunk
 * flagged, [DONE] seen; legacy Completions chunks assemble choices[].text.
 */
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"
#include "t.h"

struct st {
	struct llm_result	 r;
	struct buf		 d;
	int			 usage_only, notjson;
};

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct st	*st = ctx;
	int		 rc;

	if (!complete || sse_data(p, n, &st->d) != 1)
		return 0;
	rc = openai_stream_data(&st->r, st->d.p ? st->d.p : "", st->d.len);
	if (rc == -1)
		st->notjson++;
	else if (rc & OPENAI_EV_USAGE_ONLY)
		st->usage_only++;
	return 0;
}

static int
sd(struct llm_result *r, const char *s)
{
	return openai_stream_data(r, s, strlen(s));
}

#define CHUNK(rest) "data: {\"id\":\"chatcmpl-1\",\"object\":" \
	"\"chat.completion.chunk\",\"created\":1,\"model\":" \
	"\"gpt-4o-mini-2024-07-18\",\"system_fingerprint\":\"fp_1\"," rest "\n\n"

int
main(void)
{
	static const char stream[] =
	    CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
	    "\"content\":\"\"},\"logprobs\":null,\"finish_reason\":null}],"
	    "\"usage\":null}")
	    CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"},"
	    "\"logprobs\":null,\"finish_reason\":null}],\"usage\":null}")
	    CHUNK("\"choices\":[{\"index\":0,\"delta\":{\"content\":"
	    "\"lo \\u00e9\\n\"},\"logprobs\":null,\"finish_reason\":null}],"
	    "\"usage\":null}")
	    CHUNK("\"choices\":[{\"index\":0,\"delta\":{},\"logprobs\":null,"
	    "\"finish_reason\":\"stop\"}],\"usage\":null}")
	    CHUNK("\"choices\":[],\"usage\":{\"prompt_tokens\":9,"
	    "\"completion_tokens\":12,\"total_tokens\":21,"
	    "\"prompt_tokens_details\":{\"cached_tokens\":3},"
	    "\"completion_tokens_details\":{\"reasoning_tokens\":5}}}")
	    "data: [DONE]\n\n";
	static const char legacy[] =
	    "data: {\"id\":\"cmpl-7\",\"object\":\"text_completion\","
	    "\"created\":1,\"choices\":[{\"text\":\"Once\",\"index\":0,"
	    "\"logprobs\":null,\"finish_reason\":null}],"
	    "\"model\":\"gpt-3.5-turbo-instruct\"}\n\n"
	    "data: {\"id\":\"cmpl-7\",\"object\":\"text_completion\","
	    "\"created\":1,\"choices\":[{\"text\":\" upon\",\"index\":0,"
	    "\"logprobs\":null,\"finish_reason\":\"length\"}],"
	    "\"model\":\"gpt-3.5-turbo-instruct\"}\n\n"
	    "data: {\"id\":\"cmpl-7\",\"object\":\"text_completion\","
	    "\"created\":1,\"choices\":[],\"model\":\"gpt-3.5-turbo-instruct\","
	    "\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,"
	    "\"total_tokens\":6}}\n\n"
	    "data: [DONE]\n\n";
	struct st	 st;
	struct sse	 s;

	memset(&st, 0, sizeof(st));
	llm_result_init(&st.r, LF_MAX_ASSEMBLED_TEXT);
	buf_init(&st.d, LF_SSE_MAX_EVENT);
	sse_init(&s, LF_SSE_MAX_EVENT);
	sse_feed(&s, stream, sizeof(stream) - 1, on_event, &st);
	sse_finish(&s, on_event, &st);
	CHECK_STR("chat: text assembled", buf_str(&st.r.text),
	    "Hello \xc3\xa9\n");
	CHECK_STR("chat: model", st.r.model, "gpt-4o-mini-2024-07-18");
	CHECK_STR("chat: id", st.r.id, "chatcmpl-1");
	CHECK_STR("chat: finish reason", st.r.finish_reason, "stop");
	CHECK_I64("chat: prompt tokens", st.r.usage.prompt, 9);
	CHECK_I64("chat: completion tokens", st.r.usage.completion, 12);
	CHECK_I64("chat: total tokens", st.r.usage.total, 21);
	CHECK_I64("chat: cached tokens", st.r.usage.cached, 3);
	CHECK_I64("chat: reasoning tokens", st.r.usage.reasoning, 5);
	CHECK_I64("chat: cache creation not reported",
	    st.r.usage.cache_creation, -1);
	CHECK("chat: no reported cost", isnan(st.r.usage.reported_cost));
	CHECK_I64("chat: one usage-only chunk", st.usage_only, 1);
	CHECK_I64("chat: six data events", st.r.chunks, 6);
	CHECK("chat: done", st.r.done);
	CHECK_I64("chat: [DONE] is not JSON but not an error", st.notjson, 0);
	llm_result_free(&st.r);

	memset(&st.usage_only, 0, sizeof(int) * 2);
	llm_result_init(&st.r, 7);
	sse_feed(&s, stream, sizeof(stream) - 1, on_event, &st);
	CHECK_STR("chat: text cut at max_text on a UTF-8 boundary",
	    buf_str(&st.r.text), "Hello ");
	CHECK("chat: cut text is marked", st.r.text.err);
	llm_result_free(&st.r);

	llm_result_init(&st.r, LF_MAX_ASSEMBLED_TEXT);
	st.usage_only = 0;
	sse_feed(&s, legacy, sizeof(legacy) - 1, on_event, &st);
	CHECK_STR("completions: text assembled", buf_str(&st.r.text),
	    "Once upon");
	CHECK_STR("completions: finish reason", st.r.finish_reason, "length");
	CHECK_STR("completions: model", st.r.model, "gpt-3.5-turbo-instruct");
	CHECK_I64("completions: prompt tokens", st.r.usage.prompt, 4);
	CHECK_I64("completions: completion tokens", st.r.usage.completion, 2);
	CHECK_I64("completions: usage-only chunk flagged", st.usage_only, 1);
	CHECK("completions: done", st.r.done);

	CHECK_I64("not JSON: -1", sd(&st.r, "{oops"), -1);
	CHECK_I64("choices non-empty with usage: not usage-only",
	    sd(&st.r, "{\"choices\":[{\"index\":0,\"delta\":"
	    "{}}],\"usage\":{\"prompt_tokens\":1}}"), 0);
	CHECK_I64("choices empty, usage null: not usage-only",
	    sd(&st.r, "{\"choices\":[],\"usage\":null}"),
	    0);
	CHECK_I64("other choices' text not mixed in",
	    sd(&st.r, "{\"choices\":[{\"index\":1,\"delta\":"
	    "{\"content\":\"ZZ\"}}]}"), 0);
	CHECK_STR("... text unchanged", buf_str(&st.r.text), "Once upon");
	sd(&st.r, "{\"error\":{\"message\":\"overloaded\","
	    "\"type\":\"server_error\"}}");
	CHECK_STR("error event in a stream", st.r.error, "overloaded");
	llm_result_free(&st.r);
	sse_free(&s);
	buf_free(&st.d);
	return t_done();
}
