/*
 * OpenAI chat/completions request bodies translated to Anthropic Messages
 * bodies: defaults, system/developer messages joined at the top, images
 * (data URL and https), PDFs, tools and every tool_choice form, tool calls
 * and tool results with same-role merging, stop sequences, sampling
 * parameters, metadata.user_id, include_usage; and the 400 errors.
 * Expected bodies are written out by hand, byte for byte.
 */
#include <string.h>

#include "anthropic.h"
#include "buf.h"
#include "t.h"

static struct xlate_req	 r;
static char		 err[256];

static int
req(const char *body)
{
	buf_reset(&r.body);
	r.stream = r.include_usage = -1;
	return anthropic_xlate.request(body, strlen(body), &r, err,
	    sizeof(err));
}

/* The request must translate to exactly want. */
static void
same(const char *name, const char *body, const char *want)
{
	int	 rc = req(body);

	if (rc != 0)
		printf("# %s: %s\n", name, err);
	CHECK(name, rc == 0);
	CHECK_STR(name, buf_str(&r.body), want);
}

/* The request must fail with a message containing want. */
static void
fails(const char *name, const char *body, const char *want)
{
	int	 rc = req(body);

	CHECK(name, rc == -1);
	if (strstr(err, want) == NULL)
		printf("# %s: message \"%s\" lacks \"%s\"\n", name, err, want);
	CHECK(name, strstr(err, want) != NULL);
}

#define MSGS_HI	"\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]"
#define OUT_HI	"\"messages\":[{\"role\":\"user\",\"content\":" \
		"[{\"type\":\"text\",\"text\":\"Hi\"}]}]"
