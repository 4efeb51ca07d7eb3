/*
 * A strict JSON (RFC 8259) tokenizer for OTLP/JSON exports: one pass over
 * the body into a flat array of tokens, no allocation per value.  Strings
 * stay in the body (their escapes are undone only when a decoder asks),
 * numbers stay as their text, and every value knows where the next one
 * starts, so a decoder walks objects and arrays without a tree.
 *
 * It exists because building a json-c object tree for an export, and
 * freeing it, cost about 90 instructions per byte: most of the time of an
 * OTLP/JSON export.  json-c stays the JSON library everywhere else; a
 * differential fuzz target (tests/fuzz/fuzz-otlp-jtok.c) holds this
 * tokenizer's verdict to json-c's strict mode.
 */
#ifndef LF_OTLP_JTOK_H
#define LF_OTLP_JTOK_H

#include <stddef.h>
#include <stdint.h>

struct arena;

enum jt_type {
	JT_NULL = 1,
	JT_FALSE,
	JT_TRUE,
	JT_NUMBER,
	JT_STRING,
	JT_ARRAY,
	JT_OBJECT
};

#define JT_ESCAPED	0x01	/* a string with at least one backslash */
#define JT_INT		0x02	/* a number with no fraction or exponent */

/*
 * One value, or one member name (a JT_STRING token followed by its value).
 * An object's members and an array's elements follow it in order; `end`
 * is the index of the first token after the value and all it holds.
 */
struct jtok {
	uint32_t	 off;	/* first byte (a string's: after the quote) */
	uint32_t	 len;	/* bytes (a string's: up to the closing quote) */
	uint32_t	 end;	/* the next sibling's index */
	uint32_t	 n;	/* members (object) or elements (array) */
	uint8_t		 type;	/* enum jt_type */
	uint8_t		 flags;	/* JT_ESCAPED, JT_INT */
};

struct jdoc {
	const char	*p;	/* the body, not copied */
	struct jtok	*t;	/* t[0] is the top-level value */
	size_t		 nt;
	size_t		 cap;
};

enum jt_rc {
	JT_OK = 0,
	JT_BAD,		/* not JSON; why says what is wrong */
	JT_TOO_BIG	/* more than max_tokens values, or out of memory */
};

/*
 * Tokenize len bytes: one value, with only whitespace around it, nesting
 * at most max_depth objects and arrays, at most max_tokens values and
 * member names.  On JT_BAD, *why is a static message.  jt_free releases
 * the tokens whatever the result.
 */
enum jt_rc	 jt_parse(struct jdoc *, const uint8_t *, size_t,
		    size_t max_depth, size_t max_tokens, const char **why);
void		 jt_free(struct jdoc *);

/*
 * A string token's text with its escapes undone, NUL-terminated, in the
 * arena (\u0000 gives a NUL inside; a lone surrogate gives U+FFFD), and
 * its length; NULL when the arena is full.
 */
char		*jt_string(const struct jdoc *, const struct jtok *,
		    struct arena *, size_t *len);
/*
 * Whether a string token's text equals the NUL-terminated s (compared
 * without copying when it holds no escapes).
 */
int		 jt_streq(const struct jdoc *, const struct jtok *,
		    const char *s);

#endif
