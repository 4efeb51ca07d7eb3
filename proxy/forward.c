/*
 * Forwarding one call: the upstream request made from the client's (path,
 * headers, body, key), and the answer streamed back as it arrives, raw,
 * with our usage request taken out again, or translated to OpenAI's shape.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "call.h"
#include "chunk.h"
#include "config.h"
#include "db.h"
#include "gemini.h"
#include "request.h"
#include "upstream.h"

/* Bytes of a non-stream answer kept for reading usage or translating. */
#define PARSE_BODY_MAX	(16UL << 20)

int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
since_ms(const struct timespec *t0)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)(ts.tv_sec - t0->tv_sec) * 1000 +
	    (ts.tv_nsec - t0->tv_nsec) / 1000000;
}

/* An error answer in the shape OpenAI's SDKs read. */
void
proxy_error(struct call *c, int status, const char *code, const char *msg)
{
	struct buf	 b;

	buf_init(&b, LF_MAX_ERROR * 8);
	openai_error_body(&b, msg, "llmflow_error", code);
	reply(c->req, status, "application/json; charset=utf-8", NULL,
	    buf_str(&b), b.len);
	buf_free(&b);
	c->status = status;
	snprintf(c->error, sizeof(c->error), "%s", msg);
}

/* ---- Upstream callbacks ----------------------------------------------- */

static int
on_status(void *arg, int status)
{
	struct call	*c = arg;

	c->status = status;
	c->is_sse = 0;
	c->have_clen = 0;
	buf_reset(&c->head);
	buf_reset(&c->resp_headers);
	jw_init(&c->rhw, &c->resp_headers);
	jw_obj(&c->rhw);
	buf_printf(&c->head, "Status: %d %s\r\n", status, http_reason(status));
	return 0;
}

static int
on_header(void *arg, const char *name, size_t nlen, const char *v, size_t vlen)
{
	struct call	*c = arg;
	char		 lname[128];
	size_t		 i;
	int		 keep;

	if (nlen >= sizeof(lname))
		return 0;	/* no real header has such a name: dropped */
	for (i = 0; i < nlen; i++)
		lname[i] = (char)tolower((unsigned char)name[i]);
	lname[nlen] = '\0';
	keep = strcmp(lname, "status") != 0 && !header_is_hop(lname);
	if (strcmp(lname, "content-length") == 0) {
		c->have_clen = vlen < sizeof(c->clen);
		if (c->have_clen) {
			memcpy(c->clen, v, vlen);
			c->clen[vlen] = '\0';
		}
		keep = 0;
	} else if (strcmp(lname, "content-type") == 0) {
		c->is_sse = vlen >= 17 &&
		    strncasecmp(v, "text/event-stream", 17) == 0;
		/* A translated body is always JSON; set at the end. */
		keep = !c->translating || c->is_sse;
	}
	if (keep) {
		buf_add(&c->head, name, nlen);
		buf_add(&c->head, ": ", 2);
		buf_add(&c->head, v, vlen);
		buf_add(&c->head, "\r\n", 2);
	}
	jw_key(&c->rhw, lname);
	if (header_is_secret(lname))
		jw_str(&c->rhw, "[redacted]");
	else
		jw_strn(&c->rhw, v, vlen);
	return 0;
}

static int
send_head(struct call *c)
{
	buf_add(&c->head, "\r\n", 2);
	if (c->head.err) {
		snprintf(c->error, sizeof(c->error),
		    "upstream response headers too large");
		return -1;
	}
	c->headers_sent = 1;
	c->req->status = c->status;
	if (req_write(c->req, c->head.p, c->head.len) == -1 ||
	    req_flush(c->req) == -1)
		return -1;
	return 0;
}

static int
on_headers_done(void *arg)
{
	struct call	*c = arg;

	jw_obj_end(&c->rhw);
	if (c->translating)
		c->mode = c->is_sse ? M_XSTREAM : M_XBODY;
	else
		c->mode = c->asked_usage && c->is_sse ? M_REWRITE : M_RAW;
	if (c->mode == M_XSTREAM &&
	    (c->xst = c->xl->stream_new(c->xr.model, c->xr.include_usage)) ==
	    NULL) {
		snprintf(c->error, sizeof(c->error), "out of memory");
		return 1;
	}
	if (c->route->dialect == D_GEMINI && c->mode == M_RAW && !c->is_sse &&
	    strstr(c->path, ":streamGenerateContent") != NULL) {
		c->gemini_array = 1;
		gemini_array_init(&c->garr, LF_SSE_MAX_EVENT);
	}
	/* The body keeps the upstream's length only when it is the same. */
	if (c->have_clen && c->mode == M_RAW)
		buf_printf(&c->head, "Content-Length: %s\r\n", c->clen);
	if (c->mode == M_XBODY)
		return 0;	/* headers go with the translated body */
	return send_head(c) == -1;
}

