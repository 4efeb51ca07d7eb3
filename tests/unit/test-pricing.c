/*
 * The price list and cost computation: lookup rules, cost rules, the shipped
 * list, PRICING_FILE overrides and errors.  Expected costs are worked out by
 * hand from data/prices.json and written literally.
 * Reads the shipped list from $LLMFLOW_PRICES, else data/prices.json
 * relative to the current directory (the repository root under make test).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pricing.h"
#include "usage.h"
#include "t.h"

static const char	*shipped;

/* Usage with prompt/completion and the rest not reported. */
static struct usage
tok(int64_t prompt, int64_t completion)
{
	struct usage u;

	usage_init(&u);
	u.prompt = prompt;
	u.completion = completion;
	return u;
}

/* Cost of a call, or NAN; *src set to the source. */
static double
cost(const char *provider, const char *model, const struct usage *u,
    enum cost_source *src)
{
	double c = -12345;

	*src = pricing_cost(provider, model, u, &c);
	return c;
}

/* Matching key, or "(none)". */
static const char *
key(const char *provider, const char *model)
{
	const char *k = NULL;

	if (!pricing_lookup(provider, model, &k))
		return "(none)";
	return k != NULL ? k : "(null key)";
}

/* Write s to a new temporary file; its path in path (>= 64 bytes). */
static int
write_temp(const char *s, char *path, size_t pathsz)
{
	const char	*dir = getenv("TMPDIR");
	FILE		*f;
	int		 fd;

	if ((size_t)snprintf(path, pathsz, "%s/lf-prices-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp") >= pathsz)
		return -1;
	if ((fd = mkstemp(path)) == -1)
		return -1;
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		return -1;
	}
	fputs(s, f);
	return fclose(f) == 0 ? 0 : -1;
}

static void
test_shipped_list(void)
{
	char	 err[512] = "";
	int	 rc;

	rc = pricing_load(shipped, NULL, err, sizeof(err));
	if (rc != 0)
		printf("# %s\n", err);
	CHECK("shipped price list loads", rc == 0);
	/* 2,982 entries; "together_ai/BAAI/bge-base-en-v1.5" and
	 * "together_ai/baai/bge-base-en-v1.5" are one name once lowercased. */
	CHECK_I64("shipped list has 2981 distinct model names",
	    pricing_count(), 2981);
	rc = pricing_load(shipped, "", err, sizeof(err));
	CHECK("empty override path means no override",
	    rc == 0 && pricing_count() == 2981);
}

