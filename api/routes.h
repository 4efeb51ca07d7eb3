/*
 * Route matching for the query program: the method of the request and
 * the path part of REQUEST_URI against a table of routes.  The table is
 * the caller's (api/main.c keeps it at the top); this file only matches.
 */
#ifndef LF_API_ROUTES_H
#define LF_API_ROUTES_H

#include <stddef.h>

#include "buf.h"

/* Methods as bits, so a route may accept several and 405 can list them. */
enum api_method {
	API_GET		= 1u << 0,
	API_HEAD	= 1u << 1,
	API_POST	= 1u << 2,
	API_PUT		= 1u << 3,
	API_DELETE	= 1u << 4,
	API_PATCH	= 1u << 5,
	API_OPTIONS	= 1u << 6,
	API_OTHER	= 1u << 7	/* anything else: never accepted */
};

/*
 * One route.  `path` is matched exactly, except for one "/:id" in it,
 * which stands for one non-empty segment without '/' ("/api/traces/:id/
 * tree").  `has_id` without ":id" in path means path + "/:id".  The
 * segment is handed back raw (still percent-encoded) as the id.  Routes
 * are tried in table order: a fixed path ("/api/logs/filters") must come
 * before the ":id" route it would also match.
 */
struct api_route {
	unsigned	 methods;	/* API_GET | ... */
	const char	*path;
	int		 has_id;
};

enum api_route_rc {
	API_ROUTE_FOUND,	/* index and id are set */
	API_ROUTE_NOT_FOUND,	/* no route has this path: 404 */
	API_ROUTE_BAD_METHOD	/* path known, method not: 405, see allow */
};

struct api_match {
	size_t		 index;		/* into the table */
	const char	*id;		/* has_id routes: raw segment ... */
	size_t		 id_len;	/* ... and its length; else NULL, 0 */
	unsigned	 allow;		/* methods the path accepts */
};

/* The method bit for a REQUEST_METHOD value (NULL gives API_OTHER). */
unsigned	 api_method_parse(const char *);

/*
 * Split a REQUEST_URI into its path and query string (after the first
 * '?', without it; empty when there is none).  NULL uri gives "" and "".
 */
void		 api_uri_split(const char *uri, const char **path,
		    size_t *path_len, const char **query, size_t *query_len);

/* Match a method bit and a path against n routes. */
enum api_route_rc api_route_find(const struct api_route *, size_t n,
		    unsigned method, const char *path, size_t path_len,
		    struct api_match *);

/* Append the value of an Allow header for the method bits ("GET, HEAD"). */
void		 api_allow_str(unsigned methods, struct buf *);

#endif