/* Native event data into the result (raw modes). */
static void
read_native(struct call *c, const char *p, size_t n)
{
	if (sse_data(p, n, &c->data) != 1)
		return;
	c->xl->native_event(&c->res, c->data.p, c->data.len);
}

static int
ev_raw(void *arg, const char *p, size_t n, int complete)
{
	if (complete)
		read_native(arg, p, n);
	return 0;
}

static int
ev_rewrite(void *arg, const char *p, size_t n, int complete)
{
	struct call	*c = arg;
	int		 r;

	if (!complete)
		return req_write(c->req, p, n) == -1;
	read_native(c, p, n);
	r = openai_strip_usage(p, n, &c->out);
	if (r == 1)
		return 0;
	if (r == 0)
		return req_write(c->req, c->out.p, c->out.len) == -1;
	return req_write(c->req, p, n) == -1;
}

static int
ev_translate(void *arg, const char *p, size_t n, int complete)
{
	struct call	*c = arg;

	if (!complete || sse_data(p, n, &c->data) != 1)
		return 0;
	buf_reset(&c->out);
	c->xl->stream_event(c->xst, c->data.p, c->data.len, &c->res, &c->out);
	if (c->out.len > 0 && req_write(c->req, c->out.p, c->out.len) == -1)
		return 1;
	return 0;
}

static int
gemini_elem(void *arg, const char *p, size_t n)
{
	struct call	*c = arg;

	c->xl->native_event(&c->res, p, n);
	return 0;
}

/* Keep a bounded copy of a non-stream body. */
static void
keep_body(struct call *c, const char *p, size_t n)
{
	size_t	 room = c->resp_body.max - c->resp_body.len;

	if (room > 0)
		buf_add(&c->resp_body, p, n < room ? n : room);
}

static int
on_body(void *arg, const char *p, size_t n)
{
	struct call	*c = arg;

	if (c->ttft_ms == DB_NULL)
		c->ttft_ms = since_ms(&c->t0);
	clock_gettime(CLOCK_MONOTONIC, &c->last_rx);
	c->resp_total = c->resp_total > SIZE_MAX - n ? SIZE_MAX :
	    c->resp_total + n;
	switch (c->mode) {
	case M_XBODY:
		if (c->resp_total > c->resp_body.max) {
			snprintf(c->error, sizeof(c->error), "upstream answer "
			    "is too large to translate");
			return 1;
		}
		keep_body(c, p, n);
		return 0;
	case M_XSTREAM:
		if (sse_feed(&c->sse, p, n, ev_translate, c) != 0)
			return 1;
		return req_flush(c->req) == -1;
	case M_REWRITE:
		if (sse_feed(&c->sse, p, n, ev_rewrite, c) != 0)
			return 1;
		return req_flush(c->req) == -1;
	case M_RAW:
		break;
	}
	if (req_write(c->req, p, n) == -1 || req_flush(c->req) == -1)
		return 1;
	if (c->is_sse)
		sse_feed(&c->sse, p, n, ev_raw, c);
	else {
		if (c->gemini_array)
			gemini_array_feed(&c->garr, p, n, gemini_elem, c);
		keep_body(c, p, n);
	}
	return 0;
}

static int
on_tick(void *arg)
{
	struct call	*c = arg;
	int64_t		 hb = cfg.heartbeat * 1000;

	/* A client that went away is only noticed when we write to it:
	 * during a long silence, write an SSE comment between events. */
	if (hb <= 0 || !c->headers_sent || !c->is_sse ||
	    !sse_idle(&c->sse) || c->ttft_ms == DB_NULL)
		return 0;
	if (since_ms(&c->last_rx) < hb || since_ms(&c->last_ping) < hb)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &c->last_ping);
	if (req_write(c->req, ": ping\n\n", 8) == -1 ||
	    req_flush(c->req) == -1)
		return 1;
	return 0;
}

/* ---- Request side ------------------------------------------------------ */

