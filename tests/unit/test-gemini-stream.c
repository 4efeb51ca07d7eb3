/*
 * A realistic Gemini alt=sse stream (CR LF framing, thought parts,
 * cumulative usageMetadata with cached and thinking tokens) through the
 * SSE splitter and gemini_xlate's stream functions: the exact OpenAI
 * chunks, the include_usage chunk, the result's usage and text; the same
 * bytes fed one at a time give the same chunks; function calls; a
 * blocked prompt; an error event.
 */
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"
#include "xlate.h"
#include "gemini-t.h"

struct st {
	void			*s;
	struct llm_result	 r;
	struct buf		 d, out;
};

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct st	*st = ctx;

	if (!complete || sse_data(p, n, &st->d) != 1)
		return 0;
	return gemini_xlate.stream_event(st->s, buf_str(&st->d), st->d.len,
	    &st->r, &st->out);
}

/* Runs the stream fed in reads of `step` bytes; out has the chunks with
 * every "created" value replaced by 0. */
static void
run(struct st *st, const char *model, int include_usage, const char *in,
    size_t step)
{
	struct sse	 sse;
	size_t		 i, k, n = strlen(in);
	char		*p;

	memset(st, 0, sizeof(*st));
	llm_result_init(&st->r, LF_MAX_ASSEMBLED_TEXT);
	buf_init(&st->d, LF_SSE_MAX_EVENT);
	buf_init(&st->out, 1 << 20);
	st->s = gemini_xlate.stream_new(model, include_usage);
	sse_init(&sse, LF_SSE_MAX_EVENT);
	for (i = 0; i < n; i += step)
		sse_feed(&sse, in + i, n - i < step ? n - i : step, on_event,
		    st);
	sse_finish(&sse, on_event, st);
	sse_free(&sse);
	gemini_xlate.stream_end(st->s, &st->r, &st->out);
	gemini_xlate.stream_free(st->s);
	/* "created":<digits> -> "created":0 */
	for (p = st->out.p; p != NULL && (p = strstr(p, "\"created\":"))
	    != NULL; p += 10) {
		for (k = 10; p[k] >= '0' && p[k] <= '9'; k++)
			;
		memmove(p + 11, p + k, strlen(p + k) + 1);
		p[10] = '0';
		st->out.len = strlen(st->out.p);
	}
}

static void
done(struct st *st)
{
	llm_result_free(&st->r);
	buf_free(&st->d);
	buf_free(&st->out);
}

#define HEAD(id, model) "data: {\"id\":\"chatcmpl-" id "\",\"object\":" \
	"\"chat.completion.chunk\",\"created\":0,\"model\":\"" model "\","

