/*
 * Reading JSON with json-c the same way everywhere: exactly one value,
 * strict, depth at most LF_JSON_MAX_DEPTH, nothing but whitespace after
 * it; members of objects; token counts.
 */
#ifndef LF_JSONREAD_H
#define LF_JSONREAD_H

#include <stddef.h>
#include <stdint.h>

struct json_object;
struct jw;

/* The value p[0, n) holds, or NULL if it is not exactly one JSON value
 * (or holds a NUL byte, or is longer than json-c takes).  The caller puts
 * the result. */
struct json_object	*jr_parse(const char *p, size_t n);
/* Member k of o if o is an object and has it, else NULL (NULL also for a
 * member that is JSON null). */
struct json_object	*jr_get(struct json_object *o, const char *k);
/* A token count: a whole number from 0 to LF_MAX_TOKEN_COUNT, written as
 * an integer or as an integral double.  0 and *out, or -1. */
int			 jr_count(struct json_object *v, int64_t *out);

/* Copy s[0, len) into dst, cut on a UTF-8 boundary to fit; always
 * NUL-terminated when dstsz > 0. */
void			 jr_copy_str(char *dst, size_t dstsz, const char *s,
			    size_t len);
/* Write the parsed value v again through the writer: strings re-escaped,
 * integers with json-c's exact digits (also beyond int64), doubles in
 * their shortest exact form.  Depth is bounded by the parse; a value
 * nested deeper than the writer allows sets its buf's err. */
void			 jr_write(struct jw *w, struct json_object *v);

#endif
