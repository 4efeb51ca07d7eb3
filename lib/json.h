/*
 * JSON writer over the bounded string builder.  Commas and nesting are
 * tracked here; strings are escaped and checked as UTF-8 (an invalid
 * sequence becomes U+FFFD), so no caller writes JSON syntax by hand.
 * Errors are sticky in the underlying buf (b->err).
 */
#ifndef LF_JSON_H
#define LF_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define JW_MAX_DEPTH	64

struct jw {
	struct buf	*b;
	int		 depth;
	unsigned char	 n[JW_MAX_DEPTH];	/* items written at each depth */
	int		 after_key;
};

void	jw_init(struct jw *, struct buf *);
void	jw_obj(struct jw *);
void	jw_obj_end(struct jw *);
void	jw_arr(struct jw *);
void	jw_arr_end(struct jw *);
void	jw_key(struct jw *, const char *);
/* A string value; NULL writes null. */
void	jw_str(struct jw *, const char *);
void	jw_strn(struct jw *, const char *, size_t);
void	jw_int(struct jw *, int64_t);
/* Shortest form that reads back as the same double; NaN/Inf write null. */
void	jw_double(struct jw *, double);
void	jw_bool(struct jw *, int);
void	jw_null(struct jw *);
/* Text the caller knows to be one valid JSON value. */
void	jw_raw(struct jw *, const char *, size_t);

/* Key and value in one call. */
void	jw_kstr(struct jw *, const char *, const char *);
void	jw_kint(struct jw *, const char *, int64_t);
void	jw_kdouble(struct jw *, const char *, double);
void	jw_kbool(struct jw *, const char *, int);
void	jw_knull(struct jw *, const char *);

/* Append s escaped as JSON string content (no quotes). */
void	json_escape(struct buf *, const char *, size_t);

#endif
