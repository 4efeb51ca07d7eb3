#include <math.h>
#include <stdint.h>

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

int64_t
usage_sum(const struct usage *u)
{
	int64_t	 p = u->prompt > 0 ? u->prompt : 0;
	int64_t	 c = u->completion > 0 ? u->completion : 0;

	return p > INT64_MAX - c ? INT64_MAX : p + c;
}