/* Read the whole body, at most cfg.max_body bytes: 0, or a status. */
static int
read_body(struct call *c)
{
	const char	*cl = req_env(c->req, "CONTENT_LENGTH");
	int64_t		 want = 0;
	char		 tmp[65536];
	ssize_t		 n;

	if (cl != NULL && *cl != '\0' &&
	    parse_i64(cl, 0, INT64_MAX, &want) == -1)
		return 400;
	if ((uint64_t)want > cfg.max_body)
		return 413;
	buf_init(&c->body, cfg.max_body);
	while ((n = req_read(c->req, tmp, sizeof(tmp))) > 0)
		if (buf_add(&c->body, tmp, (size_t)n) == -1)
			return 413;
	if (n < 0)
		return 400;
	if ((int64_t)c->body.len != want && cl != NULL && *cl != '\0')
		return 400;
	return 0;
}

/* "Name: <prefix><value>" in the arena, or NULL. */
static const char *
header_line(struct arena *a, const char *name, const char *prefix,
    const char *v)
{
	struct buf	 b;
	const char	*s;

	buf_init(&b, LF_MAX_HEADER_BYTES);
	buf_adds(&b, name);
	buf_add(&b, ": ", 2);
	buf_adds(&b, prefix);
	buf_adds(&b, v);
	s = b.err ? NULL : arena_strndup(a, b.p, b.len);
	buf_free(&b);
	return s;
}

/* A key= query parameter (Gemini) counts as the client's key. */
static int
query_has_key(const char *uri)
{
	const char	*q = strchr(uri, '?');

	for (; q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, "key=", 4) == 0)
			return 1;
	return 0;
}

/*
 * Forwarded headers ("Name: value" in the arena) and, at once, the
 * redacted JSON copy kept with the trace.  Also picks up trace context
 * and tags.  A key the client sent is passed on, moved to the header the
 * provider reads when the client spoke OpenAI to another provider; with
 * no key at all, the provider's key from the environment is added.
 */