static void
test_costs(void)
{
	enum cost_source src;
	struct usage	 u;
	double		 c;

	u = tok(1000, 500);
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	/* 1000 x 1.5e-7 + 500 x 6e-7 */
	CHECK_NEAR("gpt-4o-mini 1000 in 500 out costs $0.00045", c, 0.00045);
	CHECK("gpt-4o-mini cost is computed", src == COST_COMPUTED);

	u = tok(2000, 100);
	u.cached = 1500;
	c = cost("openai", "gpt-4o", &u, &src);
	/* 500 x 2.5e-6 + 1500 x 1.25e-6 + 100 x 1e-5
	 * = 0.00125 + 0.001875 + 0.001 */
	CHECK_NEAR("gpt-4o cached input priced at cache-read rate", c,
	    0.004125);

	u = tok(10000, 400);
	u.cached = 6000;
	u.cache_creation = 2000;
	c = cost("anthropic", "claude-sonnet-4-5", &u, &src);
	/* 2000 x 3e-6 + 6000 x 3e-7 + 2000 x 3.75e-6 + 400 x 1.5e-5
	 * = 0.006 + 0.0018 + 0.0075 + 0.006 */
	CHECK_NEAR("claude-sonnet-4-5 cache read and creation priced apart",
	    c, 0.0213);
	CHECK("claude-sonnet-4-5 cost is computed", src == COST_COMPUTED);

	u = tok(1000, 1000);
	u.cache_creation = 1000;
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	/* no cache-creation price: 1000 x 1.5e-7 + 1000 x 6e-7 */
	CHECK_NEAR("cache creation without its price uses the input price",
	    c, 0.00075);

	u = tok(1000, 1000);
	u.reasoning = 600;
	c = cost("dashscope", "qwen-turbo", &u, &src);
	/* 1000 x 5e-8 + 400 x 2e-7 + 600 x 5e-7 = 5e-5 + 8e-5 + 3e-4 */
	CHECK_NEAR("reasoning tokens at their own price when listed", c,
	    0.00043);

	u = tok(0, 1000);
	u.reasoning = 600;
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	CHECK_NEAR("reasoning tokens at the output price otherwise", c,
	    0.0006);

	u = tok(1000, 1000);
	u.reasoning = 5000;
	c = cost("dashscope", "qwen-turbo", &u, &src);
	/* reasoning capped at completion: 1000 x 5e-8 + 1000 x 5e-7 */
	CHECK_NEAR("reasoning beyond completion is capped", c, 0.00055);

	u = tok(1000, -1);
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	CHECK_NEAR("unreported completion counts as zero", c, 0.00015);

	u = tok(100, 0);
	u.cached = 200;
	c = cost(NULL, "gpt-4o", &u, &src);
	/* uncached clamped at 0: 200 x 1.25e-6 */
	CHECK_NEAR("cached beyond prompt does not go negative", c, 0.00025);

	u = tok(0, 0);
	c = cost(NULL, "gpt-4o", &u, &src);
	CHECK("zero tokens cost zero", src == COST_COMPUTED && c == 0);

	usage_init(&u);
	c = cost(NULL, "gpt-4o", &u, &src);
	CHECK("no token counts is unknown", src == COST_UNKNOWN && isnan(c));

	u = tok(INT64_MAX, INT64_MAX);
	u.cached = INT64_MAX;
	u.cache_creation = INT64_MAX;
	c = cost(NULL, "gpt-4o", &u, &src);
	CHECK("huge counts give a finite cost", src == COST_COMPUTED &&
	    isfinite(c) && c > 0);

	u = tok(1000, 500);
	c = cost(NULL, "llama3", &u, &src);
	CHECK("unknown model is COST_UNKNOWN", src == COST_UNKNOWN);
	CHECK("unknown model cost is NAN", isnan(c));

	c = cost(NULL, "dall-e-3", &u, &src);
	CHECK("listed model without token prices is unknown",
	    pricing_lookup(NULL, "dall-e-3", NULL) &&
	    src == COST_UNKNOWN && isnan(c));

	c = cost("ollama", "llama3", &u, &src);
	CHECK("ollama/llama3 is listed at zero",
	    src == COST_COMPUTED && c == 0);

	u = tok(1000, 500);
	u.reported_cost = 0.5;
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	CHECK("reported cost is preferred", src == COST_REPORTED && c == 0.5);
	u.reported_cost = 0;
	c = cost(NULL, "no-such-model", &u, &src);
	CHECK("reported zero for an unknown model is reported",
	    src == COST_REPORTED && c == 0);
	u.reported_cost = -1;
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	CHECK_NEAR("negative reported cost is ignored", c, 0.00045);
	u.reported_cost = INFINITY;
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	CHECK("infinite reported cost is ignored", src == COST_COMPUTED);

	c = cost(NULL, "gpt-4o-mini", NULL, &src);
	CHECK("NULL usage is unknown", src == COST_UNKNOWN && isnan(c));
	CHECK("NULL cost_out is allowed",
	    pricing_cost(NULL, "gpt-4o-mini", &u, NULL) == COST_COMPUTED);
}

static void
test_lookup(void)
{
	char	 longname[600];

	CHECK_STR("exact name", key(NULL, "gpt-4o-mini"), "gpt-4o-mini");
	CHECK_STR("name is case-insensitive", key(NULL, "GPT-4o-Mini"),
	    "gpt-4o-mini");
	CHECK_STR("name is trimmed", key(NULL, "  gpt-4o-mini\n"),
	    "gpt-4o-mini");
	CHECK_STR("openai/ prefix is removed", key(NULL, "openai/gpt-4o-mini"),
	    "gpt-4o-mini");
	CHECK_STR("prefix removal is case-insensitive",
	    key(NULL, "OpenAI/GPT-4o-mini"), "gpt-4o-mini");
	CHECK_STR("listed prefixed name is used as is",
	    key(NULL, "openrouter/openai/gpt-4o"), "openrouter/openai/gpt-4o");
	CHECK_STR("nested provider prefixes are removed in turn",
	    key(NULL, "openrouter/openai/gpt-4o-mini"), "gpt-4o-mini");
	CHECK_STR("unknown prefix is not removed",
	    key(NULL, "acme/gpt-4o-mini"), "(none)");
	CHECK_STR("provider/model is tried first",
	    key("groq", "llama-3.1-8b-instant"), "groq/llama-3.1-8b-instant");
	CHECK_STR("provider gemini prefers gemini/ entry",
	    key("gemini", "gemini-2.0-flash"), "gemini/gemini-2.0-flash");
	CHECK_STR("provider together finds together_ai/ entry",
	    key("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo"),
	    "together_ai/meta-llama/llama-3.3-70b-instruct-turbo");
	CHECK_STR("provider without its own entry falls back to model",
	    key("openai", "gpt-4o"), "gpt-4o");
	CHECK_STR("empty provider is ignored", key("", "gpt-4o"), "gpt-4o");

	CHECK_STR("listed dated name is exact",
	    key(NULL, "gpt-4o-mini-2024-07-18"), "gpt-4o-mini-2024-07-18");
	CHECK_STR("-YYYY-MM-DD date is removed",
	    key(NULL, "gpt-4o-mini-2099-01-01"), "gpt-4o-mini");
	CHECK_STR("-YYYYMMDD date is removed",
	    key(NULL, "gpt-4o-mini-20990101"), "gpt-4o-mini");
	CHECK_STR("@YYYYMMDD date is removed",
	    key(NULL, "vertex_ai/claude-sonnet-4-5@20991231"),
	    "vertex_ai/claude-sonnet-4-5");
	CHECK_STR("-MMDD date is removed", key(NULL, "gpt-4o-mini-1231"),
	    "gpt-4o-mini");
	CHECK_STR("-YYMM date is removed", key(NULL, "gpt-4o-mini-2612"),
	    "gpt-4o-mini");
	CHECK_STR("date removed after provider prefix",
	    key(NULL, "openai/gpt-4o-mini-2099-01-01"), "gpt-4o-mini");
	CHECK_STR("four digits that are no date are kept",
	    key(NULL, "gpt-4o-mini-4096"), "(none)");
	CHECK_STR("impossible month is no date",
	    key(NULL, "gpt-4o-mini-2099-13-01"), "(none)");
	CHECK_STR("only one date is removed",
	    key(NULL, "gpt-4o-mini-2099-01-01-2099-01-01"), "(none)");
	CHECK_STR("no fuzzy matching", key(NULL, "gpt-4o-mini-foo"), "(none)");
	CHECK_STR("no prefix matching", key(NULL, "gpt-4o-m"), "(none)");
	CHECK_STR("unlisted model", key(NULL, "llama3"), "(none)");
	CHECK_STR("empty model", key(NULL, "  "), "(none)");
	CHECK_STR("NULL model", key("openai", NULL), "(none)");
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	CHECK_STR("over-long model name", key("openai", longname), "(none)");
}

