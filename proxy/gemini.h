/*
 * Google Gemini (generateContent / streamGenerateContent): translation
 * from and to the OpenAI chat-completions dialect (gemini_xlate, see
 * xlate.h), the upstream path of a translated call, and a splitter for
 * the JSON-array streams Gemini sends without alt=sse.
 */
#ifndef LF_GEMINI_H
#define LF_GEMINI_H

#include <stddef.h>

#include "buf.h"
#include "xlate.h"

extern const struct xlate gemini_xlate;

/*
 * Appends to out the path (and query) of the translated call for model:
 * "/v1beta/models/<model>:generateContent", or with stream set
 * "/v1beta/models/<model>:streamGenerateContent?alt=sse".  One leading
 * "models/" is dropped; every byte outside A-Z a-z 0-9 - . _ ~ is written
 * as %XX, so the model can never add a path segment, a query or a host.
 * Returns 0, or -1 (out unchanged unless it overflowed) for a model that
 * is NULL, empty, "." or ".." (after the prefix is dropped), or
 * LF_MAX_MODEL bytes or longer, or when out overflows.
 */
int	 gemini_path(const char *model, int stream, struct buf *out);

/*
 * Incremental splitter for the JSON-array stream Gemini sends for
 * streamGenerateContent without alt=sse: "[{...},\r\n{...}\r\n]" in
 * arbitrary pieces.  Each top-level element of the array is handed on
 * once complete, as its own bytes (strings, escapes and nesting are
 * tracked; JSON is not validated: the callback parses).  A top-level
 * object outside any array (an error body) is handed on the same way.
 * Memory is bounded by max_elem: a longer element is skipped whole and
 * counted in `skipped`, never buffered past the bound.
 */
struct gemini_array {
	struct buf	 elem;		/* bytes of the pending element */
	size_t		 depth;		/* open brackets inside the element */
	size_t		 skipped;	/* elements dropped for their size */
	int		 state;		/* GA_* in gemini.c */
	int		 in_str;	/* inside a string */
	int		 esc;		/* ... right after a backslash */
	int		 toplevel;	/* element is outside any array */
	int		 skipping;	/* element outgrew max_elem */
};

/* fn gets one whole element; p is valid only during the call.  A non-zero
 * return stops gemini_array_feed, which returns it. */
typedef int (*gemini_array_fn)(void *ctx, const char *elem, size_t n);

void	 gemini_array_init(struct gemini_array *, size_t max_elem);
/* Feed bytes as they arrive: 0, or the callback's non-zero return (the
 * rest of p is then not consumed; feed again to go on is not supported). */
int	 gemini_array_feed(struct gemini_array *, const char *p, size_t n,
	    gemini_array_fn fn, void *ctx);
/* Release memory; NULL-safe.  Init again before reuse. */
void	 gemini_array_free(struct gemini_array *);

#endif
