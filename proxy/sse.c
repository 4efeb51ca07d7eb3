#include <stddef.h>
#include <string.h>

#include "buf.h"
#include "sse.h"

void
sse_init(struct sse *s, size_t max_event)
{
	buf_init(&s->ev, max_event);
	s->max = max_event;
	s->bol = 1;
	s->cr = s->orphan = s->passthru = 0;
}

void
sse_free(struct sse *s)
{
	if (s == NULL)
		return;
	buf_free(&s->ev);
	s->bol = 1;
	s->cr = s->orphan = s->passthru = 0;
}

int
sse_idle(const struct sse *s)
{
	return s->ev.len == 0 && !s->passthru;
}

/* Hand on what is buffered as a piece and continue unbuffered. */
static int
sse_spill(struct sse *s, sse_fn fn, void *ctx)
{
	int	 rc = 0;

	s->passthru = 1;
	if (s->ev.len > 0)
		rc = fn(ctx, s->ev.p, s->ev.len, 0);
	buf_reset(&s->ev);
	return rc;
}

/* The last bytes of an event, p[0, n), ending with its blank line. */
static int
sse_end(struct sse *s, const char *p, size_t n, sse_fn fn, void *ctx)
{
	int	 rc;

	if (s->passthru) {
		s->passthru = 0;
		return fn(ctx, p, n, 0);
	}
	if (s->ev.len == 0)
		return fn(ctx, p, n, n <= s->max);
	if (n > s->max - s->ev.len || buf_add(&s->ev, p, n) == -1) {
		if ((rc = sse_spill(s, fn, ctx)) != 0)
			return rc;
		s->passthru = 0;
		return fn(ctx, p, n, 0);
	}
	rc = fn(ctx, s->ev.p, s->ev.len, 1);
	buf_reset(&s->ev);
	return rc;
}

/* Bytes of an event that has not ended yet. */
static int
sse_part(struct sse *s, const char *p, size_t n, sse_fn fn, void *ctx)
{
	int	 rc;

	if (s->passthru)
		return fn(ctx, p, n, 0);
	if (n > s->max - s->ev.len || buf_add(&s->ev, p, n) == -1) {
		if ((rc = sse_spill(s, fn, ctx)) != 0)
			return rc;
		return fn(ctx, p, n, 0);
	}
	return 0;
}

int
sse_feed(struct sse *s, const char *p, size_t n, sse_fn fn, void *ctx)
{
	size_t	 i = 0, start = 0, end;
	int	 rc;

	while (i < n) {
		if (s->cr) {
			s->cr = 0;
			if (p[i] == '\n') {
				/* Second half of a CR LF already counted. */
				i++;
				if (s->orphan) {
					s->orphan = 0;
					if ((rc = fn(ctx, p + start, i - start,
					    0)) != 0)
						return rc;
					start = i;
				}
				continue;
			}
		}
		s->orphan = 0;
		if (p[i] != '\n' && p[i] != '\r') {
			s->bol = 0;
			i++;
			continue;
		}
		if (!s->bol) {
			/* End of a non-blank line. */
			s->bol = 1;
			s->cr = p[i] == '\r';
			i++;
			continue;
		}
		/* A blank line: the event ends with it. */
		end = i + 1;
		if (p[i] == '\r') {
			if (end < n && p[end] == '\n')
				end++;
			else if (end == n)
				s->cr = s->orphan = 1;
		}
		if ((rc = sse_end(s, p + start, end - start, fn, ctx)) != 0)
			return rc;
		start = i = end;
	}
	if (start < n)
		return sse_part(s, p + start, n - start, fn, ctx);
	return 0;
}

/* The next line of p[0, n) from *pos, without its terminator. */
static int
sse_line(const char *p, size_t n, size_t *pos, const char **line,
    size_t *len)
{
	size_t	 i = *pos, s = *pos;

	if (i >= n)
		return 0;
	while (i < n && p[i] != '\n' && p[i] != '\r')
		i++;
	*line = p + s;
	*len = i - s;
	if (i < n)
		i += (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') ? 2 : 1;
	*pos = i;
	return 1;
}

/* If line is a data line, its value (one leading space removed). */
static int
sse_data_value(const char *line, size_t len, const char **v, size_t *vlen)
{
	const char	*colon;
	size_t		 name;

	if (len == 0 || line[0] == ':')
		return 0;
	colon = memchr(line, ':', len);
	name = colon ? (size_t)(colon - line) : len;
	if (name != 4 || memcmp(line, "data", 4) != 0)
		return 0;
	if (colon == NULL) {
		*v = line + len;
		*vlen = 0;
		return 1;
	}
	*v = colon + 1;
	*vlen = len - 5;
	if (*vlen > 0 && **v == ' ') {
		(*v)++;
		(*vlen)--;
	}
	return 1;
}

int
sse_data(const char *ev, size_t n, struct buf *out)
{
	const char	*line, *v;
	size_t		 pos = 0, len, vlen;
	int		 found = 0;

	buf_reset(out);
	while (sse_line(ev, n, &pos, &line, &len)) {
		if (!sse_data_value(line, len, &v, &vlen))
			continue;
		if (found)
			buf_addc(out, '\n');
		buf_add(out, v, vlen);
		found = 1;
	}
	return out->err ? -1 : found;
}

int
sse_data_span(const char *ev, size_t n, size_t *off, size_t *len)
{
	const char	*line, *v;
	size_t		 pos = 0, l, vlen;
	int		 count = 0;

	while (sse_line(ev, n, &pos, &line, &l)) {
		if (!sse_data_value(line, l, &v, &vlen))
			continue;
		if (count++ == 0) {
			*off = (size_t)(v - ev);
			*len = vlen;
		}
	}
	return count;
}

int
sse_finish(struct sse *s, sse_fn fn, void *ctx)
{
	size_t	 off, len;
	int	 rc = 0, complete;

	if (s->ev.len > 0 && !s->passthru) {
		complete = sse_data_span(s->ev.p, s->ev.len, &off, &len) > 0;
		rc = fn(ctx, s->ev.p, s->ev.len, complete);
	}
	buf_reset(&s->ev);
	s->bol = 1;
	s->cr = s->orphan = s->passthru = 0;
	return rc;
}