#define TOOLS	"\"tools\":[{\"type\":\"function\",\"function\":{\"name\":" \
		"\"get_weather\",\"description\":\"Weather in a city\"," \
		"\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":" \
		"{\"type\":\"string\"}},\"required\":[\"city\"]}}}," \
		"{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]"
#define OUT_TOOLS "\"tools\":[{\"name\":\"get_weather\",\"description\":" \
		"\"Weather in a city\",\"input_schema\":{\"type\":\"object\"," \
		"\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":" \
		"[\"city\"]}},{\"name\":\"now\",\"input_schema\":{\"type\":" \
		"\"object\",\"properties\":{}}}]"

int
main(void)
{
	buf_init(&r.body, 1 << 20);

	/* Defaults: max_tokens 4096, no stream. */
	same("defaults",
	    "{\"model\":\"claude-sonnet-4-5\"," MSGS_HI "}",
	    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":4096," OUT_HI "}");
	CHECK_STR("defaults: model", r.model, "claude-sonnet-4-5");
	CHECK_I64("defaults: stream", r.stream, 0);
	CHECK_I64("defaults: include_usage", r.include_usage, 0);

	/* System and developer messages, wherever they are, joined; max_
	 * completion_tokens wins over max_tokens; sampling, stop, user,
	 * stream with include_usage; dropped parameters are gone. */
	same("system, parameters",
	    "{\"model\":\"claude-haiku-4-5\",\"messages\":["
	    "{\"role\":\"system\",\"content\":\"Be brief.\"},"
	    "{\"role\":\"user\",\"content\":\"Hi\"},"
	    "{\"role\":\"developer\",\"content\":[{\"type\":\"text\","
	    "\"text\":\"Answer in French.\"},{\"type\":\"text\",\"text\":"
	    "\"No emoji.\"}]}],"
	    "\"max_tokens\":100,\"max_completion_tokens\":200,"
	    "\"temperature\":0.5,\"top_p\":1,\"stop\":\"END\","
	    "\"user\":\"user-42\",\"stream\":true,"
	    "\"stream_options\":{\"include_usage\":true},"
	    "\"n\":1,\"seed\":7,\"presence_penalty\":0.1,"
	    "\"frequency_penalty\":0.2,\"logit_bias\":{\"50256\":-100},"
	    "\"logprobs\":false,\"response_format\":{\"type\":\"text\"},"
	    "\"service_tier\":\"auto\",\"store\":false}",
	    "{\"model\":\"claude-haiku-4-5\",\"max_tokens\":200,"
	    "\"system\":\"Be brief.\\n\\nAnswer in French.\\n\\nNo emoji.\","
	    "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
	    "\"text\":\"Hi\"}]}],\"temperature\":0.5,\"top_p\":1,"
	    "\"stop_sequences\":[\"END\"],\"stream\":true,"
	    "\"metadata\":{\"user_id\":\"user-42\"}}");
	CHECK_I64("system: stream", r.stream, 1);
	CHECK_I64("system: include_usage", r.include_usage, 1);

	/* include_usage without stream means nothing. */
	CHECK("include_usage without stream", req("{\"model\":\"m\","
	    MSGS_HI ",\"stream_options\":{\"include_usage\":true}}") == 0 &&
	    r.stream == 0 && r.include_usage == 0);

	/* Images: a base64 data URL and an https URL; a PDF file. */
	same("images",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":["
	    "{\"type\":\"text\",\"text\":\"What is this?\"},"
	    "{\"type\":\"image_url\",\"image_url\":{\"url\":"
	    "\"data:image/png;base64,iVBORw0KGgo=\",\"detail\":\"high\"}},"
	    "{\"type\":\"image_url\",\"image_url\":{\"url\":"
	    "\"https://example.com/cat.jpg\"}},"
	    "{\"type\":\"file\",\"file\":{\"filename\":\"a.pdf\","
	    "\"file_data\":\"data:application/pdf;base64,JVBERi0=\"}}]}]}",
	    "{\"model\":\"m\",\"max_tokens\":4096,\"messages\":[{\"role\":"
	    "\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"What is this?\"},{\"type\":\"image\",\"source\":{\"type\":"
	    "\"base64\",\"media_type\":\"image/png\",\"data\":"
	    "\"iVBORw0KGgo=\"}},{\"type\":\"image\",\"source\":{\"type\":"
	    "\"url\",\"url\":\"https://example.com/cat.jpg\"}},{\"type\":"
	    "\"document\",\"source\":{\"type\":\"base64\",\"media_type\":"
	    "\"application/pdf\",\"data\":\"JVBERi0=\"}}]}]}");

	/* Tools and each tool_choice. */
	same("tools, no tool_choice",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS "}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS "}");
	same("tool_choice auto",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS ",\"tool_choice\":\"auto\"}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS
	    ",\"tool_choice\":{\"type\":\"auto\"}}");
	same("tool_choice required",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS
	    ",\"tool_choice\":\"required\"}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS
	    ",\"tool_choice\":{\"type\":\"any\"}}");
	same("tool_choice none",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS ",\"tool_choice\":\"none\","
	    "\"parallel_tool_calls\":false}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS
	    ",\"tool_choice\":{\"type\":\"none\"}}");
	same("tool_choice function",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS ",\"tool_choice\":{\"type\":"
	    "\"function\",\"function\":{\"name\":\"get_weather\"}}}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS
	    ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}}");
	same("parallel_tool_calls false, no tool_choice",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS
	    ",\"parallel_tool_calls\":false}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS
	    ",\"tool_choice\":{\"type\":\"auto\","
	    "\"disable_parallel_tool_use\":true}}");
	same("parallel_tool_calls false with required",
	    "{\"model\":\"m\"," MSGS_HI "," TOOLS ",\"tool_choice\":"
	    "\"required\",\"parallel_tool_calls\":false}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "," OUT_TOOLS
	    ",\"tool_choice\":{\"type\":\"any\","
	    "\"disable_parallel_tool_use\":true}}");
	same("tool_choice without tools is not sent",
	    "{\"model\":\"m\"," MSGS_HI ",\"tool_choice\":\"auto\"}",
	    "{\"model\":\"m\",\"max_tokens\":4096," OUT_HI "}");

	/* A tool round trip: the assistant's tool calls become tool_use
	 * blocks with parsed input (empty arguments -> {}); consecutive
	 * tool results and the next user text merge into one user message;
	 * two user messages in a row merge; empty text is left out. */
	same("tool calls and results",
	    "{\"model\":\"m\",\"messages\":["
	    "{\"role\":\"user\",\"content\":\"Weather in Paris and time?\"},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"Please.\"}]},"
	    "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
	    "{\"id\":\"toolu_01\",\"type\":\"function\",\"function\":{\"name\":"
	    "\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\","
	    "\\\"days\\\":2,\\\"metric\\\":true,\\\"x\\\":null,\\\"t\\\":1.5,"
	    "\\\"tags\\\":[\\\"a\\\"]}\"}},"
	    "{\"id\":\"toolu_02\",\"type\":\"function\",\"function\":{\"name\":"
	    "\"now\",\"arguments\":\"\"}}]},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"toolu_01\",\"content\":"
	    "\"18C, sunny\"},"
	    "{\"role\":\"tool\",\"tool_call_id\":\"toolu_02\",\"content\":["
	    "{\"type\":\"text\",\"text\":\"12:00\"}]},"
	    "{\"role\":\"user\",\"content\":\"Thanks\"},"
	    "{\"role\":\"assistant\",\"content\":\"\"},"
	    "{\"role\":\"assistant\",\"content\":\"You are welcome.\"}]}",
	    "{\"model\":\"m\",\"max_tokens\":4096,\"messages\":["
	    "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"Weather in Paris and time?\"},{\"type\":\"text\",\"text\":"
	    "\"Please.\"}]},"
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\","
	    "\"id\":\"toolu_01\",\"name\":\"get_weather\",\"input\":{\"city\":"
	    "\"Paris\",\"days\":2,\"metric\":true,\"x\":null,\"t\":1.5,"
	    "\"tags\":[\"a\"]}},{\"type\":\"tool_use\",\"id\":\"toolu_02\","
	    "\"name\":\"now\",\"input\":{}}]},"
	    "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
	    "\"tool_use_id\":\"toolu_01\",\"content\":\"18C, sunny\"},"
	    "{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_02\","
	    "\"content\":[{\"type\":\"text\",\"text\":\"12:00\"}]},"
	    "{\"type\":\"text\",\"text\":\"Thanks\"}]},"
	    "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"You are welcome.\"}]}]}");

	/* Assistant text and tool calls in one message: text first. */
	same("assistant text and tool call",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\","
	    "\"content\":\"Checking.\",\"tool_calls\":[{\"id\":\"t1\","
	    "\"type\":\"function\",\"function\":{\"name\":\"f\","
	    "\"arguments\":\"{}\"}}]}]}",
	    "{\"model\":\"m\",\"max_tokens\":4096,\"messages\":[{\"role\":"
	    "\"assistant\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"Checking.\"},{\"type\":\"tool_use\",\"id\":\"t1\",\"name\":"
	    "\"f\",\"input\":{}}]}]}");

	/* stop as an array; escapes and UTF-8 survive. */
	same("stop array, escapes",
	    "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":"
	    "\"caf\\u00e9 \\\"q\\\"\\n\"}],\"stop\":[\"\\n\\n\",\"###\"]}",
	    "{\"model\":\"m\",\"max_tokens\":4096,\"messages\":[{\"role\":"
	    "\"user\",\"content\":[{\"type\":\"text\",\"text\":"
	    "\"caf\xc3\xa9 \\\"q\\\"\\n\"}]}],\"stop_sequences\":"
	    "[\"\\n\\n\",\"###\"]}");

	/* Errors. */
	fails("not JSON", "{\"model\":", "not a JSON object");
	fails("not an object", "[1,2]", "not a JSON object");
	fails("empty body", "", "not a JSON object");
	fails("no model", "{" MSGS_HI "}", "model");
	fails("no messages", "{\"model\":\"m\"}", "messages");
	fails("messages not an array", "{\"model\":\"m\",\"messages\":{}}",
	    "messages");
	fails("n > 1", "{\"model\":\"m\"," MSGS_HI ",\"n\":2}", "n > 1");
	fails("audio part", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	    "\"content\":[{\"type\":\"input_audio\",\"input_audio\":{\"data\":"
	    "\"AA==\",\"format\":\"wav\"}}]}]}", "input_audio");
	fails("ftp image", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\","
	    "\"content\":[{\"type\":\"image_url\",\"image_url\":{\"url\":"
	    "\"ftp://x/y.png\"}}]}]}", "image_url");
	fails("data URL not base64", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
	    "{\"url\":\"data:image/png,abc\"}}]}]}", "image_url");
	fails("image data URL of text", "{\"model\":\"m\",\"messages\":[{"
	    "\"role\":\"user\",\"content\":[{\"type\":\"image_url\","
	    "\"image_url\":{\"url\":\"data:text/plain;base64,QQ==\"}}]}]}",
	    "image/*");
	fails("unknown role", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"function\",\"content\":\"x\"}]}", "role");
	fails("no role", "{\"model\":\"m\",\"messages\":[{\"content\":\"x\"}]}",
	    "role");
	fails("tool without id", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"tool\",\"content\":\"x\"}]}", "tool_call_id");
	fails("bad arguments", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"assistant\",\"tool_calls\":[{\"id\":\"t\",\"type\":\"function\","
	    "\"function\":{\"name\":\"f\",\"arguments\":\"[1]\"}}]}]}",
	    "arguments");
	fails("bad tool_choice", "{\"model\":\"m\"," MSGS_HI "," TOOLS
	    ",\"tool_choice\":\"sometimes\"}", "tool_choice");
	fails("non-function tool", "{\"model\":\"m\"," MSGS_HI ",\"tools\":"
	    "[{\"type\":\"web_search\"}]}", "tools[0]");
	fails("max_tokens 0", "{\"model\":\"m\"," MSGS_HI ",\"max_tokens\":0}",
	    "max_tokens");
	fails("temperature string", "{\"model\":\"m\"," MSGS_HI
	    ",\"temperature\":\"hot\"}", "temperature");
	fails("system image", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"system\",\"content\":[{\"type\":\"image_url\",\"image_url\":"
	    "{\"url\":\"https://x/y.png\"}}]}]}", "system");
	fails("content number", "{\"model\":\"m\",\"messages\":[{\"role\":"
	    "\"user\",\"content\":5}]}", "content");

	/* A body that does not fit the caller's buffer is a 400, not a
	 * cut request. */
	buf_free(&r.body);
	buf_init(&r.body, 40);
	fails("overflow", "{\"model\":\"m\"," MSGS_HI "}", "too large");
	buf_free(&r.body);
	return t_done();
}
