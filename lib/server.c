/*
 * The request loop.  Under FastCGI, N threads take turns in FCGX_Accept_r
 * behind one mutex (libfcgi's own advice); under plain CGI, one request on
 * stdin/stdout.  See shared notes on hosting: SIGPIPE is ignored, SIGTERM
 * is restored to its default after FCGX_Init so that the server can stop us.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "json.h"
#include "limits.h"
#include "log.h"
#include "server.h"

extern char	**environ;

/* Most memory one request's arena may hand out. */
#define REQ_ARENA_MAX	(64UL << 20)

static pthread_mutex_t	 accept_mu = PTHREAD_MUTEX_INITIALIZER;

struct worker {
	const struct server_ops	*ops;
	int			 index;
	pthread_t		 tid;
};

static void
req_reset(struct req *r, char **envp, void *impl)
{
	arena_reset(&r->arena);
	r->envp = envp;
	r->impl = impl;
	r->status = 0;
	r->client_gone = 0;
	r->finished = 0;
}

static void *
worker_main(void *arg)
{
	struct worker	*w = arg;
	FCGX_Request	 fr;
	struct req	 r;
	void		*ctx;
	int		 rc;

	if (FCGX_InitRequest(&fr, 0, 0) != 0) {
		log_warn("FCGX_InitRequest failed");
		return NULL;
	}
	ctx = w->ops->thread_init ? w->ops->thread_init(w->index) : NULL;
	memset(&r, 0, sizeof(r));
	arena_init(&r.arena, REQ_ARENA_MAX);
	for (;;) {
		pthread_mutex_lock(&accept_mu);
		rc = FCGX_Accept_r(&fr);
		pthread_mutex_unlock(&accept_mu);
		if (rc < 0)
			break;
		req_reset(&r, fr.envp, &fr);
		w->ops->handle(&r, ctx);
		req_finish(&r);
		FCGX_Finish_r(&fr);
		req_reset(&r, NULL, NULL);
	}
	arena_free(&r.arena);
	if (w->ops->thread_fini)
		w->ops->thread_fini(ctx);
	return NULL;
}

static int
serve_cgi(const struct server_ops *ops)
{
	struct req	 r;
	void		*ctx;

	ctx = ops->thread_init ? ops->thread_init(0) : NULL;
	memset(&r, 0, sizeof(r));
	arena_init(&r.arena, REQ_ARENA_MAX);
	req_reset(&r, environ, NULL);
	ops->handle(&r, ctx);
	req_finish(&r);
	arena_free(&r.arena);
	if (ops->thread_fini)
		ops->thread_fini(ctx);
	return 0;
}

int
server_is_cgi(void)
{
	return FCGX_IsCGI();
}

int
server_run(const struct server_ops *ops, int threads)
{
	struct worker	*ws;
	int		 i, started = 0;

	signal(SIGPIPE, SIG_IGN);
	if (FCGX_IsCGI())
		return serve_cgi(ops);
	if (FCGX_Init() != 0) {
		log_warn("FCGX_Init failed");
		return 1;
	}
	/* libfcgi swallows SIGTERM; let the server stop us. */
	signal(SIGTERM, SIG_DFL);
	/* Under a server that spawns us itself (the launcher sets this for
	 * lighttpd), go when it goes: a process spawned while it was
	 * shutting down would otherwise be left behind.  Not for
	 * spawn-fcgi, whose parent exits at once. */
	if (getenv("LLMFLOW_EXIT_WITH_PARENT") != NULL) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() == 1)
			return 0;
	}
	if ((ws = calloc((size_t)threads, sizeof(*ws))) == NULL)
		return 1;
	for (i = 0; i < threads; i++) {
		ws[i].ops = ops;
		ws[i].index = i;
		if (pthread_create(&ws[i].tid, NULL, worker_main, &ws[i]) != 0) {
			log_warn("cannot start thread %d", i);
			break;
		}
		started++;
	}
	for (i = 0; i < started; i++)
		pthread_join(ws[i].tid, NULL);
	free(ws);
	return started ? 0 : 1;
}

