/*
 * Route matching of the query program: REQUEST_URI split into path and
 * query, exact paths, the :id segment, 404 versus 405 with Allow.
 * The table mirrors api/main.c's (main.o is not linked into tests).
 */
#include <string.h>

#include "routes.h"
#include "t.h"

enum { R_HEALTH, R_TRACES, R_TRACE, R_STATS, R_POSTONLY, R__MAX };

static const struct api_route tab[R__MAX] = {
	[R_HEALTH] =	{ API_GET, "/api/health", 0 },
	[R_TRACES] =	{ API_GET, "/api/traces", 0 },
	[R_TRACE] =	{ API_GET, "/api/traces", 1 },
	[R_STATS] =	{ API_GET, "/api/stats", 0 },
	[R_POSTONLY] =	{ API_POST | API_PUT, "/api/spans", 0 },
};

static struct api_match	 m;

/* Routes with ":id" inside the path, fixed paths before them. */
enum { P_EXPORT, P_TREE, P_TRACE, P_FILTERS, P_LOG, P__MAX };

static const struct api_route ptab[P__MAX] = {
	[P_EXPORT] =	{ API_GET, "/api/traces/export", 0 },
	[P_TREE] =	{ API_GET, "/api/traces/:id/tree", 1 },
	[P_TRACE] =	{ API_GET, "/api/traces", 1 },
	[P_FILTERS] =	{ API_GET, "/api/logs/filters", 0 },
	[P_LOG] =	{ API_GET, "/api/logs/:id", 1 },
};

static enum api_route_rc
pfind(const char *method, const char *path)
{
	return api_route_find(ptab, P__MAX, api_method_parse(method), path,
	    strlen(path), &m);
}

static void
test_placeholder(void)
{
	CHECK("tree", pfind("GET", "/api/traces/ab%2Fc/tree") ==
	    API_ROUTE_FOUND && m.index == P_TREE && m.id_len == 6 &&
	    memcmp(m.id, "ab%2Fc", 6) == 0);
	CHECK("export before :id", pfind("GET", "/api/traces/export") ==
	    API_ROUTE_FOUND && m.index == P_EXPORT && m.id == NULL);
	CHECK("export POST 405", pfind("POST", "/api/traces/export") ==
	    API_ROUTE_BAD_METHOD && m.allow == API_GET);
	CHECK("trace id still", pfind("GET", "/api/traces/x1") ==
	    API_ROUTE_FOUND && m.index == P_TRACE);
	CHECK("tree needs an id", pfind("GET", "/api/traces//tree") ==
	    API_ROUTE_NOT_FOUND);
	CHECK("tree suffix exact", pfind("GET", "/api/traces/a/trees") ==
	    API_ROUTE_NOT_FOUND);
	CHECK("tree extra segment", pfind("GET", "/api/traces/a/b/tree") ==
	    API_ROUTE_NOT_FOUND);
	CHECK("tree trailing slash", pfind("GET", "/api/traces/a/tree/") ==
	    API_ROUTE_NOT_FOUND);
	CHECK("short path", pfind("GET", "/api/traces/tree") ==
	    API_ROUTE_FOUND && m.index == P_TRACE);
	CHECK("filters before :id", pfind("GET", "/api/logs/filters") ==
	    API_ROUTE_FOUND && m.index == P_FILTERS);
	CHECK("log id", pfind("GET", "/api/logs/7") == API_ROUTE_FOUND &&
	    m.index == P_LOG && m.id_len == 1 && m.id[0] == '7');
	CHECK("logs prefix only", pfind("GET", "/api/logs") ==
	    API_ROUTE_NOT_FOUND);
}

static enum api_route_rc
find(const char *method, const char *uri)
{
	const char	*path, *q;
	size_t		 plen, qlen;

	api_uri_split(uri, &path, &plen, &q, &qlen);
	return api_route_find(tab, R__MAX, api_method_parse(method), path,
	    plen, &m);
}

