/*
 * libFuzzer target for the price-list loader: the input is a price file
 * (LiteLLM's format).  It is loaded as the whole table, merged into itself
 * as an override would be, and looked up and priced under a few names; then
 * the table is freed, so nothing outlives one input.
 */
#include <stddef.h>
#include <stdint.h>

#include "pricing.h"
#include "usage.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"gpt-4o-mini", "openai/gpt-4o-mini-2099-01-01", "a",
		"openrouter/openai/x@20990101", "m-0613", "",
	};
	struct usage	 u;
	const char	*key;
	char		 err[256];
	double		 cost;
	size_t		 i;

	if (pricing_load_mem((const char *)data, size, 1, err,
	    sizeof(err)) == 0 &&
	    pricing_load_mem((const char *)data, size, 0, err,
	    sizeof(err)) == 0) {
		usage_init(&u);
		u.prompt = 1000;
		u.completion = 500;
		u.cached = 200;
		u.cache_creation = 100;
		u.reasoning = 300;
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			(void)pricing_lookup("groq", names[i], &key);
			(void)pricing_cost(NULL, names[i], &u, &cost);
		}
	}
	pricing_free();
	return 0;
}
