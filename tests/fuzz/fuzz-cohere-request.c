/*
 * The Cohere translation of bodies: the input as an OpenAI request
 * (cohere_xlate.request), as a Cohere answer with status 200 and 400
 * (cohere_xlate.response) and as a native body (native_body).  Whatever
 * is produced must be one JSON object that json-c reads back; a refused
 * request must say why; the result's strings stay within their arrays.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "cohere.h"
#include "limits.h"
#include "openai.h"
#include "xlate.h"

/* Abort unless p[0, n) is exactly one JSON object. */
static void
check_object(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if (n == 0 || n > 0x7fffffff ||
	    (tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH + 8)) == NULL)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != n ||
	    !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
	json_tokener_free(tok);
}

static void
check_result(const struct llm_result *r)
{
	if (strlen(r->model) >= sizeof(r->model) ||
	    strlen(r->error) >= sizeof(r->error) ||
	    strlen(r->id) >= sizeof(r->id) ||
	    strlen(r->finish_reason) >= sizeof(r->finish_reason))
		abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*p = (const char *)data;
	struct xlate_req	 req;
	struct llm_result	 r;
	struct buf		 out;
	char			 err[256];
	int			 status;

	buf_init(&req.body, 1 << 20);
	err[0] = 'x';
	if (cohere_xlate.request(p, size, &req, err, sizeof(err)) == 0) {
		if (req.body.err)
			abort();
		check_object(req.body.p, req.body.len);
		if (req.model[0] == '\0' || (req.include_usage && !req.stream))
			abort();
	} else if (err[0] == '\0' || strlen(err) >= sizeof(err))
		abort();
	buf_free(&req.body);

	for (status = 200; status <= 400; status += 200) {
		llm_result_init(&r, 64);
		buf_init(&out, 1 << 20);
		if (cohere_xlate.response(status, p, size, "m", &out, &r) ==
		    0)
			check_object(out.p, out.len);
		check_result(&r);
		buf_free(&out);
		llm_result_free(&r);
	}

	llm_result_init(&r, 64);
	cohere_xlate.native_body(p, size, &r);
	check_result(&r);
	llm_result_free(&r);
	return 0;
}
