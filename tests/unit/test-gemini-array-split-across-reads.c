/*
 * The JSON-array stream splitter (streamGenerateContent without alt=sse)
 * fed whole, one byte at a time and in random pieces: the same elements,
 * byte for byte, whatever the reads; strings holding brackets, braces,
 * escaped quotes and backslashes; an oversized element skipped without
 * being buffered; a bare error object; a callback that stops the feed;
 * and usage read from the elements with native_event.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "gemini.h"
#include "openai.h"
#include "xlate.h"
#include "t.h"

#define MAXEL	16

struct got {
	char	*el[MAXEL];
	size_t	 n;
	int	 stop_at;	/* return 7 on this element (1-based), 0 never */
	struct llm_result *r;
};

static int
on_elem(void *ctx, const char *p, size_t n)
{
	struct got	*g = ctx;

	if (g->n < MAXEL) {
		g->el[g->n] = strndup(p, n);
		g->n++;
	}
	if (g->r != NULL)
		gemini_xlate.native_event(g->r, p, n);
	return g->stop_at != 0 && (int)g->n == g->stop_at ? 7 : 0;
}

static void
got_free(struct got *g)
{
	size_t	 i;

	for (i = 0; i < g->n; i++)
		free(g->el[i]);
	memset(g, 0, sizeof(*g));
}

/* Feed s in pieces: step 0 means random sizes 1..17 from seed. */
static int
feed(struct gemini_array *a, const char *s, size_t step, unsigned seed,
    struct got *g)
{
	size_t	 i = 0, n = strlen(s), k;
	int	 rc;

	srand(seed);
	while (i < n) {
		k = step ? step : 1 + (size_t)(rand() % 17);
		if (k > n - i)
			k = n - i;
		if ((rc = gemini_array_feed(a, s + i, k, on_elem, g)) != 0)
			return rc;
		i += k;
	}
	return 0;
}

static const char E1[] =
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
    "\"a ] } [ { , \\\" quote \\\\\"}],\"role\": \"model\"},"
    "\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 5,"
    "\"totalTokenCount\": 5},\"modelVersion\": \"gemini-2.5-flash\"}";
static const char E2[] =
    "{\"candidates\": [{\"content\": {\"parts\": [{\"text\": "
    "\"\\\\\\\"]}\"}],\"role\": \"model\"},\"finishReason\": \"STOP\","
    "\"index\": 0}],\"usageMetadata\": {\"promptTokenCount\": 5,"
    "\"candidatesTokenCount\": 9,\"thoughtsTokenCount\": 3,"
    "\"totalTokenCount\": 17},\"modelVersion\": \"gemini-2.5-flash\"}";

