/*
 * fakeup: a fast fake OpenAI upstream for `make bench`.
 *
 * HTTP/1.1 with keep-alive (and pipelining), one thread per connection,
 * plain blocking sockets.  Every answer is prebuilt at start-up, so the
 * fake costs next to nothing next to what it is compared with.
 *
 *   POST .../chat/completions   a fixed chat completion (model gpt-4o-mini,
 *                               usage 1000 prompt + 500 completion tokens);
 *                               with "stream":true in the body, an SSE
 *                               stream (chunked) of a role chunk, 5 content
 *                               chunks, a finish chunk and [DONE].  With
 *                               "include_usage":true every chunk carries
 *                               "usage":null and a usage-only chunk
 *                               ("choices":[]) comes before [DONE], as
 *                               OpenAI does.
 *   GET  /v1/models             a short model list
 *   GET  /                      "ok"
 *   anything else               404 with an OpenAI-style error body
 *
 * Usage:
 *   fakeup [-b ADDR] [-p PORT] [-f PORTFILE]
 *       listen (PORT 0: any free port) and write the port to PORTFILE
 *       once listening (atomically, via rename)
 *   fakeup --free-port [N]
 *       print N (default 1) distinct free loopback ports and exit
 *
 * Build: cc -O2 -pthread -o fakeup fakeup.c
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_HEAD	(64 * 1024)
#define MAX_BODY	(64 * 1024 * 1024)

/* ---- Prebuilt answers ------------------------------------------------- */

struct blob {
	char	*p;
	size_t	 n;
};

static struct blob	 r_chat;		/* headers + body */
static struct blob	 r_models;
static struct blob	 r_ok;
static struct blob	 r_404;
static struct blob	 r_400;
static struct blob	 r_413;
static struct blob	 r_continue;
/* Streams: the headers, then each event as its own HTTP chunk (one
 * write each, so the proxy sees the events arrive apart). */
#define MAX_EVENTS	16
struct stream {
	struct blob	 head;
	struct blob	 ev[MAX_EVENTS];
	int		 nev;
};
static struct stream	 s_plain, s_usage;

static const char *const pieces[] = {
	"Hel", "lo", "!", " How", " can"
};
#define NPIECES	(int)(sizeof(pieces) / sizeof(pieces[0]))

#define USAGE_JSON \
	"{\"prompt_tokens\":1000,\"completion_tokens\":500," \
	"\"total_tokens\":1500,\"prompt_tokens_details\":" \
	"{\"cached_tokens\":0,\"audio_tokens\":0}," \
	"\"completion_tokens_details\":{\"reasoning_tokens\":0," \
	"\"audio_tokens\":0,\"accepted_prediction_tokens\":0," \
	"\"rejected_prediction_tokens\":0}}"

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

