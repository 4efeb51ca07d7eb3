#include <string.h>

#include "routes.h"

static const struct {
	unsigned	 bit;
	const char	*name;
} methods[] = {
	{ API_GET,	"GET" },
	{ API_HEAD,	"HEAD" },
	{ API_POST,	"POST" },
	{ API_PUT,	"PUT" },
	{ API_DELETE,	"DELETE" },
	{ API_PATCH,	"PATCH" },
	{ API_OPTIONS,	"OPTIONS" },
};

unsigned
api_method_parse(const char *m)
{
	size_t	 i;

	if (m == NULL)
		return API_OTHER;
	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++)
		if (strcmp(m, methods[i].name) == 0)
			return methods[i].bit;
	return API_OTHER;
}

void
api_uri_split(const char *uri, const char **path, size_t *path_len,
    const char **query, size_t *query_len)
{
	const char	*q;

	if (uri == NULL)
		uri = "";
	*path = uri;
	if ((q = strchr(uri, '?')) == NULL) {
		*path_len = strlen(uri);
		*query = uri + *path_len;
		*query_len = 0;
	} else {
		*path_len = (size_t)(q - uri);
		*query = q + 1;
		*query_len = strlen(q + 1);
	}
}

/*
 * Whether path matches route r; sets the id span of routes with an id.
 * The id is the one segment (non-empty, no '/') standing where the route
 * has ":id" (after "/"; anything may follow it), or after r->path + "/"
 * when has_id is set and the path has no ":id".
 */
static int
route_matches(const struct api_route *r, const char *path, size_t len,
    const char **id, size_t *id_len)
{
	const char	*ph, *suffix;
	size_t		 plen, slen, seg;

	if ((ph = strstr(r->path, "/:id")) != NULL) {
		plen = (size_t)(ph - r->path) + 1;	/* with the '/' */
		suffix = ph + 4;
	} else if (r->has_id) {
		plen = strlen(r->path) + 1;
		suffix = "";
	} else
		return len == strlen(r->path) &&
		    memcmp(path, r->path, len) == 0;
	slen = strlen(suffix);
	/* prefix "/", one segment, suffix */
	if (len < plen + 1 + slen || memcmp(path, r->path, plen - 1) != 0 ||
	    path[plen - 1] != '/')
		return 0;
	if (memcmp(path + len - slen, suffix, slen) != 0)
		return 0;
	seg = len - plen - slen;
	if (memchr(path + plen, '/', seg) != NULL)
		return 0;
	*id = path + plen;
	*id_len = seg;
	return 1;
}

enum api_route_rc
api_route_find(const struct api_route *tab, size_t n, unsigned method,
    const char *path, size_t path_len, struct api_match *m)
{
	const char	*id;
	size_t		 i, id_len;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n; i++) {
		id = NULL;
		id_len = 0;
		if (!route_matches(&tab[i], path, path_len, &id, &id_len))
			continue;
		m->allow |= tab[i].methods;
		if ((tab[i].methods & method & ~(unsigned)API_OTHER) == 0)
			continue;
		m->index = i;
		m->id = id;
		m->id_len = id_len;
		return API_ROUTE_FOUND;
	}
	return m->allow ? API_ROUTE_BAD_METHOD : API_ROUTE_NOT_FOUND;
}

void
api_allow_str(unsigned bits, struct buf *b)
{
	size_t	 i;
	int	 first = 1;

	for (i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		if ((bits & methods[i].bit) == 0)
			continue;
		if (!first)
			buf_adds(b, ", ");
		buf_adds(b, methods[i].name);
		first = 0;
	}
}