static void
test_override(void)
{
	enum cost_source src;
	struct usage	 u;
	char		 path[512], err[512] = "";
	double		 c;
	int		 rc;

	if (write_temp("{\n"
	    "\"GPT-4o-mini\": {\"input_cost_per_token\": 1e-06, "
	    "\"output_cost_per_token\": 2e-06},\n"
	    "\"acme-local-7b\": {\"litellm_provider\": \"ollama\", "
	    "\"input_cost_per_token\": 1e-07, \"output_cost_per_token\": 3e-07},\n"
	    "\"gpt-4o\": {\"input_cost_per_token\": \"cheap\"},\n"
	    "\"out-only\": {\"output_cost_per_token\": 1e-06},\n"
	    "\"bad-null\": {\"input_cost_per_token\": null},\n"
	    "\"last_updated\": \"2026-07-24\"\n"
	    "}\n", path, sizeof(path)) == -1) {
		CHECK("temporary override file written", 0);
		return;
	}
	rc = pricing_load(shipped, path, err, sizeof(err));
	if (rc != 0)
		printf("# %s\n", err);
	CHECK("override file loads", rc == 0);
	CHECK_I64("override adds two models", pricing_count(), 2983);

	u = tok(1000, 500);
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	/* 1000 x 1e-6 + 500 x 2e-6 */
	CHECK_NEAR("override replaces a shipped price", c, 0.002);
	u = tok(1000, 0);
	u.cached = 1000;
	c = cost(NULL, "gpt-4o-mini", &u, &src);
	CHECK_NEAR("override replaces the whole entry", c, 0.001);
	u = tok(1000, 1000);
	c = cost("ollama", "acme-local-7b", &u, &src);
	CHECK_NEAR("override adds a model", c, 0.0004);
	u = tok(2000, 100);
	u.cached = 1500;
	c = cost(NULL, "gpt-4o", &u, &src);
	CHECK_NEAR("override entry with a non-number price is skipped", c,
	    0.004125);
	CHECK_STR("override entry with a null price is skipped",
	    key(NULL, "bad-null"), "(none)");
	u = tok(10, 10);
	c = cost(NULL, "out-only", &u, &src);
	CHECK("input tokens without an input price is unknown",
	    src == COST_UNKNOWN && isnan(c));
	u = tok(0, 10);
	c = cost(NULL, "out-only", &u, &src);
	CHECK_NEAR("output only with an output price is computed", c, 1e-05);
	unlink(path);

	if (write_temp("{\"gpt-4o-mini\": {\"input_cost_per_token\": 1e-06,",
	    path, sizeof(path)) == -1) {
		CHECK("temporary override file written", 0);
		return;
	}
	err[0] = '\0';
	rc = pricing_load(shipped, path, err, sizeof(err));
	printf("# %s\n", err);
	CHECK("malformed override file is an error", rc == -1);
	CHECK("error names the file", strstr(err, path) != NULL);
	CHECK("error says the JSON is invalid",
	    strstr(err, "invalid JSON") != NULL);
	CHECK_I64("failed load keeps the table", pricing_count(), 2983);
	unlink(path);

	if (write_temp("[{\"gpt-4o\": {}}]\n", path, sizeof(path)) == -1) {
		CHECK("temporary override file written", 0);
		return;
	}
	err[0] = '\0';
	rc = pricing_load(shipped, path, err, sizeof(err));
	printf("# %s\n", err);
	CHECK("non-object override file is an error",
	    rc == -1 && strstr(err, "not a JSON object") != NULL);
	unlink(path);

	if (write_temp("{} {}\n", path, sizeof(path)) == -1) {
		CHECK("temporary override file written", 0);
		return;
	}
	err[0] = '\0';
	rc = pricing_load(shipped, path, err, sizeof(err));
	printf("# %s\n", err);
	CHECK("data after the object is an error", rc == -1 && err[0] != '\0');
	unlink(path);

	if (write_temp("", path, sizeof(path)) == -1) {
		CHECK("temporary override file written", 0);
		return;
	}
	err[0] = '\0';
	rc = pricing_load(shipped, path, err, sizeof(err));
	printf("# %s\n", err);
	CHECK("empty override file is an error", rc == -1 && err[0] != '\0');
	unlink(path);

	err[0] = '\0';
	rc = pricing_load("/nonexistent/prices.json", NULL, err, sizeof(err));
	printf("# %s\n", err);
	CHECK("missing shipped file is an error",
	    rc == -1 && strstr(err, "/nonexistent/prices.json") != NULL &&
	    strstr(err, "No such file") != NULL);
	err[0] = '\0';
	rc = pricing_load(shipped, "/nonexistent/override.json", err,
	    sizeof(err));
	CHECK("missing override file is an error",
	    rc == -1 && strstr(err, "/nonexistent/override.json") != NULL);
	CHECK_I64("failed loads keep the table", pricing_count(), 2983);
}

