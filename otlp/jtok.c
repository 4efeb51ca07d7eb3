/*
 * Strict JSON into a flat token array (see jtok.h).  One pass, an explicit
 * stack of open containers (no recursion), every length checked against
 * the end of the body.
 */
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "jtok.h"
#include "model.h"

/* The most nesting any caller may ask for (the stack is on the C stack). */
#define JT_STACK	256

enum state {
	S_VALUE,	/* a value: top level, after ':', after ',' in an array */
	S_FIRST_ELEM,	/* after '[': a value or ']' */
	S_FIRST_KEY,	/* after '{': a member name or '}' */
	S_KEY,		/* after ',' in an object: a member name */
	S_COLON,	/* after a member name */
	S_AFTER		/* after a value: ',' or the container's close */
};

static int
is_ws(unsigned char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

static int
is_digit(unsigned char ch)
{
	return ch >= '0' && ch <= '9';
}

/* A new token at d->t[d->nt], or NULL past max_tokens / out of memory. */
static struct jtok *
push(struct jdoc *d, size_t max_tokens)
{
	struct jtok	*t;
	size_t		 cap;

	if (d->nt >= max_tokens)
		return NULL;
	if (d->nt == d->cap) {
		cap = d->cap < 64 ? 64 : d->cap * 2;
		if (cap > max_tokens)
			cap = max_tokens;
		if (cap > SIZE_MAX / sizeof(*t) ||
		    (t = realloc(d->t, cap * sizeof(*t))) == NULL)
			return NULL;
		d->t = t;
		d->cap = cap;
	}
	t = &d->t[d->nt++];
	memset(t, 0, sizeof(*t));
	return t;
}

/* The string starting after the quote at *i; *i ends after its closing
 * quote.  0, or -1 with *why. */
static int
scan_string(const uint8_t *p, size_t len, size_t *i, uint8_t *flags,
    const char **why)
{
	size_t	 k = *i, j;

	for (;;) {
		if (k >= len) {
			*why = "unexpected end";
			return -1;
		}
		if (p[k] == '"')
			break;
		if (p[k] == '\0') {
			*why = "NUL byte in a string";
			return -1;
		}
		if (p[k] != '\\') {
			k++;
			continue;
		}
		*flags |= JT_ESCAPED;
		if (++k >= len) {
			*why = "unexpected end";
			return -1;
		}
		switch (p[k]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			k++;
			break;
		case 'u':
			for (j = 1; j <= 4; j++)
				if (k + j >= len || otlp_hexval(p[k + j]) < 0) {
					*why = k + j >= len ? "unexpected end" :
					    "bad \\u escape";
					return -1;
				}
			k += 5;
			break;
		default:
			*why = "bad escape in a string";
			return -1;
		}
	}
	*i = k + 1;
	return 0;
}

/* The string whose opening quote is at *i into t; *i ends after it. */
static int
string_token(const uint8_t *p, size_t len, size_t *i, struct jtok *t,
    const char **why)
{
	size_t	 start = *i + 1;

	*i = start;
	t->flags = 0;
	if (scan_string(p, len, i, &t->flags, why) == -1)
		return -1;
	t->type = JT_STRING;
	t->off = (uint32_t)start;
	t->len = (uint32_t)(*i - 1 - start);
	return 0;
}

/* A number at *i (RFC 8259's grammar, and NaN, Infinity and -Infinity as
 * JavaScript and Python write them); *i ends after it. */
static int
scan_number(const uint8_t *p, size_t len, size_t *i, uint8_t *flags,
    const char **why)
{
	size_t	 k = *i;

	*flags = JT_INT;
	if (len - k >= 3 && memcmp(p + k, "NaN", 3) == 0) {
		*flags = 0;
		*i = k + 3;
		return 0;
	}
	if (k < len && p[k] == '-')
		k++;
	if (len - k >= 8 && memcmp(p + k, "Infinity", 8) == 0) {
		*flags = 0;
		*i = k + 8;
		return 0;
	}
	if (k < len && p[k] == '0')
		k++;
	else if (k < len && p[k] >= '1' && p[k] <= '9')
		while (k < len && is_digit(p[k]))
			k++;
	else
		goto bad;
	if (k < len && p[k] == '.') {
		*flags = 0;
		if (++k >= len || !is_digit(p[k]))
			goto bad;
		while (k < len && is_digit(p[k]))
			k++;
	}
	if (k < len && (p[k] == 'e' || p[k] == 'E')) {
		*flags = 0;
		if (++k < len && (p[k] == '+' || p[k] == '-'))
			k++;
		if (k >= len || !is_digit(p[k]))
			goto bad;
		while (k < len && is_digit(p[k]))
			k++;
	}
	*i = k;
	return 0;
bad:
	*why = "bad number";
	return -1;
}

enum jt_rc
jt_parse(struct jdoc *d, const uint8_t *p, size_t len, size_t max_depth,
    size_t max_tokens, const char **why)
{
	uint32_t	 stack[JT_STACK];
	size_t		 depth = 0, i = 0, start;
	enum state	 st = S_VALUE;
	struct jtok	*t, *parent;
	uint8_t		 flags;
	unsigned char	 ch;

	memset(d, 0, sizeof(*d));
	d->p = (const char *)p;
	*why = NULL;
	if (max_depth > JT_STACK)
		max_depth = JT_STACK;
	if (len > UINT32_MAX - 1) {
		*why = "body too large";
		return JT_TOO_BIG;
	}
	for (;;) {
		while (i < len && is_ws(p[i]))
			i++;
		if (i >= len) {
			if (st == S_AFTER && depth == 0)
				return JT_OK;
			*why = "unexpected end";
			return JT_BAD;
		}
		ch = p[i];
		if (st == S_AFTER) {
			if (depth == 0) {
				*why = "data after the value";
				return JT_BAD;
			}
			parent = &d->t[stack[depth - 1]];
			if (ch == ',') {
				st = parent->type == JT_OBJECT ? S_KEY :
				    S_VALUE;
				i++;
				continue;
			}
			if ((ch == '}' && parent->type == JT_OBJECT) ||
			    (ch == ']' && parent->type == JT_ARRAY))
				goto close;
			*why = "expected ',' or the end of an object or array";
			return JT_BAD;
		}
		if (st == S_COLON) {
			if (ch != ':') {
				*why = "expected ':'";
				return JT_BAD;
			}
			i++;
			st = S_VALUE;
			continue;
		}
		if ((st == S_FIRST_ELEM && ch == ']') ||
		    (st == S_FIRST_KEY && ch == '}'))
			goto close;
		if (st == S_FIRST_KEY || st == S_KEY) {
			if (ch != '"') {
				*why = "expected a member name";
				return JT_BAD;
			}
			if ((t = push(d, max_tokens)) == NULL)
				goto toobig;
			if (string_token(p, len, &i, t, why) == -1)
				return JT_BAD;
			t->end = (uint32_t)d->nt;
			d->t[stack[depth - 1]].n++;
			st = S_COLON;
			continue;
		}
		/* A value (S_VALUE or S_FIRST_ELEM), inside at most max_depth
		 * containers (an empty one may be the max_depth-th). */
		if (depth >= max_depth) {
			*why = "nested too deeply";
			return JT_BAD;
		}
		if ((t = push(d, max_tokens)) == NULL)
			goto toobig;
		if (depth > 0 && d->t[stack[depth - 1]].type == JT_ARRAY)
			d->t[stack[depth - 1]].n++;
		t->off = (uint32_t)i;
		switch (ch) {
		case '{':
		case '[':
			t->type = ch == '{' ? JT_OBJECT : JT_ARRAY;
			stack[depth++] = (uint32_t)(d->nt - 1);
			st = ch == '{' ? S_FIRST_KEY : S_FIRST_ELEM;
			i++;
			continue;
		case '"':
			if (string_token(p, len, &i, t, why) == -1)
				return JT_BAD;
			break;
		case 't':
		case 'f':
		case 'n': {
			const char	*lit = ch == 't' ? "true" : ch == 'f' ?
			    "false" : "null";
			size_t		 n = strlen(lit);

			if (len - i < n || memcmp(p + i, lit, n) != 0) {
				*why = len - i < n && memcmp(p + i, lit,
				    len - i) == 0 ? "unexpected end" :
				    "unexpected character";
				return JT_BAD;
			}
			t->type = ch == 't' ? JT_TRUE : ch == 'f' ? JT_FALSE :
			    JT_NULL;
			t->len = (uint32_t)n;
			i += n;
			break;
		}
		default:
			if (ch != '-' && ch != 'N' && ch != 'I' && !is_digit(ch)) {
				*why = "unexpected character";
				return JT_BAD;
			}
			start = i;
			if (scan_number(p, len, &i, &flags, why) == -1)
				return JT_BAD;
			t->type = JT_NUMBER;
			t->flags = flags;
			t->len = (uint32_t)(i - start);
			break;
		}
		t->end = (uint32_t)d->nt;
		st = S_AFTER;
		continue;
close:
		t = &d->t[stack[--depth]];
		t->end = (uint32_t)d->nt;
		t->len = (uint32_t)(i + 1 - t->off);
		i++;
		st = S_AFTER;
	}
toobig:
	*why = "too many values";
	return JT_TOO_BIG;
}

void
jt_free(struct jdoc *d)
{
	free(d->t);
	d->t = NULL;
	d->nt = d->cap = 0;
}

/* UTF-8 of code point u into out; its length. */
static size_t
utf8_put(uint32_t u, char *out)
{
	if (u < 0x80) {
		out[0] = (char)u;
		return 1;
	}
	if (u < 0x800) {
		out[0] = (char)(0xc0 | u >> 6);
		out[1] = (char)(0x80 | (u & 0x3f));
		return 2;
	}
	if (u < 0x10000) {
		out[0] = (char)(0xe0 | u >> 12);
		out[1] = (char)(0x80 | (u >> 6 & 0x3f));
		out[2] = (char)(0x80 | (u & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | u >> 18);
	out[1] = (char)(0x80 | (u >> 12 & 0x3f));
	out[2] = (char)(0x80 | (u >> 6 & 0x3f));
	out[3] = (char)(0x80 | (u & 0x3f));
	return 4;
}

/* The four hex digits at s (checked by the tokenizer). */
static uint32_t
hex4(const char *s)
{
	return (uint32_t)(otlp_hexval((unsigned char)s[0]) << 12 |
	    otlp_hexval((unsigned char)s[1]) << 8 |
	    otlp_hexval((unsigned char)s[2]) << 4 |
	    otlp_hexval((unsigned char)s[3]));
}

/*
 * The next character of a string token's text, from s[*i] (n bytes in
 * all, escapes checked by the tokenizer), as UTF-8 into out; its length.
 * A surrogate pair is joined, a lone surrogate becomes U+FFFD.
 */
static size_t
next_char(const char *s, size_t n, size_t *i, char out[4])
{
	uint32_t	 u, lo;
	size_t		 k = *i;

	if (s[k] != '\\') {
		out[0] = s[k];
		*i = k + 1;
		return 1;
	}
	if (s[k + 1] != 'u') {
		switch (s[k + 1]) {
		case 'b': out[0] = '\b'; break;
		case 'f': out[0] = '\f'; break;
		case 'n': out[0] = '\n'; break;
		case 'r': out[0] = '\r'; break;
		case 't': out[0] = '\t'; break;
		default: out[0] = s[k + 1]; break;	/* '"', '\\', '/' */
		}
		*i = k + 2;
		return 1;
	}
	u = hex4(s + k + 2);
	k += 6;
	if (u >= 0xd800 && u <= 0xdbff && k + 6 <= n && s[k] == '\\' &&
	    s[k + 1] == 'u' && (lo = hex4(s + k + 2)) >= 0xdc00 &&
	    lo <= 0xdfff) {
		u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
		k += 6;
	} else if (u >= 0xd800 && u <= 0xdfff)
		u = 0xfffd;
	*i = k;
	return utf8_put(u, out);
}

char *
jt_string(const struct jdoc *d, const struct jtok *t, struct arena *a,
    size_t *lenp)
{
	const char	*s = d->p + t->off;
	size_t		 n = t->len, i, o = 0;
	char		*out;

	if (!(t->flags & JT_ESCAPED)) {
		if ((out = arena_strndup(a, s, n)) != NULL && lenp != NULL)
			*lenp = n;
		return out;
	}
	/* Every escape is at least as long as what it stands for. */
	if ((out = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	for (i = 0; i < n; )
		o += next_char(s, n, &i, out + o);
	out[o] = '\0';
	if (lenp != NULL)
		*lenp = o;
	return out;
}

int
jt_streq(const struct jdoc *d, const struct jtok *t, const char *s)
{
	const char	*p = d->p + t->off;
	size_t		 n = t->len, i, j, m, k = 0;
	char		 buf[4];

	if (!(t->flags & JT_ESCAPED))
		return strlen(s) == n && memcmp(p, s, n) == 0;
	for (i = 0; i < n; ) {
		m = next_char(p, n, &i, buf);
		for (j = 0; j < m; j++, k++)
			if (s[k] == '\0' || s[k] != buf[j])
				return 0;
	}
	return s[k] == '\0';
}
