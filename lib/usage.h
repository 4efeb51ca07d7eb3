/*
 * Token usage of one call, in one meaning for every provider:
 * prompt is all input (cached and cache-creation tokens are parts of it),
 * completion is all output (reasoning tokens are part of it).
 * A count that was not reported is -1, never 0.
 */
#ifndef LF_USAGE_H
#define LF_USAGE_H

#include <stdint.h>

struct usage {
	int64_t	 prompt;		/* all input tokens */
	int64_t	 completion;		/* all output tokens */
	int64_t	 total;
	int64_t	 cached;		/* cache-read input, part of prompt */
	int64_t	 cache_creation;	/* cache-write input, part of prompt */
	int64_t	 reasoning;		/* part of completion */
	double	 reported_cost;		/* USD the provider reported; NAN if none */
};

/* How a call's cost was found. */
enum cost_source {
	COST_UNKNOWN = 0,	/* model not in the price list, or no tokens */
	COST_COMPUTED,		/* tokens x the price list */
	COST_REPORTED		/* reported by the provider or the span */
};

void	 usage_init(struct usage *);
/* prompt + completion, treating unknown (-1) as 0, saturating at
 * INT64_MAX: the total when the provider gave none. */
int64_t	 usage_sum(const struct usage *);
/* Name stored in the database: "unknown", "computed", "reported". */
const char *cost_source_name(enum cost_source);

#endif
