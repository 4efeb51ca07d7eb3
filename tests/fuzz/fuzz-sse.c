/*
 * SSE splitter: input byte 0 picks max_event and byte 1 seeds the read
 * sizes; the rest is the stream.  Fed at once and in pieces, every byte
 * must be handed on once, in order; complete events must fit max_event;
 * and when no event can be oversized both feeds must see the same data.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sse.h"

struct got {
	struct buf	 bytes;
	struct buf	 datas;
	struct buf	 d;
	size_t		 max;
};

static int
collect(void *ctx, const char *p, size_t n, int complete)
{
	struct got	*g = ctx;

	buf_add(&g->bytes, p, n);
	if (!complete)
		return 0;
	if (n > g->max)
		abort();
	if (sse_data(p, n, &g->d) == 1) {
		buf_add(&g->datas, buf_str(&g->d), g->d.len);
		buf_addc(&g->datas, '\0');
	}
	return 0;
}

static void
run(const char *p, size_t n, size_t max, unsigned seed, struct got *g)
{
	struct sse	 s;
	size_t		 i = 0, k;

	buf_init(&g->bytes, n + 1);
	buf_init(&g->datas, 2 * n + 16);
	buf_init(&g->d, n + 1);
	g->max = max;
	sse_init(&s, max);
	while (i < n) {
		if (seed == 0)
			k = n - i;
		else {
			seed = seed * 1103515245u + 12345u;
			k = 1 + (seed >> 16) % 9;
			if (k > n - i)
				k = n - i;
		}
		sse_feed(&s, p + i, k, collect, g);
		if (s.ev.len > max)
			abort();
		i += k;
	}
	sse_finish(&s, collect, g);
	if (!sse_idle(&s))
		abort();
	sse_free(&s);
	if (g->bytes.err || g->bytes.len != n ||
	    (n > 0 && memcmp(g->bytes.p, p, n) != 0))
		abort();
}

static void
done(struct got *g)
{
	buf_free(&g->bytes);
	buf_free(&g->datas);
	buf_free(&g->d);
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct got	 a, b;
	const char	*p;
	size_t		 n, max;

	if (size < 2)
		return 0;
	p = (const char *)data + 2;
	n = size - 2;
	max = (data[0] & 1) ? n + 1 : 4 + (size_t)(data[0] >> 1);
	run(p, n, max, 0, &a);
	run(p, n, max, data[1] | 1u, &b);
	if ((data[0] & 1) && (a.datas.len != b.datas.len ||
	    (a.datas.len > 0 && memcmp(a.datas.p, b.datas.p, a.datas.len))))
		abort();
	done(&a);
	done(&b);
	return 0;
}
