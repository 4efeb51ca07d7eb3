/*
 * The FastCGI (or plain CGI) request loop every program runs, and the
 * response helpers.  Programs see a struct req, never libfcgi.
 *
 * Under FastCGI, `threads` threads each take requests in turn; under plain
 * CGI (FCGX_IsCGI), exactly one request is served from stdin/stdout.
 */
#ifndef LF_SERVER_H
#define LF_SERVER_H

#include <stddef.h>
#include <sys/types.h>

#include "arena.h"
#include "buf.h"

struct req {
	struct arena	 arena;		/* freed after the request */
	char		**envp;		/* CGI variables of this request */
	int		 status;	/* status sent, 0 before headers */
	int		 client_gone;	/* a write to the client failed */
	int		 finished;	/* response closed */
	void		*impl;		/* libfcgi request, or NULL under CGI */
};

struct server_ops {
	/* Per-thread set-up and tear-down; the pointer is passed to handle. */
	void	*(*thread_init)(int index);
	void	 (*thread_fini)(void *);
	/* Serve one request.  May call req_finish() to close the response
	 * early and go on working (the proxy stores the trace after). */
	void	 (*handle)(struct req *, void *);
};

/* Run until the server stops us; returns the process exit code. */
int		 server_run(const struct server_ops *, int threads);
/* 1 when run as plain CGI (one request, then exit). */
int		 server_is_cgi(void);

/* A CGI variable of the request, or NULL. */
const char	*req_env(const struct req *, const char *);
/* Read up to n bytes of the body: count, 0 at the end, -1 on error. */
ssize_t		 req_read(struct req *, void *, size_t);
/* Write, and write then flush.  -1 once the client is gone (sticky). */
int		 req_write(struct req *, const void *, size_t);
int		 req_flush(struct req *);
/* Close the response; later writes are ignored. */
void		 req_finish(struct req *);

/* Standard reason phrase for a status ("Unknown" otherwise). */
const char	*http_reason(int status);
/* Send a whole response: status, content type, extra header lines (each
 * ending "\r\n", may be NULL) and body. */
int		 reply(struct req *, int status, const char *ctype,
		    const char *extra, const char *body, size_t len);
/* JSON body from a builder (500 if the builder overflowed). */
int		 reply_json(struct req *, int status, const struct buf *);
/* {"error":"<message>"} plus, when given, "parameter":"<param>". */
int		 reply_error(struct req *, int status, const char *message,
		    const char *param);

#endif
