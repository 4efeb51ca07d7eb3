#include <limits.h>
#include <math.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_object_iterator.h>
#include <json-c/json_tokener.h>

#include "json.h"
#include "jsonread.h"
#include "limits.h"

struct json_object *
jr_parse(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	size_t			 i;

	if (n == 0 || n > (size_t)INT_MAX || memchr(p, '\0', n) != NULL)
		return NULL;
	if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (o != NULL && json_tokener_get_error(tok) == json_tokener_success) {
		for (i = json_tokener_get_parse_end(tok); i < n; i++)
			if (p[i] != ' ' && p[i] != '\t' && p[i] != '\n' &&
			    p[i] != '\r')
				break;
		if (i == n) {
			json_tokener_free(tok);
			return o;
		}
	}
	json_object_put(o);
	json_tokener_free(tok);
	return NULL;
}

struct json_object *
jr_get(struct json_object *o, const char *k)
{
	struct json_object	*v;

	if (o == NULL || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, k, &v))
		return NULL;
	return v;
}

int
jr_count(struct json_object *v, int64_t *out)
{
	double	 d;
	int64_t	 i;

	if (json_object_is_type(v, json_type_int)) {
		if ((i = json_object_get_int64(v)) < 0 ||
		    i > LF_MAX_TOKEN_COUNT)
			return -1;
		*out = i;
		return 0;
	}
	if (json_object_is_type(v, json_type_double)) {
		d = json_object_get_double(v);
		if (!isfinite(d) || d < 0 || d > (double)LF_MAX_TOKEN_COUNT ||
		    d != floor(d))
			return -1;
		*out = (int64_t)d;
		return 0;
	}
	return -1;
}

void
jr_copy_str(char *dst, size_t dstsz, const char *s, size_t len)
{
	if (dstsz == 0)
		return;
	if (len >= dstsz) {
		len = dstsz - 1;
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	memcpy(dst, s, len);
	dst[len] = '\0';
}

void
jr_write(struct jw *w, struct json_object *v)
{
	struct json_object_iterator	 it, end;
	const char			*s;
	size_t				 i, len;

	switch (v == NULL ? json_type_null : json_object_get_type(v)) {
	case json_type_null:
		jw_null(w);
		break;
	case json_type_boolean:
		jw_bool(w, json_object_get_boolean(v));
		break;
	case json_type_int:
		s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN);
		if (s == NULL)
			w->b->err = 1;
		else
			jw_raw(w, s, strlen(s));
		break;
	case json_type_double:
		jw_double(w, json_object_get_double(v));
		break;
	case json_type_string:
		jw_strn(w, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		break;
	case json_type_array:
		jw_arr(w);
		len = json_object_array_length(v);
		for (i = 0; i < len && !w->b->err; i++)
			jr_write(w, json_object_array_get_idx(v, i));
		jw_arr_end(w);
		break;
	case json_type_object:
		jw_obj(w);
		it = json_object_iter_begin(v);
		end = json_object_iter_end(v);
		while (!json_object_iter_equal(&it, &end) && !w->b->err) {
			jw_key(w, json_object_iter_peek_name(&it));
			jr_write(w, json_object_iter_peek_value(&it));
			json_object_iter_next(&it);
		}
		jw_obj_end(w);
		break;
	}
}