static void
test_load_mem(void)
{
	static const char one[] =
	    "{\"m1\": {\"input_cost_per_token\": 1, \"output_cost_per_token\": 2}}";
	static const char two[] =
	    "{\"M2\": {\"input_cost_per_token\": 0.5}, \"m1\": {}}";
	enum cost_source src;
	struct usage	 u;
	char		 deep[400], err[256] = "";
	double		 c;
	size_t		 i, n = 0;
	int		 rc;

	rc = pricing_load_mem(one, sizeof(one) - 1, 1, err, sizeof(err));
	CHECK("load_mem replace makes the whole table",
	    rc == 0 && pricing_count() == 1);
	rc = pricing_load_mem(two, sizeof(two) - 1, 0, err, sizeof(err));
	CHECK("load_mem merge adds and replaces",
	    rc == 0 && pricing_count() == 2);
	CHECK_STR("merged name is lowercased", key(NULL, "m2"), "m2");
	u = tok(1, 1);
	CHECK("replaced entry without prices is unknown",
	    pricing_cost(NULL, "m1", &u, NULL) == COST_UNKNOWN);
	/* integer prices are numbers: 4 x 0.5 */
	u = tok(4, 0);
	c = cost(NULL, "M2", &u, &src);
	CHECK_NEAR("merged entry is priced", c, 2.0);

	n += (size_t)snprintf(deep + n, sizeof(deep) - n, "{\"x\":");
	for (i = 0; i < 100; i++)
		deep[n++] = '[';
	for (i = 0; i < 100; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	rc = pricing_load_mem(deep, n, 0, err, sizeof(err));
	printf("# %s\n", err);
	CHECK("nesting beyond the depth limit is an error", rc == -1);
	rc = pricing_load_mem("{\"a\":1}\0{", 9, 0, err, sizeof(err));
	CHECK("NUL byte inside the input is an error", rc == -1);
	rc = pricing_load_mem(NULL, 0, 1, err, sizeof(err));
	CHECK("NULL input is an error", rc == -1);
	CHECK_I64("failed load_mem keeps the table", pricing_count(), 2);

	pricing_free();
	CHECK_I64("pricing_free empties the table", pricing_count(), 0);
	CHECK("lookups after pricing_free find nothing",
	    !pricing_lookup(NULL, "m1", NULL));
	pricing_free();
	CHECK("pricing_free twice is safe", pricing_count() == 0);
}

int
main(void)
{
	shipped = getenv("LLMFLOW_PRICES");
	if (shipped == NULL || *shipped == '\0')
		shipped = "data/prices.json";

	test_shipped_list();
	test_costs();
	test_lookup();
	test_override();
	test_load_mem();
	return t_done();
}
