#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "limits.h"
#include "upstream.h"

struct upstream {
	CURL			*h;
	const struct upstream_cb *cb;
	int			 in_final;	/* reading a final (>=200) header block */
	int			 stopped;	/* a callback asked to stop */
};

int
upstream_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

struct upstream *
upstream_new(void)
{
	struct upstream	*u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	if ((u->h = curl_easy_init()) == NULL) {
		free(u);
		return NULL;
	}
	return u;
}

void
upstream_free(struct upstream **pu)
{
	if (*pu == NULL)
		return;
	curl_easy_cleanup((*pu)->h);
	free(*pu);
	*pu = NULL;
}

static size_t
header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct upstream	*u = arg;
	size_t		 n = size * nmemb, k, nlen;
	const char	*colon, *v, *e;
	int		 status;

	/* Strip the line ending. */
	k = n;
	while (k > 0 && (p[k - 1] == '\n' || p[k - 1] == '\r'))
		k--;
	if (k >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		/* A status line starts a header block (1xx ones too). */
		if ((v = memchr(p, ' ', k)) == NULL || (size_t)(p + k - v) < 4)
			return 0;
		status = (v[1] - '0') * 100 + (v[2] - '0') * 10 + (v[3] - '0');
		u->in_final = status >= 200;
		if (u->in_final && u->cb->on_status &&
		    u->cb->on_status(u->cb->ctx, status) != 0)
			goto stop;
		return n;
	}
	if (!u->in_final)
		return n;
	if (k == 0) {
		if (u->cb->on_headers_done &&
		    u->cb->on_headers_done(u->cb->ctx) != 0)
			goto stop;
		return n;
	}
	if ((colon = memchr(p, ':', k)) == NULL)
		return n;	/* folded or junk line: dropped */
	nlen = (size_t)(colon - p);
	v = colon + 1;
	e = p + k;
	while (v < e && (*v == ' ' || *v == '\t'))
		v++;
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	if (nlen == 0)
		return n;
	if (u->cb->on_header && u->cb->on_header(u->cb->ctx, p, nlen, v,
	    (size_t)(e - v)) != 0)
		goto stop;
	return n;
stop:
	u->stopped = 1;
	return 0;
}

static size_t
write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct upstream	*u = arg;
	size_t		 n = size * nmemb;

	if (u->cb->on_body && u->cb->on_body(u->cb->ctx, p, n) != 0) {
		u->stopped = 1;
		return CURL_WRITEFUNC_ERROR;
	}
	return n;
}

static int
xfer_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct upstream	*u = arg;

	if (u->cb->on_tick && u->cb->on_tick(u->cb->ctx) != 0) {
		u->stopped = 1;
		return 1;
	}
	return 0;
}

