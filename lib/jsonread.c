#include <limits.h>
#include <math.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/json_tokener.h>

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
