#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void
jw_init(struct jw *w, struct buf *b)
{
	memset(w, 0, sizeof(*w));
	w->b = b;
}

/* Separator before a value or key at the current depth. */
static void
jw_sep(struct jw *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->n[w->depth] > 0)
		buf_addc(w->b, ',');
	w->n[w->depth] = 1;
}

static void
jw_open(struct jw *w, char c)
{
	jw_sep(w);
	if (w->depth + 1 >= JW_MAX_DEPTH) {
		w->b->err = 1;
		return;
	}
	buf_addc(w->b, c);
	w->n[++w->depth] = 0;
}

static void
jw_close(struct jw *w, char c)
{
	if (w->depth == 0) {
		w->b->err = 1;
		return;
	}
	w->depth--;
	buf_addc(w->b, c);
}

void jw_obj(struct jw *w) { jw_open(w, '{'); }
void jw_obj_end(struct jw *w) { jw_close(w, '}'); }
void jw_arr(struct jw *w) { jw_open(w, '['); }
void jw_arr_end(struct jw *w) { jw_close(w, ']'); }

void
jw_key(struct jw *w, const char *k)
{
	jw_sep(w);
	buf_addc(w->b, '"');
	json_escape(w->b, k, strlen(k));
	buf_add(w->b, "\":", 2);
	w->after_key = 1;
}

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char	 c = p[0];
	size_t		 len, i;
	unsigned int	 cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void
json_escape(struct buf *b, const char *s, size_t n)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, run = 0, l;
	char			 esc[6];

	while (i < n) {
		unsigned char c = p[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			run++, i++;
			continue;
		}
		if (c >= 0x80 && (l = utf8_len(p + i, n - i)) > 0) {
			run += l, i += l;
			continue;
		}
		if (run)
			buf_add(b, p + i - run, run);
		run = 0;
		switch (c) {
		case '"': buf_add(b, "\\\"", 2); break;
		case '\\': buf_add(b, "\\\\", 2); break;
		case '\n': buf_add(b, "\\n", 2); break;
		case '\r': buf_add(b, "\\r", 2); break;
		case '\t': buf_add(b, "\\t", 2); break;
		default:
			if (c < 0x20) {
				memcpy(esc, "\\u00", 4);
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 0xf];
				buf_add(b, esc, 6);
			} else	/* invalid UTF-8 byte */
				buf_add(b, "\xef\xbf\xbd", 3);
			break;
		}
		i++;
	}
	if (run)
		buf_add(b, p + i - run, run);
}

void
jw_strn(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	buf_addc(w->b, '"');
	json_escape(w->b, s, n);
	buf_addc(w->b, '"');
}

void
jw_str(struct jw *w, const char *s)
{
	if (s == NULL)
		jw_null(w);
	else
		jw_strn(w, s, strlen(s));
}

void
jw_int(struct jw *w, int64_t v)
{
	jw_sep(w);
	buf_printf(w->b, "%lld", (long long)v);
}

void
jw_double(struct jw *w, double v)
{
	char	 tmp[40];
	int	 prec;

	if (!isfinite(v)) {
		jw_null(w);
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	jw_sep(w);
	buf_adds(w->b, tmp);
}

void
jw_bool(struct jw *w, int v)
{
	jw_sep(w);
	buf_adds(w->b, v ? "true" : "false");
}

void
jw_null(struct jw *w)
{
	jw_sep(w);
	buf_add(w->b, "null", 4);
}

void
jw_raw(struct jw *w, const char *s, size_t n)
{
	jw_sep(w);
	buf_add(w->b, s, n);
}

void jw_kstr(struct jw *w, const char *k, const char *v) { jw_key(w, k); jw_str(w, v); }
void jw_kint(struct jw *w, const char *k, int64_t v) { jw_key(w, k); jw_int(w, v); }
void jw_kdouble(struct jw *w, const char *k, double v) { jw_key(w, k); jw_double(w, v); }
void jw_kbool(struct jw *w, const char *k, int v) { jw_key(w, k); jw_bool(w, v); }
void jw_knull(struct jw *w, const char *k) { jw_key(w, k); jw_null(w); }
