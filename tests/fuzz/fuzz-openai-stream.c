/*
 * An OpenAI stream through the SSE splitter, openai_stream_data and
 * openai_strip_usage.  Byte 0 picks the read size.  For every event the
 * strip result is checked against json-c: a stripped event differs from
 * the original in one contiguous removed range, parses, and equals the
 * original object without its null "usage"; a dropped event is a
 * usage-only chunk.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"
#include "sse.h"

struct st {
	struct llm_result	 r;
	struct buf		 d, out;
};

static struct json_object *
parse(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if (n > 0x7fffffff || (tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH))
	    == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* The JSON object of the event's single data line. */
static struct json_object *
event_object(const char *ev, size_t n)
{
	size_t	 off, len;

	if (sse_data_span(ev, n, &off, &len) != 1)
		abort();
	return parse(ev + off, len);
}

static void
check_strip(const char *ev, size_t n, struct buf *out)
{
	struct json_object	*a, *b, *u, *ch;
	size_t			 pre = 0, suf = 0;
	int			 rc;

	rc = openai_strip_usage(ev, n, out);
	if (rc == -1)
		return;
	if ((a = event_object(ev, n)) == NULL)
		abort();
	if (rc == 1) {
		if (!json_object_object_get_ex(a, "choices", &ch) ||
		    json_object_array_length(ch) != 0 ||
		    !json_object_object_get_ex(a, "usage", &u) ||
		    !json_object_is_type(u, json_type_object))
			abort();
		json_object_put(a);
		return;
	}
	if (out->len > n)
		abort();
	if (out->len == n) {
		if (n > 0 && memcmp(out->p, ev, n) != 0)
			abort();
		json_object_put(a);
		return;
	}
	while (pre < out->len && out->p[pre] == ev[pre])
		pre++;
	while (suf < out->len - pre &&
	    out->p[out->len - 1 - suf] == ev[n - 1 - suf])
		suf++;
	if (pre + suf != out->len)
		abort();
	if ((b = event_object(out->p, out->len)) == NULL)
		abort();
	if (!json_object_object_get_ex(a, "usage", &u) || u != NULL ||
	    json_object_object_get_ex(b, "usage", &u))
		abort();
	json_object_object_del(a, "usage");
	if (!json_object_equal(a, b))
		abort();
	json_object_put(a);
	json_object_put(b);
}

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct st	*st = ctx;

	if (!complete)
		return 0;
	if (sse_data(p, n, &st->d) == 1)
		openai_stream_data(&st->r, buf_str(&st->d), st->d.len);
	check_strip(p, n, &st->out);
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
	buf_init(&st.d, 4096);
	buf_init(&st.out, 8192);
	sse_init(&s, 4096);
	for (i = 0; i < n; i += k)
		sse_feed(&s, p + i, k < n - i ? k : n - i, on_event, &st);
	sse_finish(&s, on_event, &st);
	if (strlen(st.r.model) >= sizeof(st.r.model) ||
	    strlen(st.r.error) >= sizeof(st.r.error) ||
	    strlen(st.r.id) >= sizeof(st.r.id) ||
	    strlen(st.r.finish_reason) >= sizeof(st.r.finish_reason) ||
	    st.r.text.len > 64)
		abort();
	sse_free(&s);
	buf_free(&st.d);
	buf_free(&st.out);
	llm_result_free(&st.r);
	return 0;
}
