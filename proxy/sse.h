/*
 * Incremental Server-Sent Events splitter.  Bytes are fed as they arrive
 * from upstream; every complete event is handed on at once, with its raw
 * bytes, so the caller forwards exactly what it received.  Memory is
 * bounded by max_event: a longer event is handed on in pieces, unparsed.
 */
#ifndef LF_SSE_H
#define LF_SSE_H

#include <stddef.h>

#include "buf.h"

struct sse {
	struct buf	 ev;		/* pending partial event, <= max bytes */
	size_t		 max;		/* longest event buffered */
	int		 bol;		/* at the beginning of a line */
	int		 cr;		/* last byte was a CR ending a line */
	int		 orphan;	/* ... and its event is gone: a LF now
					 * is handed on alone */
	int		 passthru;	/* inside an oversized event */
};

/*
 * Called for each event, or piece of one.  complete=1: p holds one whole
 * event including its terminating blank line, at most max_event bytes.
 * complete=0: raw bytes to forward unparsed (a piece of an oversized event,
 * or the LF of a CR LF blank line that arrived after its event was handed
 * on).  A non-zero return stops sse_feed/sse_finish, which return it.
 * p is only valid during the call.
 */
typedef int (*sse_fn)(void *ctx, const char *p, size_t n, int complete);

void	 sse_init(struct sse *, size_t max_event);
void	 sse_free(struct sse *);
/* Feed bytes as they arrive: 0, or the callback's non-zero return. */
int	 sse_feed(struct sse *, const char *p, size_t n, sse_fn fn, void *ctx);
/* End of stream: hand on the partial event, if any (complete=1 if it has
 * a data line and fits, else 0), and reset for another stream. */
int	 sse_finish(struct sse *, sse_fn fn, void *ctx);
/* True when no partial event is pending: bytes inserted now (a
 * ": ping\n\n" comment) cannot land inside an event. */
int	 sse_idle(const struct sse *);

/*
 * The event's data: the values of its data lines (one space after the
 * colon removed) joined with "\n", in out, which is reset first.  Returns
 * 1 if the event had data lines, 0 if none, -1 if out overflowed.
 */
int	 sse_data(const char *ev, size_t n, struct buf *out);
/*
 * Where the first data line's value lies in ev: *off and *len.  Returns
 * the number of data lines (0: *off and *len untouched).
 */
int	 sse_data_span(const char *ev, size_t n, size_t *off, size_t *len);

#endif
