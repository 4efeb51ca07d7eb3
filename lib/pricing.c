/*
 * The price list: a process-global open-addressing hash table of model
 * prices, filled at start-up from JSON files in LiteLLM's format, and the
 * cost of a call computed from it.  See pricing.h for the contracts.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json_object.h>
#include <json-c/linkhash.h>
#include <json-c/json_tokener.h>

#include "buf.h"
#include "limits.h"
#include "pricing.h"

/* The parts of a call that have a price, and their names in the file. */
enum part {
	PART_INPUT,		/* uncached input tokens */
	PART_OUTPUT,		/* output tokens */
	PART_CACHE_READ,	/* input read from the prompt cache */
	PART_CACHE_WRITE,	/* input written to the prompt cache */
	PART_REASONING,		/* reasoning tokens, part of output */
	PART__MAX
};

static const char *const part_names[PART__MAX] = {
	"input_cost_per_token",			/* PART_INPUT */
	"output_cost_per_token",		/* PART_OUTPUT */
	"cache_read_input_token_cost",		/* PART_CACHE_READ */
	"cache_creation_input_token_cost",	/* PART_CACHE_WRITE */
	"output_cost_per_reasoning_token",	/* PART_REASONING */
};

/*
 * Leading path segments of a model name that name a provider and may be
 * removed to find the bare model ("openrouter/openai/gpt-4o" -> "gpt-4o").
 */
static const char *const provider_prefixes[] = {
	"openai", "anthropic", "google", "gemini", "azure", "azure_ai",
	"together", "together_ai", "groq", "mistral", "cohere", "openrouter",
	"perplexity", "ollama", "vertex_ai", "bedrock", "deepseek", "xai",
	"fireworks_ai",
};

/* Providers whose names in the price list differ from LLMFlow's. */
static const struct {
	const char	*name;
	const char	*listed;
} provider_aliases[] = {
	{ "together", "together_ai" },
};

/* One model.  A price is USD per token, or NAN when unknown. */
struct price {
	char	*key;		/* trimmed, lowercased name; NULL: empty slot */
	size_t	 keylen;
	double	 part[PART__MAX];
};

/* Open addressing with linear probing; cap is 0 or a power of two and at
 * least twice count, so a probe always ends at an empty slot. */
struct table {
	struct price	*slots;
	size_t		 cap;
	size_t		 count;
};

#define TABLE_MIN_CAP	64

/* The process-global table: written only by the load functions and
 * pricing_free(), before or after any reader thread. */
static struct table	 prices;

static void	 seterr(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}

static int
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

static int
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/*
 * Trim s and copy it lowercased (ASCII) to out, NUL-terminated.
 * 0 and *lenp set, or -1 if the trimmed name does not fit in outsz - 1.
 */
