#include <math.h>

#include "usage.h"

void
usage_init(struct usage *u)
{
	u->prompt = u->completion = u->total = -1;
	u->cached = u->cache_creation = u->reasoning = -1;
	u->reported_cost = NAN;
}

const char *
cost_source_name(enum cost_source s)
{
	switch (s) {
	case COST_COMPUTED:
		return "computed";
	case COST_REPORTED:
		return "reported";
	case COST_UNKNOWN:
	default:
		return "unknown";
	}
}
