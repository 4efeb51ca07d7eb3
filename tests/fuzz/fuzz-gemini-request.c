/*
 * A client body through gemini_xlate.request.  An accepted body must
 * give one valid JSON object (json-c, strict), a model that makes a path,
 * and no "model" key at the top; a refused one must say why.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "xlate.h"

static struct json_object *
parse(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if (n > 0x7fffffff || (tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH +
	    16)) == NULL)
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
	struct json_object	*o, *v;
	struct buf		 path;
	char			 err[256];

	memset(&req, 0, sizeof(req));
	buf_init(&req.body, 4 * size + 4096);
	buf_init(&path, 4 * LF_MAX_MODEL);
	if (gemini_xlate.request((const char *)data, size, &req, err,
	    sizeof(err)) == 0) {
		if ((o = parse(req.body.p, req.body.len)) == NULL ||
		    !json_object_is_type(o, json_type_object) ||
		    json_object_object_get_ex(o, "model", &v) ||
		    !json_object_object_get_ex(o, "contents", &v))
			abort();
		json_object_put(o);
		if (gemini_path(req.model, req.stream, &path) != 0)
			abort();
		if (req.include_usage && !req.stream)
			abort();
	} else if (err[0] == '\0')
		abort();
	buf_free(&path);
	buf_free(&req.body);
	return 0;
}