static int
normalise(const char *s, char *out, size_t outsz, size_t *lenp)
{
	size_t	 n, i;

	while (is_space(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_space(s[n - 1]))
		n--;
	if (n >= outsz)
		return -1;
	for (i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i];
	out[n] = '\0';
	*lenp = n;
	return 0;
}

/* FNV-1a, 64 bits. */
static uint64_t
hash(const char *s, size_t n)
{
	uint64_t h = 14695981039346656037ULL;
	size_t	 i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding key s (n bytes), or the empty slot where it would go.
 * Requires cap > count. */
static struct price *
table_slot(const struct table *t, const char *s, size_t n)
{
	size_t	 i, mask = t->cap - 1;

	for (i = (size_t)hash(s, n) & mask; ; i = (i + 1) & mask) {
		struct price *p = &t->slots[i];

		if (p->key == NULL ||
		    (p->keylen == n && memcmp(p->key, s, n) == 0))
			return p;
	}
}

static const struct price *
table_find(const struct table *t, const char *s, size_t n)
{
	const struct price *p;

	if (t->count == 0)
		return NULL;
	p = table_slot(t, s, n);
	return p->key != NULL ? p : NULL;
}

/* Release every key and the slots; the table is empty and reusable. */
static void
table_free(struct table *t)
{
	size_t	 i;

	for (i = 0; i < t->cap; i++)
		free(t->slots[i].key);
	free(t->slots);
	t->slots = NULL;
	t->cap = t->count = 0;
}

/* Double the capacity (or allocate the first slots).  0 or -1 (ENOMEM). */
static int
table_grow(struct table *t)
{
	struct table	 n;
	size_t		 i;

	n.cap = t->cap ? t->cap * 2 : TABLE_MIN_CAP;
	if (n.cap <= t->cap || n.cap > SIZE_MAX / sizeof(*n.slots))
		return -1;
	if ((n.slots = calloc(n.cap, sizeof(*n.slots))) == NULL)
		return -1;
	n.count = t->count;
	for (i = 0; i < t->cap; i++)
		if (t->slots[i].key != NULL)
			*table_slot(&n, t->slots[i].key,
			    t->slots[i].keylen) = t->slots[i];
	free(t->slots);
	*t = n;
	return 0;
}

/* Add key s (n bytes, already normalised) with these prices, or replace
 * the prices of an existing key.  0 or -1 (out of memory). */
static int
table_put(struct table *t, const char *s, size_t n,
    const double part[PART__MAX])
{
	struct price	*p;

	if (t->count >= t->cap / 2 && table_grow(t) == -1)
		return -1;
	p = table_slot(t, s, n);
	if (p->key == NULL) {
		if ((p->key = malloc(n + 1)) == NULL)
			return -1;
		memcpy(p->key, s, n);
		p->key[n] = '\0';
		p->keylen = n;
		t->count++;
	}
	memcpy(p->part, part, sizeof(p->part));
	return 0;
}

/* Deep copy of src into the empty table dst.  0 or -1 (dst emptied). */
static int
table_copy(struct table *dst, const struct table *src)
{
	size_t	 i;

	for (i = 0; i < src->cap; i++) {
		const struct price *p = &src->slots[i];

		if (p->key != NULL &&
		    table_put(dst, p->key, p->keylen, p->part) == -1) {
			table_free(dst);
			return -1;
		}
	}
	return 0;
}

/*
 * The prices of one entry of the file.  0, or -1 if the entry is not an
 * object or has a price field that is not a finite number >= 0.
 */
static int
entry_parse(struct json_object *v, double part[PART__MAX])
{
	struct json_object	*f;
	enum json_type		 type;
	double			 d;
	size_t			 i;

	if (!json_object_is_type(v, json_type_object))
		return -1;
	for (i = 0; i < PART__MAX; i++) {
		part[i] = NAN;
		if (!json_object_object_get_ex(v, part_names[i], &f))
			continue;
		type = json_object_get_type(f);
		if (type != json_type_double && type != json_type_int)
			return -1;
		d = json_object_get_double(f);
		if (!isfinite(d) || d < 0)
			return -1;
		part[i] = d;
	}
	return 0;
}

/*
 * Parse len bytes of JSON and put its entries into t (see pricing.h for
 * what is skipped).  label names the source in messages.  0, or -1 with a
 * message; on -1, t may hold part of the entries.
 */
static int
table_load_json(struct table *t, const char *label, const char *json,
    size_t len, char *err, size_t errsz)
{
	struct json_tokener	*tok = NULL;
	struct json_object	*root = NULL;
	enum json_tokener_error	 jerr;
	double			 part[PART__MAX];
	char			 key[LF_MAX_MODEL];
	size_t			 end, keylen, i, line;
	int			 rc = -1;

	if (len > LF_PRICING_FILE_MAX) {
		seterr(err, errsz, "price list %s: larger than %lu bytes",
		    label, (unsigned long)LF_PRICING_FILE_MAX);
		goto out;
	}
	if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH)) == NULL) {
		seterr(err, errsz, "price list %s: out of memory", label);
		goto out;
	}
	json_tokener_set_flags(tok,
	    JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	root = json_tokener_parse_ex(tok, json, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_success)
		while (end < len && is_space(json[end]))
			end++;
	if (jerr != json_tokener_success || end < len) {
		for (line = 1, i = 0; i < end && i < len; i++)
			if (json[i] == '\n')
				line++;
		seterr(err, errsz, "price list %s: invalid JSON at line %zu "
		    "(byte %zu): %s", label, line, end,
		    jerr == json_tokener_continue ? "unexpected end of file" :
		    jerr != json_tokener_success ? json_tokener_error_desc(jerr) :
		    "data after the top-level object");
		goto out;
	}
	if (!json_object_is_type(root, json_type_object)) {
		seterr(err, errsz, "price list %s: not a JSON object keyed by "
		    "model name", label);
		goto out;
	}
	json_object_object_foreach(root, name, entry) {
		if (normalise(name, key, sizeof(key), &keylen) == -1 ||
		    keylen == 0 || entry_parse(entry, part) == -1)
			continue;
		if (table_put(t, key, keylen, part) == -1) {
			seterr(err, errsz, "price list %s: out of memory",
			    label);
			goto out;
		}
	}
	rc = 0;
out:
	json_object_put(root);
	if (tok != NULL)
		json_tokener_free(tok);
	return rc;
}