const char *
req_env(const struct req *r, const char *name)
{
	size_t	 n = strlen(name);
	char	**e;

	if (r->envp == NULL)
		return NULL;
	for (e = r->envp; *e != NULL; e++)
		if (strncmp(*e, name, n) == 0 && (*e)[n] == '=')
			return *e + n + 1;
	return NULL;
}

ssize_t
req_read(struct req *r, void *p, size_t n)
{
	FCGX_Request	*fr = r->impl;
	size_t		 got;
	int		 c;

	if (n > (size_t)INT32_MAX)
		n = INT32_MAX;
	if (fr == NULL) {
		got = fread(p, 1, n, stdin);
		if (got == 0 && ferror(stdin))
			return -1;
		return (ssize_t)got;
	}
	c = FCGX_GetStr(p, (int)n, fr->in);
	if (c < 0 || (c == 0 && FCGX_GetError(fr->in) != 0))
		return -1;
	return c;
}

int
req_write(struct req *r, const void *p, size_t n)
{
	FCGX_Request	*fr = r->impl;
	const char	*s = p;
	int		 c;

	if (r->client_gone || r->finished)
		return -1;
	if (fr == NULL) {
		if (fwrite(p, 1, n, stdout) != n)
			r->client_gone = 1;
		return r->client_gone ? -1 : 0;
	}
	while (n > 0) {
		c = FCGX_PutStr(s, n > INT32_MAX ? INT32_MAX : (int)n, fr->out);
		if (c < 0 || FCGX_GetError(fr->out) != 0) {
			r->client_gone = 1;
			return -1;
		}
		s += c;
		n -= (size_t)c;
	}
	return 0;
}

int
req_flush(struct req *r)
{
	FCGX_Request	*fr = r->impl;

	if (r->client_gone || r->finished)
		return -1;
	if (fr == NULL) {
		if (fflush(stdout) != 0)
			r->client_gone = 1;
	} else if (FCGX_FFlush(fr->out) < 0 || FCGX_GetError(fr->out) != 0)
		r->client_gone = 1;
	return r->client_gone ? -1 : 0;
}

void
req_finish(struct req *r)
{
	FCGX_Request	*fr = r->impl;

	if (r->finished)
		return;
	r->finished = 1;
	if (fr == NULL) {
		fflush(stdout);
		return;
	}
	/* Closing stdout sends FCGI_END_REQUEST: the client has its answer,
	 * while the request's variables stay readable until FCGX_Finish_r. */
	FCGX_FClose(fr->err);
	FCGX_FClose(fr->out);
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 499: return "Client Closed Request";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

int
reply(struct req *r, int status, const char *ctype, const char *extra,
    const char *body, size_t len)
{
	struct buf	 h;
	int		 rc;

	buf_init(&h, LF_MAX_HEADER_BYTES);
	buf_printf(&h, "Status: %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nCache-Control: no-store\r\n"
	    "X-Content-Type-Options: nosniff\r\n%s\r\n",
	    status, http_reason(status), ctype, len, extra ? extra : "");
	r->status = status;
	rc = h.err ? -1 : req_write(r, h.p, h.len);
	buf_free(&h);
	if (rc == 0 && len > 0)
		rc = req_write(r, body, len);
	if (rc == 0)
		rc = req_flush(r);
	return rc;
}

int
reply_json(struct req *r, int status, const struct buf *b)
{
	if (b->err)
		return reply_error(r, 500, "Response too large", NULL);
	return reply(r, status, "application/json; charset=utf-8", NULL,
	    buf_str(b), b->len);
}

int
reply_error(struct req *r, int status, const char *message, const char *param)
{
	struct buf	 b;
	struct jw	 w;
	int		 rc;

	buf_init(&b, LF_MAX_ERROR * 8);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "error", message);
	if (param != NULL)
		jw_kstr(&w, "parameter", param);
	jw_obj_end(&w);
	rc = reply(r, status, "application/json; charset=utf-8", NULL,
	    buf_str(&b), b.len);
	buf_free(&b);
	return rc;
}
