/*
 * llmflow-proxy: the FastCGI program behind the proxy port.  It forwards
 * each call to the provider's upstream, streams the answer back as it
 * arrives (translated to OpenAI's shape where the route says so), and,
 * once the client has its answer, stores the call as a trace.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "anthropic.h"
#include "call.h"
#include "cohere.h"
#include "config.h"
#include "db.h"
#include "gemini.h"
#include "log.h"
#include "pricing.h"
#include "request.h"
#include "upstream.h"

/* ---- The surface of this program ------------------------------------ */

/*
 * Routes, first match wins.  A provider route takes OpenAI requests;
 * with `translate`, /chat/completions is turned into the provider's own
 * API and its answers back into OpenAI's.  A passthrough route forwards
 * the provider's own API byte for byte.
 */
static const struct route routes[] = {
	{ "/health", R_HEALTH, PROV_OPENAI, D_OPENAI, 0, "", P_SAME, 0, 0 },
	{ "/providers", R_PROVIDERS, PROV_OPENAI, D_OPENAI, 0, "", P_SAME, 0, 0 },
	{ "/passthrough/anthropic/", R_PASSTHROUGH, PROV_ANTHROPIC,
	    D_ANTHROPIC, 0, "", P_SAME, 0, 0 },
	{ "/passthrough/gemini/", R_PASSTHROUGH, PROV_GEMINI, D_GEMINI, 0, "",
	    P_SAME, 0, 0 },
	{ "/passthrough/openai/", R_PASSTHROUGH, PROV_OPENAI, D_OPENAI, 0, "",
	    P_SAME, 0, 0 },
	{ "/passthrough/helicone/", R_PASSTHROUGH, PROV_HELICONE, D_OPENAI, 0,
	    "", P_SAME, 0, 0 },
	{ "/anthropic/", R_PROVIDER, PROV_ANTHROPIC, D_ANTHROPIC, 0, "",
	    P_SAME, 1, 0 },
	{ "/gemini/", R_PROVIDER, PROV_GEMINI, D_GEMINI, 0, "", P_SAME, 1, 0 },
	{ "/cohere/", R_PROVIDER, PROV_COHERE, D_COHERE, 0, "", P_SAME, 1, 0 },
	{ "/ollama/", R_PROVIDER, PROV_OLLAMA, D_OPENAI, 0, "", P_SAME, 0, 1 },
	{ "/groq/", R_PROVIDER, PROV_GROQ, D_OPENAI, 0, "/openai", P_SAME, 0,
	    1 },
	/* Mistral and Perplexity report stream usage unasked. */
	{ "/mistral/", R_PROVIDER, PROV_MISTRAL, D_OPENAI, 0, "", P_SAME, 0,
	    0 },
	{ "/together/", R_PROVIDER, PROV_TOGETHER, D_OPENAI, 0, "", P_SAME, 0,
	    1 },
	{ "/openrouter/", R_PROVIDER, PROV_OPENROUTER, D_OPENAI, 0, "/api",
	    P_SAME, 0, 1 },
	{ "/perplexity/", R_PROVIDER, PROV_PERPLEXITY, D_OPENAI, 0, "",
	    P_DROP_V1, 0, 0 },
	{ "/azure/", R_PROVIDER, PROV_AZURE, D_OPENAI, 0, "", P_AZURE, 0, 1 },
	{ "/v1/", R_PROVIDER, PROV_OPENAI, D_OPENAI, 1, "", P_SAME, 0, 1 },
};
#define NROUTES	(sizeof(routes) / sizeof(routes[0]))

/* Reading OpenAI-dialect answers (the other dialects bring their own). */
static int
openai_event(struct llm_result *res, const char *data, size_t n)
{
	return openai_stream_data(res, data, n) < 0 ? -1 : 0;
}

static const struct xlate openai_native = {
	.native_body = openai_parse_body,
	.native_event = openai_event,
};

static const struct xlate *const dialects[D__MAX] = {
	[D_OPENAI] = &openai_native,
	[D_ANTHROPIC] = &anthropic_xlate,
	[D_GEMINI] = &gemini_xlate,
	[D_COHERE] = &cohere_xlate,
};

/* Methods forwarded; anything else is 405. */
static const char *const methods[] = {
	"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL
};

static time_t	 started;

/* ---- Routing ----------------------------------------------------------- */

/* The route for uri; X-LLMFlow-Provider picks a provider's route whatever
 * the path, which is then forwarded whole. */