/*
 * Read the whole file at path into b (initialised here; the caller frees
 * it).  0, or -1 with a message.
 */
static int
file_read(const char *path, struct buf *b, char *err, size_t errsz)
{
	FILE	*f;
	char	 chunk[16384];
	size_t	 n;
	int	 rc = -1;

	buf_init(b, LF_PRICING_FILE_MAX);
	if ((f = fopen(path, "rb")) == NULL) {
		seterr(err, errsz, "price list %s: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (n > LF_PRICING_FILE_MAX - b->len) {
			seterr(err, errsz, "price list %s: larger than %lu "
			    "bytes", path, (unsigned long)LF_PRICING_FILE_MAX);
			goto out;
		}
		if (buf_add(b, chunk, n) == -1) {
			seterr(err, errsz, "price list %s: out of memory",
			    path);
			goto out;
		}
	}
	if (ferror(f)) {
		seterr(err, errsz, "price list %s: read error", path);
		goto out;
	}
	rc = 0;
out:
	fclose(f);
	return rc;
}

/* Read the file at path and put its entries into t.  0 or -1. */
static int
table_load_file(struct table *t, const char *path, char *err, size_t errsz)
{
	struct buf	 b;
	int		 rc = -1;

	if (file_read(path, &b, err, errsz) == 0)
		rc = table_load_json(t, path, buf_str(&b), b.len, err, errsz);
	buf_free(&b);
	return rc;
}

/* Make t the global table, freeing the old one; t is left empty. */
static void
table_install(struct table *t)
{
	table_free(&prices);
	prices = *t;
	memset(t, 0, sizeof(*t));
}

int
pricing_load(const char *shipped_path, const char *override_path,
    char *err, size_t errsz)
{
	struct table	 t = { NULL, 0, 0 };
	int		 rc = -1;

	if (shipped_path == NULL || *shipped_path == '\0') {
		seterr(err, errsz, "price list: no path given");
		goto out;
	}
	if (table_load_file(&t, shipped_path, err, errsz) == -1)
		goto out;
	if (override_path != NULL && *override_path != '\0' &&
	    table_load_file(&t, override_path, err, errsz) == -1)
		goto out;
	table_install(&t);
	rc = 0;
out:
	table_free(&t);
	return rc;
}

