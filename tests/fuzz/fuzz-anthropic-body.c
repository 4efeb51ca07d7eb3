/*
 * A Messages answer through anthropic_xlate.response (byte 0 picks the
 * HTTP status: 200, 400, 429, 500, 529) and native_body.  A translated
 * body must be one JSON object (strict json-c): a chat.completion, or an
 * error body for a status >= 400.  The result's strings stay terminated;
 * usage keeps its meaning (prompt includes both cache parts, total is the
 * sum).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "anthropic.h"
#include "buf.h"
#include "openai.h"

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
	    u->cached < -1 || u->cache_creation < -1 || u->reasoning != -1)
		abort();
	if ((u->cached >= 0 || u->cache_creation >= 0) &&
	    u->prompt < pos(u->cached) + pos(u->cache_creation))
		abort();
	if ((u->prompt >= 0 || u->completion >= 0) &&
	    u->total != pos(u->prompt) + pos(u->completion))
		abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	 status[] = { 200, 400, 429, 500, 529 };
	struct llm_result	 r;
	struct json_object	*o, *v;
	struct buf		 out;
	const char		*p;
	int			 st;

	if (size < 1)
		return 0;
	st = status[data[0] % 5];
	p = (const char *)data + 1;
	size--;
	llm_result_init(&r, 64);
	buf_init(&out, 1 << 20);
	if (anthropic_xlate.response(st, p, size, "client-model", &out,
	    &r) == 0) {
		if ((o = parse(out.p, out.len)) == NULL ||
		    !json_object_is_type(o, json_type_object))
			abort();
		if (st >= 400 && !json_object_object_get_ex(o, "error", &v))
			abort();
		json_object_put(o);
	}
	check(&r);
	llm_result_free(&r);
	llm_result_init(&r, 64);
	anthropic_xlate.native_body(p, size, &r);
	check(&r);
	llm_result_free(&r);
	buf_free(&out);
	return 0;
}
