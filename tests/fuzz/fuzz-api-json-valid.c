/*
 * libFuzzer target: the strict JSON check that decides whether stored
 * text is embedded raw in an answer.  Whatever it accepts, json-c must
 * parse too (json-c accepts a superset), and rendering it as an embedded
 * value must give JSON that json-c parses.
 */
#include <stdint.h>
#include <stdlib.h>

#include <json-c/json.h>

#include "jsonvalid.h"
#include "limits.h"
#include "render.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct json_tokener	*tok;
	struct json_object	*o;
	struct buf		 b;
	struct jw		 w;
	int			 ok;

	ok = api_json_valid((const char *)data, size, LF_JSON_MAX_DEPTH);
	if (ok && size < (1U << 20)) {
		if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH + 1)) == NULL)
			return 0;
		o = json_tokener_parse_ex(tok, (const char *)data, (int)size);
		if (o == NULL &&
		    json_tokener_get_error(tok) == json_tokener_continue)
			o = json_tokener_parse_ex(tok, "", 1);
		/* json-c returns NULL for the value null itself. */
		if (o == NULL &&
		    json_tokener_get_error(tok) != json_tokener_success)
			abort();
		json_object_put(o);
		json_tokener_free(tok);
	}

	buf_init(&b, 6 * size + 64);	/* \u00XX is 6 bytes per byte */
	jw_init(&w, &b);
	jw_arr(&w);
	api_render_embedded(&w, (const char *)data, size);
	jw_arr_end(&w);
	if (b.err || !api_json_valid(b.p, b.len, LF_JSON_MAX_DEPTH))
		abort();
	buf_free(&b);
	return 0;
}
