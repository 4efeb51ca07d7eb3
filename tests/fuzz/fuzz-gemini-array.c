/*
 * The JSON-array stream splitter.  Byte 0 picks the read size, byte 1 the
 * element bound.  Fed in pieces it must hand on exactly the elements it
 * hands on when fed whole, none longer than the bound, and each element
 * also goes through native_event.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "openai.h"
#include "xlate.h"

struct col {
	struct buf		 all;	/* elements, each followed by NUL */
	size_t			 n, max;
	struct llm_result	 r;
};

static int
on_elem(void *ctx, const char *p, size_t n)
{
	struct col	*c = ctx;

	if (n == 0 || n > c->max)
		abort();
	buf_add(&c->all, p, n);
	buf_addc(&c->all, '\0');
	c->n++;
	gemini_xlate.native_event(&c->r, p, n);
	return 0;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gemini_array	 a;
	struct col		 whole, parts;
	size_t			 i, step, max;

	if (size < 2)
		return 0;
	step = 1 + data[0] % 32;
	max = 1 + (size_t)data[1] * 8;
	data += 2;
	size -= 2;
	memset(&whole, 0, sizeof(whole));
	memset(&parts, 0, sizeof(parts));
	buf_init(&whole.all, 2 * size + 16);
	buf_init(&parts.all, 2 * size + 16);
	whole.max = parts.max = max;
	llm_result_init(&whole.r, 1024);
	llm_result_init(&parts.r, 1024);

	gemini_array_init(&a, max);
	gemini_array_feed(&a, (const char *)data, size, on_elem, &whole);
	gemini_array_free(&a);
	gemini_array_init(&a, max);
	for (i = 0; i < size; i += step)
		gemini_array_feed(&a, (const char *)data + i, size - i < step ?
		    size - i : step, on_elem, &parts);
	if (a.elem.cap > max + 1)
		abort();
	gemini_array_free(&a);
	if (whole.n != parts.n || whole.all.len != parts.all.len ||
	    (whole.all.len > 0 && memcmp(whole.all.p, parts.all.p,
	    whole.all.len) != 0))
		abort();
	if (whole.r.usage.total != parts.r.usage.total)
		abort();
	buf_free(&whole.all);
	buf_free(&parts.all);
	llm_result_free(&whole.r);
	llm_result_free(&parts.r);
	return 0;
}
