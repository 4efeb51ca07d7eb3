/*
 * Responses API stream events: output_text deltas assemble the text,
 * response.created gives id and model, response.completed gives usage
 * (input/output tokens and their details) and ends the stream;
 * response.incomplete and response.failed end it too.
 */
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"
#include "t.h"

static int
ev(struct llm_result *r, const char *s)
{
	return openai_stream_data(r, s, strlen(s));
}

int
main(void)
{
	struct llm_result	 r;

	llm_result_init(&r, LF_MAX_ASSEMBLED_TEXT);
	ev(&r, "{\"type\":\"response.created\",\"sequence_number\":0,"
	    "\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
	    "\"created_at\":1,\"status\":\"in_progress\",\"model\":"
	    "\"gpt-4.1-2025-04-14\",\"output\":[],\"usage\":null}}");
	CHECK_STR("created: id", r.id, "resp_1");
	CHECK_STR("created: model", r.model, "gpt-4.1-2025-04-14");
	ev(&r, "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,"
	    "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
	    "\"delta\":\"Hi\"}");
	ev(&r, "{\"type\":\"response.output_text.delta\",\"sequence_number\":5,"
	    "\"item_id\":\"msg_1\",\"output_index\":0,\"content_index\":0,"
	    "\"delta\":\" there\"}");
	ev(&r, "{\"type\":\"response.output_text.done\",\"text\":\"Hi there\"}");
	CHECK_STR("deltas: text", buf_str(&r.text), "Hi there");
	CHECK("not done before completed", !r.done);
	CHECK_I64("completed: returns 0", ev(&r,
	    "{\"type\":\"response.completed\",\"sequence_number\":9,"
	    "\"response\":{\"id\":\"resp_1\",\"object\":\"response\","
	    "\"status\":\"completed\",\"model\":\"gpt-4.1-2025-04-14\","
	    "\"usage\":{\"input_tokens\":36,\"input_tokens_details\":"
	    "{\"cached_tokens\":8},\"output_tokens\":87,"
	    "\"output_tokens_details\":{\"reasoning_tokens\":64},"
	    "\"total_tokens\":123}}}"), 0);
	CHECK_I64("completed: input tokens", r.usage.prompt, 36);
	CHECK_I64("completed: output tokens", r.usage.completion, 87);
	CHECK_I64("completed: total", r.usage.total, 123);
	CHECK_I64("completed: cached", r.usage.cached, 8);
	CHECK_I64("completed: reasoning", r.usage.reasoning, 64);
	CHECK_STR("completed: status as finish reason", r.finish_reason,
	    "completed");
	CHECK("completed: done", r.done);
	CHECK_I64("chunks counted", r.chunks, 5);
	llm_result_free(&r);

	llm_result_init(&r, LF_MAX_ASSEMBLED_TEXT);
	ev(&r, "{\"type\":\"response.incomplete\",\"response\":{\"id\":\"resp_2\","
	    "\"status\":\"incomplete\",\"incomplete_details\":{\"reason\":"
	    "\"max_output_tokens\"},\"model\":\"o4-mini\",\"usage\":"
	    "{\"input_tokens\":5,\"output_tokens\":16,\"total_tokens\":21}}}");
	CHECK_STR("incomplete: reason", r.finish_reason, "max_output_tokens");
	CHECK_I64("incomplete: usage", r.usage.completion, 16);
	CHECK("incomplete: done", r.done);
	llm_result_free(&r);

	llm_result_init(&r, LF_MAX_ASSEMBLED_TEXT);
	ev(&r, "{\"type\":\"response.failed\",\"response\":{\"id\":\"resp_3\","
	    "\"status\":\"failed\",\"error\":{\"code\":\"server_error\","
	    "\"message\":\"The model failed\"},\"usage\":null}}");
	CHECK_STR("failed: error message", r.error, "The model failed");
	CHECK("failed: done", r.done);
	CHECK_I64("failed: no usage", r.usage.prompt, -1);
	ev(&r, "{\"type\":\"error\",\"code\":\"rate_limit_exceeded\","
	    "\"message\":\"Slow down\",\"param\":null}");
	CHECK_STR("error event: message", r.error, "Slow down");
	llm_result_free(&r);
	return t_done();
}
