/*
 * Typed OTLP values as JSON: strings, booleans and 64-bit integers as
 * such, doubles (NaN/Inf as null), arrays, kvlists as objects (keys in
 * order; a repeated key is written as often as it came), bytes as
 * base64.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "classify.h"
#include "limits.h"

static void
jw_base64(struct jw *w, const uint8_t *p, size_t n)
{
	static const char	 tb[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	struct buf		 b;
	size_t			 i;
	char			 q[4];
	uint32_t		 v;

	buf_init(&b, (n / 3 + 1) * 4 + 4);
	for (i = 0; i + 2 < n; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		q[0] = tb[v >> 18];
		q[1] = tb[(v >> 12) & 63];
		q[2] = tb[(v >> 6) & 63];
		q[3] = tb[v & 63];
		buf_add(&b, q, 4);
	}
	if (i < n) {
		v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
		q[0] = tb[v >> 18];
		q[1] = tb[(v >> 12) & 63];
		q[2] = i + 1 < n ? tb[(v >> 6) & 63] : '=';
		q[3] = '=';
		buf_add(&b, q, 4);
	}
	if (b.err)
		w->b->err = 1;
	else
		jw_strn(w, buf_str(&b), b.len);
	buf_free(&b);
}

void
otlp_jw_value(struct jw *w, const struct anyvalue *v)
{
	size_t	 i;

	switch (v->type) {
	case AV_EMPTY:
		jw_null(w);
		break;
	case AV_STRING:
		jw_strn(w, v->s, v->len);
		break;
	case AV_BOOL:
		jw_bool(w, v->i != 0);
		break;
	case AV_INT:
		jw_int(w, v->i);
		break;
	case AV_DOUBLE:
		jw_double(w, v->d);
		break;
	case AV_BYTES:
		jw_base64(w, (const uint8_t *)v->s, v->len);
		break;
	case AV_ARRAY:
		jw_arr(w);
		for (i = 0; i < v->n; i++)
			otlp_jw_value(w, &v->arr[i]);
		jw_arr_end(w);
		break;
	case AV_KVLIST:
		jw_obj(w);
		for (i = 0; i < v->n; i++) {
			jw_key(w, v->kvs[i].key);
			otlp_jw_value(w, &v->kvs[i].v);
		}
		jw_obj_end(w);
		break;
	default:
		abort();
	}
}

void
otlp_jw_attrs(struct jw *w, const struct attrs *a)
{
	otlp_jw_attrs_dropped(w, a, 0, 0, 0);
}

void
otlp_jw_attrs_dropped(struct jw *w, const struct attrs *a, uint32_t attrs,
    uint32_t events, uint32_t links)
{
	static const char *const keys[] = { "otel.dropped_attributes_count",
	    "otel.dropped_events_count", "otel.dropped_links_count" };
	const uint32_t	 n[] = { attrs, events, links };
	size_t		 i;

	jw_obj(w);
	for (i = 0; i < a->n; i++) {
		jw_key(w, a->kv[i].key);
		otlp_jw_value(w, &a->kv[i].v);
	}
	for (i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		if (n[i] > 0 && otlp_attr(a, keys[i]) == NULL)
			jw_kint(w, keys[i], n[i]);
	jw_obj_end(w);
}

/* A parsed json-c value through our writer (so output is always valid). */
static void
jw_jsonc(struct jw *w, json_object *o)
{
	size_t	 i, n;

	switch (json_object_get_type(o)) {
	case json_type_null:
		jw_null(w);
		break;
	case json_type_boolean:
		jw_bool(w, json_object_get_boolean(o));
		break;
	case json_type_int:
		jw_int(w, json_object_get_int64(o));
		break;
	case json_type_double:
		jw_double(w, json_object_get_double(o));
		break;
	case json_type_string:
		jw_strn(w, json_object_get_string(o),
		    (size_t)json_object_get_string_len(o));
		break;
	case json_type_array:
		jw_arr(w);
		n = json_object_array_length(o);
		for (i = 0; i < n; i++)
			jw_jsonc(w, json_object_array_get_idx(o, i));
		jw_arr_end(w);
		break;
	case json_type_object: {
		json_object_iter	 it;

		jw_obj(w);
		json_object_object_foreachC(o, it) {
			jw_key(w, it.key);
			jw_jsonc(w, it.val);
		}
		jw_obj_end(w);
		break;
	}
	default:
		jw_null(w);
	}
}

void
otlp_jw_maybe_json(struct jw *w, const char *s, size_t len)
{
	struct json_tokener	*tok;
	json_object		*o = NULL;
	size_t			 i = 0;

	while (i < len && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' ||
	    s[i] == '\r'))
		i++;
	/* Only objects and arrays: "42" or "true" stay text. */
	if (i < len && (s[i] == '{' || s[i] == '[') && len < INT32_MAX &&
	    (tok = json_tokener_new_ex(JW_MAX_DEPTH - 8)) != NULL) {
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
		    JSON_TOKENER_VALIDATE_UTF8);
		o = json_tokener_parse_ex(tok, s, (int)len);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != len) {
			json_object_put(o);
			o = NULL;
		}
		json_tokener_free(tok);
	}
	if (o != NULL) {
		jw_jsonc(w, o);
		json_object_put(o);
	} else
		jw_strn(w, s, len);
}

int
otlp_value_i64(const struct anyvalue *v, int64_t *out)
{
	char	*end;
	long long x;

	if (v == NULL)
		return -1;
	switch (v->type) {
	case AV_INT:
		*out = v->i;
		return 0;
	case AV_DOUBLE:
		if (!(v->d >= -9.2e18 && v->d <= 9.2e18) || v->d != floor(v->d))
			return -1;
		*out = (int64_t)v->d;
		return 0;
	case AV_STRING:
		if (v->len == 0 || v->len > 20 || !(v->s[0] == '-' ||
		    (v->s[0] >= '0' && v->s[0] <= '9')))
			return -1;
		errno = 0;
		x = strtoll(v->s, &end, 10);
		if (errno != 0 || *end != '\0')
			return -1;
		*out = x;
		return 0;
	default:
		return -1;
	}
}

int
otlp_value_double(const struct anyvalue *v, double *out)
{
	char	*end;

	if (v == NULL)
		return -1;
	switch (v->type) {
	case AV_INT:
		*out = (double)v->i;
		return 0;
	case AV_DOUBLE:
		*out = v->d;
		return isfinite(v->d) ? 0 : -1;
	case AV_STRING:
		if (v->len == 0 || v->len > 64 || !(v->s[0] == '-' ||
		    v->s[0] == '.' || (v->s[0] >= '0' && v->s[0] <= '9')))
			return -1;
		*out = strtod(v->s, &end);
		return *end == '\0' && isfinite(*out) ? 0 : -1;
	default:
		return -1;
	}
}
