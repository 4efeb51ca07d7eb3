/*
 * llmflow-otlp: the OTLP/HTTP receiver (traces, logs, metrics) on the
 * dashboard port.
 *
 * The whole surface is the table below.  Routing uses REQUEST_URI's path.
 * Unknown path: 404; known path, method other than POST: 405 with Allow,
 * before any other work.  Then, in order: Content-Type (JSON or protobuf,
 * else 415), Content-Encoding (gzip or none, else 415), the body within
 * LF_OTLP_MAX_WIRE_BODY and, inflated, LF_OTLP_MAX_BODY (413), the decode
 * into the model (400), and one transaction (503 busy, 500 error).  The
 * answer is in the request's encoding: an empty Export*ServiceResponse,
 * or one with partial_success when records were rejected.  Errors are
 * {"error":...} for JSON and a google.rpc.Status for protobuf.
 */
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "classify.h"
#include "config.h"
#include "db.h"
#include "json.h"
#include "limits.h"
#include "log.h"
#include "model.h"
#include "otlp.pb-c.h"
#include "pricing.h"
#include "server.h"

enum route {
	ROUTE_TRACES,	/* POST /v1/traces */
	ROUTE_LOGS,	/* POST /v1/logs */
	ROUTE_METRICS,	/* POST /v1/metrics */
	ROUTE__MAX
};

static const struct {
	const char		*path;
	enum otlp_signal	 signal;
	const char		*rejected;	/* partialSuccess count field */
	const char		*what;		/* for log lines */
} routes[ROUTE__MAX] = {
	[ROUTE_TRACES] = { "/v1/traces", OTLP_TRACES, "rejectedSpans",
	    "spans" },
	[ROUTE_LOGS] = { "/v1/logs", OTLP_LOGS, "rejectedLogRecords",
	    "log records" },
	[ROUTE_METRICS] = { "/v1/metrics", OTLP_METRICS, "rejectedDataPoints",
	    "data points" },
};

enum ctype {
	CT_JSON,
	CT_PROTOBUF,
	CT__MAX
};

static const char *const ctypes[CT__MAX] = {
	[CT_JSON] = "application/json",
	[CT_PROTOBUF] = "application/x-protobuf",
};

/* How a request failed; fail() maps each to a status and a body. */
enum fail {
	F_NOT_FOUND,	/* 404 */
	F_METHOD,	/* 405 */
	F_MEDIA_TYPE,	/* 415 */
	F_ENCODING,	/* 415 */
	F_BAD,		/* 400, msg */
	F_TOO_BIG,	/* 413, msg */
	F_NO_DB,	/* 503 */
	F_DB_BUSY,	/* 503 */
	F_INTERNAL	/* 500 */
};

#define DB_REOPEN_MS	1000

struct otlp_thread {
	struct db	*db;
	int64_t		 opened_at;
};

static int64_t
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * At most LF_OTLP_DECODERS exports are decoded at once: more threads than
 * cores decoding only contend for malloc's arenas (a decoded export is
 * megabytes of arena blocks, and a JSON one its tokens too) and hold more
 * decoded exports in memory.
 */
static pthread_mutex_t	 decode_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 decode_cv = PTHREAD_COND_INITIALIZER;
static int		 decoding;

static void
decode_enter(void)
{
	pthread_mutex_lock(&decode_mu);
	while (decoding >= LF_OTLP_DECODERS)
		pthread_cond_wait(&decode_cv, &decode_mu);
	decoding++;
	pthread_mutex_unlock(&decode_mu);
}

static void
decode_leave(void)
{
	pthread_mutex_lock(&decode_mu);
	decoding--;
	pthread_cond_signal(&decode_cv);
	pthread_mutex_unlock(&decode_mu);
}

static void
thread_db(struct otlp_thread *t)
{
	int64_t	 now = now_ms();

	if (t->db != NULL || (t->opened_at != 0 &&
	    now - t->opened_at >= 0 && now - t->opened_at < DB_REOPEN_MS))
		return;
	t->opened_at = now;
	if (db_open(&t->db, cfg.db_path, DB_WRITE) != DB_OK) {
		log_warn("cannot open database %s; answering 503",
		    cfg.db_path);
		t->db = NULL;
	}
}

