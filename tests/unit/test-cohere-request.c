/*
 * OpenAI chat/completions requests translated to Cohere v2 chat bodies:
 * every message kind (system/developer, user text and image parts,
 * assistant tool calls with and without a plan, tool results), tools and
 * tool_choice, the sampling parameters and their renames, what is
 * dropped, stream flags, and the 400s with the member they name.
 */
#include <string.h>

#include "buf.h"
#include "cohere.h"
#include "limits.h"
#include "t.h"
#include "xlate.h"

static struct xlate_req	 req;
static char		 err[256];

static int
xl(const char *s)
{
	buf_reset(&req.body);
	return cohere_xlate.request(s, strlen(s), &req, err, sizeof(err));
}

/* The request translates and gives exactly want. */
#define SAME(name, in, want) do {					\
	CHECK_I64(name ": translates", xl(in), 0);			\
	CHECK_STR(name ": body", buf_str(&req.body), want);		\
} while (0)

/* The request is refused with a message containing frag. */
#define REFUSED(name, in, frag) do {					\
	CHECK_I64(name ": refused", xl(in), -1);			\
	CHECK(name ": message names it", strstr(err, frag) != NULL);	\
} while (0)

int
main(void)
{
	buf_init(&req.body, 1 << 20);

	SAME("plain chat",
	    "{\"model\":\"command-a-03-2025\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"Be brief.\"},"
	    "{\"role\":\"user\",\"content\":\"Hi\",\"name\":\"ann\"}]}",
	    "{\"model\":\"command-a-03-2025\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"Be brief.\"},"
	    "{\"role\":\"user\",\"content\":\"Hi\"}]}");
	CHECK_STR("plain chat: model", req.model, "command-a-03-2025");
	CHECK_I64("plain chat: not a stream", req.stream, 0);
	CHECK_I64("plain chat: no usage asked", req.include_usage, 0);

	SAME("developer is system, parts",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"developer\",\"content\":[{\"type\":\"text\","
	    "\"text\":\"Rules\"}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"What is this?\"},{\"type\":\"image_url\",\"image_url\":"
	    "{\"url\":\"data:image/png;base64,AAAA\",\"detail\":\"low\"}}]}]}",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"system\",\"content\":[{\"type\":\"text\","
	    "\"text\":\"Rules\"}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"What is this?\"},{\"type\":\"image_url\",\"image_url\":"
	    "{\"url\":\"data:image/png;base64,AAAA\",\"detail\":\"low\"}}]}]}");

	SAME("tool round trip",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
	    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":"
	    "\"call_1\",\"type\":\"function\",\"function\":{\"name\":"
	    "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":"
	    "\"{\\\"temp\\\":21}\"}],"
	    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"get_weather\",\"description\":\"Weather now\",\"parameters\":"
	    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
	    "\"string\"}},\"required\":[\"city\"]},\"strict\":true}}],"
	    "\"tool_choice\":\"auto\",\"parallel_tool_calls\":false}",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
	    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_1\","
	    "\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
	    "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":"
	    "[{\"type\":\"document\",\"document\":{\"data\":"
	    "\"{\\\"temp\\\":21}\"}}]}],"
	    "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"get_weather\",\"description\":\"Weather now\",\"parameters\":"
	    "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":"
	    "\"string\"}},\"required\":[\"city\"]}}}]}");

	SAME("content beside tool calls is the plan",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"I will \"},{\"type\":\"text\",\"text\":\"look.\"}],"
	    "\"tool_calls\":[{\"id\":\"c\",\"function\":{\"name\":\"f\","
	    "\"arguments\":\"{}\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":[{\"type\":"
	    "\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}]}",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"c\",\"type\":"
	    "\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}],"
	    "\"tool_plan\":\"I will look.\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"c\",\"content\":["
	    "{\"type\":\"document\",\"document\":{\"data\":\"a\"}},"
	    "{\"type\":\"document\",\"document\":{\"data\":\"b\"}}]}]}");

	SAME("parameters renamed, dropped ones gone",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"max_tokens\":100,\"temperature\":0.3,\"top_p\":0.9,"
	    "\"stop\":\"END\",\"seed\":42,\"frequency_penalty\":0.5,"
	    "\"presence_penalty\":0,\"response_format\":{\"type\":"
	    "\"json_object\"},\"n\":1,\"logit_bias\":{\"50256\":-100},"
	    "\"logprobs\":true,\"top_logprobs\":2,\"user\":\"u1\","
	    "\"service_tier\":\"auto\",\"store\":true,\"metadata\":{\"a\":"
	    "\"b\"},\"stream\":false}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"max_tokens\":100,\"temperature\":0.3,\"p\":0.9,"
	    "\"seed\":42,\"frequency_penalty\":0.5,\"presence_penalty\":0,"
	    "\"stop_sequences\":[\"END\"],\"response_format\":{\"type\":"
	    "\"json_object\"}}");

	SAME("max_completion_tokens, stop array, nulls absent",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"max_completion_tokens\":7,\"max_tokens\":9,"
	    "\"stop\":[\"a\",\"b\"],\"temperature\":null,\"tools\":null}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"max_tokens\":7,\"stop_sequences\":[\"a\",\"b\"]}");

	SAME("stream with usage",
	    "{\"model\":\"m\",\"stream\":true,\"stream_options\":"
	    "{\"include_usage\":true},\"messages\":[{\"role\":\"user\","
	    "\"content\":\"x\"}]}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"stream\":true}");
	CHECK_I64("stream: stream", req.stream, 1);
	CHECK_I64("stream: include_usage", req.include_usage, 1);

	SAME("stream without usage",
	    "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"x\"}]}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"stream\":true}");
	CHECK_I64("stream: no include_usage", req.include_usage, 0);

	SAME("tool_choice required",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"f\"}}],\"tool_choice\":\"required\"}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"f\"}}],\"tool_choice\":\"REQUIRED\"}");

	SAME("tool_choice none",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"f\"}}],\"tool_choice\":\"none\"}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"f\"}}],\"tool_choice\":\"NONE\"}");

	SAME("named tool_choice: only that tool, required",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"f\"}},{\"type\":\"function\",\"function\":{\"name\":\"g\"}}],"
	    "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":"
	    "\"g\"}}}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":"
	    "\"g\"}}],\"tool_choice\":\"REQUIRED\"}");

	SAME("json_schema becomes json_object with a schema",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"response_format\":{\"type\":\"json_schema\","
	    "\"json_schema\":{\"name\":\"s\",\"schema\":{\"type\":"
	    "\"object\"}}}}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"x\"}],\"response_format\":{\"type\":\"json_object\","
	    "\"json_schema\":{\"type\":\"object\"}}}");

	SAME("escapes and big integers survive",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"q\\\"\\u00e9\\n\\u2028\"}],\"seed\":18446744073709551615}",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"q\\\"\xc3\xa9\\n\xe2\x80\xa8\"}],\"seed\":18446744073709551615}");

	REFUSED("not JSON", "{\"model\":", "JSON object");
	REFUSED("not an object", "[1]", "JSON object");
	REFUSED("no model", "{\"messages\":[{\"role\":\"user\","
	    "\"content\":\"x\"}]}", "model");
	REFUSED("no messages", "{\"model\":\"m\"}", "messages");
	REFUSED("empty messages", "{\"model\":\"m\",\"messages\":[]}",
	    "messages");
	REFUSED("n > 1", "{\"model\":\"m\",\"n\":2,\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"x\"}]}", "n must be 1");
	REFUSED("audio part", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":[{\"type\":\"input_audio\",\"input_audio\":"
	    "{}}]}]}", "messages[0].content[0]");
	REFUSED("image in system", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
	    "{\"url\":\"x\"}}]}]}", "image_url");
	REFUSED("function role", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"x\"},{\"role\":\"function\",\"name\":"
	    "\"f\",\"content\":\"x\"}]}", "messages[1]: role \"function\"");
	REFUSED("tool without id", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"tool\",\"content\":\"x\"}]}", "tool_call_id");
	REFUSED("temperature type", "{\"model\":\"m\",\"temperature\":\"hot\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
	    "temperature");
	REFUSED("max_tokens type", "{\"model\":\"m\",\"max_tokens\":1.5,"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
	    "max_tokens");
	REFUSED("stop type", "{\"model\":\"m\",\"stop\":[1],"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stop");
	REFUSED("stream type", "{\"model\":\"m\",\"stream\":1,"
	    "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "stream");
	REFUSED("unknown tool_choice function", "{\"model\":\"m\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"tools\":"
	    "[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
	    "\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":"
	    "\"g\"}}}", "tool_choice");
	REFUSED("non-function tool", "{\"model\":\"m\",\"messages\":[{"
	    "\"role\":\"user\",\"content\":\"x\"}],\"tools\":[{\"type\":"
	    "\"web_search\"}]}", "tools[0]");
	REFUSED("text response_format is fine, others not", "{\"model\":\"m\","
	    "\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
	    "\"response_format\":{\"type\":\"xml\"}}", "response_format");
	REFUSED("model with a NUL", "{\"model\":\"a\\u0000b\",\"messages\":"
	    "[{\"role\":\"user\",\"content\":\"x\"}]}", "model");

	/* A body that does not fit the caller's bound is refused. */
	buf_free(&req.body);
	buf_init(&req.body, 16);
	REFUSED("too large", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":\"a long enough question\"}]}", "too large");
	buf_free(&req.body);
	return t_done();
}
