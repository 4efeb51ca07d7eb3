/*
 * One arena per request: small allocations that live exactly as long as
 * the request.  arena_reset() frees them all at once and keeps the first
 * block for the next request.
 */
#ifndef LF_ARENA_H
#define LF_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block	*head;
	size_t			 used;	/* bytes handed out, all blocks */
	size_t			 max;	/* most bytes it may hand out */
};

void	 arena_init(struct arena *, size_t max);
/* Zeroed memory aligned for any type, or NULL past max / out of memory. */
void	*arena_alloc(struct arena *, size_t);
/* Copy of n bytes plus a NUL, or NULL. */
char	*arena_strndup(struct arena *, const char *, size_t);
char	*arena_strdup(struct arena *, const char *);
void	 arena_reset(struct arena *);
void	 arena_free(struct arena *);

#endif
