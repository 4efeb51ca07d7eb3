#include <string.h>

#include "timeline.h"

size_t
timeline_merge(const int64_t *ta, size_t na, const int64_t *la, size_t nl,
    size_t limit, struct tl_pick *out)
{
	size_t	 i = 0, j = 0, n = 0;

	while (n < limit && (i < na || j < nl)) {
		if (j >= nl || (i < na && ta[i] >= la[j])) {
			out[n].kind = TL_KIND_TRACE;
			out[n++].index = i++;
		} else {
			out[n].kind = TL_KIND_LOG;
			out[n++].index = j++;
		}
	}
	return n;
}

static int
dup(struct arena *a, const char **dst, const char *src)
{
	if (src == NULL) {
		*dst = NULL;
		return 0;
	}
	return (*dst = arena_strdup(a, src)) == NULL ? -1 : 0;
}

int
log_row_copy(struct arena *a, struct log_row *d, const struct log_row *s)
{
	*d = *s;
	if (dup(a, &d->id, s->id) || dup(a, &d->severity_text,
	    s->severity_text) || dup(a, &d->body, s->body) ||
	    dup(a, &d->trace_id, s->trace_id) ||
	    dup(a, &d->span_id, s->span_id) ||
	    dup(a, &d->event_name, s->event_name) ||
	    dup(a, &d->service_name, s->service_name) ||
	    dup(a, &d->scope_name, s->scope_name) ||
	    dup(a, &d->attributes, s->attributes) ||
	    dup(a, &d->resource_attributes, s->resource_attributes))
		return -1;
	return 0;
}
