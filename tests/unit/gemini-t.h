/*
 * Helpers shared by the Gemini unit tests: JSON written with ' for " (no
 * test text needs a real apostrophe), and comparison of JSON texts as
 * values with json-c.
 */
#ifndef LF_GEMINI_T_H
#define LF_GEMINI_T_H

#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "limits.h"
#include "t.h"

/* s with every ' turned into ", in one of a few rotating buffers. */
static inline const char *
Q(const char *s)
{
	static char	*ring[8];
	static int	 at;
	size_t		 i, n = strlen(s);
	char		*p;

	at = (at + 1) % 8;
	free(ring[at]);
	if ((p = ring[at] = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i <= n; i++)
		p[i] = s[i] == '\'' ? '"' : s[i];
	return p;
}

static inline struct json_object *
t_parse(const char *p, size_t n)
{
	struct json_tokener	*tok;
	struct json_object	*o;

	if ((tok = json_tokener_new_ex(LF_JSON_MAX_DEPTH)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, p, (int)n);
	if (json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* got (n bytes) and want (with ' for ") are the same JSON value. */
#define CHECK_JSON(name, got, n, want) do {				\
	struct json_object *t_a = t_parse((got), (n));			\
	const char *t_ws = Q(want);					\
	struct json_object *t_b = t_parse(t_ws, strlen(t_ws));		\
	if (t_a != NULL && t_b != NULL && json_object_equal(t_a, t_b))	\
		printf("ok - %s\n", (name));				\
	else {								\
		printf("not ok - %s (%s:%d)\n  got  %.*s\n  want %s\n",	\
		    (name), __FILE__, __LINE__, (int)(n), (got), t_ws);	\
		t_failures++;						\
	}								\
	json_object_put(t_a);						\
	json_object_put(t_b);						\
} while (0)

#endif
