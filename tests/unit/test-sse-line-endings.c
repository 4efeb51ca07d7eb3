/*
 * Events end at a blank line however lines end: LF, CR LF, CR, or mixed,
 * and a CR LF split between two reads neither ends an event early nor
 * loses the LF.
 */
#include <string.h>

#include "buf.h"
#include "sse.h"
#include "t.h"

#define MAXEV	16

struct got {
	char	 ev[MAXEV][128];
	int	 complete[MAXEV];
	int	 n;
};

static int
collect(void *ctx, const char *p, size_t n, int complete)
{
	struct got	*g = ctx;

	if (g->n < MAXEV && n < sizeof(g->ev[0])) {
		memcpy(g->ev[g->n], p, n);
		g->ev[g->n][n] = '\0';
		g->complete[g->n] = complete;
	}
	g->n++;
	return 0;
}

static void
feed(struct got *g, const char *a, const char *b)
{
	struct sse	 s;

	memset(g, 0, sizeof(*g));
	sse_init(&s, 1024);
	sse_feed(&s, a, strlen(a), collect, g);
	if (b != NULL)
		sse_feed(&s, b, strlen(b), collect, g);
	sse_finish(&s, collect, g);
	sse_free(&s);
}

int
main(void)
{
	struct got	 g;
	struct buf	 d;

	buf_init(&d, 1024);

	feed(&g, "data: a\n\ndata: b\n\n", NULL);
	CHECK_I64("LF: two events", g.n, 2);
	CHECK_STR("LF: first event raw", g.ev[0], "data: a\n\n");
	CHECK_STR("LF: second event raw", g.ev[1], "data: b\n\n");

	feed(&g, "data: a\r\n\r\ndata: b\r\n\r\n", NULL);
	CHECK_I64("CRLF: two events", g.n, 2);
	CHECK_STR("CRLF: event keeps its CRLF CRLF", g.ev[0],
	    "data: a\r\n\r\n");
	CHECK("CRLF: complete", g.complete[0] && g.complete[1]);

	feed(&g, "data: a\r\rdata: b\r\r", NULL);
	CHECK_I64("CR: two events", g.n, 2);
	CHECK_STR("CR: first event raw", g.ev[0], "data: a\r\r");

	feed(&g, "data: a\r\n\ndata: b\n\r\n", NULL);
	CHECK_I64("mixed: two events", g.n, 2);
	CHECK_STR("mixed: CRLF then LF", g.ev[0], "data: a\r\n\n");
	CHECK_STR("mixed: LF then CRLF", g.ev[1], "data: b\n\r\n");

	/* The CR of the line's CRLF ends one read: no blank line yet. */
	feed(&g, "data: a\r", "\ndata: b\r\n\r\n");
	CHECK_I64("split CR|LF inside event: one event", g.n, 1);
	CHECK_STR("split CR|LF inside event: raw", g.ev[0],
	    "data: a\r\ndata: b\r\n\r\n");
	CHECK("split CR|LF inside event: data", sse_data(g.ev[0],
	    strlen(g.ev[0]), &d) == 1 && strcmp(buf_str(&d), "a\nb") == 0);

	/* The blank line's CR ends a read: the event goes at once, its LF
	 * follows as raw bytes, and the next event is intact. */
	feed(&g, "data: a\r\n\r", "\ndata: b\r\n\r\n");
	CHECK_I64("split blank CR|LF: event, LF, event", g.n, 3);
	CHECK_STR("split blank CR|LF: event sent at the CR", g.ev[0],
	    "data: a\r\n\r");
	CHECK("split blank CR|LF: event complete", g.complete[0]);
	CHECK_STR("split blank CR|LF: LF handed on alone", g.ev[1], "\n");
	CHECK("split blank CR|LF: LF is raw bytes", !g.complete[1]);
	CHECK_STR("split blank CR|LF: next event", g.ev[2],
	    "data: b\r\n\r\n");

	/* CR CR then a LF that is not part of anything: a blank line. */
	feed(&g, "data: a\r\r", "\n");
	CHECK_I64("CR CR | LF: LF after the blank-line CR joins it", g.n, 2);
	CHECK("CR CR | LF: LF raw", !g.complete[1] &&
	    strcmp(g.ev[1], "\n") == 0);

	feed(&g, "\n\ndata: x\n\n", NULL);
	CHECK_I64("leading blank lines are events of their own", g.n, 3);
	CHECK_STR("leading blank line raw", g.ev[0], "\n");
	CHECK("blank-line event has no data",
	    sse_data(g.ev[0], strlen(g.ev[0]), &d) == 0);

	buf_free(&d);
	return t_done();
}
