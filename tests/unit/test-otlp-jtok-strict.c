/*
 * The OTLP/JSON tokenizer accepts RFC 8259 JSON (plus NaN, Infinity and
 * -Infinity, and raw control characters in strings, which json-c took
 * too), rejects everything else with a reason, keeps the structure (types,
 * counts, where each value ends), undoes string escapes exactly, and stops
 * at its depth and token limits.
 */
#include <stdlib.h>

#include "t.h"

#include "arena.h"
#include "jtok.h"
#include "limits.h"

static enum jt_rc
tok(const char *s, struct jdoc *d, const char **why)
{
	return jt_parse(d, (const uint8_t *)s, strlen(s), LF_OTLP_MAX_DEPTH,
	    LF_OTLP_MAX_JSON_TOKENS, why);
}

static int
accepts(const char *s)
{
	struct jdoc	 d;
	const char	*why;
	enum jt_rc	 rc = tok(s, &d, &why);

	jt_free(&d);
	return rc == JT_OK;
}

/* Rejected as not JSON, with a reason. */
static int
rejects(const char *s)
{
	struct jdoc	 d;
	const char	*why = NULL;
	enum jt_rc	 rc = tok(s, &d, &why);

	jt_free(&d);
	return rc == JT_BAD && why != NULL && why[0] != '\0';
}

/* Control characters shown as '.', so a check's name stays one line. */
static void
printable(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20)
			*s = '.';
}

/* n arrays around inner. */
static char *
nested(size_t n, const char *inner)
{
	size_t	 i, k = strlen(inner);
	char	*s = malloc(2 * n + k + 1);

	if (s == NULL)
		abort();
	for (i = 0; i < n; i++) {
		s[i] = '[';
		s[n + k + i] = ']';
	}
	memcpy(s + n, inner, k);
	s[2 * n + k] = '\0';
	return s;
}

