/*
 * A Messages stream through the SSE splitter into anthropic_xlate's
 * stream_new / stream_event / stream_end, and the same events through
 * native_event.  Byte 0: bit 0 = include_usage, bits 1-6 = read size.
 * Every output event must be "data: <JSON object>\n\n" (strict json-c),
 * the last one "data: [DONE]\n\n"; the result's strings stay terminated
 * and usage keeps its meaning.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "anthropic.h"
#include "buf.h"
#include "openai.h"
#include "sse.h"

struct st {
	void			*x;
	struct llm_result	 r, nr;
	struct buf		 d, out;
};

static struct json_object *
parse(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if (n > 0x7fffffff || (tok = json_tokener_new_ex(128)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int64_t
pos(int64_t v)
{
	return v > 0 ? v : 0;
}

static void
check(const struct llm_result *r)
{
	const struct usage	*u = &r->usage;

	if (memchr(r->model, '\0', sizeof(r->model)) == NULL ||
	    memchr(r->id, '\0', sizeof(r->id)) == NULL ||
	    memchr(r->finish_reason, '\0', sizeof(r->finish_reason)) == NULL ||
	    memchr(r->error, '\0', sizeof(r->error)) == NULL ||
	    r->text.len > r->text.max)
		abort();
	if (u->prompt < -1 || u->completion < -1 || u->total < -1 ||
	    u->cached < -1 || u->cache_creation < -1)
		abort();
	if ((u->cached >= 0 || u->cache_creation >= 0) &&
	    u->prompt < pos(u->cached) + pos(u->cache_creation))
		abort();
	if ((u->prompt >= 0 || u->completion >= 0) &&
	    u->total != pos(u->prompt) + pos(u->completion))
		abort();
}

/* out holds whole events, each a JSON object, ending with [DONE]. */
static void
check_out(const struct buf *b)
{
	const char		*p = b->p, *end, *e;
	struct json_object	*o;

	if (b->err || p == NULL)
		abort();
	end = p + b->len;
	for (;;) {
		if ((size_t)(end - p) < 8 || memcmp(p, "data: ", 6) != 0 ||
		    (e = memmem(p, (size_t)(end - p), "\n\n", 2)) == NULL)
			abort();
		if (e + 2 == end) {
			if ((size_t)(e - p) != 12 ||
			    memcmp(p, "data: [DONE]", 12) != 0)
				abort();
			return;
		}
		if ((o = parse(p + 6, (size_t)(e - p - 6))) == NULL ||
		    !json_object_is_type(o, json_type_object))
			abort();
		json_object_put(o);
		p = e + 2;
	}
}

static int
on_event(void *ctx, const char *p, size_t n, int complete)
{
	struct st	*st = ctx;

	if (!complete || sse_data(p, n, &st->d) != 1)
		return 0;
	if (anthropic_xlate.stream_event(st->x, buf_str(&st->d), st->d.len,
	    &st->r, &st->out) == -1)
		abort();
	anthropic_xlate.native_event(&st->nr, buf_str(&st->d), st->d.len);
	check(&st->r);
	check(&st->nr);
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
	k = 1 + (data[0] >> 1) % 64;
	p = (const char *)data + 1;
	n = size - 1;
	llm_result_init(&st.r, 64);
	llm_result_init(&st.nr, 64);
	buf_init(&st.d, 1 << 16);
	buf_init(&st.out, 1 << 22);
	if ((st.x = anthropic_xlate.stream_new("client-model",
	    data[0] & 1)) == NULL)
		abort();
	sse_init(&s, 1 << 16);
	for (i = 0; i < n; i += k)
		sse_feed(&s, p + i, k < n - i ? k : n - i, on_event, &st);
	sse_finish(&s, on_event, &st);
	if (anthropic_xlate.stream_end(st.x, &st.r, &st.out) == -1)
		abort();
	check_out(&st.out);
	check(&st.r);
	if (st.r.usage.prompt != st.nr.usage.prompt ||
	    st.r.usage.completion != st.nr.usage.completion ||
	    st.r.text.len != st.nr.text.len ||
	    strcmp(st.r.error, st.nr.error) != 0)
		abort();
	anthropic_xlate.stream_free(st.x);
	sse_free(&s);
	buf_free(&st.d);
	buf_free(&st.out);
	llm_result_free(&st.r);
	llm_result_free(&st.nr);
	return 0;
}
