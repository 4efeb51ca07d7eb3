/*
 * OTLP/JSON (the protobuf JSON mapping with OTLP's changes): ids are hex,
 * 64-bit integers come as strings or numbers, enums as names or numbers,
 * bytes as base64.  Field names are lowerCamelCase; the proto names
 * (snake_case) are accepted too.  Unknown fields are ignored.
 *
 * The body is tokenized once (otlp/jtok.c: strict JSON, depth capped by
 * LF_OTLP_MAX_DEPTH) and walked in place; strings are copied into the
 * arena as they are taken, so nothing points into the body or the tokens
 * after return.  A value of the wrong JSON type is a 400 that names the
 * field; an id of the wrong length or an unknown enum name rejects only
 * its record.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jtok.h"
#include "limits.h"
#include "model.h"

struct jctx {
	struct otlp_export	*ex;
	struct arena		*a;
	struct otlp_err		*err;
	struct jdoc		 d;
};

/* A value: a token of c->d, or NULL for absent (a JSON null is absent). */
typedef const struct jtok jv;

#define TRY(x) do { enum otlp_rc t_rc = (x); if (t_rc != OTLP_OK) return t_rc; } while (0)

static enum otlp_rc
bad(struct jctx *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static enum otlp_rc
bad(struct jctx *c, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(c->err->msg, sizeof(c->err->msg), fmt, ap);
	va_end(ap);
	return OTLP_BAD;
}

static enum otlp_rc
nomem(struct jctx *c)
{
	snprintf(c->err->msg, sizeof(c->err->msg),
	    "export too large to decode; send smaller batches");
	return OTLP_NOMEM;
}

static void *
alloc(struct jctx *c, size_t n, size_t size)
{
	if (n == 0)
		return NULL;
	if (n > SIZE_MAX / size)
		return NULL;
	return arena_alloc(c->a, n * size);
}

/* A token as a value: NULL for a JSON null. */
static jv *
jval(jv *t)
{
	return t->type == JT_NULL ? NULL : t;
}

/* The first element of an array (or member name of an object), as a raw
 * token; only call it when the container has one. */
static jv *
jfirst(jv *con)
{
	return con + 1;
}

/* The raw token after t and everything t holds: its next sibling. */
static jv *
jnext(struct jctx *c, jv *t)
{
	return c->d.t + t->end;
}

/* Whether the member name k is name (first bytes compared first). */
static int
jkey(struct jctx *c, jv *k, const char *name)
{
	if (!(k->flags & JT_ESCAPED) && (k->len == 0 ||
	    c->d.p[k->off] != name[0]))
		return 0;
	return jt_streq(&c->d, k, name);
}

/*
 * Several members of o in one pass over its members (an AnyValue or a
 * KeyValue has one or two): out[i] is the value of names[i], or NULL.  A
 * name given twice takes its last non-null value.
 */
static void
jmembers(struct jctx *c, jv *o, const char *const *names, size_t n,
    jv **out)
{
	jv	*k, *v;
	size_t	 i, m;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (o == NULL || o->type != JT_OBJECT || o->n == 0)
		return;
	for (m = 0, k = jfirst(o); m < o->n; m++, k = jnext(c, v)) {
		v = k + 1;
		if (v->type == JT_NULL)
			continue;
		for (i = 0; i < n; i++)
			if (jkey(c, k, names[i])) {
				out[i] = v;
				break;
			}
	}
}

/* Member k1 (lowerCamelCase) or k2 (proto name); NULL if absent or null. */
static jv *
jget(struct jctx *c, jv *o, const char *k1, const char *k2)
{
	const char	*names[2];
	jv		*m[2];

	names[0] = k1;
	names[1] = k2 != NULL ? k2 : k1;
	jmembers(c, o, names, 2, m);
	return m[0] != NULL ? m[0] : m[1];
}

/* The JSON types a field may want (JT_TRUE stands for either boolean). */
static enum otlp_rc
want(struct jctx *c, jv *v, enum jt_type t, const char *field)
{
	if (v != NULL && v->type != t && !(t == JT_TRUE &&
	    v->type == JT_FALSE))
		return bad(c, "%s: expected %s", field,
		    t == JT_OBJECT ? "an object" :
		    t == JT_ARRAY ? "an array" :
		    t == JT_STRING ? "a string" : "a boolean");
	return OTLP_OK;
}

static size_t
alen(jv *v)
{
	return v == NULL ? 0 : v->n;
}

/* A string's bytes with escapes undone: in the body when it has none
 * (not NUL-terminated), else a NUL-terminated copy in the arena. */
static const char *
jraw(struct jctx *c, jv *v, size_t *len)
{
	if (!(v->flags & JT_ESCAPED)) {
		*len = v->len;
		return c->d.p + v->off;
	}
	return jt_string(&c->d, v, c->a, len);
}

/* String into the arena; *out NULL when absent (or empty, if !keep_empty). */
static enum otlp_rc
jstr(struct jctx *c, jv *v, const char *field, int keep_empty,
    const char **out, size_t *lenp)
{
	size_t	 len;
	char	*s;

	*out = NULL;
	if (lenp)
		*lenp = 0;
	if (v == NULL)
		return OTLP_OK;
	TRY(want(c, v, JT_STRING, field));
	if (v->len == 0 && !keep_empty)
		return OTLP_OK;
	if ((s = jt_string(&c->d, v, c->a, &len)) == NULL)
		return nomem(c);
	*out = s;
	if (lenp)
		*lenp = len;
	return OTLP_OK;
}

/* A number token's text, NUL-terminated (numbers are short). */
static const char *
jnum(struct jctx *c, jv *v)
{
	return arena_strndup(c->a, c->d.p + v->off, v->len);
}

/* Decimal digits with an optional '-' (when neg_ok) into a magnitude. */
static int
parse_dec(const char *s, size_t len, int neg_ok, int *neg, uint64_t *mag)
{
	size_t		 i = 0;
	uint64_t	 m = 0;

	*neg = 0;
	if (len > 0 && s[0] == '-' && neg_ok) {
		*neg = 1;
		i = 1;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		if (m > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -1;
		m = m * 10 + (uint64_t)(s[i] - '0');
	}
	*mag = m;
	return 0;
}

static enum otlp_rc
ju64(struct jctx *c, jv *v, const char *field, uint64_t *out)
{
	const char	*s;
	size_t		 len;
	double		 d;
	int		 neg;

	*out = 0;
	if (v == NULL)
		return OTLP_OK;
	switch (v->type) {
	case JT_NUMBER:
		if (v->flags & JT_INT) {
			if (parse_dec(c->d.p + v->off, v->len, 1, &neg, out) ==
			    -1)
				return bad(c, "%s: out of range", field);
			if (neg && *out != 0)
				return bad(c, "%s: negative", field);
			return OTLP_OK;
		}
		if ((s = jnum(c, v)) == NULL)
			return nomem(c);
		d = strtod(s, NULL);
		if (!(d >= 0 && d < 18446744073709551616.0) || d != floor(d))
			return bad(c, "%s: not an unsigned integer", field);
		*out = (uint64_t)d;
		return OTLP_OK;
	case JT_STRING:
		if ((s = jraw(c, v, &len)) == NULL)
			return nomem(c);
		if (parse_dec(s, len, 0, &neg, out) == -1)
			return bad(c, "%s: not an unsigned integer", field);
		return OTLP_OK;
	default:
		return bad(c, "%s: expected an integer", field);
	}
}

static enum otlp_rc
ji64(struct jctx *c, jv *v, const char *field, int64_t *out)
{
	const char	*s;
	size_t		 len;
	double		 d;
	uint64_t	 m;
	int		 neg;

	*out = 0;
	if (v == NULL)
		return OTLP_OK;
	switch (v->type) {
	case JT_NUMBER:
		if (v->flags & JT_INT) {
			if (parse_dec(c->d.p + v->off, v->len, 1, &neg, &m) ==
			    -1 || m > (uint64_t)INT64_MAX + (uint64_t)neg)
				return bad(c, "%s: out of range", field);
			*out = neg ? (int64_t)(0 - m) : (int64_t)m;
			return OTLP_OK;
		}
		if ((s = jnum(c, v)) == NULL)
			return nomem(c);
		d = strtod(s, NULL);
		if (!(d >= -9223372036854775808.0 &&
		    d < 9223372036854775808.0) || d != floor(d))
			return bad(c, "%s: not an integer", field);
		*out = (int64_t)d;
		return OTLP_OK;
	case JT_STRING:
		if ((s = jraw(c, v, &len)) == NULL)
			return nomem(c);
		if (parse_dec(s, len, 1, &neg, &m) == -1 ||
		    m > (uint64_t)INT64_MAX + (uint64_t)neg)
			return bad(c, "%s: not an integer", field);
		*out = neg ? (int64_t)(0 - m) : (int64_t)m;
		return OTLP_OK;
	default:
		return bad(c, "%s: expected an integer", field);
	}
}

static enum otlp_rc
ji32(struct jctx *c, jv *v, const char *field, int32_t *out)
{
	int64_t	 i;

	*out = 0;
	TRY(ji64(c, v, field, &i));
	if (i < INT32_MIN || i > INT32_MAX)
		return bad(c, "%s: out of range", field);
	*out = (int32_t)i;
	return OTLP_OK;
}

static enum otlp_rc
ju32(struct jctx *c, jv *v, const char *field, uint32_t *out)
{
	uint64_t	 u;

	*out = 0;
	TRY(ju64(c, v, field, &u));
	if (u > UINT32_MAX)
		return bad(c, "%s: out of range", field);
	*out = (uint32_t)u;
	return OTLP_OK;
}

static enum otlp_rc
jdouble(struct jctx *c, jv *v, const char *field, double *out)
{
	const char	*s;
	char		*end;

	*out = 0;
	if (v == NULL)
		return OTLP_OK;
	switch (v->type) {
	case JT_NUMBER:
		if ((s = jnum(c, v)) == NULL)
			return nomem(c);
		*out = strtod(s, NULL);
		return OTLP_OK;
	case JT_STRING:
		if ((s = jt_string(&c->d, v, c->a, NULL)) == NULL)
			return nomem(c);
		if (strcmp(s, "NaN") == 0)
			*out = NAN;
		else if (strcmp(s, "Infinity") == 0)
			*out = INFINITY;
		else if (strcmp(s, "-Infinity") == 0)
			*out = -INFINITY;
		else {
			if (!((s[0] >= '0' && s[0] <= '9') || s[0] == '-'))
				return bad(c, "%s: not a number", field);
			errno = 0;
			*out = strtod(s, &end);
			if (*end != '\0' || end == s || !isfinite(*out))
				return bad(c, "%s: not a number", field);
		}
		return OTLP_OK;
	default:
		return bad(c, "%s: expected a number", field);
	}
}

static enum otlp_rc
jbool(struct jctx *c, jv *v, const char *field, int *out)
{
	*out = 0;
	if (v == NULL)
		return OTLP_OK;
	TRY(want(c, v, JT_TRUE, field));
	*out = v->type == JT_TRUE;
	return OTLP_OK;
}

/*
 * An enum as a number (any int32: open enums keep unknown numbers) or a
 * name from names[] (index = value).  An unknown name sets *why.
 */
static enum otlp_rc
jenum(struct jctx *c, jv *v, const char *field,
    const char *const *names, size_t nnames, int32_t *out, const char **why)
{
	size_t		 i;

	*out = 0;
	if (v == NULL)
		return OTLP_OK;
	if (v->type != JT_STRING)
		return ji32(c, v, field, out);
	for (i = 0; i < nnames; i++)
		if (names[i] != NULL && jt_streq(&c->d, v, names[i])) {
			*out = (int32_t)i;
			return OTLP_OK;
		}
	if (*why == NULL)
		*why = field[0] == 'k' ? "unknown span kind name" :
		    field[0] == 's' && field[1] == 't' ?
		    "unknown status code name" :
		    field[0] == 's' ? "unknown severity number name" :
		    "unknown aggregation temporality name";
	return OTLP_OK;
}

static const char *const span_kinds[] = {
	"SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER",
	"SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER",
};
static const char *const status_codes[] = {
	"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR",
};
static const char *const temporalities[] = {
	"AGGREGATION_TEMPORALITY_UNSPECIFIED", "AGGREGATION_TEMPORALITY_DELTA",
	"AGGREGATION_TEMPORALITY_CUMULATIVE",
};
static const char *const severities[] = {
	"SEVERITY_NUMBER_UNSPECIFIED",
	"SEVERITY_NUMBER_TRACE", "SEVERITY_NUMBER_TRACE2",
	"SEVERITY_NUMBER_TRACE3", "SEVERITY_NUMBER_TRACE4",
	"SEVERITY_NUMBER_DEBUG", "SEVERITY_NUMBER_DEBUG2",
	"SEVERITY_NUMBER_DEBUG3", "SEVERITY_NUMBER_DEBUG4",
	"SEVERITY_NUMBER_INFO", "SEVERITY_NUMBER_INFO2",
	"SEVERITY_NUMBER_INFO3", "SEVERITY_NUMBER_INFO4",
	"SEVERITY_NUMBER_WARN", "SEVERITY_NUMBER_WARN2",
	"SEVERITY_NUMBER_WARN3", "SEVERITY_NUMBER_WARN4",
	"SEVERITY_NUMBER_ERROR", "SEVERITY_NUMBER_ERROR2",
	"SEVERITY_NUMBER_ERROR3", "SEVERITY_NUMBER_ERROR4",
	"SEVERITY_NUMBER_FATAL", "SEVERITY_NUMBER_FATAL2",
	"SEVERITY_NUMBER_FATAL3", "SEVERITY_NUMBER_FATAL4",
};
#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

static int
b64val(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+' || ch == '-')
		return 62;
	if (ch == '/' || ch == '_')
		return 63;
	return -1;
}

/* Standard or URL-safe base64, padding optional. */
static enum otlp_rc
jbytes(struct jctx *c, jv *v, const char *field, struct anyvalue *out)
{
	const char	*s;
	size_t		 len, i, n = 0;
	uint8_t		*p;
	uint32_t	 acc = 0;
	int		 bits = 0, x;

	TRY(want(c, v, JT_STRING, field));
	if ((s = jraw(c, v, &len)) == NULL)
		return nomem(c);
	while (len > 0 && s[len - 1] == '=')
		len--;
	if ((p = arena_alloc(c->a, len / 4 * 3 + 3)) == NULL)
		return nomem(c);
	for (i = 0; i < len; i++) {
		if ((x = b64val((unsigned char)s[i])) < 0)
			return bad(c, "%s: not base64", field);
		acc = acc << 6 | (uint32_t)x;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			p[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (bits >= 6)
		return bad(c, "%s: not base64", field);
	out->type = AV_BYTES;
	out->s = (const char *)p;
	out->len = n;
	return OTLP_OK;
}

static enum otlp_rc jattrs(struct jctx *, jv *, const char *,
    struct attrs *);

static enum otlp_rc
janyvalue(struct jctx *c, jv *o, struct anyvalue *v)
{
	jv		*x, *vals, *e;
	size_t		 i, n;

	static const char *const names[] = {
		"stringValue", "string_value", "boolValue", "bool_value",
		"intValue", "int_value", "doubleValue", "double_value",
		"arrayValue", "array_value", "kvlistValue", "kvlist_value",
		"bytesValue", "bytes_value",
	};
	jv		*m[NELEM(names)];

	memset(v, 0, sizeof(*v));
	if (o == NULL)
		return OTLP_OK;
	TRY(want(c, o, JT_OBJECT, "value"));
	/* The first kind present wins, lowerCamelCase before proto names. */
	jmembers(c, o, names, NELEM(names), m);
	if ((x = m[0] ? m[0] : m[1]) != NULL) {
		v->type = AV_STRING;
		TRY(jstr(c, x, "stringValue", 1, &v->s, &v->len));
	} else if ((x = (m[2] ? m[2] : m[3])) != NULL) {
		int	 b;

		v->type = AV_BOOL;
		TRY(jbool(c, x, "boolValue", &b));
		v->i = b;
	} else if ((x = (m[4] ? m[4] : m[5])) != NULL) {
		v->type = AV_INT;
		TRY(ji64(c, x, "intValue", &v->i));
	} else if ((x = (m[6] ? m[6] : m[7])) != NULL) {
		v->type = AV_DOUBLE;
		TRY(jdouble(c, x, "doubleValue", &v->d));
	} else if ((x = (m[8] ? m[8] : m[9])) != NULL) {
		v->type = AV_ARRAY;
		TRY(want(c, x, JT_OBJECT, "arrayValue"));
		vals = jget(c, x, "values", NULL);
		TRY(want(c, vals, JT_ARRAY, "arrayValue.values"));
		if ((n = alen(vals)) > 0 &&
		    (v->arr = alloc(c, n, sizeof(*v->arr))) == NULL)
			return nomem(c);
		v->n = n;
		for (i = 0, e = n ? jfirst(vals) : NULL; i < n;
		    i++, e = jnext(c, e))
			TRY(janyvalue(c, jval(e), &v->arr[i]));
	} else if ((x = (m[10] ? m[10] : m[11])) != NULL) {
		struct attrs	 a;

		v->type = AV_KVLIST;
		TRY(want(c, x, JT_OBJECT, "kvlistValue"));
		TRY(jattrs(c, jget(c, x, "values", NULL), "kvlistValue.values",
		    &a));
		v->kvs = a.kv;
		v->n = a.n;
	} else if ((x = (m[12] ? m[12] : m[13])) != NULL)
		TRY(jbytes(c, x, "bytesValue", v));
	return OTLP_OK;
}

static enum otlp_rc
jattrs(struct jctx *c, jv *arr, const char *field, struct attrs *out)
{
	static const char *const kv_names[] = { "key", "value" };
	jv		*r, *e, *m[NELEM(kv_names)];
	size_t		 i, n;

	out->kv = NULL;
	out->n = 0;
	if (arr == NULL)
		return OTLP_OK;
	TRY(want(c, arr, JT_ARRAY, field));
	if ((n = alen(arr)) == 0)
		return OTLP_OK;
	if ((out->kv = alloc(c, n, sizeof(*out->kv))) == NULL)
		return nomem(c);
	out->n = n;
	for (i = 0, r = jfirst(arr); i < n; i++, r = jnext(c, r)) {
		e = jval(r);
		TRY(want(c, e, JT_OBJECT, field));
		jmembers(c, e, kv_names, NELEM(kv_names), m);
		TRY(jstr(c, m[0], "key", 1, &out->kv[i].key,
		    &out->kv[i].klen));
		if (out->kv[i].key == NULL)
			out->kv[i].key = "";
		/* A key with a NUL in it matches up to the NUL. */
		out->kv[i].klen = strlen(out->kv[i].key);
		TRY(janyvalue(c, m[1], &out->kv[i].v));
	}
	return OTLP_OK;
}

static enum otlp_rc
jresource(struct jctx *c, jv *o, struct otlp_resource **out)
{
	struct otlp_resource	*r;

	if ((r = arena_alloc(c->a, sizeof(*r))) == NULL)
		return nomem(c);
	TRY(want(c, o, JT_OBJECT, "resource"));
	TRY(jattrs(c, jget(c, o, "attributes", NULL), "resource.attributes",
	    &r->attrs));
	r->dropped_attrs = 0;
	TRY(ju32(c, jget(c, o, "droppedAttributesCount",
	    "dropped_attributes_count"), "resource.droppedAttributesCount",
	    &r->dropped_attrs));
	r->service_name = otlp_attr_str(&r->attrs, "service.name");
	*out = r;
	return OTLP_OK;
}

static enum otlp_rc
jscope(struct jctx *c, jv *o, struct otlp_scope **out)
{
	struct otlp_scope	*s;

	if ((s = arena_alloc(c->a, sizeof(*s))) == NULL)
		return nomem(c);
	TRY(want(c, o, JT_OBJECT, "scope"));
	TRY(jstr(c, jget(c, o, "name", NULL), "scope.name", 0, &s->name, NULL));
	TRY(jstr(c, jget(c, o, "version", NULL), "scope.version", 0, &s->version,
	    NULL));
	TRY(jattrs(c, jget(c, o, "attributes", NULL), "scope.attributes",
	    &s->attrs));
	*out = s;
	return OTLP_OK;
}

/* A hex id of n bytes (who's: see otlp_set_ids): *len 0 when absent or
 * "", n when good; else why. */
static enum otlp_rc
jid(struct jctx *c, enum otlp_ids who, jv *v, const char *field,
    uint8_t *buf, size_t n, size_t *len, const char **why)
{
	const char	*s;
	size_t		 slen;

	*len = 0;
	if (v == NULL)
		return OTLP_OK;
	TRY(want(c, v, JT_STRING, field));
	if (v->len == 0)
		return OTLP_OK;
	if ((s = jraw(c, v, &slen)) == NULL)
		return nomem(c);
	if (otlp_unhex(s, slen, buf, n) == -1) {
		if (*why == NULL)
			*why = otlp_id_not_hex(who, n == 16);
		*len = SIZE_MAX;
		return OTLP_OK;
	}
	*len = n;
	return OTLP_OK;
}

/* An object's traceId and spanId (whose, and which are required: see
 * otlp_set_ids), set as hex; the reason in *why unless it has one. */
static enum otlp_rc
jids(struct jctx *c, enum otlp_ids who, jv *o, int required,
    char tid_hex[33], char sid_hex[17], const char **why)
{
	static const char *const fields[][2] = {
		{ "traceId", "spanId" },
		{ "links.traceId", "links.spanId" },
		{ "exemplars.traceId", "exemplars.spanId" },
	};
	uint8_t		 tid[16], sid[8];
	size_t		 tl, sl;
	const char	*w = NULL;

	tid_hex[0] = sid_hex[0] = '\0';
	TRY(jid(c, who, jget(c, o, "traceId", "trace_id"), fields[who][0],
	    tid, 16, &tl, &w));
	TRY(jid(c, who, jget(c, o, "spanId", "span_id"), fields[who][1], sid,
	    8, &sl, &w));
	if (w == NULL)
		w = otlp_set_ids(who, tid, tl, sid, sl, required, tid_hex,
		    sid_hex);
	if (*why == NULL)
		*why = w;
	return OTLP_OK;
}

/*
 * Walk resource → scope → records of an export: `list` is the array of
 * resource entries, `scopes`/`recs` the member names below it.  With
 * fn NULL it only counts records (type-checking the arrays on the way).
 */
typedef enum otlp_rc (*rec_fn)(struct jctx *, jv *,
    const struct otlp_resource *, const struct otlp_scope *, size_t *);

static enum otlp_rc
walk(struct jctx *c, jv *list, const char *const names[6],
    rec_fn fn, size_t *count)
{
	jv			*rs, *ss, *scopes, *recs, *ri, *si, *ki;
	struct otlp_resource	*res = NULL;
	struct otlp_scope	*scope = NULL;
	size_t			 i, j, k, n;

	TRY(want(c, list, JT_ARRAY, names[0]));
	for (i = 0, ri = jfirst(list); i < alen(list); i++,
	    ri = jnext(c, ri)) {
		rs = jval(ri);
		TRY(want(c, rs, JT_OBJECT, names[0]));
		if (fn != NULL)
			TRY(jresource(c, jget(c, rs, "resource", NULL), &res));
		scopes = jget(c, rs, names[2], names[3]);
		TRY(want(c, scopes, JT_ARRAY, names[2]));
		for (j = 0, si = scopes ? jfirst(scopes) : NULL;
		    j < alen(scopes); j++, si = jnext(c, si)) {
			ss = jval(si);
			TRY(want(c, ss, JT_OBJECT, names[2]));
			if (fn != NULL)
				TRY(jscope(c, jget(c, ss, "scope", NULL), &scope));
			recs = jget(c, ss, names[4], names[5]);
			TRY(want(c, recs, JT_ARRAY, names[4]));
			n = alen(recs);
			if (fn == NULL) {
				if (n > LF_OTLP_MAX_RECORDS - *count) {
					snprintf(c->err->msg, sizeof(c->err->msg),
					    "more than %d records in one export",
					    LF_OTLP_MAX_RECORDS);
					return OTLP_TOO_BIG;
				}
				*count += n;
				continue;
			}
			for (k = 0, ki = n ? jfirst(recs) : NULL; k < n;
			    k++, ki = jnext(c, ki))
				TRY(fn(c, jval(ki), res, scope, count));
		}
	}
	return OTLP_OK;
}

static enum otlp_rc
jspan(struct jctx *c, jv *o, const struct otlp_resource *res,
    const struct otlp_scope *scope, size_t *idx)
{
	static const char *const names[] = {
		"traceId", "trace_id", "spanId", "span_id", "parentSpanId",
		"parent_span_id", "name", "kind", "startTimeUnixNano",
		"start_time_unix_nano", "endTimeUnixNano", "end_time_unix_nano",
		"flags", "attributes", "events", "status", "links",
		"droppedAttributesCount", "dropped_attributes_count",
		"droppedEventsCount", "dropped_events_count",
		"droppedLinksCount", "dropped_links_count",
	};
	struct otlp_span	*s = &c->ex->spans[(*idx)++];
	jv			*m[NELEM(names)];
	jv			*evs, *e, *ei, *st, *lks;
	uint8_t			 tid[16], sid[8], pid[8];
	size_t			 tl, sl, pl, i;
	const char		*why = NULL;
	uint32_t		 flags;

#define M2(i)	(m[i] ? m[i] : m[(i) + 1])
	TRY(want(c, o, JT_OBJECT, "spans"));
	s->res = res;
	s->scope = scope;
	jmembers(c, o, names, NELEM(names), m);
	TRY(jid(c, IDS_RECORD, M2(0), "traceId", tid, 16, &tl, &why));
	TRY(jid(c, IDS_RECORD, M2(2), "spanId", sid, 8, &sl, &why));
	TRY(jid(c, IDS_RECORD, M2(4), "parentSpanId", pid, 8, &pl, &why));
	if (why == NULL)
		why = otlp_set_ids(IDS_RECORD, tid, tl, sid, sl, 1, s->trace_id,
		    s->span_id);
	if (why == NULL && pl != 0) {
		if (pl != 8)
			why = "parentSpanId is not 8 bytes";
		else if (!otlp_all_zero(pid, 8))
			otlp_hex(pid, 8, s->parent_id);
	}
	TRY(jstr(c, m[6], "name", 1, &s->name, NULL));
	TRY(jenum(c, m[7], "kind", span_kinds, NELEM(span_kinds), &s->kind,
	    &why));
	TRY(ju64(c, M2(8), "startTimeUnixNano", &s->start_ns));
	TRY(ju64(c, M2(10), "endTimeUnixNano", &s->end_ns));
	TRY(ju32(c, m[12], "flags", &flags));
	TRY(jattrs(c, m[13], "attributes", &s->attrs));
	TRY(ju32(c, M2(17), "droppedAttributesCount", &s->dropped_attrs));
	TRY(ju32(c, M2(19), "droppedEventsCount", &s->dropped_events));
	TRY(ju32(c, M2(21), "droppedLinksCount", &s->dropped_links));
	evs = m[14];
#undef M2
	TRY(want(c, evs, JT_ARRAY, "events"));
	if ((s->nevents = alen(evs)) > 0 &&
	    (s->events = alloc(c, s->nevents, sizeof(*s->events))) == NULL)
		return nomem(c);
	for (i = 0, ei = s->nevents ? jfirst(evs) : NULL; i < s->nevents;
	    i++, ei = jnext(c, ei)) {
		e = jval(ei);
		TRY(want(c, e, JT_OBJECT, "events"));
		TRY(ju64(c, jget(c, e, "timeUnixNano", "time_unix_nano"),
		    "events.timeUnixNano", &s->events[i].time_ns));
		TRY(jstr(c, jget(c, e, "name", NULL), "events.name", 1,
		    &s->events[i].name, NULL));
		TRY(jattrs(c, jget(c, e, "attributes", NULL), "events.attributes",
		    &s->events[i].attrs));
		TRY(ju32(c, jget(c, e, "droppedAttributesCount",
		    "dropped_attributes_count"), "events.droppedAttributesCount",
		    &s->events[i].dropped_attrs));
		if (why == NULL)
			why = otlp_check_attrs(&s->events[i].attrs);
	}
	lks = m[16];
	TRY(want(c, lks, JT_ARRAY, "links"));
	if ((s->nlinks = alen(lks)) > 0 &&
	    (s->links = alloc(c, s->nlinks, sizeof(*s->links))) == NULL)
		return nomem(c);
	for (i = 0, ei = s->nlinks ? jfirst(lks) : NULL; i < s->nlinks;
	    i++, ei = jnext(c, ei)) {
		e = jval(ei);
		TRY(want(c, e, JT_OBJECT, "links"));
		TRY(jids(c, IDS_LINK, e, 1, s->links[i].trace_id,
		    s->links[i].span_id, &why));
		TRY(jstr(c, jget(c, e, "traceState", "trace_state"),
		    "links.traceState", 0, &s->links[i].trace_state, NULL));
		TRY(jattrs(c, jget(c, e, "attributes", NULL), "links.attributes",
		    &s->links[i].attrs));
		TRY(ju32(c, jget(c, e, "droppedAttributesCount",
		    "dropped_attributes_count"), "links.droppedAttributesCount",
		    &s->links[i].dropped_attrs));
		TRY(ju32(c, jget(c, e, "flags", NULL), "links.flags", &flags));
		if (why == NULL)
			why = otlp_check_attrs(&s->links[i].attrs);
	}
	if ((st = m[15]) != NULL) {
		TRY(want(c, st, JT_OBJECT, "status"));
		TRY(jenum(c, jget(c, st, "code", NULL), "status.code",
		    status_codes, NELEM(status_codes), &s->status_code, &why));
		TRY(jstr(c, jget(c, st, "message", NULL), "status.message", 0,
		    &s->status_message, NULL));
	}
	if (why == NULL && s->nevents > LF_OTLP_MAX_EVENTS)
		why = "too many events";
	if (why == NULL && s->nlinks > LF_OTLP_MAX_LINKS)
		why = "too many links";
	if (why == NULL)
		why = otlp_check_attrs(&s->attrs);
	s->bad = why;
	return OTLP_OK;
}

static enum otlp_rc
jlog(struct jctx *c, jv *o, const struct otlp_resource *res,
    const struct otlp_scope *scope, size_t *idx)
{
	struct otlp_log	*l = &c->ex->logs[(*idx)++];
	const char	*why = NULL;

	TRY(want(c, o, JT_OBJECT, "logRecords"));
	l->res = res;
	l->scope = scope;
	TRY(jids(c, IDS_RECORD, o, 0, l->trace_id, l->span_id, &why));
	TRY(ju64(c, jget(c, o, "timeUnixNano", "time_unix_nano"),
	    "timeUnixNano", &l->time_ns));
	TRY(ju64(c, jget(c, o, "observedTimeUnixNano", "observed_time_unix_nano"),
	    "observedTimeUnixNano", &l->observed_ns));
	TRY(jenum(c, jget(c, o, "severityNumber", "severity_number"),
	    "severityNumber", severities, NELEM(severities),
	    &l->severity_number, &why));
	TRY(jstr(c, jget(c, o, "severityText", "severity_text"), "severityText",
	    0, &l->severity_text, NULL));
	TRY(janyvalue(c, jget(c, o, "body", NULL), &l->body));
	TRY(jattrs(c, jget(c, o, "attributes", NULL), "attributes", &l->attrs));
	TRY(ju32(c, jget(c, o, "droppedAttributesCount",
	    "dropped_attributes_count"), "droppedAttributesCount",
	    &l->dropped_attrs));
	TRY(ju32(c, jget(c, o, "flags", NULL), "flags", &l->flags));
	TRY(jstr(c, jget(c, o, "eventName", "event_name"), "eventName", 0,
	    &l->event_name, NULL));
	if (why == NULL)
		why = otlp_check_attrs(&l->attrs);
	if (why == NULL) {
		struct attrs	 b = { NULL, 0 };
		struct kv	 one;

		one.key = "body";
		one.klen = 4;
		one.v = l->body;
		b.kv = &one;
		b.n = 1;
		why = otlp_check_attrs(&b);
	}
	l->bad = why;
	return OTLP_OK;
}

static enum otlp_rc
ju64_array(struct jctx *c, jv *arr, const char *field,
    uint64_t **out, size_t *n)
{
	jv	*e;
	size_t	 i;

	*out = NULL;
	*n = 0;
	TRY(want(c, arr, JT_ARRAY, field));
	if ((*n = alen(arr)) == 0)
		return OTLP_OK;
	if ((*out = alloc(c, *n, sizeof(**out))) == NULL)
		return nomem(c);
	for (i = 0, e = jfirst(arr); i < *n; i++, e = jnext(c, e))
		TRY(ju64(c, jval(e), field, &(*out)[i]));
	return OTLP_OK;
}

static enum otlp_rc
jbuckets(struct jctx *c, jv *o, const char *field,
    struct ebuckets *b)
{
	memset(b, 0, sizeof(*b));
	if (o == NULL)
		return OTLP_OK;
	TRY(want(c, o, JT_OBJECT, field));
	TRY(ji32(c, jget(c, o, "offset", NULL), field, &b->offset));
	return ju64_array(c, jget(c, o, "bucketCounts", "bucket_counts"), field,
	    &b->counts, &b->n);
}

/* Optional double: *has set when present. */
static enum otlp_rc
jopt_double(struct jctx *c, jv *v, const char *field, int *has,
    double *out)
{
	*has = v != NULL;
	return jdouble(c, v, field, out);
}

/* A data point's exemplars; a bad one sets *why (the point's reason). */
static enum otlp_rc
jexemplars(struct jctx *c, jv *x, struct otlp_point *p, const char **why)
{
	jv		*ei, *o, *v;
	size_t		 i;

	TRY(want(c, x, JT_ARRAY, "exemplars"));
	if ((p->nexemplars = alen(x)) > 0 && (p->exemplars = alloc(c,
	    p->nexemplars, sizeof(*p->exemplars))) == NULL)
		return nomem(c);
	for (i = 0, ei = p->nexemplars ? jfirst(x) : NULL;
	    i < p->nexemplars; i++, ei = jnext(c, ei)) {
		struct exemplar	*e = &p->exemplars[i];

		memset(e, 0, sizeof(*e));
		o = jval(ei);
		TRY(want(c, o, JT_OBJECT, "exemplars"));
		TRY(jids(c, IDS_EXEMPLAR, o, 0, e->trace_id, e->span_id, why));
		TRY(ju64(c, jget(c, o, "timeUnixNano", "time_unix_nano"),
		    "exemplars.timeUnixNano", &e->time_ns));
		if ((v = jget(c, o, "asInt", "as_int")) != NULL) {
			e->vtype = EV_INT;
			TRY(ji64(c, v, "exemplars.asInt", &e->as_int));
		} else if ((v = jget(c, o, "asDouble", "as_double")) != NULL) {
			e->vtype = EV_DOUBLE;
			TRY(jdouble(c, v, "exemplars.asDouble", &e->as_double));
		}
		TRY(jattrs(c, jget(c, o, "filteredAttributes",
		    "filtered_attributes"), "exemplars.filteredAttributes",
		    &e->attrs));
		if (*why == NULL)
			*why = otlp_check_attrs(&e->attrs);
	}
	if (*why == NULL && p->nexemplars > LF_OTLP_MAX_EXEMPLARS)
		*why = "too many exemplars";
	return OTLP_OK;
}

static enum otlp_rc
jpoint(struct jctx *c, jv *o, const struct otlp_metric *m,
    struct otlp_point *p)
{
	jv		*x, *e;
	size_t		 i;
	const char	*why = NULL;

	TRY(want(c, o, JT_OBJECT, "dataPoints"));
	p->metric = m;
	TRY(jattrs(c, jget(c, o, "attributes", NULL), "attributes", &p->attrs));
	TRY(ju64(c, jget(c, o, "startTimeUnixNano", "start_time_unix_nano"),
	    "startTimeUnixNano", &p->start_ns));
	TRY(ju64(c, jget(c, o, "timeUnixNano", "time_unix_nano"),
	    "timeUnixNano", &p->time_ns));
	TRY(ju32(c, jget(c, o, "flags", NULL), "flags", &p->flags));
	switch (m->kind) {
	case MK_GAUGE:
	case MK_SUM:
		if ((x = jget(c, o, "asInt", "as_int")) != NULL) {
			p->vtype = PV_INT;
			TRY(ji64(c, x, "asInt", &p->as_int));
		} else if ((x = jget(c, o, "asDouble", "as_double")) != NULL) {
			p->vtype = PV_DOUBLE;
			TRY(jdouble(c, x, "asDouble", &p->as_double));
		}
		break;
	case MK_HISTOGRAM:
	case MK_EXP_HISTOGRAM:
	case MK_SUMMARY:
		TRY(ju64(c, jget(c, o, "count", NULL), "count", &p->count));
		TRY(jopt_double(c, jget(c, o, "sum", NULL), "sum", &p->has_sum,
		    &p->sum));
		TRY(jopt_double(c, jget(c, o, "min", NULL), "min", &p->has_min,
		    &p->min));
		TRY(jopt_double(c, jget(c, o, "max", NULL), "max", &p->has_max,
		    &p->max));
		if (m->kind == MK_SUMMARY) {
			/* Summary's sum is not optional in the proto. */
			p->has_sum = 1;
			p->has_min = p->has_max = 0;
		}
		break;
	default:
		abort();
	}
	if (m->kind == MK_HISTOGRAM) {
		TRY(ju64_array(c, jget(c, o, "bucketCounts", "bucket_counts"),
		    "bucketCounts", &p->bucket_counts, &p->nbucket_counts));
		x = jget(c, o, "explicitBounds", "explicit_bounds");
		TRY(want(c, x, JT_ARRAY, "explicitBounds"));
		if ((p->nbounds = alen(x)) > 0 &&
		    (p->bounds = alloc(c, p->nbounds, sizeof(double))) == NULL)
			return nomem(c);
		for (i = 0, e = p->nbounds ? jfirst(x) : NULL;
		    i < p->nbounds; i++, e = jnext(c, e))
			TRY(jdouble(c, jval(e), "explicitBounds",
			    &p->bounds[i]));
	} else if (m->kind == MK_EXP_HISTOGRAM) {
		TRY(ji32(c, jget(c, o, "scale", NULL), "scale", &p->scale));
		TRY(ju64(c, jget(c, o, "zeroCount", "zero_count"), "zeroCount",
		    &p->zero_count));
		TRY(jdouble(c, jget(c, o, "zeroThreshold", "zero_threshold"),
		    "zeroThreshold", &p->zero_threshold));
		TRY(jbuckets(c, jget(c, o, "positive", NULL), "positive",
		    &p->pos));
		TRY(jbuckets(c, jget(c, o, "negative", NULL), "negative",
		    &p->neg));
	} else if (m->kind == MK_SUMMARY) {
		x = jget(c, o, "quantileValues", "quantile_values");
		TRY(want(c, x, JT_ARRAY, "quantileValues"));
		if ((p->nquantiles = alen(x)) > 0 && (p->quantiles =
		    alloc(c, p->nquantiles, sizeof(*p->quantiles))) == NULL)
			return nomem(c);
		for (i = 0, e = p->nquantiles ? jfirst(x) : NULL;
		    i < p->nquantiles; i++, e = jnext(c, e)) {
			jv		*q = jval(e);

			TRY(want(c, q, JT_OBJECT, "quantileValues"));
			TRY(jdouble(c, jget(c, q, "quantile", NULL), "quantile",
			    &p->quantiles[i].q));
			TRY(jdouble(c, jget(c, q, "value", NULL), "value",
			    &p->quantiles[i].v));
		}
	}
	/* Summaries have no exemplars in OTLP. */
	if (m->kind != MK_SUMMARY)
		TRY(jexemplars(c, jget(c, o, "exemplars", NULL), p, &why));
	p->bad = why != NULL ? why : otlp_check_attrs(&p->attrs);
	return OTLP_OK;
}

static const struct {
	const char	*camel, *snake;
	enum metric_kind kind;
} mkinds[] = {
	{ "gauge", "gauge", MK_GAUGE },
	{ "sum", "sum", MK_SUM },
	{ "histogram", "histogram", MK_HISTOGRAM },
	{ "exponentialHistogram", "exponential_histogram", MK_EXP_HISTOGRAM },
	{ "summary", "summary", MK_SUMMARY },
};

/* The data member of a metric and its kind, or NULL. */
static jv *
metric_data(struct jctx *c, jv *o, enum metric_kind *kind)
{
	jv		*d;
	size_t		 i;

	for (i = 0; i < NELEM(mkinds); i++)
		if ((d = jget(c, o, mkinds[i].camel, mkinds[i].snake)) != NULL) {
			*kind = mkinds[i].kind;
			return d;
		}
	return NULL;
}

/* Metrics count their data points in the first walk, decode in the
 * second (idx counts points). */
static enum otlp_rc
jmetric(struct jctx *c, jv *o, const struct otlp_resource *res,
    const struct otlp_scope *scope, size_t *idx)
{
	struct otlp_metric	*m;
	jv			*d, *pts, *e;
	size_t			 i, n;
	const char		*why = NULL;

	TRY(want(c, o, JT_OBJECT, "metrics"));
	if ((m = arena_alloc(c->a, sizeof(*m))) == NULL)
		return nomem(c);
	TRY(jstr(c, jget(c, o, "name", NULL), "name", 1, &m->name, NULL));
	if (m->name == NULL)
		m->name = "";
	TRY(jstr(c, jget(c, o, "description", NULL), "description", 0,
	    &m->description, NULL));
	TRY(jstr(c, jget(c, o, "unit", NULL), "unit", 0, &m->unit, NULL));
	if ((d = metric_data(c, o, &m->kind)) == NULL) {
		c->ex->rejected_metrics++;
		c->ex->rejected_metric_reason = "metric has no data";
		return OTLP_OK;
	}
	TRY(want(c, d, JT_OBJECT, "metric data"));
	TRY(jenum(c, jget(c, d, "aggregationTemporality",
	    "aggregation_temporality"), "aggregationTemporality",
	    temporalities, NELEM(temporalities), &m->temporality, &why));
	TRY(jbool(c, jget(c, d, "isMonotonic", "is_monotonic"), "isMonotonic",
	    &m->monotonic));
	pts = jget(c, d, "dataPoints", "data_points");
	TRY(want(c, pts, JT_ARRAY, "dataPoints"));
	n = alen(pts);
	for (i = 0, e = n ? jfirst(pts) : NULL; i < n; i++, e = jnext(c, e)) {
		struct otlp_point	*p = &c->ex->points[(*idx)++];

		p->res = res;
		p->scope = scope;
		TRY(jpoint(c, jval(e), m, p));
		if (why != NULL)
			p->bad = why;
	}
	return OTLP_OK;
}

/* First walk for metrics: data points per metric. */
static enum otlp_rc
count_points(struct jctx *c, jv *list, size_t *count)
{
	jv		*rs, *scopes, *ss, *ms, *m, *d, *pts, *ri, *si, *mi;
	enum metric_kind k;
	size_t		 i, j, l, n;

	TRY(want(c, list, JT_ARRAY, "resourceMetrics"));
	for (i = 0, ri = jfirst(list); i < alen(list); i++,
	    ri = jnext(c, ri)) {
		rs = jval(ri);
		TRY(want(c, rs, JT_OBJECT, "resourceMetrics"));
		scopes = jget(c, rs, "scopeMetrics", "scope_metrics");
		TRY(want(c, scopes, JT_ARRAY, "scopeMetrics"));
		for (j = 0, si = scopes ? jfirst(scopes) : NULL;
		    j < alen(scopes); j++, si = jnext(c, si)) {
			ss = jval(si);
			TRY(want(c, ss, JT_OBJECT, "scopeMetrics"));
			ms = jget(c, ss, "metrics", NULL);
			TRY(want(c, ms, JT_ARRAY, "metrics"));
			for (l = 0, mi = ms ? jfirst(ms) : NULL;
			    l < alen(ms); l++, mi = jnext(c, mi)) {
				m = jval(mi);
				TRY(want(c, m, JT_OBJECT, "metrics"));
				if ((d = metric_data(c, m, &k)) == NULL)
					continue;
				TRY(want(c, d, JT_OBJECT, "metric data"));
				pts = jget(c, d, "dataPoints", "data_points");
				TRY(want(c, pts, JT_ARRAY, "dataPoints"));
				n = alen(pts);
				if (n > LF_OTLP_MAX_RECORDS - *count) {
					snprintf(c->err->msg, sizeof(c->err->msg),
					    "more than %d records in one export",
					    LF_OTLP_MAX_RECORDS);
					return OTLP_TOO_BIG;
				}
				*count += n;
			}
		}
	}
	return OTLP_OK;
}

static const char *const trace_names[6] = { "resourceSpans",
	"resource_spans", "scopeSpans", "scope_spans", "spans", "spans" };
static const char *const log_names[6] = { "resourceLogs",
	"resource_logs", "scopeLogs", "scope_logs", "logRecords",
	"log_records" };
static const char *const metric_names[6] = { "resourceMetrics",
	"resource_metrics", "scopeMetrics", "scope_metrics", "metrics",
	"metrics" };

static enum otlp_rc
decode(struct jctx *c, jv *root)
{
	struct otlp_export	*ex = c->ex;
	const char *const	*names;
	jv			*list;
	size_t			 n = 0, idx = 0;

	names = ex->signal == OTLP_TRACES ? trace_names :
	    ex->signal == OTLP_LOGS ? log_names : metric_names;
	if (root->type != JT_OBJECT)
		return bad(c, "body is not a JSON object");
	if ((list = jget(c, root, names[0], names[1])) == NULL)
		return OTLP_OK;		/* an empty export */
	switch (ex->signal) {
	case OTLP_TRACES:
		TRY(walk(c, list, names, NULL, &n));
		if (n > 0 && (ex->spans = alloc(c, n, sizeof(*ex->spans))) == NULL)
			return nomem(c);
		TRY(walk(c, list, names, jspan, &idx));
		ex->nspans = idx;
		break;
	case OTLP_LOGS:
		TRY(walk(c, list, names, NULL, &n));
		if (n > 0 && (ex->logs = alloc(c, n, sizeof(*ex->logs))) == NULL)
			return nomem(c);
		TRY(walk(c, list, names, jlog, &idx));
		ex->nlogs = idx;
		break;
	case OTLP_METRICS:
		TRY(count_points(c, list, &n));
		if (n > 0 && (ex->points = alloc(c, n,
		    sizeof(*ex->points))) == NULL)
			return nomem(c);
		TRY(walk(c, list, names, jmetric, &idx));
		ex->npoints = idx;
		break;
	default:
		abort();
	}
	return OTLP_OK;
}

enum otlp_rc
otlp_parse_json(const uint8_t *p, size_t len, struct otlp_export *ex,
    struct otlp_err *err)
{
	struct jctx		 c;
	enum otlp_rc		 rc;
	const char		*why;

	c.ex = ex;
	c.a = ex->arena;
	c.err = err;
	ex->spans = NULL;
	ex->logs = NULL;
	ex->points = NULL;
	ex->nspans = ex->nlogs = ex->npoints = 0;
	ex->rejected_metrics = 0;
	ex->rejected_metric_reason = NULL;
	if (len > LF_OTLP_MAX_BODY) {
		snprintf(err->msg, sizeof(err->msg),
		    "body is larger than %lu bytes", LF_OTLP_MAX_BODY);
		return OTLP_TOO_BIG;
	}
	switch (jt_parse(&c.d, p, len, LF_OTLP_MAX_DEPTH,
	    LF_OTLP_MAX_JSON_TOKENS, &why)) {
	case JT_OK:
		rc = decode(&c, &c.d.t[0]);
		break;
	case JT_BAD:
		rc = bad(&c, "body is not valid JSON: %s", why);
		break;
	case JT_TOO_BIG:
	default:
		rc = nomem(&c);
		break;
	}
	jt_free(&c.d);
	return rc;
}