/* The route for path (up to '?'), or ROUTE__MAX. */
static enum route
route_find(const char *uri)
{
	size_t	 n, i;

	if (uri == NULL)
		return ROUTE__MAX;
	n = strcspn(uri, "?");
	for (i = 0; i < ROUTE__MAX; i++)
		if (strlen(routes[i].path) == n &&
		    strncmp(uri, routes[i].path, n) == 0)
			return (enum route)i;
	return ROUTE__MAX;
}

/* The media type of a Content-Type value (parameters ignored). */
static enum ctype
ctype_find(const char *v)
{
	size_t	 n, i;

	if (v == NULL)
		return CT__MAX;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, "; \t");
	for (i = 0; i < CT__MAX; i++)
		if (strlen(ctypes[i]) == n && strncasecmp(v, ctypes[i], n) == 0)
			return (enum ctype)i;
	return CT__MAX;
}

/* 0 for none/identity, 1 for gzip, -1 for anything else. */
static int
encoding_find(const char *v)
{
	size_t	 n;

	if (v == NULL)
		return 0;
	while (*v == ' ' || *v == '\t')
		v++;
	n = strcspn(v, " \t");
	if (n == 0 || (n == 8 && strncasecmp(v, "identity", 8) == 0))
		return 0;
	if ((n == 4 && strncasecmp(v, "gzip", 4) == 0) ||
	    (n == 6 && strncasecmp(v, "x-gzip", 6) == 0))
		return 1;
	return -1;
}

struct ctx {
	struct req	*req;
	enum route	 route;
	enum ctype	 ct;
	char		 msg[256];
};

/* A protobuf message packed into the arena and sent. */
static void
reply_pb(struct ctx *c, int status, const ProtobufCMessage *m)
{
	size_t	 n = protobuf_c_message_get_packed_size(m);
	uint8_t	*p;

	if ((p = arena_alloc(&c->req->arena, n ? n : 1)) == NULL) {
		reply_error(c->req, 500, "Internal error", NULL);
		return;
	}
	protobuf_c_message_pack(m, p);
	reply(c->req, status, ctypes[CT_PROTOBUF], NULL, (const char *)p, n);
}

static void
fail(struct ctx *c, enum fail f)
{
	Otlp__RpcStatus		 st = OTLP__RPC_STATUS__INIT;
	const char		*msg = c->msg, *extra = NULL;
	int			 status, code;

	switch (f) {
	case F_NOT_FOUND:
		status = 404, code = 5, msg = "Not Found";
		break;
	case F_METHOD:
		status = 405, code = 12, msg = "Method Not Allowed";
		extra = "Allow: POST\r\n";
		break;
	case F_MEDIA_TYPE:
		status = 415, code = 3, msg = "Unsupported Media Type: use "
		    "application/json or application/x-protobuf";
		break;
	case F_ENCODING:
		status = 415, code = 3, msg = "Unsupported Content-Encoding: "
		    "use gzip or none";
		break;
	case F_BAD:
		status = 400, code = 3;
		break;
	case F_TOO_BIG:
		status = 413, code = 8;
		break;
	case F_NO_DB:
		status = 503, code = 14, msg = "Database unavailable";
		break;
	case F_DB_BUSY:
		status = 503, code = 14, msg = "Database busy";
		break;
	case F_INTERNAL:
		status = 500, code = 13, msg = "Internal error";
		break;
	default:
		abort();
	}
	if (c->ct == CT_PROTOBUF) {
		st.code = code;
		st.message = (char *)(uintptr_t)msg;
		reply_pb(c, status, &st.base);
	} else if (extra != NULL) {
		struct buf	 b;
		struct jw	 w;

		buf_init(&b, 512);
		jw_init(&w, &b);
		jw_obj(&w);
		jw_kstr(&w, "error", msg);
		jw_obj_end(&w);
		reply(c->req, status, "application/json; charset=utf-8", extra,
		    buf_str(&b), b.len);
		buf_free(&b);
	} else
		reply_error(c->req, status, msg, NULL);
}

