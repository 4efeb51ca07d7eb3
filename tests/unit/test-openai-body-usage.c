/*
 * Non-stream response bodies: usage from Chat Completions, Completions,
 * Responses and Embeddings, cached and reasoning tokens, OpenRouter's
 * reported cost, model and id, error.message; not JSON leaves the result
 * untouched.
 */
#include <math.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"
#include "t.h"

static int
body(struct llm_result *r, const char *s)
{
	llm_result_free(r);
	llm_result_init(r, LF_MAX_ASSEMBLED_TEXT);
	return openai_parse_body(s, strlen(s), r);
}

int
main(void)
{
	struct llm_result	 r;

	llm_result_init(&r, LF_MAX_ASSEMBLED_TEXT);
	CHECK_I64("chat: parsed", body(&r, "{\"id\":\"chatcmpl-9\",\"object\":"
	    "\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-2024-08-06\","
	    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":\"Hi\",\"refusal\":null},\"logprobs\":null,"
	    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":19,"
	    "\"completion_tokens\":10,\"total_tokens\":29,"
	    "\"prompt_tokens_details\":{\"cached_tokens\":0,\"audio_tokens\":0},"
	    "\"completion_tokens_details\":{\"reasoning_tokens\":0,"
	    "\"audio_tokens\":0,\"accepted_prediction_tokens\":0,"
	    "\"rejected_prediction_tokens\":0}},\"service_tier\":\"default\","
	    "\"system_fingerprint\":\"fp_1\"}\n"), 0);
	CHECK_I64("chat: prompt", r.usage.prompt, 19);
	CHECK_I64("chat: completion", r.usage.completion, 10);
	CHECK_I64("chat: total", r.usage.total, 29);
	CHECK_I64("chat: cached 0 is reported, not -1", r.usage.cached, 0);
	CHECK_I64("chat: reasoning 0", r.usage.reasoning, 0);
	CHECK_STR("chat: model", r.model, "gpt-4o-2024-08-06");
	CHECK_STR("chat: id", r.id, "chatcmpl-9");
	CHECK_STR("chat: finish reason", r.finish_reason, "stop");
	CHECK_STR("chat: no error", r.error, "");
	CHECK_STR("chat: body assembles nothing", buf_str(&r.text), "");

	body(&r, "{\"id\":\"chatcmpl-2\",\"model\":\"o3-mini\",\"usage\":"
	    "{\"prompt_tokens\":2048,\"completion_tokens\":900,"
	    "\"total_tokens\":2948,\"prompt_tokens_details\":{\"cached_tokens\":"
	    "1024},\"completion_tokens_details\":{\"reasoning_tokens\":640}}}");
	CHECK_I64("reasoning model: cached", r.usage.cached, 1024);
	CHECK_I64("reasoning model: reasoning", r.usage.reasoning, 640);

	body(&r, "{\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"model\":"
	    "\"gpt-3.5-turbo-instruct\",\"choices\":[{\"text\":\"x\",\"index\":0,"
	    "\"finish_reason\":\"length\"}],\"usage\":{\"prompt_tokens\":5,"
	    "\"completion_tokens\":7,\"total_tokens\":12}}");
	CHECK_I64("completions: prompt", r.usage.prompt, 5);
	CHECK_I64("completions: completion", r.usage.completion, 7);
	CHECK_I64("completions: cached not reported", r.usage.cached, -1);
	CHECK_STR("completions: finish reason", r.finish_reason, "length");

	body(&r, "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\","
	    "\"index\":0,\"embedding\":[0.0023,-0.0093]}],\"model\":"
	    "\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":8,"
	    "\"total_tokens\":8}}");
	CHECK_I64("embeddings: prompt", r.usage.prompt, 8);
	CHECK_I64("embeddings: total", r.usage.total, 8);
	CHECK_I64("embeddings: completion not reported", r.usage.completion, -1);
	CHECK_STR("embeddings: model", r.model, "text-embedding-3-small");

	body(&r, "{\"id\":\"resp_67c\",\"object\":\"response\",\"created_at\":1,"
	    "\"status\":\"completed\",\"error\":null,\"incomplete_details\":null,"
	    "\"model\":\"gpt-4.1-2025-04-14\",\"output\":[{\"type\":\"message\","
	    "\"content\":[{\"type\":\"output_text\",\"text\":\"Hi\"}]}],"
	    "\"usage\":{\"input_tokens\":36,\"input_tokens_details\":"
	    "{\"cached_tokens\":4},\"output_tokens\":87,\"output_tokens_details\":"
	    "{\"reasoning_tokens\":3},\"total_tokens\":123}}");
	CHECK_I64("responses: input", r.usage.prompt, 36);
	CHECK_I64("responses: output", r.usage.completion, 87);
	CHECK_I64("responses: cached", r.usage.cached, 4);
	CHECK_I64("responses: reasoning", r.usage.reasoning, 3);
	CHECK_STR("responses: id", r.id, "resp_67c");
	CHECK_STR("responses: status", r.finish_reason, "completed");
	CHECK_STR("responses: null error is no error", r.error, "");

	body(&r, "{\"id\":\"gen-1\",\"model\":\"anthropic/claude-3.5-sonnet\","
	    "\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":3,"
	    "\"total_tokens\":13,\"cost\":0.000375}}");
	CHECK_NEAR("openrouter: reported cost", r.usage.reported_cost, 0.000375);

	CHECK_I64("error body: parsed", body(&r, "{\n  \"error\": {\n    "
	    "\"message\": \"Incorrect API key provided: sk-abc***.\",\n    "
	    "\"type\": \"invalid_request_error\",\n    \"param\": null,\n    "
	    "\"code\": \"invalid_api_key\"\n  }\n}\n"), 0);
	CHECK_STR("error body: message", r.error,
	    "Incorrect API key provided: sk-abc***.");
	CHECK_I64("error body: no usage", r.usage.prompt, -1);
	body(&r, "{\"error\":\"model not found\"}");
	CHECK_STR("error as a string", r.error, "model not found");

	body(&r, "{\"usage\":{\"prompt_tokens\":-4,\"completion_tokens\":"
	    "\"7\",\"total_tokens\":3.0}}");
	CHECK_I64("negative count ignored", r.usage.prompt, -1);
	CHECK_I64("string count ignored", r.usage.completion, -1);
	CHECK_I64("integral double accepted", r.usage.total, 3);

	body(&r, "{\"model\":\"gpt-4o\"}");
	strcpy(r.model, "kept");
	CHECK_I64("not JSON: -1", openai_parse_body("<html>502</html>", 16, &r),
	    -1);
	CHECK_STR("not JSON: result untouched", r.model, "kept");
	CHECK_I64("truncated JSON: -1", openai_parse_body("{\"a\":", 5, &r), -1);
	CHECK_I64("trailing garbage: -1", openai_parse_body("{} x", 4, &r), -1);
	CHECK_I64("JSON array: 0", openai_parse_body("[1,2]", 5, &r), 0);
	llm_result_free(&r);
	return t_done();
}
