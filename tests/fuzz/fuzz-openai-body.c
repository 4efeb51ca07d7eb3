/*
 * A response body through openai_parse_body, and the same bytes as one
 * stream event's data through openai_stream_data.  The result's strings
 * must stay terminated within their arrays; a body that is not JSON must
 * leave the result untouched.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "openai.h"

static void
check(const struct llm_result *r)
{
	if (memchr(r->model, '\0', sizeof(r->model)) == NULL ||
	    memchr(r->id, '\0', sizeof(r->id)) == NULL ||
	    memchr(r->finish_reason, '\0', sizeof(r->finish_reason)) == NULL ||
	    memchr(r->error, '\0', sizeof(r->error)) == NULL ||
	    r->text.len > r->text.max)
		abort();
	if (r->usage.prompt < -1 || r->usage.completion < -1 ||
	    r->usage.total < -1 || r->usage.cached < -1 ||
	    r->usage.reasoning < -1)
		abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct llm_result	 r;
	const char		*p = (const char *)data;

	llm_result_init(&r, 32);
	if (openai_parse_body(p, size, &r) == -1 &&
	    (r.model[0] != '\0' || r.usage.prompt != -1 ||
	    !isnan(r.usage.reported_cost)))
		abort();
	check(&r);
	openai_stream_data(&r, p, size);
	check(&r);
	llm_result_free(&r);
	return 0;
}
