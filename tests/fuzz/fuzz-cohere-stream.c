/*
 * A Cohere v2 stream through the SSE splitter into the translation
 * (stream_event, stream_end) and, separately, native_event.  Byte 0
 * picks the read size and include_usage.  The translated output must be
 * whole SSE events, each "data: " with one JSON object or [DONE], ending
 * in exactly one "data: [DONE]"; the result's strings and assembled text
 * stay within their bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "cohere.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"
#include "xlate.h"

struct st {
	void			*xs;
	struct llm_result	 r, nr;
	struct buf		 d, out;
};

static void
check_events(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	const char		*e;
	size_t			 len;
	int			 done = 0;

	while (n > 0) {
		if (done || n < 8 || memcmp(p, "data: ", 6) != 0 ||
		    (e = memmem(p, n, "\n\n", 2)) == NULL)
			abort();
		len = (size_t)(e - p) - 6;
		if (len == 6 && memcmp(p + 6, "[DONE]", 6) == 0)
			done = 1;
		else {
			if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH)) ==
			    NULL)
				abort();
			json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
			o = json_tokener_parse_ex(tok, p + 6, (int)len);
			if (json_tokener_get_error(tok) !=
			    json_tokener_success ||
			    json_tokener_get_parse_end(tok) != len ||
			    !json_object_is_type(o, json_type_object))
				abort();
			json_object_put(o);
			json_tokener_free(tok);
		}
		n -= (size_t)(e - p) + 2;
		p = e + 2;
	}
	if (!done)
		abort();
}

static void
check_result(const struct llm_result *r)
{
	if (strlen(r->model) >= sizeof(r->model) ||
	    strlen(r->error) >= sizeof(r->error) ||
	    strlen(r->id) >= sizeof(r->id) ||
	    strlen(r->finish_reason) >= sizeof(r->finish_reason) ||
	    r->text.len > 64)
		abort();
}

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct st	*st = ctx;

	if (!complete || sse_data(p, n, &st->d) != 1)
		return 0;
	cohere_xlate.stream_event(st->xs, buf_str(&st->d), st->d.len, &st->r,
	    &st->out);
	cohere_xlate.native_event(&st->nr, buf_str(&st->d), st->d.len);
	return 0;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct st	 st;
	struct sse	 s;
	size_t		 i, k, n;
	const char	*p;

	if (size < 1)
		return 0;
	k = 1 + data[0] % 64;
	p = (const char *)data + 1;
	n = size - 1;
	llm_result_init(&st.r, 64);
	llm_result_init(&st.nr, 64);
	buf_init(&st.d, 8192);
	buf_init(&st.out, 16 << 20);
	if ((st.xs = cohere_xlate.stream_new("m", data[0] & 0x80)) == NULL)
		abort();
	sse_init(&s, 8192);
	for (i = 0; i < n; i += k)
		sse_feed(&s, p + i, k < n - i ? k : n - i, on_event, &st);
	sse_finish(&s, on_event, &st);
	if (cohere_xlate.stream_end(st.xs, &st.r, &st.out) == 0)
		check_events(st.out.p, st.out.len);
	check_result(&st.r);
	check_result(&st.nr);
	cohere_xlate.stream_free(st.xs);
	sse_free(&s);
	buf_free(&st.d);
	buf_free(&st.out);
	llm_result_free(&st.r);
	llm_result_free(&st.nr);
	return 0;
}
