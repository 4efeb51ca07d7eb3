/*
 * Helpers shared by the JSON and protobuf decoders: ids, attribute
 * lookup and limit checks.  See model.h.
 */
#include <stdint.h>
#include <string.h>

#include "limits.h"
#include "model.h"

void
otlp_hex(const uint8_t *p, size_t n, char *out)
{
	static const char	 hx[] = "0123456789abcdef";
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hx[p[i] >> 4];
		out[2 * i + 1] = hx[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
otlp_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
otlp_unhex(const char *s, size_t len, uint8_t *out, size_t n)
{
	size_t	 i;
	int	 hi, lo;

	if (len != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		if ((hi = otlp_hexval((unsigned char)s[2 * i])) < 0 ||
		    (lo = otlp_hexval((unsigned char)s[2 * i + 1])) < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int
otlp_all_zero(const uint8_t *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The reasons otlp_set_ids and otlp_id_not_hex give, by whose ids. */
static const char *const id_reasons[][6] = {
	{ "traceId is not 16 bytes", "traceId is all zero",
	  "spanId is not 8 bytes", "spanId is all zero",
	  "traceId is not 32 hex digits", "spanId is not 16 hex digits" },
	{ "links.traceId is not 16 bytes", "links.traceId is all zero",
	  "links.spanId is not 8 bytes", "links.spanId is all zero",
	  "links.traceId is not 32 hex digits",
	  "links.spanId is not 16 hex digits" },
	{ "exemplars.traceId is not 16 bytes", "exemplars.traceId is all zero",
	  "exemplars.spanId is not 8 bytes", "exemplars.spanId is all zero",
	  "exemplars.traceId is not 32 hex digits",
	  "exemplars.spanId is not 16 hex digits" },
};

const char *
otlp_set_ids(enum otlp_ids who, const uint8_t *tid, size_t tlen,
    const uint8_t *sid, size_t slen, int required, char tid_hex[33],
    char sid_hex[17])
{
	const char *const	*r = id_reasons[who];

	tid_hex[0] = sid_hex[0] = '\0';
	if (!required && tlen == 0 && slen == 0)
		return NULL;
	if (tlen != 16)
		return r[0];
	if (otlp_all_zero(tid, 16))
		return r[1];
	if (required || slen != 0) {
		if (slen != 8)
			return r[2];
		if (otlp_all_zero(sid, 8))
			return r[3];
		otlp_hex(sid, 8, sid_hex);
	}
	otlp_hex(tid, 16, tid_hex);
	return NULL;
}

const char *
otlp_id_not_hex(enum otlp_ids who, int trace)
{
	return id_reasons[who][trace ? 4 : 5];
}

const struct anyvalue *
otlp_attr(const struct attrs *a, const char *key)
{
	size_t	 i, n = strlen(key);

	/* The last of duplicate keys wins, as in a JSON object. */
	for (i = a->n; i > 0; i--)
		if (a->kv[i - 1].key != NULL && a->kv[i - 1].klen == n &&
		    memcmp(a->kv[i - 1].key, key, n) == 0)
			return &a->kv[i - 1].v;
	return NULL;
}

const char *
otlp_attr_str(const struct attrs *a, const char *key)
{
	const struct anyvalue	*v = otlp_attr(a, key);

	return v != NULL && v->type == AV_STRING ? v->s : NULL;
}

static const char *
check_value(const struct anyvalue *v)
{
	size_t		 i;
	const char	*why;

	switch (v->type) {
	case AV_STRING:
	case AV_BYTES:
		if (v->len > LF_OTLP_MAX_VALUE)
			return "attribute value over the size limit";
		break;
	case AV_ARRAY:
		if (v->n > LF_OTLP_MAX_ATTRS)
			return "array value has too many elements";
		for (i = 0; i < v->n; i++)
			if ((why = check_value(&v->arr[i])) != NULL)
				return why;
		break;
	case AV_KVLIST:
		if (v->n > LF_OTLP_MAX_ATTRS)
			return "kvlist value has too many entries";
		for (i = 0; i < v->n; i++)
			if ((why = check_value(&v->kvs[i].v)) != NULL)
				return why;
		break;
	default:
		break;
	}
	return NULL;
}

const char *
otlp_check_attrs(const struct attrs *a)
{
	size_t		 i;
	const char	*why;

	if (a->n > LF_OTLP_MAX_ATTRS)
		return "too many attributes";
	for (i = 0; i < a->n; i++)
		if ((why = check_value(&a->kv[i].v)) != NULL)
			return why;
	return NULL;
}