static char *
xasprintf(size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static char *
xasprintf(size_t *len, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die("vasprintf");
	if (len != NULL)
		*len = (size_t)n;
	return s;
}

static struct blob
answer(int status, const char *reason, const char *type, const char *body)
{
	struct blob	 b;

	b.p = xasprintf(&b.n,
	    "HTTP/1.1 %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Content-Length: %zu\r\n"
	    "x-request-id: req_bench\r\n"
	    "openai-processing-ms: 1\r\n"
	    "\r\n%s", status, reason, type, strlen(body), body);
	return b;
}

static void
add_event(struct stream *s, const char *data)
{
	struct blob	 b;
	size_t		 n = strlen(data) + 8;	/* "data: " + "\n\n" */

	if (s->nev == MAX_EVENTS)
		abort();
	b.p = xasprintf(&b.n, "%zx\r\ndata: %s\n\n\r\n", n, data);
	s->ev[s->nev++] = b;
}

static void
build_stream(struct stream *s, int usage)
{
	const char	*u = usage ? ",\"usage\":null" : "";
	char		*d;
	int		 i;

	s->head.p = xasprintf(&s->head.n,
	    "HTTP/1.1 200 OK\r\n"
	    "Content-Type: text/event-stream; charset=utf-8\r\n"
	    "Transfer-Encoding: chunked\r\n"
	    "Cache-Control: no-cache\r\n"
	    "x-request-id: req_bench\r\n"
	    "openai-processing-ms: 1\r\n"
	    "\r\n");
#define CHUNK_HEAD \
	"{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\"," \
	"\"created\":1700000000,\"model\":\"gpt-4o-mini\"," \
	"\"system_fingerprint\":\"fp_bench\",\"choices\":"
	d = xasprintf(NULL, CHUNK_HEAD "[{\"index\":0,\"delta\":{\"role\":"
	    "\"assistant\",\"content\":\"\",\"refusal\":null},\"logprobs\":"
	    "null,\"finish_reason\":null}]%s}", u);
	add_event(s, d);
	free(d);
	for (i = 0; i < NPIECES; i++) {
		d = xasprintf(NULL, CHUNK_HEAD "[{\"index\":0,\"delta\":"
		    "{\"content\":\"%s\"},\"logprobs\":null,"
		    "\"finish_reason\":null}]%s}", pieces[i], u);
		add_event(s, d);
		free(d);
	}
	d = xasprintf(NULL, CHUNK_HEAD "[{\"index\":0,\"delta\":{},"
	    "\"logprobs\":null,\"finish_reason\":\"stop\"}]%s}", u);
	add_event(s, d);
	free(d);
	if (usage) {
		d = xasprintf(NULL, CHUNK_HEAD "[],\"usage\":" USAGE_JSON "}");
		add_event(s, d);
		free(d);
	}
	add_event(s, "[DONE]");
	/* The last chunk of the body. */
	s->ev[s->nev].p = "0\r\n\r\n";
	s->ev[s->nev].n = 5;
	s->nev++;
}

static void
build(void)
{
	char	*body, content[256] = "";
	int	 i;

	for (i = 0; i < NPIECES; i++)
		strcat(content, pieces[i]);
	strcat(content, " I help you today?");
	body = xasprintf(NULL,
	    "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\","
	    "\"created\":1700000000,\"model\":\"gpt-4o-mini\","
	    "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
	    "\"content\":\"%s\",\"refusal\":null,\"annotations\":[]},"
	    "\"logprobs\":null,\"finish_reason\":\"stop\"}],"
	    "\"usage\":" USAGE_JSON ",\"service_tier\":\"default\","
	    "\"system_fingerprint\":\"fp_bench\"}", content);
	r_chat = answer(200, "OK", "application/json", body);
	free(body);
	r_models = answer(200, "OK", "application/json",
	    "{\"object\":\"list\",\"data\":[{\"id\":\"gpt-4o-mini\","
	    "\"object\":\"model\",\"created\":1700000000,"
	    "\"owned_by\":\"system\"}]}");
	r_ok = answer(200, "OK", "text/plain", "ok\n");
	r_404 = answer(404, "Not Found", "application/json",
	    "{\"error\":{\"message\":\"fakeup: no such route\",\"type\":"
	    "\"invalid_request_error\",\"param\":null,\"code\":null}}");
	r_400 = answer(400, "Bad Request", "application/json",
	    "{\"error\":{\"message\":\"fakeup: bad request\",\"type\":"
	    "\"invalid_request_error\",\"param\":null,\"code\":null}}");
	r_413 = answer(413, "Payload Too Large", "application/json",
	    "{\"error\":{\"message\":\"fakeup: body too large\",\"type\":"
	    "\"invalid_request_error\",\"param\":null,\"code\":null}}");
	r_continue.p = "HTTP/1.1 100 Continue\r\n\r\n";
	r_continue.n = strlen(r_continue.p);
	build_stream(&s_plain, 0);
	build_stream(&s_usage, 1);
}

/* ---- One connection --------------------------------------------------- */

struct conn {
	int	 fd;
	char	*buf;		/* received, not yet consumed */
	size_t	 len, cap;
};

static int
send_all(int fd, const char *p, size_t n)
{
	ssize_t	 w;

	while (n > 0) {
		w = send(fd, p, n, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Read more into c->buf; 0 on EOF or error. */
static int
fill(struct conn *c, size_t limit)
{
	ssize_t	 r;
	size_t	 ncap;

	if (c->len == c->cap) {
		if (c->cap >= limit)
			return 0;
		ncap = c->cap * 2;
		if (ncap > limit)
			ncap = limit;
		if ((c->buf = realloc(c->buf, ncap)) == NULL)
			return 0;
		c->cap = ncap;
	}
	for (;;) {
		r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return 0;
		c->len += (size_t)r;
		return 1;
	}
}

static void
consume(struct conn *c, size_t n)
{
	memmove(c->buf, c->buf + n, c->len - n);
	c->len -= n;
}

/* The value of header `name` in the head [p, end), or NULL; *vn its length. */
static const char *
header(const char *p, const char *end, const char *name, size_t *vn)
{
	size_t		 nl = strlen(name);
	const char	*eol, *v;

	p = memchr(p, '\n', (size_t)(end - p));	/* skip the request line */
	while (p != NULL && ++p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (eol == NULL)
			eol = end;
		if ((size_t)(eol - p) > nl && p[nl] == ':' &&
		    strncasecmp(p, name, nl) == 0) {
			v = p + nl + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			*vn = (size_t)(eol - v);
			while (*vn > 0 && (v[*vn - 1] == '\r' ||
			    v[*vn - 1] == ' '))
				(*vn)--;
			return v;
		}
		p = eol;
	}
	return NULL;
}

static int
has_token(const char *v, size_t n, const char *tok)
{
	size_t	 tl = strlen(tok), i;

	for (i = 0; v != NULL && i + tl <= n; i++)
		if (strncasecmp(v + i, tok, tl) == 0)
			return 1;
	return 0;
}

/* "key" : true somewhere in the body (key given with its quotes). */
static int
json_true(const char *b, size_t n, const char *key)
{
	size_t		 kl = strlen(key);
	const char	*p = b, *end = b + n, *q;

	while ((q = memmem(p, (size_t)(end - p), key, kl)) != NULL) {
		q += kl;
		while (q < end && strchr(" \t\r\n", *q))
			q++;
		if (q < end && *q == ':') {
			q++;
			while (q < end && strchr(" \t\r\n", *q))
				q++;
			if (end - q >= 4 && memcmp(q, "true", 4) == 0)
				return 1;
		}
		p = q;
	}
	return 0;
}

/*
 * De-chunk a chunked body that starts at c->buf[off]; on success the
 * decoded body is at c->buf[off..off+*bodylen) and *used is how many raw
 * bytes from off it took.  0 if more input is needed, -1 if malformed.
 */
static int
dechunk(struct conn *c, size_t off, size_t *bodylen, size_t *used)
{
	size_t	 r = off, w = off, sz;
	char	*eol, *ep;

	for (;;) {
		eol = memmem(c->buf + r, c->len - r, "\r\n", 2);
		if (eol == NULL)
			return 0;
		sz = strtoul(c->buf + r, &ep, 16);
		if (ep == c->buf + r)
			return -1;
		r = (size_t)(eol - c->buf) + 2;
		if (sz == 0) {
			/* Trailers, up to an empty line. */
			for (;;) {
				eol = memmem(c->buf + r, c->len - r, "\r\n", 2);
				if (eol == NULL)
					return 0;
				if (eol == c->buf + r) {
					r += 2;
					break;
				}
				r = (size_t)(eol - c->buf) + 2;
			}
			break;
		}
		if (c->len - r < sz + 2)
			return 0;
		if (sz > MAX_BODY)
			return -1;
		r += sz + 2;
	}
	/* Complete: decode in place (writes never pass reads). */
	r = off;
	for (;;) {
		eol = memmem(c->buf + r, c->len - r, "\r\n", 2);
		sz = strtoul(c->buf + r, NULL, 16);
		r = (size_t)(eol - c->buf) + 2;
		if (sz == 0)
			break;
		memmove(c->buf + w, c->buf + r, sz);
		w += sz;
		r += sz + 2;
	}
	/* Skip the trailers again. */
	for (;;) {
		eol = memmem(c->buf + r, c->len - r, "\r\n", 2);
		if (eol == c->buf + r) {
			r += 2;
			break;
		}
		r = (size_t)(eol - c->buf) + 2;
	}
	*bodylen = w - off;
	/* The raw bytes [off, r) are consumed; the decoded body sits at the
	 * front of them, so the caller consumes off + (r - off). */
	*used = r - off;
	return 1;
}

static int
send_stream(int fd, const struct stream *s)
{
	int	 i;

	if (send_all(fd, s->head.p, s->head.n) != 0)
		return -1;
	for (i = 0; i < s->nev; i++)
		if (send_all(fd, s->ev[i].p, s->ev[i].n) != 0)
			return -1;
	return 0;
}

static void *
serve(void *arg)
{
	struct conn	 c = { .fd = (int)(intptr_t)arg };
	const char	*he, *v, *sp1, *sp2;
	size_t		 hlen, vn, blen, used;
	unsigned long long cl;
	int		 close_after, chunked, rc;
	const struct blob *ans;

	c.cap = 16384;
	if ((c.buf = malloc(c.cap)) == NULL)
		goto out;
	for (;;) {
		/* The head. */
		while ((he = memmem(c.buf, c.len, "\r\n\r\n", 4)) == NULL)
			if (!fill(&c, MAX_HEAD))
				goto out;
		hlen = (size_t)(he - c.buf) + 4;
		sp1 = memchr(c.buf, ' ', hlen);
		sp2 = sp1 ? memchr(sp1 + 1, ' ', hlen - (size_t)(sp1 + 1 - c.buf)) : NULL;
		if (sp1 == NULL || sp2 == NULL) {
			send_all(c.fd, r_400.p, r_400.n);
			goto out;
		}
		close_after = memmem(sp2, (size_t)(he - sp2), "HTTP/1.0", 8) != NULL;
		if ((v = header(c.buf, he + 2, "Connection", &vn)) != NULL) {
			if (has_token(v, vn, "close"))
				close_after = 1;
			else if (has_token(v, vn, "keep-alive"))
				close_after = 0;
		}
		chunked = (v = header(c.buf, he + 2, "Transfer-Encoding", &vn)) &&
		    has_token(v, vn, "chunked");
		cl = 0;
		if (!chunked && (v = header(c.buf, he + 2, "Content-Length", &vn)))
			cl = strtoull(v, NULL, 10);
		if (cl > MAX_BODY) {
			send_all(c.fd, r_413.p, r_413.n);
			goto out;
		}
		if ((v = header(c.buf, he + 2, "Expect", &vn)) != NULL &&
		    has_token(v, vn, "100-continue") &&
		    (chunked || c.len - hlen < cl)) {
			if (send_all(c.fd, r_continue.p, r_continue.n) != 0)
				goto out;
		}

		/* The body: [hlen, hlen + blen) of c.buf; used raw bytes. */
		if (chunked) {
			while ((rc = dechunk(&c, hlen, &blen, &used)) == 0)
				if (!fill(&c, hlen + MAX_BODY + 65536))
					goto out;
			if (rc < 0) {
				send_all(c.fd, r_400.p, r_400.n);
				goto out;
			}
		} else {
			while (c.len - hlen < cl)
				if (!fill(&c, hlen + (size_t)cl))
					goto out;
			blen = used = (size_t)cl;
		}

		/* Route.  (he and friends may be stale after fill(): re-derive
		 * from c.buf.) */
		sp1 = memchr(c.buf, ' ', hlen);
		sp2 = memchr(sp1 + 1, ' ', hlen - (size_t)(sp1 + 1 - c.buf));
		ans = NULL;
		rc = 0;
		if ((size_t)(sp1 - c.buf) == 4 && memcmp(c.buf, "POST", 4) == 0 &&
		    memmem(sp1, (size_t)(sp2 - sp1), "/chat/completions", 17)) {
			if (json_true(c.buf + hlen, blen, "\"stream\""))
				rc = send_stream(c.fd, json_true(c.buf + hlen,
				    blen, "\"include_usage\"") ? &s_usage :
				    &s_plain);
			else
				ans = &r_chat;
		} else if ((size_t)(sp1 - c.buf) == 3 &&
		    memcmp(c.buf, "GET", 3) == 0) {
			if (sp2 - sp1 == 2)
				ans = &r_ok;
			else if (memmem(sp1, (size_t)(sp2 - sp1), "/models", 7))
				ans = &r_models;
			else
				ans = &r_404;
		} else
			ans = &r_404;
		if (ans != NULL)
			rc = send_all(c.fd, ans->p, ans->n);
		if (rc != 0 || close_after)
			goto out;
		consume(&c, hlen + used);
	}
out:
	close(c.fd);
	free(c.buf);
	return NULL;
}

/* ---- Start-up --------------------------------------------------------- */

static int
listen_on(const char *addr, int port, int *bound)
{
	struct sockaddr_in	 sin;
	socklen_t		 sl = sizeof(sin);
	int			 fd, one = 1;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons((unsigned short)port);
	if (inet_pton(AF_INET, addr, &sin.sin_addr) != 1) {
		fprintf(stderr, "fakeup: bad address %s\n", addr);
		exit(2);
	}
	if ((fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0)
		die("bind");
	if (listen(fd, 4096) != 0)
		die("listen");
	if (getsockname(fd, (struct sockaddr *)&sin, &sl) != 0)
		die("getsockname");
	*bound = ntohs(sin.sin_port);
	return fd;
}

static void
write_port_file(const char *path, int port)
{
	char	 tmp[4096];
	FILE	*f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((f = fopen(tmp, "w")) == NULL)
		die(tmp);
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		die(path);
}

int
main(int argc, char **argv)
{
	const char	*addr = "127.0.0.1", *portfile = NULL;
	int		 port = 0, lfd, fd, i, n, one = 1, fds[64];
	pthread_attr_t	 attr;
	pthread_t	 t;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && strcmp(argv[1], "--free-port") == 0) {
		/* Hold every socket until all are chosen, so they differ. */
		n = argc > 2 ? atoi(argv[2]) : 1;
		if (n < 1 || n > 64)
			n = 1;
		for (i = 0; i < n; i++)
			fds[i] = listen_on(addr, 0, &port), printf("%d\n", port);
		for (i = 0; i < n; i++)
			close(fds[i]);
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-b") == 0 && i + 1 < argc)
			addr = argv[++i];
		else if (strcmp(argv[i], "-p") == 0 && i + 1 < argc)
			port = atoi(argv[++i]);
		else if (strcmp(argv[i], "-f") == 0 && i + 1 < argc)
			portfile = argv[++i];
		else {
			fprintf(stderr, "usage: fakeup [-b ADDR] [-p PORT] "
			    "[-f PORTFILE] | --free-port [N]\n");
			return 2;
		}
	}
	build();
	lfd = listen_on(addr, port, &port);
	if (portfile != NULL)
		write_port_file(portfile, port);
	fprintf(stderr, "fakeup: listening on %s:%d\n", addr, port);

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 128 * 1024);
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				usleep(10000);
				continue;
			}
			die("accept");
		}
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (pthread_create(&t, &attr, serve, (void *)(intptr_t)fd) != 0)
			close(fd);
	}
}
