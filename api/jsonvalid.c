#include <string.h>

#include "jsonvalid.h"
#include "limits.h"

static size_t
ws(const unsigned char *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

static int
ishex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Length of the well-formed UTF-8 sequence at p[i] (Unicode table 3-7),
 * or 0. */
static size_t
utf8_seq(const unsigned char *p, size_t n, size_t i)
{
	unsigned char	 c = p[i], lo = 0x80, hi = 0xbf;
	size_t		 len, k;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (n - i < len)
		return 0;
	for (k = 1; k < len; k++) {
		if (p[i + k] < lo || p[i + k] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
	}
	return len;
}

/* A string whose '"' is at p[i]: offset just past it, or 0. */
static size_t
string_end(const unsigned char *p, size_t n, size_t i)
{
	size_t	 k;

	for (i++; i < n; ) {
		if (p[i] == '"')
			return i + 1;
		if (p[i] < 0x20)
			return 0;
		if (p[i] == '\\') {
			if (n - i < 2)
				return 0;
			switch (p[i + 1]) {
			case '"': case '\\': case '/': case 'b':
			case 'f': case 'n': case 'r': case 't':
				i += 2;
				break;
			case 'u':
				if (n - i < 6)
					return 0;
				for (k = 2; k < 6; k++)
					if (!ishex(p[i + k]))
						return 0;
				i += 6;
				break;
			default:
				return 0;
			}
			continue;
		}
		if ((k = utf8_seq(p, n, i)) == 0)
			return 0;
		i += k;
	}
	return 0;
}

static int
isdig(const unsigned char *p, size_t n, size_t i)
{
	return i < n && p[i] >= '0' && p[i] <= '9';
}

/* A number starting at p[i]: offset just past it, or 0. */
static size_t
number_end(const unsigned char *p, size_t n, size_t i)
{
	if (i < n && p[i] == '-')
		i++;
	if (!isdig(p, n, i))
		return 0;
	if (p[i] == '0')
		i++;
	else
		while (isdig(p, n, i))
			i++;
	if (i < n && p[i] == '.') {
		i++;
		if (!isdig(p, n, i))
			return 0;
		while (isdig(p, n, i))
			i++;
	}
	if (i < n && (p[i] == 'e' || p[i] == 'E')) {
		i++;
		if (i < n && (p[i] == '+' || p[i] == '-'))
			i++;
		if (!isdig(p, n, i))
			return 0;
		while (isdig(p, n, i))
			i++;
	}
	return i;
}

static size_t
literal_end(const unsigned char *p, size_t n, size_t i, const char *lit)
{
	size_t	 l = strlen(lit);

	if (n - i < l || memcmp(p + i, lit, l) != 0)
		return 0;
	return i + l;
}

int
api_json_valid(const char *text, size_t n, int max_depth)
{
	const unsigned char	*p = (const unsigned char *)text;
	unsigned char		 stack[LF_JSON_MAX_DEPTH];
	size_t			 i, e;
	int			 depth = 0;

	if (p == NULL)
		return 0;
	if (max_depth > LF_JSON_MAX_DEPTH)
		max_depth = LF_JSON_MAX_DEPTH;
	i = ws(p, n, 0);
value:
	if (i >= n)
		return 0;
	switch (p[i]) {
	case '{':
	case '[':
		if (depth >= max_depth)
			return 0;
		stack[depth++] = p[i];
		i = ws(p, n, i + 1);
		if (i < n && p[i] == (stack[depth - 1] == '{' ? '}' : ']')) {
			depth--;
			i++;
			goto after;
		}
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	case '"':
		e = string_end(p, n, i);
		break;
	case 't':
		e = literal_end(p, n, i, "true");
		break;
	case 'f':
		e = literal_end(p, n, i, "false");
		break;
	case 'n':
		e = literal_end(p, n, i, "null");
		break;
	default:
		e = number_end(p, n, i);
		break;
	}
	if (e == 0)
		return 0;
	i = e;
after:
	i = ws(p, n, i);
	if (depth == 0)
		return i == n;
	if (i >= n)
		return 0;
	if (p[i] == ',') {
		i = ws(p, n, i + 1);
		if (stack[depth - 1] == '{')
			goto key;
		goto value;
	}
	if (p[i] != (stack[depth - 1] == '{' ? '}' : ']'))
		return 0;
	depth--;
	i++;
	goto after;
key:
	if (i >= n || p[i] != '"' || (e = string_end(p, n, i)) == 0)
		return 0;
	i = ws(p, n, e);
	if (i >= n || p[i] != ':')
		return 0;
	i = ws(p, n, i + 1);
	goto value;
}
