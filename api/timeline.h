/*
 * GET /api/timeline: traces and logs in one list, newest first.  Each
 * side is read newest first with the route's limit, then the two sorted
 * lists are merged and cut to the limit: at most 2 x limit rows read.
 */
#ifndef LF_API_TIMELINE_H
#define LF_API_TIMELINE_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "db.h"

enum tl_kind { TL_KIND_TRACE, TL_KIND_LOG };

struct tl_pick {
	enum tl_kind	 kind;
	size_t		 index;		/* into its own list */
};

/*
 * Merge ta[0..na) (traces) and la[0..nl) (logs), each a list of
 * timestamps newest first, into out (room for limit picks), newest
 * first; of equal timestamps the trace comes first, and each list keeps
 * its own order.  Returns the number of picks, min(na + nl, limit).
 */
size_t	 timeline_merge(const int64_t *ta, size_t na, const int64_t *la,
	    size_t nl, size_t limit, struct tl_pick *out);

/* A copy of a log row with its strings in the arena; -1 when it is
 * exhausted. */
int	 log_row_copy(struct arena *, struct log_row *dst,
	    const struct log_row *src);

#endif
