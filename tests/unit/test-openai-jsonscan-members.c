/*
 * The byte-offset scanner finds each top-level member's key and value
 * ranges through strings, escapes and nesting, and rejects malformed or
 * too deeply nested text without reading past its end.
 */
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "jsonscan.h"
#include "t.h"

static char	 got[512];

/* Members of s as "key=value;" from the byte ranges; -1 if malformed. */
static int
members(const char *s)
{
	struct js_iter		 it;
	struct js_member	 m;
	size_t			 n = strlen(s), top, g = 0;
	int			 rc;

	got[0] = '\0';
	if ((top = js_top_object(s, n)) == JS_BAD ||
	    js_obj_open(&it, s, n, top) == -1)
		return -1;
	while ((rc = js_obj_next(&it, &m)) == 1) {
		if (g + (m.key_end - m.key) + (m.val_end - m.val) + 3 >=
		    sizeof(got))
			return -1;
		memcpy(got + g, s + m.key, m.key_end - m.key);
		g += m.key_end - m.key;
		got[g++] = '=';
		memcpy(got + g, s + m.val, m.val_end - m.val);
		g += m.val_end - m.val;
		got[g++] = ';';
		got[g] = '\0';
	}
	return rc;
}

int
main(void)
{
	struct js_member	 m;
	char			*deep;
	size_t			 i, d = LF_JSON_MAX_DEPTH + 1;

	CHECK("simple members", members("{\"a\":1,\"b\":\"x\"}") == 0 &&
	    strcmp(got, "\"a\"=1;\"b\"=\"x\";") == 0);
	CHECK("whitespace everywhere", members(" {\n \"a\" :\t[ 1 , 2 ] ,"
	    "\r\"b\":{ } } ") == 0 && strcmp(got, "\"a\"=[ 1 , 2 ];\"b\"={ };")
	    == 0);
	CHECK("escapes in strings", members("{\"k\\\"\":\"v\\\\\",\"z\":"
	    "\"}\\\"]\"}") == 0 && strcmp(got,
	    "\"k\\\"\"=\"v\\\\\";\"z\"=\"}\\\"]\";") == 0);
	CHECK("empty object", members("{}") == 0 && got[0] == '\0');
	CHECK("literals", members("{\"t\":true,\"f\":false,\"n\":null,"
	    "\"e\":-1.5e+3}") == 0 && strcmp(got,
	    "\"t\"=true;\"f\"=false;\"n\"=null;\"e\"=-1.5e+3;") == 0);
	CHECK("unterminated string", members("{\"a\":\"x}") == -1);
	CHECK("trailing backslash", members("{\"a\":\"x\\") == -1);
	CHECK("mismatched brackets", members("{\"a\":[1}") == -1);
	CHECK("missing colon", members("{\"a\" 1}") == -1);
	CHECK("missing comma", members("{\"a\":1 \"b\":2}") == -1);
	CHECK("trailing garbage", members("{} x") == -1);
	CHECK("not an object", members("[1]") == -1);
	CHECK("empty input", members("") == -1);

	deep = malloc(2 * d + 16);
	memcpy(deep, "{\"a\":", 5);
	for (i = 0; i < d; i++)
		deep[5 + i] = '[';
	for (i = 0; i < d; i++)
		deep[5 + d + i] = ']';
	memcpy(deep + 5 + 2 * d, "}", 2);
	CHECK("nesting deeper than LF_JSON_MAX_DEPTH", members(deep) == -1);
	free(deep);

	m.key = 0;
	m.key_end = 7;
	CHECK("key_is: plain", js_key_is("\"usage\"", &m, "usage"));
	m.key_end = 12;
	CHECK("key_is: \\u escape", js_key_is("\"\\u0075sage\"", &m, "usage"));
	m.key_end = 8;
	CHECK("key_is: longer key", !js_key_is("\"usages\"", &m, "usage"));
	m.key_end = 6;
	CHECK("key_is: shorter key", !js_key_is("\"usag\"", &m, "usage"));
	return t_done();
}