/* Read the body into b (max set by the caller); 0, or a failure. */
static int
read_body(struct ctx *c, struct buf *b, enum fail *f)
{
	const char	*cl = req_env(c->req, "CONTENT_LENGTH");
	int64_t		 want = -1;
	char		 chunk[65536];
	ssize_t		 n;

	if (cl != NULL && *cl != '\0') {
		if (parse_i64(cl, 0, INT64_MAX, &want) == -1) {
			snprintf(c->msg, sizeof(c->msg), "bad Content-Length");
			*f = F_BAD;
			return -1;
		}
		if ((uint64_t)want > b->max) {
			snprintf(c->msg, sizeof(c->msg), "body is larger than "
			    "%zu bytes", b->max);
			*f = F_TOO_BIG;
			return -1;
		}
	}
	while ((n = req_read(c->req, chunk, sizeof(chunk))) > 0)
		if (buf_add(b, chunk, (size_t)n) == -1) {
			snprintf(c->msg, sizeof(c->msg), "body is larger than "
			    "%zu bytes", b->max);
			*f = F_TOO_BIG;
			return -1;
		}
	if (n < 0 || (want >= 0 && (uint64_t)want != b->len)) {
		snprintf(c->msg, sizeof(c->msg), "body is shorter than "
		    "Content-Length");
		*f = F_BAD;
		return -1;
	}
	return 0;
}

static enum fail
otlp_fail(enum otlp_rc rc)
{
	switch (rc) {
	case OTLP_BAD:
		return F_BAD;
	case OTLP_TOO_BIG:
	case OTLP_NOMEM:
		return F_TOO_BIG;
	case OTLP_OK:
	default:
		abort();
	}
}

/* The success answer: empty, or partial_success. */
static void
answer(struct ctx *c, const struct otlp_result *res)
{
	Otlp__ExportServiceResponse	 r = OTLP__EXPORT_SERVICE_RESPONSE__INIT;
	Otlp__ExportPartialSuccess	 ps = OTLP__EXPORT_PARTIAL_SUCCESS__INIT;
	struct buf			 b;
	struct jw			 w;

	if (c->ct == CT_PROTOBUF) {
		if (res->rejected > 0) {
			ps.rejected = (int64_t)res->rejected;
			ps.error_message = (char *)(uintptr_t)buf_str(&res->msg);
			r.partial_success = &ps;
		}
		reply_pb(c, 200, &r.base);
		return;
	}
	buf_init(&b, LF_OTLP_MAX_ERRMSG * 8);
	jw_init(&w, &b);
	jw_obj(&w);
	if (res->rejected > 0) {
		jw_key(&w, "partialSuccess");
		jw_obj(&w);
		jw_kint(&w, routes[c->route].rejected, (int64_t)res->rejected);
		jw_kstr(&w, "errorMessage", buf_str(&res->msg));
		jw_obj_end(&w);
	}
	jw_obj_end(&w);
	reply_json(c->req, 200, &b);
	buf_free(&b);
}

