/*
 * libFuzzer target: the query program's edge.  The input is taken as a
 * REQUEST_URI; its query string goes through the /api/traces parameter
 * parser and its path through the route matcher and the :id decoder,
 * exactly as api/main.c calls them.  Checks what the parser promises.
 */
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
};

static void
check_str(const char *s)
{
	if (s != NULL && (*s == '\0' || strlen(s) > LF_MAX_PARAM))
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
	} else if (rc == -1 && e.msg[0] == '\0')
		abort();

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