static const char **
collect_headers(struct call *c, size_t *nout)
{
	const struct route	*rt = c->route;
	const struct provider_conf *pc = &provider_conf[rt->prov];
	struct jw		 w, tw;
	const char		**hv;
	char			 name[128], tp_trace[33], tp_parent[17];
	char			 line[LF_MAX_HEADER_BYTES];
	const char		*v, *ct, *xtrace = NULL, *xparent = NULL;
	const char		*bearer = NULL;
	char			**e;
	size_t			 n = 0;
	int			 has_key = 0, ntags = 0, have_tp = 0;
	int			 has_version = 0, has_helicone = 0;
	int			 convert;

	/* The client spoke OpenAI (Bearer) to a provider that reads its
	 * key from another header. */
	convert = rt->kind == R_PROVIDER && providers[rt->prov].auth != AUTH_BEARER &&
	    providers[rt->prov].auth != AUTH_NONE;
	if ((hv = arena_alloc(&c->req->arena,
	    (LF_MAX_HEADERS + 8) * sizeof(*hv))) == NULL)
		return NULL;
	buf_init(&c->req_headers, LF_MAX_HEADER_BYTES * 2);
	buf_init(&c->tags, LF_MAX_TAGS * (LF_MAX_TAG + 8) + 8);
	jw_init(&w, &c->req_headers);
	jw_init(&tw, &c->tags);
	jw_obj(&w);
	jw_arr(&tw);
	if (c->translating)
		hv[n++] = "Content-Type: application/json";
	else if ((ct = req_env(c->req, "CONTENT_TYPE")) != NULL &&
	    *ct != '\0' && header_value_ok(ct)) {
		if ((hv[n++] = header_line(&c->req->arena, "Content-Type",
		    "", ct)) == NULL)
			return NULL;
	}
	if ((ct = req_env(c->req, "CONTENT_TYPE")) != NULL && *ct != '\0')
		jw_kstr(&w, "content-type", ct);
	for (e = c->req->envp; e && *e != NULL; e++) {
		if (cgi_header_name(*e, name, sizeof(name)) == -1)
			continue;
		v = strchr(*e, '=') + 1;
		if (strcmp(name, "x-llmflow-tag") == 0 ||
		    strcmp(name, "x-llmflow-tags") == 0)
			tags_add(&tw, v, &ntags);
		else if (strcmp(name, "traceparent") == 0)
			have_tp = parse_traceparent(v, tp_trace, tp_parent) == 0;
		else if (strcmp(name, "x-trace-id") == 0)
			xtrace = v;
		else if (strcmp(name, "x-parent-id") == 0)
			xparent = v;
		else if (strcmp(name, "anthropic-version") == 0)
			has_version = 1;
		else if (strcmp(name, "helicone-auth") == 0)
			has_helicone = 1;
		jw_key(&w, name);
		jw_str(&w, header_is_secret(name) ? "[redacted]" : v);
		if (strcmp(name, "authorization") == 0 ||
		    strcmp(name, "x-api-key") == 0 ||
		    strcmp(name, "api-key") == 0 ||
		    strcmp(name, "x-goog-api-key") == 0)
			has_key = 1;
		if (header_not_forwarded(name) || !header_value_ok(v) ||
		    n >= LF_MAX_HEADERS)
			continue;
		if (strcmp(name, "content-type") == 0)
			continue;
		if (convert && strcmp(name, "authorization") == 0) {
			if (strncasecmp(v, "Bearer ", 7) == 0)
				bearer = v + 7;
			continue;
		}
		if ((hv[n++] = header_line(&c->req->arena, name, "", v)) == NULL)
			return NULL;
	}
	if (query_has_key(c->uri))
		has_key = 1;
	line[0] = '\0';
	if (bearer != NULL && *bearer != '\0')
		provider_auth_header(rt->prov, bearer, line, sizeof(line));
	else if (!has_key && rt->prov == PROV_HELICONE) {
		/* Helicone forwards to OpenAI: the OpenAI key goes along. */
		if (provider_conf[PROV_OPENAI].key != NULL)
			snprintf(line, sizeof(line), "Authorization: Bearer %s",
			    provider_conf[PROV_OPENAI].key);
	} else if (!has_key && pc->key != NULL)
		provider_auth_header(rt->prov, pc->key, line, sizeof(line));
	if (line[0] != '\0' &&
	    (hv[n++] = arena_strdup(&c->req->arena, line)) == NULL)
		return NULL;
	if (rt->prov == PROV_HELICONE && !has_helicone && pc->key != NULL &&
	    (hv[n++] = header_line(&c->req->arena, "Helicone-Auth", "Bearer ",
	    pc->key)) == NULL)
		return NULL;
	if (rt->dialect == D_ANTHROPIC && !has_version)
		hv[n++] = "anthropic-version: 2023-06-01";
	jw_obj_end(&w);
	jw_arr_end(&tw);
	if (have_tp) {
		memcpy(c->trace_id, tp_trace, sizeof(tp_trace));
		memcpy(c->parent_id, tp_parent, sizeof(tp_parent));
	} else if (xtrace != NULL && id_ok(xtrace)) {
		snprintf(c->trace_id, sizeof(c->trace_id), "%s", xtrace);
		if (xparent != NULL && id_ok(xparent))
			snprintf(c->parent_id, sizeof(c->parent_id), "%s",
			    xparent);
	}
	*nout = n;
	return hv;
}

/* Path without the query string ends with suffix. */
static int
path_ends(const char *path, const char *suffix)
{
	size_t	 n = strcspn(path, "?"), l = strlen(suffix);

	return n >= l && strncmp(path + n - l, suffix, l) == 0;
}

/* Percent-encode s into out, keeping only unreserved bytes. */
static void
path_escape(struct buf *out, const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";

	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
		    ch == '~')
			buf_addc(out, (char)ch);
		else {
			buf_addc(out, '%');
			buf_addc(out, hex[ch >> 4]);
			buf_addc(out, hex[ch & 15]);
		}
	}
}

/*
 * Azure: /v1/chat/completions -> /openai/deployments/<d>/chat/completions
 * ?api-version=<v>.  The deployment comes from AZURE_DEPLOYMENT_<MODEL>
 * (upper case, other bytes as _), else the model without dots; it is
 * escaped into the path, never into the host.
 */
