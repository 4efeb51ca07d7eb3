/*
 * Byte-offset JSON scanner: walks the members of one object and reports
 * where each key and value lies in the input, so a caller can splice the
 * client's bytes instead of re-serialising them.  It tracks strings,
 * escapes and nesting (bounded by LF_JSON_MAX_DEPTH, no recursion) but
 * does not validate primitives: callers check the text with json-c first
 * and use the scanner only for offsets.  Every offset is < n; a scan that
 * would read past n fails.
 */
#ifndef LF_JSONSCAN_H
#define LF_JSONSCAN_H

#include <stddef.h>

#define JS_BAD	((size_t)-1)

/* One member: the key with its quotes is p[key, key_end), the value is
 * p[val, val_end). */
struct js_member {
	size_t	 key, key_end;
	size_t	 val, val_end;
};

struct js_iter {
	const char	*p;
	size_t		 n;
	size_t		 pos;	/* next byte to read; after '}' once done */
	int		 first;	/* no member read yet */
	int		 done;	/* '}' seen */
};

/* Offset of the first byte at or after i that is not JSON whitespace. */
size_t	 js_ws(const char *p, size_t n, size_t i);
/* Offset just past the JSON value that starts at p[i], or JS_BAD. */
size_t	 js_value_end(const char *p, size_t n, size_t i);
/* Start walking the object whose '{' is at p[i]: 0, or -1 if p[i] is not
 * '{'. */
int	 js_obj_open(struct js_iter *, const char *p, size_t n, size_t i);
/* Next member: 1 and *m filled, 0 at the closing '}' (it->pos is then just
 * past it), -1 if malformed. */
int	 js_obj_next(struct js_iter *, struct js_member *m);
/* Whether the member's key, unescaped, equals the ASCII string name. */
int	 js_key_is(const char *p, const struct js_member *m, const char *name);
/* The top-level object of p[0, n): offset of its '{' (leading whitespace
 * skipped), or JS_BAD if the text is not one object followed only by
 * whitespace. */
size_t	 js_top_object(const char *p, size_t n);

#endif
