#include <stddef.h>
#include <string.h>

#include "limits.h"
#include "jsonscan.h"

size_t
js_ws(const char *p, size_t n, size_t i)
{
	while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\n' ||
	    p[i] == '\r'))
		i++;
	return i;
}

/* Just past the string whose '"' is at p[i], or JS_BAD. */
static size_t
js_string_end(const char *p, size_t n, size_t i)
{
	if (i >= n || p[i] != '"')
		return JS_BAD;
	for (i++; i < n; i++) {
		if (p[i] == '\\') {
			if (n - i < 2)
				return JS_BAD;
			i++;
		} else if (p[i] == '"')
			return i + 1;
	}
	return JS_BAD;
}

size_t
js_value_end(const char *p, size_t n, size_t i)
{
	char	 stack[LF_JSON_MAX_DEPTH];
	size_t	 depth = 0, e, s;

	if (i >= n)
		return JS_BAD;
	if (p[i] == '"')
		return js_string_end(p, n, i);
	if (p[i] != '{' && p[i] != '[') {
		s = i;
		while (i < n && ((p[i] >= 'a' && p[i] <= 'z') ||
		    (p[i] >= 'A' && p[i] <= 'Z') ||
		    (p[i] >= '0' && p[i] <= '9') ||
		    p[i] == '-' || p[i] == '+' || p[i] == '.'))
			i++;
		return i > s ? i : JS_BAD;
	}
	for (; i < n; i++) {
		switch (p[i]) {
		case '"':
			if ((e = js_string_end(p, n, i)) == JS_BAD)
				return JS_BAD;
			i = e - 1;
			break;
		case '{':
		case '[':
			if (depth == sizeof(stack))
				return JS_BAD;
			stack[depth++] = p[i];
			break;
		case '}':
		case ']':
			if (depth == 0 ||
			    stack[depth - 1] != (p[i] == '}' ? '{' : '['))
				return JS_BAD;
			if (--depth == 0)
				return i + 1;
			break;
		default:
			break;
		}
	}
	return JS_BAD;
}

int
js_obj_open(struct js_iter *it, const char *p, size_t n, size_t i)
{
	if (i >= n || p[i] != '{')
		return -1;
	it->p = p;
	it->n = n;
	it->pos = i + 1;
	it->first = 1;
	it->done = 0;
	return 0;
}

int
js_obj_next(struct js_iter *it, struct js_member *m)
{
	const char	*p = it->p;
	size_t		 n = it->n, i;

	if (it->done)
		return 0;
	i = js_ws(p, n, it->pos);
	if (i >= n)
		return -1;
	if (p[i] == '}') {
		it->pos = i + 1;
		it->done = 1;
		return 0;
	}
	if (!it->first) {
		if (p[i] != ',')
			return -1;
		i = js_ws(p, n, i + 1);
	}
	m->key = i;
	if ((m->key_end = js_string_end(p, n, i)) == JS_BAD)
		return -1;
	i = js_ws(p, n, m->key_end);
	if (i >= n || p[i] != ':')
		return -1;
	m->val = js_ws(p, n, i + 1);
	if ((m->val_end = js_value_end(p, n, m->val)) == JS_BAD)
		return -1;
	it->pos = m->val_end;
	it->first = 0;
	return 1;
}

static int
js_hex(char c)
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
js_key_is(const char *p, const struct js_member *m, const char *name)
{
	size_t	 i = m->key + 1, end = m->key_end - 1, k;
	int	 c, h, d;

	for (; i < end; i++) {
		c = (unsigned char)p[i];
		if (c == '\\') {
			if (++i >= end)
				return 0;
			switch (p[i]) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u':
				if (end - i < 5)
					return 0;
				for (c = 0, k = 1; k <= 4; k++) {
					if ((h = js_hex(p[i + k])) < 0)
						return 0;
					c = c * 16 + h;
				}
				i += 4;
				if (c == 0 || c > 0x7f)
					return 0;
				break;
			default:
				return 0;
			}
		}
		if ((d = (unsigned char)*name) == '\0' || d != c)
			return 0;
		name++;
	}
	return *name == '\0';
}

size_t
js_top_object(const char *p, size_t n)
{
	size_t	 i, e;

	i = js_ws(p, n, 0);
	if (i >= n || p[i] != '{')
		return JS_BAD;
	if ((e = js_value_end(p, n, i)) == JS_BAD || js_ws(p, n, e) != n)
		return JS_BAD;
	return i;
}