static void
handle(struct req *req, void *arg)
{
	struct otlp_thread	*t = arg;
	struct ctx		 c;
	struct buf		 body, raw;
	struct otlp_export	 ex;
	struct otlp_err		 err;
	struct otlp_result	 res;
	const char		*method;
	const uint8_t		*p;
	size_t			 len;
	enum otlp_rc		 orc;
	enum db_rc		 drc;
	enum fail		 f;
	int			 gz;

	otlp_store_enter();
	memset(&c, 0, sizeof(c));
	c.req = req;
	c.ct = CT__MAX;
	buf_init(&raw, LF_OTLP_MAX_WIRE_BODY);
	buf_init(&body, LF_OTLP_MAX_BODY);
	otlp_result_init(&res);

	if ((c.route = route_find(req_env(req, "REQUEST_URI"))) == ROUTE__MAX) {
		f = F_NOT_FOUND;
		goto fail;
	}
	method = req_env(req, "REQUEST_METHOD");
	if (method == NULL || strcmp(method, "POST") != 0) {
		f = F_METHOD;
		goto fail;
	}
	if ((c.ct = ctype_find(req_env(req, "CONTENT_TYPE"))) == CT__MAX) {
		f = F_MEDIA_TYPE;
		goto fail;
	}
	if ((gz = encoding_find(req_env(req, "HTTP_CONTENT_ENCODING"))) == -1) {
		f = F_ENCODING;
		goto fail;
	}
	if (read_body(&c, &raw, &f) == -1)
		goto fail;
	p = (const uint8_t *)raw.p;
	len = raw.len;
	if (gz) {
		if ((orc = otlp_gunzip(p, len, &body, &err)) != OTLP_OK) {
			snprintf(c.msg, sizeof(c.msg), "%s", err.msg);
			f = otlp_fail(orc);
			goto fail;
		}
		p = (const uint8_t *)body.p;
		len = body.len;
	}
	if (p == NULL)
		p = (const uint8_t *)"";
	memset(&ex, 0, sizeof(ex));
	ex.signal = routes[c.route].signal;
	ex.arena = &req->arena;
	decode_enter();
	orc = c.ct == CT_JSON ? otlp_parse_json(p, len, &ex, &err) :
	    otlp_parse_protobuf(p, len, &ex, &err);
	decode_leave();
	if (orc != OTLP_OK) {
		snprintf(c.msg, sizeof(c.msg), "%s", err.msg);
		f = otlp_fail(orc);
		log_info("%s: rejected export: %s", routes[c.route].path,
		    err.msg);
		goto fail;
	}
	if (t != NULL)
		thread_db(t);
	if (t == NULL || t->db == NULL) {
		f = F_NO_DB;
		goto fail;
	}
	if ((drc = otlp_store(t->db, &ex, &res)) != DB_OK) {
		f = drc == DB_BUSY ? F_DB_BUSY : F_INTERNAL;
		goto fail;
	}
	if (res.rejected > 0)
		log_info("%s: %zu %s stored, %zu rejected: %s",
		    routes[c.route].path, res.accepted, routes[c.route].what,
		    res.rejected, buf_str(&res.msg));
	else
		log_debug("%s: %zu %s stored", routes[c.route].path,
		    res.accepted, routes[c.route].what);
	answer(&c, &res);
	/* The sender has its answer; retention runs after. */
	req_finish(req);
	if (res.accepted > 0 && !otlp_store_maintains())
		db_maintain(t->db);
	goto out;
fail:
	fail(&c, f);
out:
	otlp_result_free(&res);
	buf_free(&body);
	buf_free(&raw);
	otlp_store_leave();
}

static void *
thread_init(int index)
{
	struct otlp_thread	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_warn("thread %d: out of memory", index);
		return NULL;
	}
	thread_db(t);
	return t;
}

static void
thread_fini(void *arg)
{
	struct otlp_thread	*t = arg;

	if (t == NULL)
		return;
	db_close(&t->db);
	free(t);
}

static const struct server_ops ops = {
	.thread_init = thread_init,
	.thread_fini = thread_fini,
	.handle = handle,
};

int
main(void)
{
	char	 err[512];
	int	 rc;

	signal(SIGPIPE, SIG_IGN);
	/* Decoding an export allocates megabytes; with an arena per thread
	 * (glibc's default), each keeps its own high-water mark. */
	mallopt(M_ARENA_MAX, LF_OTLP_MALLOC_ARENAS);
	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "llmflow-otlp: %s\n", err);
		return 1;
	}
	log_init("llmflow-otlp", cfg.verbose);
	/* Without prices, spans are stored unpriced (their reported cost
	 * is still kept). */
	if (pricing_load(cfg.prices, cfg.pricing_file, err, sizeof(err)) == -1)
		log_warn("%s; costs will not be computed", err);
	otlp_store_setup(cfg.db_path, !server_is_cgi());
	rc = server_run(&ops, cfg.threads);
	otlp_store_close();
	return rc;
}
