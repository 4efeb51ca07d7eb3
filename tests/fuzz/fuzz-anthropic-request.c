/*
 * An OpenAI chat/completions body through anthropic_xlate.request.  On
 * success the Messages body must be one JSON object (strict json-c) with
 * the model and a positive max_tokens, and req->model must be that model;
 * on failure the 400 message must be set and terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "anthropic.h"
#include "buf.h"

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

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xlate_req	 req;
	struct json_object	*o, *v, *mt;
	char			 err[256];
	int			 rc;

	memset(&req, 0, sizeof(req));
	buf_init(&req.body, 1 << 20);
	memset(err, 'x', sizeof(err));
	rc = anthropic_xlate.request((const char *)data, size, &req, err,
	    sizeof(err));
	if (memchr(req.model, '\0', sizeof(req.model)) == NULL ||
	    memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc == -1) {
		if (err[0] == '\0')
			abort();
	} else {
		if (rc != 0 || req.body.err || req.model[0] == '\0' ||
		    (req.include_usage && !req.stream))
			abort();
		if ((o = parse(req.body.p, req.body.len)) == NULL ||
		    !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "model", &v) ||
		    !json_object_object_get_ex(o, "max_tokens", &mt) ||
		    !json_object_is_type(mt, json_type_int) ||
		    json_object_get_int64(mt) < 1 ||
		    !json_object_object_get_ex(o, "messages", &v) ||
		    !json_object_is_type(v, json_type_array))
			abort();
		json_object_put(o);
	}
	buf_free(&req.body);
	return 0;
}
