/*
 * openai_request_info reads stream and model; openai_request_usage asks a
 * streaming request for usage by splicing the client's bytes: absent
 * stream_options, stream_options without include_usage (empty or not),
 * include_usage false, stream_options null; no change when usage is
 * already asked for or the request does not stream; -1 for non-objects.
 */
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"
#include "t.h"

static struct buf	 out;

static int
inject(const char *body)
{
	return openai_request_usage(body, strlen(body), &out);
}

#define INJECTS(name, in, want) do {					\
	int t_rc = inject(in);						\
	CHECK(name ": returns 1", t_rc == 1);				\
	CHECK_STR(name ": exact bytes", buf_str(&out), want);		\
} while (0)

int
main(void)
{
	char		 model[LF_MAX_MODEL], tiny[6];
	int		 stream;
	const char	*b;

	buf_init(&out, 1 << 20);

	b = "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[]}";
	CHECK_I64("info: parsed", openai_request_info(b, strlen(b), &stream,
	    model, sizeof(model)), 0);
	CHECK("info: stream", stream == 1);
	CHECK_STR("info: model", model, "gpt-4o-mini");
	b = "{\"messages\":[],\"stream\":\"true\"}";
	openai_request_info(b, strlen(b), &stream, model, sizeof(model));
	CHECK("info: stream must be the boolean true", stream == 0);
	CHECK_STR("info: no model", model, "");
	b = "{\"model\":\"abcd\xc3\xa9xyz\"}";
	openai_request_info(b, strlen(b), &stream, tiny, sizeof(tiny));
	CHECK_STR("info: model cut on a UTF-8 boundary", tiny, "abcd");
	CHECK_I64("info: not JSON", openai_request_info("model=x", 7, &stream,
	    model, sizeof(model)), -1);
	CHECK_I64("info: JSON array", openai_request_info("[]", 2, &stream,
	    model, sizeof(model)), -1);

	INJECTS("no stream_options",
	    "{\"model\":\"gpt-4o-mini\",\"stream\":true,\"messages\":[]}",
	    "{\"stream_options\":{\"include_usage\":true},\"model\":"
	    "\"gpt-4o-mini\",\"stream\":true,\"messages\":[]}");
	INJECTS("leading whitespace kept",
	    " \n{ \"stream\": true }\n",
	    " \n{\"stream_options\":{\"include_usage\":true}, \"stream\": true }"
	    "\n");
	INJECTS("stream_options without include_usage",
	    "{\"stream\":true,\"stream_options\":{\"foo\":1}}",
	    "{\"stream\":true,\"stream_options\":{\"include_usage\":true,"
	    "\"foo\":1}}");
	INJECTS("empty stream_options",
	    "{\"stream\":true,\"stream_options\":{ }}",
	    "{\"stream\":true,\"stream_options\":{\"include_usage\":true }}");
	INJECTS("include_usage false",
	    "{\"stream_options\": {\"include_usage\": false}, \"stream\": true}",
	    "{\"stream_options\": {\"include_usage\": true}, \"stream\": true}");
	INJECTS("include_usage null",
	    "{\"stream\":true,\"stream_options\":{\"a\":[1],\"include_usage\":"
	    "null}}",
	    "{\"stream\":true,\"stream_options\":{\"a\":[1],\"include_usage\":"
	    "true}}");
	INJECTS("stream_options null",
	    "{\"stream\":true,\"stream_options\":null,\"n\":1}",
	    "{\"stream\":true,\"stream_options\":{\"include_usage\":true},"
	    "\"n\":1}");
	INJECTS("nested stream_options elsewhere is not it",
	    "{\"metadata\":{\"stream_options\":{}},\"stream\":true}",
	    "{\"stream_options\":{\"include_usage\":true},\"metadata\":"
	    "{\"stream_options\":{}},\"stream\":true}");

	CHECK_I64("already true: 0", inject("{\"stream\":true,"
	    "\"stream_options\":{\"include_usage\":true}}"), 0);
	CHECK_I64("not streaming: 0", inject("{\"model\":\"m\"}"), 0);
	CHECK_I64("stream false: 0", inject("{\"stream\":false}"), 0);
	CHECK_I64("key with an escaped NUL: left alone", inject("{\"stream\":"
	    "true,\"stream_options\\u0000\":{}}"), 0);
	CHECK_I64("not JSON: -1", inject("{\"stream\":true"), -1);
	CHECK_I64("JSON string: -1", inject("\"stream\""), -1);
	CHECK_I64("empty body: -1", inject(""), -1);
	buf_free(&out);
	return t_done();
}
