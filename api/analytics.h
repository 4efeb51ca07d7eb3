/*
 * Gap-filled time buckets of the analytics routes: every hour or UTC day
 * of the range is in the answer, zero when nothing happened in it.
 */
#ifndef LF_API_ANALYTICS_H
#define LF_API_ANALYTICS_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

#define HOUR_MS		3600000LL
#define DAY_MS		86400000LL

struct buckets {
	int64_t			 first;	/* start of the first bucket, ms */
	int64_t			 step;	/* HOUR_MS or DAY_MS */
	size_t			 n;
	struct rollup_row	*rows;	/* n, zeroed, bucket set */
};

/*
 * The last `days` UTC days up to and including the one of now (hourly:
 * the last days x 24 hours up to the current one).  0, or -1 when days is
 * not positive or the arena is exhausted.
 */
int	 buckets_init(struct buckets *, struct arena *, int64_t now_ms,
	    int64_t days, int hourly);
/* Last ms of the range (for db_rollup's to). */
int64_t	 buckets_end(const struct buckets *);
/* Add a rollup row's sums to its bucket; rows outside are ignored. */
void	 buckets_add(struct buckets *, const struct rollup_row *);

#endif
