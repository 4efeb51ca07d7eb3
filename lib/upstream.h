/*
 * Upstream transfers: the only place that speaks libcurl.  One struct
 * upstream per thread (its connections are reused between calls).
 * http and https only, no redirects, connect and idle timeouts, and every
 * callback may stop the transfer by returning non-zero.
 */
#ifndef LF_UPSTREAM_H
#define LF_UPSTREAM_H

#include <stddef.h>

struct upstream;

struct upstream_req {
	const char		*url;		/* origin from configuration + path */
	const char		*method;
	const char *const	*headers;	/* "Name: value" lines, no CR/LF */
	size_t			 nheaders;
	const char		*body;		/* may be NULL */
	size_t			 body_len;
	long			 timeout_s;	/* whole transfer, 0 = none */
};

struct upstream_cb {
	void	*ctx;
	/* Final status line, then each header, then the end of headers. */
	int	(*on_status)(void *, int status);
	int	(*on_header)(void *, const char *name, size_t nlen,
		    const char *value, size_t vlen);
	int	(*on_headers_done)(void *);
	/* Body bytes as they arrive. */
	int	(*on_body)(void *, const char *, size_t);
	/* About once a second while the transfer runs. */
	int	(*on_tick)(void *);
};

enum up_rc {
	UP_OK = 0,
	UP_CONNECT,	/* could not resolve or connect: 502 */
	UP_TIMEOUT,	/* connect or idle timeout: 504 */
	UP_ABORTED,	/* a callback stopped it */
	UP_ERROR	/* anything else: 502 */
};

int		 upstream_global_init(void);
struct upstream	*upstream_new(void);
void		 upstream_free(struct upstream **);
/* Run one transfer; on failure err says why (never a header value). */
enum up_rc	 upstream_perform(struct upstream *, const struct upstream_req *,
		    const struct upstream_cb *, char *err, size_t errsz);



/* One cheap check of an upstream, run with others at once. */
struct probe {
	const char	*url;
	const char	*method;	/* "GET" or "POST" */
	const char	*headers[3];	/* "Name: value" lines or NULL */
	const char	*body;		/* POST body or NULL */
	/* out */
	long		 status;	/* HTTP status, 0 if none came */
	long		 latency_ms;
	char		 error[160];	/* transport error, "" if none */
};

/* Run every probe in parallel, all done or abandoned within timeout_ms.
 * 0, or -1 if the checks could not be started at all. */
int		 upstream_probe(struct probe *, size_t n, long timeout_ms);
#endif
