/*
 * Which stored text the query API embeds raw: strict RFC 8259 JSON only,
 * valid UTF-8, bounded depth.  Everything else is sent as a string.
 */
#include <string.h>

#include "jsonvalid.h"
#include "limits.h"
#include "t.h"

static int
v(const char *s)
{
	return api_json_valid(s, strlen(s), LF_JSON_MAX_DEPTH);
}

int
main(void)
{
	static const char *good[] = {
		"{}", "[]", " {\"a\":1} \n", "0", "-0", "1.5e+3", "-0.25E-2",
		"true", "false", "null", "\"\"", "\"\\u00e9\\n\\\"\\/\"",
		"\"\\ud800\"", "[1,[2,[3]],{\"k\":[]}]", "\"\xc3\xa9\xe2\x82\xac"
		"\xf0\x9f\x98\x80\"", "{\"a\":{\"b\":null},\"c\":\"d\"}",
	};
	static const char *bad[] = {
		"", " ", "NaN", "Infinity", "-Infinity", "[NaN]", "1.", "-01",
		"01", ".5", "+1", "1e", "[1,]", "{\"a\":1,}", "{a:1}", "'x'",
		"\"a\tb\"", "\"\x01\"", "\"\\x\"", "\"\\u12\"", "\"abc",
		"[1 2]", "{\"a\" 1}", "{}{}", "[1]x", "/*c*/1", "tru", "nul",
		"[", "]", "{\"a\"}", "\"\xff\"", "\"\xc0\xaf\"",
		"\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe2\x82\"",
		"{\"cut", "[true,fals]",
	};
	char	 deep[2 * LF_JSON_MAX_DEPTH + 8];
	size_t	 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		CHECK(good[i], v(good[i]));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK(bad[i], !v(bad[i]));
	CHECK("NUL after value", !api_json_valid("[1]\0", 4, 64));
	CHECK("NUL in string", !api_json_valid("\"a\0b\"", 5, 64));
	CHECK("length bounds the read", api_json_valid("[1]]]", 3, 64));
	CHECK("NULL", !api_json_valid(NULL, 0, 64));

	memset(deep, '[', LF_JSON_MAX_DEPTH);
	memset(deep + LF_JSON_MAX_DEPTH, ']', LF_JSON_MAX_DEPTH);
	CHECK("depth at max", api_json_valid(deep, 2 * LF_JSON_MAX_DEPTH,
	    LF_JSON_MAX_DEPTH));
	CHECK("depth over caller max", !api_json_valid(deep,
	    2 * LF_JSON_MAX_DEPTH, 8));
	memset(deep, '[', LF_JSON_MAX_DEPTH + 1);
	memset(deep + LF_JSON_MAX_DEPTH + 1, ']', LF_JSON_MAX_DEPTH + 1);
	CHECK("depth over LF_JSON_MAX_DEPTH", !api_json_valid(deep,
	    2 * LF_JSON_MAX_DEPTH + 2, 1000));
	return t_done();
}
