/*
 * The one bounded string builder.  Every append is checked against the
 * maximum given at init; on overflow or allocation failure the buffer keeps
 * what it had, sets `err`, and ignores later appends.  The content is always
 * NUL-terminated once anything was appended.
 */
#ifndef LF_BUF_H
#define LF_BUF_H

#include <stddef.h>

struct buf {
	char	*p;	/* content, NUL-terminated; NULL until first append */
	size_t	 len;	/* bytes used, without the NUL */
	size_t	 cap;	/* bytes allocated */
	size_t	 max;	/* most bytes it may hold, without the NUL */
	int	 err;	/* set on overflow or out of memory; sticky */
};

void	 buf_init(struct buf *, size_t max);
/* Append: 0 on success, -1 (and err set) when it would exceed max. */
int	 buf_add(struct buf *, const void *, size_t);
int	 buf_adds(struct buf *, const char *);
int	 buf_addc(struct buf *, char);
int	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Append s[0, len); what does not fit is cut on a UTF-8 boundary and err
 * is set (the buffer holds a marked, valid prefix). */
void	 buf_add_cut(struct buf *, const char *, size_t);
/* Forget the content, keep the memory and the maximum; clears err. */
void	 buf_reset(struct buf *);
/* Drop the first n bytes. */
void	 buf_consume(struct buf *, size_t n);
/* Release memory; the buffer may be used again after buf_init. */
void	 buf_free(struct buf *);
/* Content as a string; "" when empty. */
const char *buf_str(const struct buf *);

#endif
