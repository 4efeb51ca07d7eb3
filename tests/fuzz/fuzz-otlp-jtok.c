/*
 * Differential target for the OTLP/JSON tokenizer (otlp/jtok.c): json-c
 * in strict mode, with the same depth limit, is the reference.  What the
 * tokenizer accepts, json-c must accept too, with the same type for every
 * value, the same length for every array, the same bytes for every string
 * and the same member names for every object; any difference aborts.
 * json-c also takes a few things RFC 8259 does not ("1.", "00", single
 * quotes), which the tokenizer rejects; the unit test
 * test-otlp-jtok-strict.c holds what it must accept.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "arena.h"
#include "jtok.h"
#include "limits.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* Whether a string token holds a \u escape of a surrogate. */
static int
surrogates(const struct jdoc *d, const struct jtok *t)
{
	const char	*p = d->p + t->off;
	size_t		 i;

	for (i = 0; i + 3 < t->len; i++)
		if (p[i] == '\\' && p[i + 1] == 'u' &&
		    (p[i + 2] == 'd' || p[i + 2] == 'D') &&
		    strchr("89abcdefABCDEF", p[i + 3]) != NULL)
			return 1;
	return 0;
}

static void
same(const struct jdoc *d, const struct jtok *t, json_object *o,
    struct arena *a)
{
	const struct jtok	*k, *v;
	json_object		*x;
	size_t			 i, len;
	char			*s, *name;

	switch (t->type) {
	case JT_NULL:
		if (o != NULL)
			abort();
		return;
	case JT_TRUE:
	case JT_FALSE:
		if (!json_object_is_type(o, json_type_boolean) ||
		    json_object_get_boolean(o) != (t->type == JT_TRUE))
			abort();
		return;
	case JT_NUMBER:
		if (!json_object_is_type(o, json_type_int) &&
		    !json_object_is_type(o, json_type_double))
			abort();
		return;
	case JT_STRING:
		if (!json_object_is_type(o, json_type_string) ||
		    (s = jt_string(d, t, a, &len)) == NULL)
			abort();
		/* json-c turns some valid surrogate pairs (\ud836\ude00:
		 * U+1DA00) into U+FFFD; the unit test checks pairs. */
		if (!surrogates(d, t) &&
		    (len != (size_t)json_object_get_string_len(o) ||
		    memcmp(s, json_object_get_string(o), len) != 0))
			abort();
		return;
	case JT_ARRAY:
		if (!json_object_is_type(o, json_type_array) ||
		    json_object_array_length(o) != t->n)
			abort();
		for (i = 0, v = t + 1; i < t->n; i++, v = d->t + v->end)
			same(d, v, json_object_array_get_idx(o, i), a);
		if (t->n > 0 && v != d->t + t->end)
			abort();
		return;
	case JT_OBJECT:
		if (!json_object_is_type(o, json_type_object))
			abort();
		for (i = 0, k = t + 1; i < t->n; i++, k = d->t + v->end) {
			v = k + 1;
			if (k->type != JT_STRING ||
			    (name = jt_string(d, k, a, NULL)) == NULL)
				abort();
			/* json-c cuts a name at a NUL; so does the lookup. */
			if (!json_object_object_get_ex(o, name, &x))
				abort();
		}
		if (t->n > 0 && k != d->t + t->end)
			abort();
		return;
	default:
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
	struct jdoc		 d;
	struct json_tokener	*tok;
	json_object		*root;
	struct arena		 a;
	const char		*why;
	enum jt_rc		 rc;
	size_t			 end;
	char			*q;
	int			 ok;

	if (n > (1 << 20))
		return 0;
	rc = jt_parse(&d, p, n, LF_OTLP_MAX_DEPTH, LF_OTLP_MAX_JSON_TOKENS,
	    &why);
	/* json-c waits for more after a top-level literal: give it a space. */
	if ((q = malloc(n + 1)) == NULL)
		abort();
	memcpy(q, p, n);
	q[n] = ' ';
	if ((tok = json_tokener_new_ex(LF_OTLP_MAX_DEPTH)) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, q, (int)n + 1);
	ok = json_tokener_get_error(tok) == json_tokener_success;
	for (end = json_tokener_get_parse_end(tok); ok && end <= n; end++)
		if (q[end] != ' ' && q[end] != '\t' && q[end] != '\n' &&
		    q[end] != '\r')
			ok = 0;
	free(q);
	if (rc == JT_OK && !ok)
		abort();
	if (rc != JT_OK && why == NULL)
		abort();
	if (rc == JT_OK) {
		arena_init(&a, 64 << 20);
		same(&d, &d.t[0], root, &a);
		arena_free(&a);
	}
	json_object_put(root);
	json_tokener_free(tok);
	jt_free(&d);
	return 0;
}