int
main(void)
{
	struct gemini_array	 a;
	struct llm_result	 r;
	struct got		 g;
	struct buf		 s;
	unsigned		 seed;
	size_t			 step;
	int			 ok;

	buf_init(&s, 1 << 16);
	buf_adds(&s, "[");
	buf_adds(&s, E1);
	buf_adds(&s, ",\r\n");
	buf_adds(&s, E2);
	buf_adds(&s, "\r\n]");

	memset(&g, 0, sizeof(g));
	gemini_array_init(&a, 1 << 12);
	CHECK_I64("whole (rc)", feed(&a, s.p, s.len, 0, &g), 0);
	CHECK_I64("whole: two elements", g.n, 2);
	CHECK_STR("whole: first element", g.n > 0 ? g.el[0] : "", E1);
	CHECK_STR("whole: second element", g.n > 1 ? g.el[1] : "", E2);
	gemini_array_free(&a);
	got_free(&g);

	ok = 1;
	for (step = 1; step <= 9; step++) {
		gemini_array_init(&a, 1 << 12);
		feed(&a, s.p, step, 0, &g);
		ok = ok && g.n == 2 && strcmp(g.el[0], E1) == 0 &&
		    strcmp(g.el[1], E2) == 0;
		gemini_array_free(&a);
		got_free(&g);
	}
	CHECK("reads of 1..9 bytes: the same elements", ok);

	ok = 1;
	for (seed = 1; seed <= 200; seed++) {
		gemini_array_init(&a, 1 << 12);
		feed(&a, s.p, 0, seed, &g);
		ok = ok && g.n == 2 && strcmp(g.el[0], E1) == 0 &&
		    strcmp(g.el[1], E2) == 0;
		gemini_array_free(&a);
		got_free(&g);
	}
	CHECK("200 random splits: the same elements", ok);

	/* Usage through native_event, byte by byte. */
	llm_result_init(&r, 1 << 10);
	g.r = &r;
	gemini_array_init(&a, 1 << 12);
	feed(&a, s.p, 1, 0, &g);
	CHECK("usage from the last element", r.usage.prompt == 5 &&
	    r.usage.completion == 12 && r.usage.reasoning == 3 &&
	    r.usage.total == 17);
	CHECK_STR("model from the elements", r.model, "gemini-2.5-flash");
	CHECK_STR("finish from the elements", r.finish_reason, "stop");
	CHECK_STR("text from the elements", buf_str(&r.text),
	    "a ] } [ { , \" quote \\\\\"]}");
	gemini_array_free(&a);
	got_free(&g);
	llm_result_free(&r);

	/* An element longer than the bound is skipped, the next one kept;
	 * the buffer never grows past the bound. */
	gemini_array_init(&a, 64);
	feed(&a, "[{\"big\":\"0123456789012345678901234567890123456789"
	    "0123456789012345678901234567890123456789[{\"}, {\"small\":[1,"
	    "{\"x\":\"]\"}]}, \"str]\", 12, true, null, [1,[2]]]", 3, 0, &g);
	CHECK_I64("oversized: skipped count", a.skipped, 1);
	CHECK_I64("oversized: the rest handed on", g.n, 6);
	CHECK_STR("oversized: next element intact", g.n > 0 ? g.el[0] : "",
	    "{\"small\":[1,{\"x\":\"]\"}]}");
	CHECK_STR("string element", g.n > 1 ? g.el[1] : "", "\"str]\"");
	CHECK_STR("number element", g.n > 2 ? g.el[2] : "", "12");
	CHECK_STR("literal element", g.n > 3 ? g.el[3] : "", "true");
	CHECK_STR("nested array element", g.n > 5 ? g.el[5] : "", "[1,[2]]");
	CHECK("buffer bounded", a.elem.cap <= 65);
	gemini_array_free(&a);
	got_free(&g);

	/* A bare error object (no array), as Gemini answers some errors. */
	gemini_array_init(&a, 1 << 10);
	feed(&a, "{\"error\": {\"code\": 400, \"message\": \"bad {\"}}\n", 2,
	    0, &g);
	CHECK_STR("bare object handed on", g.n > 0 ? g.el[0] : "",
	    "{\"error\": {\"code\": 400, \"message\": \"bad {\"}}");
	gemini_array_free(&a);
	got_free(&g);

	/* Stray closers and one-byte scalars always make progress (found by
	 * fuzzing: a '}' between elements once looped forever). */
	gemini_array_init(&a, 1 << 10);
	feed(&a, "[}, 1 ,}}]]}[7,x]", 1, 0, &g);
	CHECK("stray closers ignored, scalars kept", g.n == 3 &&
	    strcmp(g.el[0], "1") == 0 && strcmp(g.el[1], "7") == 0 &&
	    strcmp(g.el[2], "x") == 0);
	gemini_array_free(&a);
	got_free(&g);

	/* A callback that returns non-zero stops the feed. */
	gemini_array_init(&a, 1 << 10);
	g.stop_at = 1;
	CHECK_I64("callback return stops the feed", gemini_array_feed(&a,
	    "[{},{},{}]", 10, on_elem, &g), 7);
	CHECK_I64("... after the first element", g.n, 1);
	gemini_array_free(&a);
	got_free(&g);
	gemini_array_free(NULL);

	buf_free(&s);
	return t_done();
}
