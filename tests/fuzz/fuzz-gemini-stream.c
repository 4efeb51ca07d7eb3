/*
 * A Gemini alt=sse stream through the SSE splitter and gemini_xlate's
 * stream functions.  Byte 0 picks the read size, byte 1 include_usage.
 * Every event written must be "data: <JSON object>\n\n" or
 * "data: [DONE]\n\n", and the stream must end with [DONE].
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"
#include "xlate.h"

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
	if (gemini_xlate.stream_event(st->s, buf_str(&st->d), st->d.len,
	    &st->r, &st->out) != 0)
		abort();
	return 0;
}

static void
check_events(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	const char		*e;
	size_t			 len;

	while (n > 0) {
		if (n < 8 || memcmp(p, "data: ", 6) != 0 ||
		    (e = memmem(p, n, "\n\n", 2)) == NULL)
			abort();
		len = (size_t)(e - p) - 6;
		if (!(len == 6 && memcmp(p + 6, "[DONE]", 6) == 0)) {
			if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH + 16))
			    == NULL)
				abort();
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
			o = json_tokener_parse_ex(tok, p + 6, (int)len);
			if (json_tokener_get_error(tok) != json_tokener_success
			    || json_tokener_get_parse_end(tok) != len ||
			    !json_object_is_type(o, json_type_object))
				abort();
			json_object_put(o);
			json_tokener_free(tok);
		}
		n -= (size_t)(e - p) + 2;
		p = e + 2;
	}
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st	 st;
	struct sse	 sse;
	size_t		 i, step;
	int		 usage;

	if (size < 2)
		return 0;
	step = 1 + data[0] % 64;
	usage = data[1] & 1;
	data += 2;
	size -= 2;
	memset(&st, 0, sizeof(st));
	llm_result_init(&st.r, 4096);
	buf_init(&st.d, LF_SSE_MAX_EVENT);
	buf_init(&st.out, 1 << 24);
	if ((st.s = gemini_xlate.stream_new("gemini-fuzz", usage)) == NULL)
		abort();
	sse_init(&sse, 1 << 16);
	for (i = 0; i < size; i += step)
		sse_feed(&sse, (const char *)data + i, size - i < step ?
		    size - i : step, on_event, &st);
	sse_finish(&sse, on_event, &st);
	if (gemini_xlate.stream_end(st.s, &st.r, &st.out) != 0)
		abort();
	check_events(st.out.p, st.out.len);
	if (st.out.len < 14 || memcmp(st.out.p + st.out.len - 14,
	    "data: [DONE]\n\n", 14) != 0)
		abort();
	if (st.r.text.len > st.r.text.max)
		abort();
	gemini_xlate.stream_free(st.s);
	sse_free(&sse);
	llm_result_free(&st.r);
	buf_free(&st.d);
	buf_free(&st.out);
	return 0;
}