static int
azure_path(struct call *c, struct buf *url)
{
	char		 var[LF_MAX_MODEL + 32];
	const char	*dep, *ver, *rest = c->path, *q;
	size_t		 i, k;

	if (c->req_model[0] == '\0')
		return -1;
	k = (size_t)snprintf(var, sizeof(var), "AZURE_DEPLOYMENT_");
	for (i = 0; c->req_model[i] != '\0' && k + 1 < sizeof(var); i++)
		var[k++] = isalnum((unsigned char)c->req_model[i]) ?
		    (char)toupper((unsigned char)c->req_model[i]) : '_';
	var[k] = '\0';
	if (strncmp(rest, "/v1", 3) == 0 && (rest[3] == '/' || rest[3] == '\0'))
		rest += 3;
	buf_adds(url, "/openai/deployments/");
	if ((dep = getenv(var)) != NULL && *dep != '\0')
		path_escape(url, dep);
	else
		for (i = 0; c->req_model[i] != '\0'; i++) {
			char one[2] = { c->req_model[i], '\0' };
			if (one[0] != '.')
				path_escape(url, one);
		}
	q = strchr(rest, '?');
	buf_add(url, rest, q ? (size_t)(q - rest) : strlen(rest));
	ver = getenv("AZURE_OPENAI_API_VERSION");
	if (ver == NULL || *ver == '\0' || strpbrk(ver, "&#? \r\n") != NULL)
		ver = "2024-10-21";
	if (q != NULL) {
		buf_adds(url, q);
		if (strstr(q, "api-version=") == NULL)
			buf_printf(url, "&api-version=%s", ver);
	} else
		buf_printf(url, "?api-version=%s", ver);
	return 0;
}

/* The upstream URL: configured origin + mapped path. */
static int
upstream_url(struct call *c, struct buf *url)
{
	const struct route	*rt = c->route;
	const char		*p = c->path;

	buf_adds(url, provider_conf[rt->prov].origin);
	if (c->translating) {
		switch (rt->dialect) {
		case D_ANTHROPIC:
			buf_adds(url, "/v1/messages");
			break;
		case D_GEMINI:
			if (gemini_path(c->xr.model, c->xr.stream, url) == -1)
				return -1;
			break;
		case D_COHERE:
			buf_adds(url, "/v2/chat");
			break;
		case D_OPENAI:
		case D__MAX:
		default:
			return -1;
		}
		return url->err ? -1 : 0;
	}
	if (rt->map == P_AZURE)
		return azure_path(c, url) == -1 || url->err ? -1 : 0;
	buf_adds(url, rt->up_prefix);
	if (rt->map == P_DROP_V1 && strncmp(p, "/v1/", 4) == 0)
		p += 3;
	buf_adds(url, p);
	return url->err ? -1 : 0;
}

/* Translate the client's request when the route calls for it: 0, or -1
 * after answering 400. */
static int
prepare_body(struct call *c)
{
	char	 err[256];

	if (c->body.len == 0)
		return 0;
	openai_request_info(c->body.p, c->body.len, &c->stream_req,
	    c->req_model, sizeof(c->req_model));
	if (c->route->translate && strcmp(c->method, "POST") == 0 &&
	    path_ends(c->path, "/chat/completions")) {
		c->translating = 1;
		buf_init(&c->xr.body, cfg.max_body + 65536);
		if (c->xl->request(c->body.p, c->body.len, &c->xr, err,
		    sizeof(err)) == -1) {
			proxy_error(c, 400, "invalid_request", err);
			return -1;
		}
		c->stream_req = c->xr.stream;
		if (c->xr.model[0] != '\0')
			snprintf(c->req_model, sizeof(c->req_model), "%s",
			    c->xr.model);
		return 0;
	}
	if (c->route->dialect == D_ANTHROPIC || c->route->dialect == D_GEMINI) {
		/* Native bodies name their model (Gemini: in the path). */
		c->stream_req = c->stream_req ||
		    strstr(c->path, "streamGenerateContent") != NULL;
	}
	buf_init(&c->up_body, cfg.max_body + 64);
	if (c->route->inject_usage && c->stream_req &&
	    (path_ends(c->path, "/chat/completions") ||
	    path_ends(c->path, "/completions")) &&
	    openai_request_usage(c->body.p, c->body.len, &c->up_body) == 1)
		c->asked_usage = 1;
	return 0;
}

/* A translated non-stream answer, sent whole. */
static void
send_translated_body(struct call *c)
{
	buf_init(&c->client_body, PARSE_BODY_MAX);
	if (c->xl->response(c->status, c->resp_body.p ? c->resp_body.p : "",
	    c->resp_body.len, c->req_model, &c->client_body, &c->res) == -1 ||
	    c->client_body.err) {
		/* Not understood: the client gets the upstream's bytes. */
		buf_reset(&c->client_body);
		buf_add(&c->client_body, buf_str(&c->resp_body),
		    c->resp_body.len);
		buf_adds(&c->head, "Content-Type: application/octet-stream\r\n");
	} else
		buf_adds(&c->head, "Content-Type: application/json\r\n");
	buf_printf(&c->head, "Content-Length: %zu\r\n", c->client_body.len);
	if (send_head(c) == 0 && c->client_body.len > 0)
		req_write(c->req, c->client_body.p, c->client_body.len);
	req_flush(c->req);
}