int
main(void)
{
	const char	*path, *q;
	size_t		 plen, qlen;
	struct buf	 b;

	api_uri_split("/api/traces?limit=5&x=?", &path, &plen, &q, &qlen);
	CHECK("split path", plen == 11 && memcmp(path, "/api/traces", 11) == 0);
	CHECK_STR("split query", q, "limit=5&x=?");
	CHECK("split query len", qlen == 11);
	api_uri_split("/api/stats", &path, &plen, &q, &qlen);
	CHECK("split no query", plen == 10 && qlen == 0 && *q == '\0');
	api_uri_split(NULL, &path, &plen, &q, &qlen);
	CHECK("split NULL", plen == 0 && qlen == 0);

	CHECK("method GET", api_method_parse("GET") == API_GET);
	CHECK("method lower get", api_method_parse("get") == API_OTHER);
	CHECK("method NULL", api_method_parse(NULL) == API_OTHER);
	CHECK("method BREW", api_method_parse("BREW") == API_OTHER);

	CHECK("health", find("GET", "/api/health") == API_ROUTE_FOUND &&
	    m.index == R_HEALTH && m.id == NULL);
	CHECK("health with query", find("GET", "/api/health?x=1") ==
	    API_ROUTE_FOUND && m.index == R_HEALTH);
	CHECK("stats", find("GET", "/api/stats") == API_ROUTE_FOUND &&
	    m.index == R_STATS);
	CHECK("traces", find("GET", "/api/traces?limit=1") == API_ROUTE_FOUND &&
	    m.index == R_TRACES && m.id == NULL);
	CHECK("trace id", find("GET", "/api/traces/abc%20d?x") ==
	    API_ROUTE_FOUND && m.index == R_TRACE && m.id_len == 7 &&
	    memcmp(m.id, "abc%20d", 7) == 0);
	CHECK("trace id of one byte", find("GET", "/api/traces/x") ==
	    API_ROUTE_FOUND && m.index == R_TRACE && m.id_len == 1);

	CHECK("trailing slash 404", find("GET", "/api/traces/") ==
	    API_ROUTE_NOT_FOUND);
	CHECK("two segments 404", find("GET", "/api/traces/a/tree") ==
	    API_ROUTE_NOT_FOUND);
	CHECK("prefix 404", find("GET", "/api/tracesx") == API_ROUTE_NOT_FOUND);
	CHECK("shorter 404", find("GET", "/api/trace") == API_ROUTE_NOT_FOUND);
	CHECK("health/ 404", find("GET", "/api/health/") == API_ROUTE_NOT_FOUND);
	CHECK("unknown 404", find("GET", "/api/models") == API_ROUTE_NOT_FOUND);
	CHECK("root 404", find("GET", "/") == API_ROUTE_NOT_FOUND);
	CHECK("empty 404", find("GET", "") == API_ROUTE_NOT_FOUND);
	CHECK("case matters", find("GET", "/API/health") == API_ROUTE_NOT_FOUND);
	CHECK("unknown path, bad method is 404", find("DELETE", "/nope") ==
	    API_ROUTE_NOT_FOUND);

	CHECK("POST stats 405", find("POST", "/api/stats") ==
	    API_ROUTE_BAD_METHOD && m.allow == API_GET);
	CHECK("DELETE trace 405", find("DELETE", "/api/traces/x") ==
	    API_ROUTE_BAD_METHOD && m.allow == API_GET);
	CHECK("HEAD 405", find("HEAD", "/api/health") == API_ROUTE_BAD_METHOD);
	CHECK("other method 405", find("BREW", "/api/health") ==
	    API_ROUTE_BAD_METHOD);
	CHECK("no method 405", find(NULL, "/api/health") ==
	    API_ROUTE_BAD_METHOD);
	CHECK("GET on post-only 405", find("GET", "/api/spans") ==
	    API_ROUTE_BAD_METHOD && m.allow == (API_POST | API_PUT));
	CHECK("PUT on post-only", find("PUT", "/api/spans") == API_ROUTE_FOUND &&
	    m.index == R_POSTONLY);

	test_placeholder();

	buf_init(&b, 64);
	api_allow_str(API_GET, &b);
	CHECK_STR("allow GET", buf_str(&b), "GET");
	buf_reset(&b);
	api_allow_str(API_POST | API_PUT | API_OTHER, &b);
	CHECK_STR("allow POST, PUT", buf_str(&b), "POST, PUT");
	buf_free(&b);
	return t_done();
}
