/*
 * sse_data follows the SSE field rules: comments are skipped, data lines
 * are joined with "\n", one space after the colon is removed, "data" with
 * no colon is an empty line of data, other fields are ignored.  A partial
 * event at end of stream is handed on by sse_finish.
 */
#include <string.h>

#include "buf.h"
#include "sse.h"
#include "t.h"

static int	 calls, last_complete;
static char	 last[256];

static int
collect(void *ctx, const char *p, size_t n, int complete)
{
	calls++;
	last_complete = complete;
	if (n < sizeof(last)) {
		memcpy(last, p, n);
		last[n] = '\0';
	}
	return 0;
}

static int
stop(void *ctx, const char *p, size_t n, int complete)
{
	return 7;
}

static int
data(const char *ev, struct buf *d)
{
	return sse_data(ev, strlen(ev), d);
}

int
main(void)
{
	struct buf	 d, small;
	struct sse	 s;
	size_t		 off = 0, len = 0;

	buf_init(&d, 1024);
	CHECK("comment only: no data", data(": ping\n\n", &d) == 0);
	CHECK("comment then data", data(": hi\ndata: x\n\n", &d) == 1 &&
	    strcmp(buf_str(&d), "x") == 0);
	CHECK("two data lines joined with LF",
	    data("data: {\"a\":\ndata: 1}\n\n", &d) == 1 &&
	    strcmp(buf_str(&d), "{\"a\":\n1}") == 0);
	CHECK("no space after colon", data("data:x\n\n", &d) == 1 &&
	    strcmp(buf_str(&d), "x") == 0);
	CHECK("only one space removed", data("data:  x\n\n", &d) == 1 &&
	    strcmp(buf_str(&d), " x") == 0);
	CHECK("data without colon is empty data", data("data\n\n", &d) == 1 &&
	    strcmp(buf_str(&d), "") == 0);
	CHECK("other fields ignored",
	    data("event: delta\nid: 4\nretry: 10\ndata: y\n\n", &d) == 1 &&
	    strcmp(buf_str(&d), "y") == 0);
	CHECK("field named datax is not data", data("datax: y\n\n", &d) == 0);
	CHECK("CR line endings", data("data: a\rdata: b\r\r", &d) == 1 &&
	    strcmp(buf_str(&d), "a\nb") == 0);
	buf_init(&small, 3);
	CHECK("overflowing out: -1", data("data: abcdef\n\n", &small) == -1);
	buf_free(&small);

	CHECK_I64("span: one data line", sse_data_span("event: x\ndata: {}\n\n",
	    18, &off, &len), 1);
	CHECK("span: offset and length of the value", off == 15 && len == 2);
	CHECK_I64("span: two data lines", sse_data_span("data: a\ndata: b\n\n",
	    16, &off, &len), 2);

	sse_init(&s, 1024);
	sse_feed(&s, "data: partial", 13, collect, NULL);
	CHECK("partial event is not handed on before the end", calls == 0);
	CHECK("not idle with a partial event", !sse_idle(&s));
	sse_finish(&s, collect, NULL);
	CHECK("finish hands on the partial event", calls == 1 &&
	    strcmp(last, "data: partial") == 0);
	CHECK("partial event with a data line is complete", last_complete);
	CHECK("idle after finish", sse_idle(&s));
	sse_feed(&s, ": only a comm", 13, collect, NULL);
	sse_finish(&s, collect, NULL);
	CHECK("partial event without data is raw", calls == 2 &&
	    !last_complete);
	sse_feed(&s, "data: a\n\n", 9, collect, NULL);
	CHECK("idle between events", sse_idle(&s));
	CHECK_I64("callback's return stops feed",
	    sse_feed(&s, "data: b\n\ndata: c\n\n", 18, stop, NULL), 7);
	sse_free(&s);
	buf_free(&d);
	return t_done();
}
