#include <string.h>

#include "analytics.h"

/* Floor of a non-negative ms time to a multiple of step. */
static int64_t
floor_to(int64_t t, int64_t step)
{
	return t - t % step;
}

int
buckets_init(struct buckets *b, struct arena *a, int64_t now, int64_t days,
    int hourly)
{
	size_t	 i;

	memset(b, 0, sizeof(*b));
	if (days <= 0 || days > 100000 || now < 0)
		return -1;
	b->step = hourly ? HOUR_MS : DAY_MS;
	b->n = (size_t)(hourly ? days * 24 : days);
	b->first = floor_to(now, b->step) - (int64_t)(b->n - 1) * b->step;
	if ((b->rows = arena_alloc(a, b->n * sizeof(*b->rows))) == NULL)
		return -1;
	for (i = 0; i < b->n; i++)
		b->rows[i].bucket = b->first + (int64_t)i * b->step;
	return 0;
}

int64_t
buckets_end(const struct buckets *b)
{
	return b->first + (int64_t)b->n * b->step - 1;
}

void
buckets_add(struct buckets *b, const struct rollup_row *r)
{
	struct rollup_row	*d;
	int64_t			 i;

	if (r->bucket == DB_NULL || r->bucket < b->first)
		return;
	i = (r->bucket - b->first) / b->step;
	if (i < 0 || (uint64_t)i >= b->n)
		return;
	d = &b->rows[i];
	d->requests += r->requests;
	d->errors += r->errors;
	d->unpriced += r->unpriced;
	d->prompt_tokens += r->prompt_tokens;
	d->completion_tokens += r->completion_tokens;
	d->total_tokens += r->total_tokens;
	d->cost += r->cost;
	d->duration_ms += r->duration_ms;
	d->duration_n += r->duration_n;
}
