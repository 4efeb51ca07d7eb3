/*
 * What the client's request says, read at the edge into checked values:
 * header names and which headers are hop-by-hop or secret, the stored
 * (redacted) path, W3C trace context, and tags.
 */
#ifndef LF_REQUEST_H
#define LF_REQUEST_H

#include <stddef.h>

#include "buf.h"
#include "json.h"

/* "HTTP_X_API_KEY" -> "x-api-key".  0, or -1 if not an HTTP_ variable or
 * the name does not fit. */
int	 cgi_header_name(const char *var, char *out, size_t outsz);
/* Hop-by-hop headers (RFC 9110 7.6.1 and the usual extras), never passed
 * on in either direction.  Takes a lower-case name. */
int	 header_is_hop(const char *lname);
/* Request headers not forwarded upstream: hop-by-hop ones, Host and the
 * lengths libcurl sets, Accept-Encoding, and our own X-LLMFlow-*. */
int	 header_not_forwarded(const char *lname);
/* Headers whose value is a secret and is never stored or logged. */
int	 header_is_secret(const char *lname);
/* A header value safe to forward: no CR, LF or NUL. */
int	 header_value_ok(const char *);

/* REQUEST_URI with the values of secret query parameters (key=, api_key=,
 * ...) replaced by "[redacted]".  -1 if it does not fit. */
int	 redact_uri(const char *uri, struct buf *out);

/* W3C traceparent "00-<32 hex>-<16 hex>-<2 hex>": 0 and the ids
 * (lower-case), or -1 if malformed or all-zero. */
int	 parse_traceparent(const char *, char trace_id[33], char parent_id[17]);
/* An id taken from X-Trace-Id / X-Parent-Id: 1..LF_MAX_ID bytes of
 * [A-Za-z0-9._:-]. */
int	 id_ok(const char *);
/* Append the tags of a comma-separated header to an open JSON array,
 * trimmed, empty ones dropped, at most LF_MAX_TAGS in all (count kept in
 * *n), each cut to LF_MAX_TAG bytes. */
void	 tags_add(struct jw *, const char *, int *n);
/* Random lower-case hex id of 2*nbytes characters. */
void	 random_hex(char *out, size_t nbytes);

#endif