void
forward(struct call *c)
{
	struct upstream_req	 rq;
	struct upstream_cb	 cb = { c, on_status, on_header,
	    on_headers_done, on_body, on_tick };
	const struct provider_conf *pc = &provider_conf[c->route->prov];
	const char		**hv;
	struct buf		 url;
	char			 err[256];
	enum up_rc		 urc;
	size_t			 nh = 0;
	int			 rc;

	if ((rc = read_body(c)) != 0) {
		if (rc == 413)
			proxy_error(c, 413, "request_too_large",
			    "request body is larger than LLMFLOW_MAX_BODY");
		else
			proxy_error(c, 400, "bad_request_body",
			    "request body does not match Content-Length");
		return;
	}
	if (prepare_body(c) == -1)
		return;
	if ((hv = collect_headers(c, &nh)) == NULL) {
		proxy_error(c, 400, "bad_request_headers",
		    "request headers are too large");
		return;
	}
	if (pc->error[0] != '\0') {
		proxy_error(c, 502, "upstream_misconfigured", pc->error);
		return;
	}
	buf_init(&url, sizeof(pc->origin) + LF_MAX_QUERY_STRING + 4096);
	if (upstream_url(c, &url) == -1) {
		buf_free(&url);
		proxy_error(c, 400, "bad_request", c->route->map == P_AZURE ?
		    "Azure calls need a model in the body" :
		    "request path or model cannot be forwarded");
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.url = url.p;
	rq.method = c->method;
	rq.headers = hv;
	rq.nheaders = nh;
	if (c->translating) {
		rq.body = c->xr.body.p;
		rq.body_len = c->xr.body.len;
	} else {
		rq.body = c->asked_usage ? c->up_body.p : c->body.p;
		rq.body_len = c->asked_usage ? c->up_body.len : c->body.len;
	}
	rq.timeout_s = cfg.upstream_timeout;
	clock_gettime(CLOCK_MONOTONIC, &c->last_rx);
	c->last_ping = c->last_rx;
	urc = upstream_perform(c->w->up, &rq, &cb, err, sizeof(err));
	buf_free(&url);
	if (c->is_sse) {
		if (c->mode == M_XSTREAM)
			sse_finish(&c->sse, ev_translate, c);
		else
			sse_finish(&c->sse, c->mode == M_REWRITE ? ev_rewrite :
			    ev_raw, c);
	}
	if (c->mode == M_XSTREAM && c->xst != NULL && urc == UP_OK &&
	    !c->req->client_gone) {
		buf_reset(&c->out);
		c->xl->stream_end(c->xst, &c->res, &c->out);
		if (c->out.len > 0)
			req_write(c->req, c->out.p, c->out.len);
		req_flush(c->req);
	}
	if (c->mode == M_RAW && !c->is_sse && !c->gemini_array &&
	    c->resp_body.len > 0 && c->resp_total <= c->resp_body.max)
		c->xl->native_body(c->resp_body.p, c->resp_body.len, &c->res);
	if (c->mode == M_XBODY && urc == UP_OK)
		send_translated_body(c);
	switch (urc) {
	case UP_OK:
	case UP_ABORTED:
		break;
	case UP_CONNECT:
	case UP_TIMEOUT:
	case UP_ERROR:
		if (!c->headers_sent) {
			int st = urc == UP_TIMEOUT ? 504 : 502;
			char msg[LF_MAX_ERROR];

			snprintf(msg, sizeof(msg), "upstream %s failed: %s",
			    providers[c->route->prov].name, err);
			proxy_error(c, st, urc == UP_TIMEOUT ?
			    "upstream_timeout" : "upstream_unreachable", msg);
		} else
			snprintf(c->error, sizeof(c->error),
			    "upstream transfer failed: %s", err);
		break;
	}
	if (urc == UP_ABORTED && !c->headers_sent && !c->req->client_gone &&
	    c->error[0] != '\0') {
		char msg[LF_MAX_ERROR];

		snprintf(msg, sizeof(msg), "%s", c->error);
		proxy_error(c, 502, "upstream_answer_unusable", msg);
	}
}