int
main(void)
{
	static const char text_stream[] =
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\"**Considering the sky**\\n\\nThe user asks...\",\"thought\": true}],"
	    "\"role\": \"model\"},\"index\": 0}],\"usageMetadata\": "
	    "{\"promptTokenCount\": 1200,\"totalTokenCount\": 1200,"
	    "\"cachedContentTokenCount\": 1024,\"thoughtsTokenCount\": 60},"
	    "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": "
	    "\"Gx9aaK7pBfLz\"}\r\n\r\n"
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\"The sky\"}],\"role\": \"model\"},\"index\": 0}],"
	    "\"usageMetadata\": {\"promptTokenCount\": 1200,"
	    "\"totalTokenCount\": 1262,\"cachedContentTokenCount\": 1024,"
	    "\"thoughtsTokenCount\": 60, \"candidatesTokenCount\": 2},"
	    "\"modelVersion\": \"gemini-2.5-flash\",\"responseId\": "
	    "\"Gx9aaK7pBfLz\"}\r\n\r\n"
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
	    "\" is blue \\\"because\\\" of Rayleigh scattering.\\n\"}],"
	    "\"role\": \"model\"},\"finishReason\": \"STOP\",\"index\": 0}],"
	    "\"usageMetadata\": {\"promptTokenCount\": 1200,"
	    "\"candidatesTokenCount\": 11,\"totalTokenCount\": 1271,"
	    "\"cachedContentTokenCount\": 1024,\"promptTokensDetails\": "
	    "[{\"modality\": \"TEXT\",\"tokenCount\": 1200}],"
	    "\"cacheTokensDetails\": [{\"modality\": \"TEXT\",\"tokenCount\": "
	    "1024}],\"thoughtsTokenCount\": 60},\"modelVersion\": "
	    "\"gemini-2.5-flash\",\"responseId\": \"Gx9aaK7pBfLz\"}\r\n\r\n";
	static const char want_text[] =
	    HEAD("Gx9aaK7pBfLz", "gemini-2.5-flash") "\"choices\":[{\"index\":0,"
	    "\"delta\":{\"role\":\"assistant\",\"content\":\"\"},"
	    "\"finish_reason\":null}]}\n\n"
	    HEAD("Gx9aaK7pBfLz", "gemini-2.5-flash") "\"choices\":[{\"index\":0,"
	    "\"delta\":{\"content\":\"The sky\"},\"finish_reason\":null}]}\n\n"
	    HEAD("Gx9aaK7pBfLz", "gemini-2.5-flash") "\"choices\":[{\"index\":0,"
	    "\"delta\":{\"content\":\" is blue \\\"because\\\" of Rayleigh "
	    "scattering.\\n\"},\"finish_reason\":null}]}\n\n"
	    HEAD("Gx9aaK7pBfLz", "gemini-2.5-flash") "\"choices\":[{\"index\":0,"
	    "\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
	    HEAD("Gx9aaK7pBfLz", "gemini-2.5-flash") "\"choices\":[],"
	    "\"usage\":{\"prompt_tokens\":1200,\"completion_tokens\":71,"
	    "\"total_tokens\":1271,\"prompt_tokens_details\":"
	    "{\"cached_tokens\":1024},\"completion_tokens_details\":"
	    "{\"reasoning_tokens\":60}}}\n\n"
	    "data: [DONE]\n\n";
	static const char tool_stream[] =
	    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"functionCall\": "
	    "{\"name\": \"get_weather\",\"args\": {\"city\": \"Paris\","
	    "\"unit\": \"c\"}},\"thoughtSignature\": \"U2ln\"}],\"role\": \"model\"},\"finishReason\": "
	    "\"STOP\",\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": "
	    "50,\"candidatesTokenCount\": 7,\"totalTokenCount\": 57},"
	    "\"modelVersion\": \"gemini-2.0-flash\"}\n\n";
	struct st	 a, b;
	const char	*ev;
	size_t		 step;
	int		 same = 1;

	run(&a, "gemini-2.5-flash", 1, text_stream, sizeof(text_stream));
	CHECK_STR("text stream: exact chunks", buf_str(&a.out), want_text);
	CHECK_I64("usage prompt", a.r.usage.prompt, 1200);
	CHECK_I64("usage cached", a.r.usage.cached, 1024);
	CHECK_I64("usage completion (candidates + thoughts)",
	    a.r.usage.completion, 71);
	CHECK_I64("usage reasoning", a.r.usage.reasoning, 60);
	CHECK_I64("usage total", a.r.usage.total, 1271);
	CHECK_STR("assembled text, thoughts left out", buf_str(&a.r.text),
	    "The sky is blue \"because\" of Rayleigh scattering.\n");
	CHECK_STR("model", a.r.model, "gemini-2.5-flash");
	CHECK_STR("id", a.r.id, "Gx9aaK7pBfLz");
	CHECK_STR("finish", a.r.finish_reason, "stop");
	CHECK_I64("events", a.r.chunks, 3);
	CHECK_I64("done", a.r.done, 1);
	for (step = 1; step < 64; step += 7) {
		run(&b, "gemini-2.5-flash", 1, text_stream, step);
		same = same && strcmp(buf_str(&b.out), buf_str(&a.out)) == 0 &&
		    b.r.usage.completion == 71;
		done(&b);
	}
	CHECK("same chunks for reads of 1, 8, 15, ... bytes", same);
	done(&a);

	run(&a, "gemini-2.5-flash", 0, text_stream, 100);
	CHECK("no include_usage: no usage chunk, usage still read",
	    strstr(buf_str(&a.out), "\"usage\"") == NULL &&
	    a.r.usage.total == 1271 &&
	    strstr(buf_str(&a.out), "\"finish_reason\":\"stop\"}]}\n\n"
	    "data: [DONE]\n\n") != NULL);
	done(&a);

	run(&a, "gemini-2.0-flash", 1, tool_stream, 5);
	{
		/* Drop the random ids to compare the rest. */
		char	*p = a.out.p, *q;
		while ((p = strstr(p, "\"id\":\"chatcmpl-")) != NULL) {
			q = strchr(p + 15, '"');
			memmove(p + 15, q, strlen(q) + 1);
			p += 15;
		}
		CHECK_STR("tool stream: exact chunks", a.out.p,
		    "data: {\"id\":\"chatcmpl-\",\"object\":\"chat.completion.chunk\","
		    "\"created\":0,\"model\":\"gemini-2.0-flash\",\"choices\":"
		    "[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":"
		    "\"\"},\"finish_reason\":null}]}\n\n"
		    "data: {\"id\":\"chatcmpl-\",\"object\":\"chat.completion.chunk\","
		    "\"created\":0,\"model\":\"gemini-2.0-flash\",\"choices\":"
		    "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":"
		    "\"call_0__thought__U2ln\",\"type\":\"function\",\"function\":{\"name\":"
		    "\"get_weather\",\"arguments\":\"\"}}]},\"finish_reason\":"
		    "null}]}\n\n"
		    "data: {\"id\":\"chatcmpl-\",\"object\":\"chat.completion.chunk\","
		    "\"created\":0,\"model\":\"gemini-2.0-flash\",\"choices\":"
		    "[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,"
		    "\"function\":{\"arguments\":\"{\\\"city\\\":\\\"Paris\\\","
		    "\\\"unit\\\":\\\"c\\\"}\"}}]},\"finish_reason\":null}]}\n\n"
		    "data: {\"id\":\"chatcmpl-\",\"object\":\"chat.completion.chunk\","
		    "\"created\":0,\"model\":\"gemini-2.0-flash\",\"choices\":"
		    "[{\"index\":0,\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
		    "data: {\"id\":\"chatcmpl-\",\"object\":\"chat.completion.chunk\","
		    "\"created\":0,\"model\":\"gemini-2.0-flash\",\"choices\":[],"
		    "\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":7,"
		    "\"total_tokens\":57}}\n\n"
		    "data: [DONE]\n\n");
	}
	CHECK_STR("tool stream finish", a.r.finish_reason, "tool_calls");
	done(&a);

	run(&a, "gemini-2.0-flash", 0, Q("data: {'promptFeedback':"
	    "{'blockReason':'PROHIBITED_CONTENT'},'usageMetadata':"
	    "{'promptTokenCount':8,'totalTokenCount':8}}\n\n"), 9);
	CHECK("blocked prompt: content_filter then [DONE]",
	    strstr(buf_str(&a.out), "\"finish_reason\":\"content_filter\"}]}"
	    "\n\ndata: [DONE]\n\n") != NULL);
	CHECK_I64("blocked prompt usage", a.r.usage.prompt, 8);
	done(&a);

	run(&a, "g", 1, Q("data: {'candidates':[{'content':{'parts':"
	    "[{'text':'par'}]}}]}\r\n\r\n"
	    "data: {'error':{'code':500,'message':'Internal error encountered.',"
	    "'status':'INTERNAL'}}\r\n\r\n"), 3);
	CHECK("error event: OpenAI error event, no finish, [DONE]",
	    strstr(buf_str(&a.out), "\"content\":\"par\"") != NULL &&
	    strstr(buf_str(&a.out), "data: {\"error\":{\"message\":"
	    "\"Internal error encountered.\",\"type\":\"internal\","
	    "\"code\":null}}\n\ndata: [DONE]\n\n") != NULL &&
	    strstr(buf_str(&a.out), "finish_reason\":\"") == NULL);
	CHECK_STR("error event message", a.r.error,
	    "Internal error encountered.");
	done(&a);

	run(&a, "g", 0, "data: not json\n\n", 4);
	CHECK_STR("cut stream: finish stop and [DONE] at the end",
	    strstr(buf_str(&a.out), "\"finish_reason\":\"stop\"}]}\n\n"
	    "data: [DONE]\n\n") != NULL ? "yes" : buf_str(&a.out), "yes");
	done(&a);

	/* Passthrough events: one SSE data or one array element each. */
	llm_result_init(&a.r, 1 << 10);
	ev = Q("{'candidates':[{'content':{'parts':[{'text':'x','thought':true},"
	    "{'text':'Hi'}]},'finishReason':'STOP'}],'usageMetadata':"
	    "{'promptTokenCount':4,'candidatesTokenCount':1,"
	    "'thoughtsTokenCount':2,'totalTokenCount':7}}");
	CHECK_I64("native event", gemini_xlate.native_event(&a.r, ev,
	    strlen(ev)), 0);
	CHECK("native event usage", a.r.usage.prompt == 4 &&
	    a.r.usage.completion == 3 && a.r.usage.reasoning == 2 &&
	    a.r.usage.total == 7);
	CHECK_STR("native event text", buf_str(&a.r.text), "Hi");
	CHECK_I64("native event not JSON", gemini_xlate.native_event(&a.r,
	    "{x", 2), -1);
	CHECK_I64("native events counted", a.r.chunks, 2);
	llm_result_free(&a.r);
	return t_done();
}