static const struct route *
route_for(const char *uri, const char *pick, int *via_header)
{
	size_t	 i, n = strcspn(uri, "?"), l;
	int	 p;

	*via_header = 0;
	for (i = 0; i < NROUTES; i++) {
		l = strlen(routes[i].prefix);
		if (routes[i].kind == R_HEALTH || routes[i].kind == R_PROVIDERS) {
			if (n == l && strncmp(uri, routes[i].prefix, l) == 0)
				return &routes[i];
			continue;
		}
		if (strncmp(uri, routes[i].prefix, l) == 0)
			break;
	}
	if (pick != NULL && *pick != '\0' && (p = provider_by_name(pick)) >= 0 &&
	    (i == NROUTES || routes[i].kind == R_PROVIDER)) {
		for (l = 0; l < NROUTES; l++)
			if (routes[l].kind == R_PROVIDER &&
			    routes[l].prov == (enum provider_id)p) {
				*via_header = 1;
				return &routes[l];
			}
	}
	return i == NROUTES ? NULL : &routes[i];
}

static int
method_ok(const char *m)
{
	const char *const	*p;

	for (p = methods; *p != NULL; p++)
		if (strcmp(m, *p) == 0)
			return 1;
	return 0;
}

/* ---- Proxy-port information ------------------------------------------ */

static void
h_health(struct call *c)
{
	struct buf	 b;
	struct jw	 w;
	int64_t		 n = 0;
	const char	*port = getenv("PROXY_PORT");
	int		 i;

	if (c->w->db == NULL)
		db_open(&c->w->db, cfg.db_path, DB_WRITE);
	if (c->w->db != NULL)
		db_trace_count(c->w->db, &n);
	buf_init(&b, 8192);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "service", "proxy");
	if (port == NULL)
		port = req_env(c->req, "SERVER_PORT");
	jw_kint(&w, "port", port ? atoi(port) : 0);
	jw_kint(&w, "traces", n);
	jw_kdouble(&w, "uptime", difftime(time(NULL), started));
	jw_kstr(&w, "version", LF_VERSION);
	jw_key(&w, "providers");
	jw_arr(&w);
	for (i = 0; i < PROV__MAX; i++)
		if (i != PROV_HELICONE)
			jw_str(&w, providers[i].name);
	jw_arr_end(&w);
	jw_obj_end(&w);
	reply_json(c->req, 200, &b);
	buf_free(&b);
}

static void
h_providers(struct call *c)
{
	struct buf	 b;
	struct jw	 w;
	char		 tmp[128];
	size_t		 i;

	buf_init(&b, 16384);
	jw_init(&w, &b);
	jw_obj(&w);
	jw_key(&w, "providers");
	jw_arr(&w);
	for (i = 0; i < NROUTES; i++) {
		const struct route *r = &routes[i];
		if (r->kind != R_PROVIDER)
			continue;
		jw_obj(&w);
		jw_kstr(&w, "name", providers[r->prov].name);
		jw_kstr(&w, "displayName", providers[r->prov].display);
		snprintf(tmp, sizeof(tmp), "%s%s*", r->prefix,
		    r->keep_prefix ? "" : "v1/");
		jw_kstr(&w, "prefix", tmp);
		jw_kbool(&w, "default", r->prov == PROV_OPENAI);
		jw_kbool(&w, "translated", r->translate);
		jw_kbool(&w, "configured", provider_conf[r->prov].error[0] == '\0'
		    && (provider_conf[r->prov].key != NULL ||
		    providers[r->prov].auth == AUTH_NONE));
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "passthrough");
	jw_arr(&w);
	for (i = 0; i < NROUTES; i++) {
		const struct route *r = &routes[i];
		if (r->kind != R_PASSTHROUGH)
			continue;
		jw_obj(&w);
		snprintf(tmp, sizeof(tmp), "%s-passthrough",
		    providers[r->prov].name);
		jw_kstr(&w, "name", tmp);
		snprintf(tmp, sizeof(tmp), "%s (Passthrough)",
		    providers[r->prov].display);
		jw_kstr(&w, "displayName", tmp);
		snprintf(tmp, sizeof(tmp), "%s*", r->prefix);
		jw_kstr(&w, "prefix", tmp);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "usage");
	jw_obj(&w);
	jw_kstr(&w, "default", "Use /v1/* for OpenAI (default provider)");
	jw_kstr(&w, "custom", "Use /{provider}/v1/* for other providers");
	jw_kstr(&w, "header", "Or set X-LLMFlow-Provider header to override");
	jw_kstr(&w, "passthrough", "Use /passthrough/{provider}/* for the "
	    "provider's native API, forwarded unchanged");
	jw_obj_end(&w);
	jw_obj_end(&w);
	reply_json(c->req, 200, &b);
	buf_free(&b);
}

/* ---- The handler ------------------------------------------------------- */