enum up_rc
upstream_perform(struct upstream *u, const struct upstream_req *rq,
    const struct upstream_cb *cb, char *err, size_t errsz)
{
	struct curl_slist	*hl = NULL, *t;
	CURLcode		 rc;
	enum up_rc		 urc;
	size_t			 i;

	err[0] = '\0';
	u->cb = cb;
	u->in_final = 0;
	u->stopped = 0;
	curl_easy_reset(u->h);
	for (i = 0; i < rq->nheaders; i++) {
		if ((t = curl_slist_append(hl, rq->headers[i])) == NULL) {
			curl_slist_free_all(hl);
			snprintf(err, errsz, "out of memory");
			return UP_ERROR;
		}
		hl = t;
	}
	/* No "Expect: 100-continue" round trip; no Accept-Encoding unless
	 * the caller set one (bodies must stay readable). */
	if ((t = curl_slist_append(hl, "Expect:")) != NULL)
		hl = t;
	curl_easy_setopt(u->h, CURLOPT_URL, rq->url);
	curl_easy_setopt(u->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(u->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(u->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(u->h, CURLOPT_CONNECTTIMEOUT,
	    (long)LF_UPSTREAM_CONNECT_TIMEOUT_S);
	curl_easy_setopt(u->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(u->h, CURLOPT_LOW_SPEED_TIME,
	    (long)LF_UPSTREAM_IDLE_TIMEOUT_S);
	curl_easy_setopt(u->h, CURLOPT_TIMEOUT, rq->timeout_s);
	curl_easy_setopt(u->h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(u->h, CURLOPT_HEADERFUNCTION, header_cb);
	curl_easy_setopt(u->h, CURLOPT_HEADERDATA, u);
	curl_easy_setopt(u->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(u->h, CURLOPT_WRITEDATA, u);
	curl_easy_setopt(u->h, CURLOPT_XFERINFOFUNCTION, xfer_cb);
	curl_easy_setopt(u->h, CURLOPT_XFERINFODATA, u);
	curl_easy_setopt(u->h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(u->h, CURLOPT_TCP_NODELAY, 1L);
	curl_easy_setopt(u->h, CURLOPT_HTTP_CONTENT_DECODING, 0L);
	curl_easy_setopt(u->h, CURLOPT_HTTP_TRANSFER_DECODING, 1L);
	if (strcmp(rq->method, "GET") == 0)
		curl_easy_setopt(u->h, CURLOPT_HTTPGET, 1L);
	else if (strcmp(rq->method, "HEAD") == 0)
		curl_easy_setopt(u->h, CURLOPT_NOBODY, 1L);
	else {
		if (strcmp(rq->method, "POST") != 0)
			curl_easy_setopt(u->h, CURLOPT_CUSTOMREQUEST, rq->method);
		curl_easy_setopt(u->h, CURLOPT_POST, 1L);
		curl_easy_setopt(u->h, CURLOPT_POSTFIELDS,
		    rq->body ? rq->body : "");
		curl_easy_setopt(u->h, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)(rq->body ? rq->body_len : 0));
	}
	rc = curl_easy_perform(u->h);
	curl_easy_setopt(u->h, CURLOPT_HTTPHEADER, NULL);
	curl_slist_free_all(hl);
	switch (rc) {
	case CURLE_OK:
		urc = UP_OK;
		break;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		urc = UP_CONNECT;
		break;
	case CURLE_OPERATION_TIMEDOUT:
		urc = UP_TIMEOUT;
		break;
	default:
		urc = u->stopped ? UP_ABORTED : UP_ERROR;
		break;
	}
	if (urc != UP_OK && urc != UP_ABORTED)
		snprintf(err, errsz, "%s", curl_easy_strerror(rc));
	return urc;
}

static size_t
discard_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	return size * nmemb;
}

int
upstream_probe(struct probe *pr, size_t n, long timeout_ms)
{
	CURLM			*m;
	CURL			**hs;
	struct curl_slist	**hl;
	CURLMsg			*msg;
	size_t			 i, k;
	int			 running = 0, left;
	double			 t;

	if ((m = curl_multi_init()) == NULL)
		return -1;
	hs = calloc(n ? n : 1, sizeof(*hs));
	hl = calloc(n ? n : 1, sizeof(*hl));
	if (hs == NULL || hl == NULL) {
		free(hs);
		free(hl);
		curl_multi_cleanup(m);
		return -1;
	}
	for (i = 0; i < n; i++) {
		pr[i].status = 0;
		pr[i].latency_ms = -1;
		snprintf(pr[i].error, sizeof(pr[i].error), "not run");
		if ((hs[i] = curl_easy_init()) == NULL)
			continue;
		for (k = 0; k < 3; k++)
			if (pr[i].headers[k] != NULL)
				hl[i] = curl_slist_append(hl[i],
				    pr[i].headers[k]);
		curl_easy_setopt(hs[i], CURLOPT_URL, pr[i].url);
		curl_easy_setopt(hs[i], CURLOPT_PROTOCOLS_STR, "http,https");
		curl_easy_setopt(hs[i], CURLOPT_FOLLOWLOCATION, 0L);
		curl_easy_setopt(hs[i], CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(hs[i], CURLOPT_TIMEOUT_MS, timeout_ms);
		curl_easy_setopt(hs[i], CURLOPT_HTTPHEADER, hl[i]);
		curl_easy_setopt(hs[i], CURLOPT_WRITEFUNCTION, discard_cb);
		if (pr[i].body != NULL) {
			curl_easy_setopt(hs[i], CURLOPT_POSTFIELDS, pr[i].body);
			curl_easy_setopt(hs[i], CURLOPT_POSTFIELDSIZE,
			    (long)strlen(pr[i].body));
		}
		curl_easy_setopt(hs[i], CURLOPT_PRIVATE, &pr[i]);
		curl_multi_add_handle(m, hs[i]);
		pr[i].error[0] = '\0';
	}
	do {
		if (curl_multi_perform(m, &running) != CURLM_OK)
			break;
		if (running)
			curl_multi_poll(m, NULL, 0, 200, NULL);
	} while (running);
	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		struct probe	*p = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&p);
		if (p == NULL)
			continue;
		if (msg->data.result != CURLE_OK)
			snprintf(p->error, sizeof(p->error), "%s",
			    curl_easy_strerror(msg->data.result));
		curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE,
		    &p->status);
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_TOTAL_TIME,
		    &t) == CURLE_OK)
			p->latency_ms = (long)(t * 1000.0 + 0.5);
	}
	for (i = 0; i < n; i++) {
		if (hs[i] == NULL)
			continue;
		curl_multi_remove_handle(m, hs[i]);
		curl_easy_cleanup(hs[i]);
		curl_slist_free_all(hl[i]);
	}
	free(hs);
	free(hl);
	curl_multi_cleanup(m);
	return 0;
}
