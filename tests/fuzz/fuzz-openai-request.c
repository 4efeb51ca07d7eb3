/*
 * A request body through openai_request_info and openai_request_usage.
 * When a body is rewritten, json-c must read the rewrite as the original
 * with stream_options.include_usage set to true and nothing else changed.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"

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

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_object	*a, *b, *so;
	struct buf		 out;
	char			 model[LF_MAX_MODEL];
	const char		*p = (const char *)data;
	int			 stream, rc;

	if (openai_request_info(p, size, &stream, model, sizeof(model)) == 0 &&
	    strlen(model) >= sizeof(model))
		abort();
	buf_init(&out, size + 64);
	rc = openai_request_usage(p, size, &out);
	if (rc == 1) {
		if ((a = parse(p, size)) == NULL ||
		    (b = parse(out.p, out.len)) == NULL)
			abort();
		if (!stream)
			abort();
		if (json_object_object_get_ex(a, "stream_options", &so) &&
		    json_object_is_type(so, json_type_object))
			json_object_object_add(so, "include_usage",
			    json_object_new_boolean(1));
		else {
			so = json_object_new_object();
			json_object_object_add(so, "include_usage",
			    json_object_new_boolean(1));
			json_object_object_add(a, "stream_options", so);
		}
		if (!json_object_equal(a, b))
			abort();
		json_object_put(a);
		json_object_put(b);
	}
	buf_free(&out);
	return 0;
}
