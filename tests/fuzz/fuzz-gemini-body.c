/*
 * A Gemini answer body through gemini_xlate.response (byte 0 picks the
 * HTTP status: 200, 400, 429, 500) and native_body.  A translated answer
 * must be one valid JSON object; usage counts are -1 or non-negative.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "gemini.h"
#include "limits.h"
#include "openai.h"
#include "xlate.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int	 status[] = { 200, 400, 429, 500 };
	struct llm_result	 r;
	struct json_tokener	*tok;
	struct json_object	*o;
	struct buf		 out;
	const struct usage	*u = &r.usage;

	if (size < 1)
		return 0;
	llm_result_init(&r, 4096);
	buf_init(&out, 4 * size + 4096);
	if (gemini_xlate.response(status[data[0] % 4], (const char *)data + 1,
	    size - 1, "gemini-fuzz", &out, &r) == 0) {
		if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH + 16)) == NULL)
			abort();
		json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
		o = json_tokener_parse_ex(tok, out.p, (int)out.len);
		if (json_tokener_get_error(tok) != json_tokener_success ||
		    json_tokener_get_parse_end(tok) != out.len ||
		    !json_object_is_type(o, json_type_object))
			abort();
		json_object_put(o);
		json_tokener_free(tok);
	}
	gemini_xlate.native_body((const char *)data + 1, size - 1, &r);
	if (u->prompt < -1 || u->completion < -1 || u->total < -1 ||
	    u->cached < -1 || u->reasoning < -1)
		abort();
	buf_free(&out);
	llm_result_free(&r);
	return 0;
}
