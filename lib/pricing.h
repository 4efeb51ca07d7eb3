/*
 * The price list and the cost of a call.
 *
 * The list is loaded once at program start, before any thread runs, into a
 * process-global, read-only table (open addressing, keyed by lowercased
 * model name).  After that, pricing_cost() and pricing_lookup() only read
 * it, allocate nothing, and may be called from any number of threads.
 * Loading again, or pricing_free(), must not race with readers.
 *
 * The file format is LiteLLM's model_prices_and_context_window.json: one
 * object keyed by model name whose values carry, in USD per token,
 * input_cost_per_token, output_cost_per_token, cache_read_input_token_cost,
 * cache_creation_input_token_cost and output_cost_per_reasoning_token.  Any
 * may be absent (unknown); other fields are ignored.
 */
#ifndef LF_PRICING_H
#define LF_PRICING_H

#include <stddef.h>

#include "usage.h"


/*
 * Load the shipped list at shipped_path, then merge override_path (NULL or
 * "" for none) into it: an override entry adds a model or replaces the
 * shipped entry for that name as a whole.  Names are compared after trimming
 * and lowercasing; of two entries with the same name in one file the later
 * wins.  Entries that are not objects, whose name is empty or longer than
 * LF_MAX_MODEL - 1 bytes, or whose price fields are present but not finite
 * non-negative numbers are skipped.
 * All or nothing: 0 and the new table installed (the old one freed), or -1
 * with a message naming the file in err and the current table unchanged.
 * A missing, unreadable, oversized, invalid or non-object file is an error.
 */
int	 pricing_load(const char *shipped_path, const char *override_path,
	    char *err, size_t errsz);

/*
 * Load a price list from len bytes of JSON at json (need not be
 * NUL-terminated).  replace != 0: it becomes the whole table; replace == 0:
 * it is merged into the current table as an override file is.  Same entry
 * rules and all-or-nothing contract as pricing_load().
 */
int	 pricing_load_mem(const char *json, size_t len, int replace,
	    char *err, size_t errsz);

/*
 * Cost in USD of one call.
 * - u->reported_cost finite and >= 0: *cost_out = it, COST_REPORTED.
 * - model not found (see pricing_lookup), the entry has neither an input nor
 *   an output price, no token count known (prompt, completion, cached and
 *   cache_creation all -1), or tokens in a part whose price is unknown:
 *   *cost_out = NAN, COST_UNKNOWN.
 * - otherwise COST_COMPUTED with
 *     (prompt - cached - cache_creation) x input
 *   + cached x cache read (default: input)
 *   + cache_creation x cache creation (default: input)
 *   + (completion - reasoning) x output
 *   + reasoning x reasoning price (default: output),
 *   counts of -1 taken as 0 and each difference clamped at 0.
 * provider may be NULL.  u may be NULL (COST_UNKNOWN).
 */
enum cost_source pricing_cost(const char *provider, const char *model,
	    const struct usage *u, double *cost_out);

/*
 * Whether the price list has an entry for this call: 1 and *key_out (if not
 * NULL) set to the matching table key, or 0 and *key_out = NULL.  The key
 * lives until the table is freed or reloaded.
 * Name and provider are trimmed and lowercased.  Candidates, in order:
 *   (a) "provider/model" when provider is non-empty;
 *   (b) the model as given;
 *   (c) the model with its first path segment removed, repeatedly, while
 *       that segment is a known provider prefix (openai, anthropic, ...).
 * Each candidate is tried exactly, then once without one trailing date:
 * -YYYY-MM-DD, -YYYYMMDD, @YYYYMMDD, or four digits -MMDD / -YYMM that read
 * as a date.  There is no partial or substring matching.
 */
int	 pricing_lookup(const char *provider, const char *model,
	    const char **key_out);

/* Number of distinct (case-folded) model names in the table; 0 if none. */
size_t	 pricing_count(void);

/* Free the table; lookups then find nothing.  Safe to call twice. */
void	 pricing_free(void);

#endif
