/*
 * libFuzzer target: the query program's edge.  The input is taken as a
 * REQUEST_URI; its query string goes through every route's parameter
 * parser and its path through the route matcher (with ":id" routes) and
 * the :id decoder, exactly as api/main.c calls them.  Checks what the
 * parsers promise.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "params.h"
#include "routes.h"

static const struct api_route routes[] = {
	{ API_GET, "/api/health", 0 },
	{ API_GET, "/api/traces", 0 },
	{ API_GET, "/api/traces", 1 },
	{ API_GET, "/api/stats", 0 },
	{ API_GET, "/api/traces/export", 0 },
	{ API_GET, "/api/traces/:id/tree", 1 },
	{ API_GET, "/api/logs/filters", 0 },
	{ API_GET, "/api/logs", 1 },
};

static void
check_str(const char *s)
{
	if (s != NULL && (*s == '\0' || strlen(s) > LF_MAX_PARAM))
		abort();
}

/* The other routes' parsers on the same bytes. */
static void
other_params(const uint8_t *data, size_t size, struct arena *a)
{
	struct api_export_params	 x;
	struct log_filter		 lf;
	struct api_metrics_params	 mp;
	struct api_timeline_params	 tl;
	struct api_analytics_params	 an;
	struct api_perr			 e;
	int64_t				 i1, i2;

	if (api_params_export(data, size, a, &x, &e) == 0) {
		if (x.f.limit < 0 || x.f.limit > LF_EXPORT_MAX_ROWS ||
		    (unsigned)x.format > API_EXPORT_CSV ||
		    (!isnan(x.f.cost_min) && !(x.f.cost_min >= 0)) ||
		    (!isnan(x.f.cost_max) && !(x.f.cost_max >= 0)) ||
		    (x.f.before_ts != DB_NULL && (x.f.before_id == NULL ||
		    *x.f.before_id == '\0')))
			abort();
		check_str(x.f.tag);
		check_str(x.f.span_type);
	}
	if (api_params_logs(data, size, a, &lf, &e) == 0 &&
	    (lf.limit < 1 || lf.limit > LF_PAGE_MAX ||
	    (lf.severity_min != DB_NULL && (lf.severity_min < 1 ||
	    lf.severity_min > 24))))
		abort();
	if (api_params_metrics(data, size, a, &mp, &e) == 0 &&
	    (mp.f.limit < 1 || mp.f.limit > LF_PAGE_MAX))
		abort();
	if (api_params_range(data, size, a, &i1, &i2, &e) == 0 &&
	    i1 != DB_NULL && i2 != DB_NULL && i1 > i2)
		abort();
	if (api_params_page(data, size, a, &i1, &i2, &e) == 0 &&
	    (i1 < 1 || i1 > LF_PAGE_MAX || i2 < 0))
		abort();
	if (api_params_timeline(data, size, a, &tl, &e) == 0 &&
	    (tl.limit < 1 || tl.limit > LF_PAGE_MAX ||
	    (unsigned)tl.type > API_TL_LOG))
		abort();
	if (api_params_analytics(data, size, a, 0, &an, &e) == 0 &&
	    (an.days < 1 || an.days > API_DAYS_MAX))
		abort();
	if (api_params_analytics(data, size, a, 1, &an, &e) == 0 &&
	    (an.days < 1 || an.days > API_TREND_DAYS_MAX ||
	    (unsigned)an.interval > API_DAY))
		abort();
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena		 a;
	struct trace_filter	 f;
	struct api_perr		 e;
	struct api_match	 m;
	const char		*path, *query, *id;
	char			*uri;
	size_t			 plen, qlen;
	int			 rc;

	/* REQUEST_URI is a C string: cut at the first NUL. */
	if ((uri = malloc(size + 1)) == NULL)
		return 0;
	memcpy(uri, data, size);
	uri[size] = '\0';
	arena_init(&a, 1UL << 20);

	/* The raw bytes as a query string, NULs and all. */
	rc = api_params_traces(data, size, &a, &f, &e);
	if (rc == 0) {
		if (f.limit < 1 || f.limit > LF_PAGE_MAX || f.offset < 0 ||
		    f.offset > LF_OFFSET_MAX)
			abort();
		if ((f.date_from != DB_NULL && (f.date_from < 0 ||
		    f.date_from > API_TIME_MAX)) || (f.date_to != DB_NULL &&
		    (f.date_to < 0 || f.date_to > API_TIME_MAX)) ||
		    (f.date_from != DB_NULL && f.date_to != DB_NULL &&
		    f.date_from > f.date_to))
			abort();
		check_str(f.model);
		check_str(f.provider);
		check_str(f.q);
		check_str(f.service_name);
		if ((!isnan(f.cost_min) && !(f.cost_min >= 0)) ||
		    (!isnan(f.cost_max) && !(f.cost_max >= 0)) ||
		    (!isnan(f.cost_min) && !isnan(f.cost_max) &&
		    f.cost_min > f.cost_max))
			abort();
	} else if (rc == -1 && e.msg[0] == '\0')
		abort();

	other_params(data, size, &a);

	api_uri_split(uri, &path, &plen, &query, &qlen);
	(void)api_params_traces((const uint8_t *)query, qlen, &a, &f, &e);
	if (api_route_find(routes, sizeof(routes) / sizeof(routes[0]),
	    API_GET, path, plen, &m) == API_ROUTE_FOUND && m.id != NULL) {
		if (api_param_id(m.id, m.id_len, &a, &id, &e) == 0 &&
		    (*id == '\0' || strlen(id) > LF_MAX_ID))
			abort();
	}

	arena_free(&a);
	free(uri);
	return 0;
}