int
pricing_load_mem(const char *json, size_t len, int replace, char *err,
    size_t errsz)
{
	struct table	 t = { NULL, 0, 0 };
	int		 rc = -1;

	if (json == NULL)
		len = 0;
	if (!replace && table_copy(&t, &prices) == -1) {
		seterr(err, errsz, "price list: out of memory");
		goto out;
	}
	if (table_load_json(&t, "(memory)", json != NULL ? json : "", len,
	    err, errsz) == -1)
		goto out;
	table_install(&t);
	rc = 0;
out:
	table_free(&t);
	return rc;
}

static int
valid_month_day(int m, int d)
{
	return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/* Two digits at s as a number. */
static int
num2(const char *s)
{
	return (s[0] - '0') * 10 + (s[1] - '0');
}

static int
all_digits(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (!is_digit(s[i]))
			return 0;
	return 1;
}

/*
 * Length of s (n bytes) without one trailing date: -YYYY-MM-DD, -YYYYMMDD,
 * @YYYYMMDD (years 2000-2099), or four digits after '-' that read as MMDD
 * or as YYMM (years 2020-2049).  n if there is none, or nothing before it.
 */
static size_t
date_base(const char *s, size_t n)
{
	const char	*d;

	if (n > 11) {				/* -YYYY-MM-DD */
		d = s + n - 11;
		if (d[0] == '-' && d[5] == '-' && d[8] == '-' &&
		    all_digits(d + 1, 4) && all_digits(d + 6, 2) &&
		    all_digits(d + 9, 2) && d[1] == '2' && d[2] == '0' &&
		    valid_month_day(num2(d + 6), num2(d + 9)))
			return n - 11;
	}
	if (n > 9) {				/* -YYYYMMDD, @YYYYMMDD */
		d = s + n - 9;
		if ((d[0] == '-' || d[0] == '@') && all_digits(d + 1, 8) &&
		    d[1] == '2' && d[2] == '0' &&
		    valid_month_day(num2(d + 5), num2(d + 7)))
			return n - 9;
	}
	if (n > 5) {				/* -MMDD, -YYMM */
		d = s + n - 5;
		if (d[0] == '-' && all_digits(d + 1, 4) &&
		    (valid_month_day(num2(d + 1), num2(d + 3)) ||
		    (num2(d + 1) >= 20 && num2(d + 1) <= 49 &&
		    valid_month_day(num2(d + 3), 1))))
			return n - 5;
	}
	return n;
}

/* The entry for candidate s (n bytes): exact, else without a date. */
static const struct price *
find_dated(const char *s, size_t n)
{
	const struct price *p;
	size_t		 base;

	if ((p = table_find(&prices, s, n)) != NULL)
		return p;
	if ((base = date_base(s, n)) < n)
		return table_find(&prices, s, base);
	return NULL;
}

static int
is_provider_prefix(const char *s, size_t n)
{
	size_t	 i;

	for (i = 0; i < sizeof(provider_prefixes) /
	    sizeof(provider_prefixes[0]); i++)
		if (strlen(provider_prefixes[i]) == n &&
		    memcmp(provider_prefixes[i], s, n) == 0)
			return 1;
	return 0;
}

/* "prefix/model" as a candidate, if it can fit a key. */
static const struct price *
find_under(const char *prefix, size_t plen, const char *m, size_t mlen)
{
	char	 c[LF_MAX_MODEL];

	if (plen >= sizeof(c) || mlen >= sizeof(c) - plen - 1)
		return NULL;
	memcpy(c, prefix, plen);
	c[plen] = '/';
	memcpy(c + plen + 1, m, mlen);
	return find_dated(c, plen + 1 + mlen);
}

/* The entry for a call, by the candidates of pricing.h, or NULL. */
static const struct price *
lookup(const char *provider, const char *model)
{
	const struct price *p;
	char		 m[LF_MAX_MODEL], pv[LF_MAX_MODEL];
	const char	*rest, *slash;
	size_t		 mlen, plen, rlen, i;

	if (prices.count == 0 || model == NULL ||
	    normalise(model, m, sizeof(m), &mlen) == -1 || mlen == 0)
		return NULL;
	if (provider != NULL &&
	    normalise(provider, pv, sizeof(pv), &plen) == 0 && plen > 0) {
		if ((p = find_under(pv, plen, m, mlen)) != NULL)
			return p;
		for (i = 0; i < sizeof(provider_aliases) /
		    sizeof(provider_aliases[0]); i++)
			if (strcmp(pv, provider_aliases[i].name) == 0 &&
			    (p = find_under(provider_aliases[i].listed,
			    strlen(provider_aliases[i].listed), m, mlen)) !=
			    NULL)
				return p;
	}
	if ((p = find_dated(m, mlen)) != NULL)
		return p;
	rest = m;
	rlen = mlen;
	while ((slash = memchr(rest, '/', rlen)) != NULL &&
	    is_provider_prefix(rest, (size_t)(slash - rest))) {
		rlen -= (size_t)(slash - rest) + 1;
		rest = slash + 1;
		if (rlen > 0 && (p = find_dated(rest, rlen)) != NULL)
			return p;
	}
	return NULL;
}

int
pricing_lookup(const char *provider, const char *model, const char **key_out)
{
	const struct price *p = lookup(provider, model);

	if (key_out != NULL)
		*key_out = p != NULL ? p->key : NULL;
	return p != NULL;
}

/* A token count as a number of tokens: -1 (not reported) is 0. */
static double
tokens(int64_t n)
{
	return n > 0 ? (double)n : 0.0;
}

/* Add n tokens at price to *sum: 0, or -1 if there are tokens and the
 * price is unknown. */
static int
add_part(double *sum, double n, double price)
{
	if (n <= 0)
		return 0;
	if (isnan(price))
		return -1;
	*sum += n * price;
	return 0;
}

enum cost_source
pricing_cost(const char *provider, const char *model, const struct usage *u,
    double *cost_out)
{
	const struct price *p;
	enum cost_source src = COST_UNKNOWN;
	double		 cost = NAN, sum = 0, in, out, uncached, reasoning;

	if (u == NULL)
		goto done;
	if (isfinite(u->reported_cost) && u->reported_cost >= 0) {
		cost = u->reported_cost;
		src = COST_REPORTED;
		goto done;
	}
	if (u->prompt < 0 && u->completion < 0 && u->cached < 0 &&
	    u->cache_creation < 0)
		goto done;
	if ((p = lookup(provider, model)) == NULL)
		goto done;
	in = p->part[PART_INPUT];
	out = p->part[PART_OUTPUT];
	if (isnan(in) && isnan(out))
		goto done;

	/* Counts in double: no overflow whatever the wire said. */
	uncached = fmax(0, tokens(u->prompt) - tokens(u->cached) -
	    tokens(u->cache_creation));
	reasoning = fmin(tokens(u->reasoning), tokens(u->completion));
	if (add_part(&sum, uncached, in) == -1 ||
	    add_part(&sum, tokens(u->cached),
	    isnan(p->part[PART_CACHE_READ]) ? in :
	    p->part[PART_CACHE_READ]) == -1 ||
	    add_part(&sum, tokens(u->cache_creation),
	    isnan(p->part[PART_CACHE_WRITE]) ? in :
	    p->part[PART_CACHE_WRITE]) == -1 ||
	    add_part(&sum, tokens(u->completion) - reasoning, out) == -1 ||
	    add_part(&sum, reasoning,
	    isnan(p->part[PART_REASONING]) ? out :
	    p->part[PART_REASONING]) == -1 ||
	    !isfinite(sum))
		goto done;
	cost = sum;
	src = COST_COMPUTED;
done:
	if (cost_out != NULL)
		*cost_out = cost;
	return src;
}

size_t
pricing_count(void)
{
	return prices.count;
}

void
pricing_free(void)
{
	table_free(&prices);
}
