/*
 * A stream fed one byte at a time, or in random chunk sizes, yields the
 * same events' data as the stream fed at once, and every byte is handed
 * on exactly once, in order.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "limits.h"
#include "sse.h"
#include "t.h"

struct got {
	struct buf	 bytes;		/* everything handed on */
	struct buf	 datas;		/* each complete event's data + '|' */
	int		 events;
};

static int
collect(void *ctx, const char *p, size_t n, int complete)
{
	struct got	*g = ctx;
	struct buf	 d;

	buf_add(&g->bytes, p, n);
	if (!complete)
		return 0;
	buf_init(&d, 1 << 20);
	if (sse_data(p, n, &d) == 1) {
		buf_add(&g->datas, d.p ? d.p : "", d.len);
		buf_addc(&g->datas, '|');
		g->events++;
	}
	buf_free(&d);
	return 0;
}

static void
run(const char *s, size_t n, unsigned seed, size_t fixed, struct got *g)
{
	struct sse	 sse;
	size_t		 i = 0, k;

	buf_init(&g->bytes, 1 << 20);
	buf_init(&g->datas, 1 << 20);
	g->events = 0;
	srand(seed);
	sse_init(&sse, LF_SSE_MAX_EVENT);
	while (i < n) {
		k = fixed ? fixed : 1 + (size_t)rand() % 17;
		if (k > n - i)
			k = n - i;
		sse_feed(&sse, s + i, k, collect, g);
		i += k;
	}
	sse_finish(&sse, collect, g);
	sse_free(&sse);
}

static void
done(struct got *g)
{
	buf_free(&g->bytes);
	buf_free(&g->datas);
}

int
main(void)
{
	static const char stream[] =
	    "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
	    "\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\","
	    "\"content\":\"\"},\"finish_reason\":null}],\"usage\":null}\n\n"
	    ": keep-alive\n\n"
	    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}"
	    "\r\n\r\n"
	    "event: message\rdata: a\rdata: b\r\r"
	    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9}}\n\r\n"
	    "data: [DONE]\n\n";
	const size_t	 n = sizeof(stream) - 1;
	const char	*want = "{\"id\":\"chatcmpl-1\",\"object\":"
	    "\"chat.completion.chunk\",\"choices\":[{\"index\":0,\"delta\":"
	    "{\"role\":\"assistant\",\"content\":\"\"},\"finish_reason\":null}],"
	    "\"usage\":null}|{\"choices\":[{\"index\":0,\"delta\":{\"content\":"
	    "\"Hi\"}}]}|a\nb|{\"choices\":[],\"usage\":{\"prompt_tokens\":9}}|"
	    "[DONE]|";
	struct got	 whole, g;
	unsigned	 seed;
	int		 same = 1, bytes = 1;

	run(stream, n, 0, n, &whole);
	CHECK_STR("whole: data of each event", buf_str(&whole.datas), want);
	CHECK_I64("whole: five data events", whole.events, 5);
	CHECK("whole: bytes handed on unchanged", whole.bytes.len == n &&
	    memcmp(whole.bytes.p, stream, n) == 0);

	run(stream, n, 0, 1, &g);
	CHECK_STR("one byte at a time: same data", buf_str(&g.datas), want);
	CHECK("one byte at a time: bytes unchanged", g.bytes.len == n &&
	    memcmp(g.bytes.p, stream, n) == 0);
	done(&g);

	for (seed = 1; seed <= 200; seed++) {
		run(stream, n, seed, 0, &g);
		if (strcmp(buf_str(&g.datas), want) != 0)
			same = 0;
		if (g.bytes.len != n || memcmp(g.bytes.p, stream, n) != 0)
			bytes = 0;
		done(&g);
	}
	CHECK("random chunk sizes: same data (200 runs)", same);
	CHECK("random chunk sizes: bytes unchanged (200 runs)", bytes);
	done(&whole);
	return t_done();
}
