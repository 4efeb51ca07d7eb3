/*
 * An event longer than max_event is handed on in pieces (complete=0),
 * every byte in order, without buffering more than max_event; the
 * events after it are parsed normally.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "sse.h"
#include "t.h"

struct got {
	struct buf	 bytes;
	int		 pieces, complete;
	char		 lastev[64];
};

static int
collect(void *ctx, const char *p, size_t n, int complete)
{
	struct got	*g = ctx;

	buf_add(&g->bytes, p, n);
	if (complete) {
		g->complete++;
		if (n < sizeof(g->lastev)) {
			memcpy(g->lastev, p, n);
			g->lastev[n] = '\0';
		}
	} else
		g->pieces++;
	return 0;
}

int
main(void)
{
	enum { MAX = 100, BIG = 10000 };
	struct got	 g;
	struct sse	 s;
	char		*in;
	size_t		 n, i, k, maxcap = 0;

	in = malloc(BIG + 64);
	memcpy(in, "data: ", 6);
	memset(in + 6, 'x', BIG);
	memcpy(in + 6 + BIG, "\n\ndata: small\n\n", 15);
	n = 6 + BIG + 15;

	for (k = 1; k <= 4096; k *= 8) {
		memset(&g, 0, sizeof(g));
		buf_init(&g.bytes, 1 << 20);
		sse_init(&s, MAX);
		for (i = 0; i < n; i += k) {
			sse_feed(&s, in + i, k < n - i ? k : n - i, collect, &g);
			if (s.ev.cap > maxcap)
				maxcap = s.ev.cap;
		}
		sse_finish(&s, collect, &g);
		CHECK("oversized: handed on in pieces", g.pieces >= 1);
		CHECK("oversized: every byte in order", g.bytes.len == n &&
		    memcmp(g.bytes.p, in, n) == 0);
		CHECK("oversized: next event parsed", g.complete == 1 &&
		    strcmp(g.lastev, "data: small\n\n") == 0);
		sse_free(&s);
		buf_free(&g.bytes);
	}
	CHECK("oversized: never buffered beyond max_event", maxcap <= MAX + 1);

	/* One byte over the limit in a single read is not complete either. */
	memset(&g, 0, sizeof(g));
	buf_init(&g.bytes, 1 << 20);
	sse_init(&s, 10);
	sse_feed(&s, "data: 123\n\n", 11, collect, &g);
	CHECK("11-byte event, max 10: raw", g.complete == 0 && g.pieces == 1);
	sse_feed(&s, "data: 12\n\n", 10, collect, &g);
	CHECK("10-byte event, max 10: complete", g.complete == 1);
	sse_feed(&s, "data:", 5, collect, &g);
	sse_feed(&s, " 123\n\n", 6, collect, &g);
	CHECK("11-byte event over two reads: raw", g.complete == 1 &&
	    g.pieces == 3);
	sse_free(&s);
	buf_free(&g.bytes);
	free(in);
	return t_done();
}