int
main(void)
{
	static const char *const good[] = {
		"{}", "[]", "0", "-0", "1.5", "-2e10", "3E+2", "4e-3",
		"\"\"", "true", "false", "null", " \t\n\r{ } \n",
		"[NaN,Infinity,-Infinity]", "{\"a\":[1,{\"b\":null}],\"c\":\"\"}",
		"[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\"]", "[\"a\tb\"]",
		"18446744073709551616", "{\"a\":1,\"a\":2}",
	};
	static const char *const bad[] = {
		"", "   ", "{", "[1,2", "[1,]", "{\"a\":1,}", "{'a':1}",
		"[01]", "[1.]", "[.5]", "[+1]", "[-]", "[1e]", "[1e+]",
		"[tru]", "[nul]", "[True]", "[nan]", "[-NaN]", "[Infinityx]",
		"{1:2}", "{\"a\" 1}", "{\"a\":}", "[\"\\x\"]", "[\"\\u12\"]",
		"[\"abc", "{} {}", "[1] x", "\"\\", "[1 2]", "{\"a\":1 \"b\":2}",
	};
	struct jdoc	 d;
	struct arena	 a;
	const char	*why, *s;
	char		*str, *deep;
	size_t		 i, len;
	const struct jtok *t;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char	 name[128];

		snprintf(name, sizeof(name), "accepts %s", good[i]);
		printable(name);
		CHECK(name, accepts(good[i]));
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char	 name[128];

		snprintf(name, sizeof(name), "rejects '%s' with a reason",
		    bad[i]);
		printable(name);
		CHECK(name, rejects(bad[i]));
	}
	CHECK("rejects a raw NUL in a string",
	    jt_parse(&d, (const uint8_t *)"[\"a\0b\"]", 7, 64, 1000, &why) ==
	    JT_BAD);
	jt_free(&d);

	/* Structure: types, counts and each value's end. */
	s = "{\"k\":[1,\"two\",{\"x\":true}],\"n\":null,\"e\":-1.5e3}";
	CHECK("structure: parses", tok(s, &d, &why) == JT_OK);
	t = d.t;
	CHECK("structure: top object with 3 members",
	    t[0].type == JT_OBJECT && t[0].n == 3 && t[0].end == d.nt);
	CHECK("structure: first member name, then its array of 3",
	    t[1].type == JT_STRING && jt_streq(&d, &t[1], "k") &&
	    t[2].type == JT_ARRAY && t[2].n == 3);
	CHECK("structure: the array's elements and their ends",
	    t[3].type == JT_NUMBER && (t[3].flags & JT_INT) &&
	    t[3].end == 4 && t[4].type == JT_STRING &&
	    t[5].type == JT_OBJECT && t[5].n == 1 && t[7].type == JT_TRUE &&
	    t[2].end == 8 && t[5].end == 8);
	CHECK("structure: the next member after the array",
	    jt_streq(&d, &t[8], "n") && t[9].type == JT_NULL &&
	    jt_streq(&d, &t[10], "e") && t[11].type == JT_NUMBER &&
	    !(t[11].flags & JT_INT) && t[11].len == 6);
	jt_free(&d);

	/* Escapes undone exactly, surrogate pairs joined, lone ones U+FFFD. */
	arena_init(&a, 1 << 20);
	s = "[\"a\\\"b\\\\c\\/d\\n\\u00e9\\u20ac\\ud83d\\ude00|\\ud800|\\u0000z\"]";
	CHECK("escapes: parses", tok(s, &d, &why) == JT_OK &&
	    (d.t[1].flags & JT_ESCAPED));
	str = jt_string(&d, &d.t[1], &a, &len);
	CHECK("escapes: undone",
	    str != NULL && len == 24 && memcmp(str,
	    "a\"b\\c/d\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80|\xef\xbf\xbd|\0z",
	    24) == 0);
	jt_free(&d);
	s = "[\"\\ud836\\ude00\"]";
	CHECK("a surrogate pair json-c gets wrong: U+1DA00",
	    tok(s, &d, &why) == JT_OK &&
	    (str = jt_string(&d, &d.t[1], &a, &len)) != NULL && len == 4 &&
	    memcmp(str, "\xf0\x9d\xa8\x80", 4) == 0);
	jt_free(&d);
	s = "{\"tr\\u0061ceId\":1}";
	CHECK("escaped member name compares by its text",
	    tok(s, &d, &why) == JT_OK && jt_streq(&d, &d.t[1], "traceId") &&
	    !jt_streq(&d, &d.t[1], "traceI") &&
	    !jt_streq(&d, &d.t[1], "traceIdx"));
	jt_free(&d);
	s = "[\"plain\"]";
	CHECK("plain string copied", tok(s, &d, &why) == JT_OK &&
	    (str = jt_string(&d, &d.t[1], &a, &len)) != NULL && len == 5 &&
	    strcmp(str, "plain") == 0);
	jt_free(&d);
	arena_free(&a);

	/* Limits. */
	deep = nested(LF_OTLP_MAX_DEPTH, "");
	CHECK("nesting at the depth limit is accepted", accepts(deep));
	free(deep);
	/* json-c counts a value as a level too: a 0 inside that many
	 * arrays is one level too deep. */
	deep = nested(LF_OTLP_MAX_DEPTH, "0");
	CHECK("a value inside the deepest container is rejected",
	    rejects(deep));
	free(deep);
	deep = nested(LF_OTLP_MAX_DEPTH - 1, "0");
	CHECK("a value one level up is accepted", accepts(deep));
	free(deep);
	deep = nested(LF_OTLP_MAX_DEPTH + 1, "");
	CHECK("nesting past the depth limit is rejected", rejects(deep));
	free(deep);
	CHECK("past the token limit: too big",
	    jt_parse(&d, (const uint8_t *)"[1,2,3,4]", 9, 64, 4, &why) ==
	    JT_TOO_BIG);
	jt_free(&d);
	CHECK("at the token limit: accepted",
	    jt_parse(&d, (const uint8_t *)"[1,2,3,4]", 9, 64, 5, &why) ==
	    JT_OK && d.nt == 5);
	jt_free(&d);
	return t_done();
}
