/*
 * Strict JSON validation (RFC 8259) without building anything, so stored
 * text can be embedded raw in an answer only when any JSON parser will
 * accept it.  json-c's tokener, even with JSON_TOKENER_STRICT, accepts
 * NaN, Infinity, "1.", "-01" and raw control bytes inside strings, which
 * browsers' JSON.parse rejects; hence this.
 */
#ifndef LF_API_JSONVALID_H
#define LF_API_JSONVALID_H

#include <stddef.h>

/*
 * Whether p[0, n) is exactly one JSON value, with optional whitespace
 * around it, valid UTF-8 in strings, nested at most max_depth deep
 * (at most LF_JSON_MAX_DEPTH).  Never reads past n.
 */
int	 api_json_valid(const char *p, size_t n, int max_depth);

#endif