static void
call_free(struct call *c)
{
	if (c->xst != NULL && c->xl->stream_free != NULL)
		c->xl->stream_free(c->xst);
	if (c->gemini_array)
		gemini_array_free(&c->garr);
	buf_free(&c->body);
	buf_free(&c->up_body);
	buf_free(&c->xr.body);
	buf_free(&c->req_headers);
	buf_free(&c->tags);
	buf_free(&c->head);
	buf_free(&c->resp_headers);
	buf_free(&c->resp_body);
	buf_free(&c->data);
	buf_free(&c->out);
	buf_free(&c->client_body);
	sse_free(&c->sse);
	llm_result_free(&c->res);
}

static void
handle(struct req *req, void *arg)
{
	struct call	 c;
	size_t		 strip;

	memset(&c, 0, sizeof(c));
	c.req = req;
	c.w = arg;
	clock_gettime(CLOCK_MONOTONIC, &c.t0);
	c.start_ms = now_ms();
	c.ttft_ms = DB_NULL;
	c.method = req_env(req, "REQUEST_METHOD");
	c.uri = req_env(req, "REQUEST_URI");
	buf_init(&c.head, LF_MAX_HEADER_BYTES);
	buf_init(&c.resp_headers, LF_MAX_HEADER_BYTES * 2);
	buf_init(&c.resp_body, 16UL << 20);
	buf_init(&c.data, LF_SSE_MAX_EVENT);
	buf_init(&c.out, LF_SSE_MAX_EVENT * 2);
	sse_init(&c.sse, LF_SSE_MAX_EVENT);
	llm_result_init(&c.res, cfg.max_stored_body > 1024 ?
	    cfg.max_stored_body - 1024 : cfg.max_stored_body);
	random_hex(c.span_id, 8);
	random_hex(c.trace_id, 16);
	if (c.w == NULL) {
		reply_error(req, 503, "Out of memory", NULL);
		goto out;
	}
	if (c.method == NULL || c.uri == NULL || c.uri[0] != '/') {
		reply_error(req, 400, "Bad request", NULL);
		goto out;
	}
	c.route = route_for(c.uri, req_env(req, "HTTP_X_LLMFLOW_PROVIDER"),
	    &c.via_header);
	if (c.route == NULL) {
		reply_error(req, 404, "Not Found", NULL);
		goto out;
	}
	if (c.route->kind == R_HEALTH) {
		h_health(&c);
		goto out;
	}
	if (c.route->kind == R_PROVIDERS) {
		h_providers(&c);
		goto out;
	}
	if (!method_ok(c.method)) {
		reply(req, 405, "application/json; charset=utf-8",
		    "Allow: GET, POST, PUT, PATCH, DELETE, HEAD\r\n",
		    "{\"error\":\"Method Not Allowed\"}", 30);
		goto out;
	}
	if (c.w->up == NULL) {
		proxy_error(&c, 503, "unavailable", "proxy is out of memory");
		goto out;
	}
	c.xl = dialects[c.route->dialect];
	/* The path the upstream sees starts after the route's prefix (its
	 * last slash kept), or is whole for /v1/ and X-LLMFlow-Provider. */
	strip = c.route->keep_prefix || c.via_header ? 0 :
	    strlen(c.route->prefix) - 1;
	c.path = c.uri + strip;
	forward(&c);
	/* The client has its answer; the trace is stored after. */
	req_finish(req);
	record(&c);
out:
	call_free(&c);
}

/* ---- Start-up ------------------------------------------------------------ */

static void *
thread_init(int index)
{
	struct worker	*w;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		return NULL;
	w->up = upstream_new();
	if (db_open(&w->db, cfg.db_path, DB_WRITE) != DB_OK)
		w->db = NULL;	/* retried when a trace is stored */
	return w;
}

static void
thread_fini(void *arg)
{
	struct worker	*w = arg;

	if (w == NULL)
		return;
	db_close(&w->db);
	upstream_free(&w->up);
	free(w);
}

int
main(void)
{
	static const struct server_ops	 ops = { thread_init, thread_fini,
	    handle };
	char				 err[512];

	signal(SIGPIPE, SIG_IGN);
	started = time(NULL);
	if (config_load(err, sizeof(err)) == -1) {
		fprintf(stderr, "llmflow-proxy: %s\n", err);
		return 1;
	}
	log_init("llmflow-proxy", cfg.verbose);
	if (pricing_load(cfg.prices, cfg.pricing_file, err, sizeof(err)) == -1)
		log_warn("%s: every call will be unpriced", err);
	if (upstream_global_init() == -1) {
		log_warn("libcurl failed to initialise");
		return 1;
	}
	providers_load();
	return server_run(&ops, cfg.threads);
}
