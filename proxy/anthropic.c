/*
 * Anthropic Messages API <-> OpenAI chat completions.  See anthropic.h for
 * what each entry point reads and writes, and xlate.h for the contract.
 *
 * Request parameters dropped on purpose, because the Messages API has no
 * equivalent: n (only n <= 1 is accepted; more is a 400), presence_penalty,
 * frequency_penalty, logit_bias, logprobs, top_logprobs, seed,
 * response_format, service_tier, store, modalities, audio, prediction,
 * web_search_options, reasoning_effort, metadata (OpenAI's), functions and
 * function_call (legacy; use tools), a message's "name", an assistant
 * message's "refusal" and "audio", a function's "strict", an image's
 * "detail".  Any other unknown member is ignored as well.
 *
 * Other choices:
 *  - Empty text (a "" content string or text part) is left out: the
 *    Messages API rejects empty text blocks.  A message that maps to no
 *    block at all is left out too.
 *  - Consecutive messages of the same Anthropic role are merged into one
 *    message (tool results become user messages), since the Messages API
 *    wants alternating roles.
 *  - tool_choice (and parallel_tool_calls: false) are sent only with a
 *    non-empty tools array.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "anthropic.h"
#include "buf.h"
#include "chunk.h"
#include "json.h"
#include "jsonread.h"
#include "limits.h"
#include "openai.h"
#include "usage.h"

/* Default max_tokens: the Messages API requires one, OpenAI does not. */
#define ANTH_DEFAULT_MAX_TOKENS	4096

/* The string value of v, or NULL if v is not a string. */
static const char *
jstr(struct json_object *v)
{
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* Whether v is the string s. */
static int
jis(struct json_object *v, const char *s)
{
	const char	*t = jstr(v);

	return t != NULL && strcmp(t, s) == 0;
}

/* Length of the string v (0 if not a string). */
static size_t
jlen(struct json_object *v)
{
	int	 n;

	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    (n = json_object_get_string_len(v)) <= 0)
		return 0;
	return (size_t)n;
}

/* Copy a non-empty JSON string value v into dst; others leave it. */
static void
jcopy(char *dst, size_t dstsz, struct json_object *v)
{
	if (jlen(v) == 0)
		return;
	jr_copy_str(dst, dstsz, json_object_get_string(v), jlen(v));
}

#define JCOPY(dst, v)	jcopy((dst), sizeof(dst), (v))

/* Append streamed text; what does not fit is cut on a UTF-8 boundary and
 * the buffer is marked (err) as cut. */
static void
text_add(struct buf *b, struct json_object *v)
{
	size_t	 len;

	if ((len = jlen(v)) > 0)
		buf_add_cut(b, json_object_get_string(v), len);
}

/* ------------------------------------------------------------------ */
/* Usage, stop reasons, errors: shared by every direction.             */

/* A token count member k of u: a non-negative integer up to
 * LF_MAX_TOKEN_COUNT, else -1. */
static int64_t
count_of(struct json_object *u, const char *k)
{
	struct json_object	*v = jr_get(u, k);
	int64_t			 n;

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return -1;
	n = json_object_get_int64(v);
	return n >= 0 && n <= LF_MAX_TOKEN_COUNT ? n : -1;
}

static int64_t
max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

/*
 * Merge an Anthropic usage object u into us (see anthropic.h): every
 * count keeps the larger of what it had and what u reports, and prompt is
 * recomputed as the sum of its three parts.  A count u leaves out keeps
 * its value.
 */
static void
usage_merge(struct usage *us, struct json_object *u)
{
	int64_t	 in, cr, cc, out, base = -1;

	if (u == NULL || !json_object_is_type(u, json_type_object))
		return;
	in = count_of(u, "input_tokens");
	cr = count_of(u, "cache_read_input_tokens");
	cc = count_of(u, "cache_creation_input_tokens");
	out = count_of(u, "output_tokens");
	if (us->prompt >= 0) {
		/* What we have is only ever set here: prompt = in + cr + cc. */
		base = us->prompt - max64(us->cached, 0) -
		    max64(us->cache_creation, 0);
		base = max64(base, 0);
	}
	in = max64(in, base);
	cr = max64(cr, us->cached);
	cc = max64(cc, us->cache_creation);
	if (in >= 0 || cr >= 0 || cc >= 0)
		us->prompt = max64(in, 0) + max64(cr, 0) + max64(cc, 0);
	us->cached = cr;
	us->cache_creation = cc;
	us->completion = max64(out, us->completion);
	if (us->prompt >= 0 || us->completion >= 0)
		us->total = max64(us->prompt, 0) + max64(us->completion, 0);
}

/* OpenAI finish_reason for an Anthropic stop_reason (NULL: "stop"). */
static const char *
finish_map(const char *stop)
{
	if (stop == NULL)
		return "stop";
	if (strcmp(stop, "max_tokens") == 0 ||
	    strcmp(stop, "model_context_window_exceeded") == 0)
		return "length";
	if (strcmp(stop, "tool_use") == 0)
		return "tool_calls";
	if (strcmp(stop, "refusal") == 0)
		return "content_filter";
	/* end_turn, stop_sequence, pause_turn, and anything newer. */
	return "stop";
}

/* Anthropic error object {"type","message"} -> res->error (the message,
 * or the type when there is none). */
static void
error_into(struct llm_result *res, struct json_object *e)
{
	if (jlen(jr_get(e, "message")) > 0)
		JCOPY(res->error, jr_get(e, "message"));
	else if (jlen(jr_get(e, "type")) > 0)
		JCOPY(res->error, jr_get(e, "type"));
	else if (res->error[0] == '\0')
		jr_copy_str(res->error, sizeof(res->error), "upstream error", 14);
}

/*
 * What one stream event tells about the call, for both the translated and
 * the passthrough stream: id, model, usage, stop reason (mapped to
 * OpenAI's when `mapped`), streamed text, error, end.
 */
static void
note_event(struct llm_result *res, struct json_object *o, const char *type,
    int mapped)
{
	struct json_object	*m, *d, *sr;

	if (strcmp(type, "message_start") == 0) {
		m = jr_get(o, "message");
		JCOPY(res->model, jr_get(m, "model"));
		JCOPY(res->id, jr_get(m, "id"));
		usage_merge(&res->usage, jr_get(m, "usage"));
	} else if (strcmp(type, "content_block_start") == 0) {
		m = jr_get(o, "content_block");
		if (jis(jr_get(m, "type"), "text"))
			text_add(&res->text, jr_get(m, "text"));
	} else if (strcmp(type, "content_block_delta") == 0) {
		d = jr_get(o, "delta");
		if (jis(jr_get(d, "type"), "text_delta"))
			text_add(&res->text, jr_get(d, "text"));
	} else if (strcmp(type, "message_delta") == 0) {
		sr = jr_get(jr_get(o, "delta"), "stop_reason");
		if (jlen(sr) > 0) {
			if (mapped)
				jr_copy_str(res->finish_reason,
				    sizeof(res->finish_reason),
				    finish_map(jstr(sr)),
				    strlen(finish_map(jstr(sr))));
			else
				JCOPY(res->finish_reason, sr);
		}
		usage_merge(&res->usage, jr_get(o, "usage"));
	} else if (strcmp(type, "message_stop") == 0)
		res->done = 1;
	else if (strcmp(type, "error") == 0)
		error_into(res, jr_get(o, "error"));
}

/* data[0, n) without trailing whitespace, parsed; NULL if not JSON. */
static struct json_object *
event_parse(const char *data, size_t n)
{
	while (n > 0 && (data[n - 1] == ' ' || data[n - 1] == '\n' ||
	    data[n - 1] == '\r' || data[n - 1] == '\t'))
		n--;
	return jr_parse(data, n);
}

/* ------------------------------------------------------------------ */
/* Request: OpenAI chat/completions -> Messages.                       */

struct rq {
	struct jw	 w;
	const char	*role;		/* role of the open message, or NULL */
	char		*err;
	size_t		 errsz;
};

static int rq_fail(struct rq *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/* Set the 400 message; returns -1. */
static int
rq_fail(struct rq *q, const char *fmt, ...)
{
	va_list	 ap;

	if (q->errsz > 0) {
		va_start(ap, fmt);
		vsnprintf(q->err, q->errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Make sure a message of role `role` is open in the messages array,
 * closing one of another role; same-role messages merge. */
static void
msg_open(struct rq *q, const char *role)
{
	if (q->role != NULL && strcmp(q->role, role) == 0)
		return;
	if (q->role != NULL) {
		jw_arr_end(&q->w);
		jw_obj_end(&q->w);
	}
	jw_obj(&q->w);
	jw_kstr(&q->w, "role", role);
	jw_key(&q->w, "content");
	jw_arr(&q->w);
	q->role = role;
}

static void
msg_close(struct rq *q)
{
	if (q->role == NULL)
		return;
	jw_arr_end(&q->w);
	jw_obj_end(&q->w);
	q->role = NULL;
}

/*
 * A data URL "data:<media type>[;params];base64,<data>": the media type
 * and the data.  0, or -1 if it is not a base64 data URL.
 */
static int
data_url(const char *s, size_t n, const char **mt, size_t *mtlen,
    const char **data, size_t *dlen)
{
	const char	*comma, *semi;
	size_t		 hlen;

	if (n < 5 || strncasecmp(s, "data:", 5) != 0)
		return -1;
	if ((comma = memchr(s + 5, ',', n - 5)) == NULL)
		return -1;
	hlen = (size_t)(comma - (s + 5));
	if (hlen < 7 || strncasecmp(comma - 7, ";base64", 7) != 0)
		return -1;
	semi = memchr(s + 5, ';', hlen);
	*mt = s + 5;
	*mtlen = (size_t)(semi - (s + 5));
	if (*mtlen == 0)
		return -1;
	*data = comma + 1;
	*dlen = n - (size_t)(comma + 1 - s);
	return 0;
}

/* {"type":"base64","media_type":..,"data":..} */
static void
source_base64(struct jw *w, const char *mt, size_t mtlen, const char *data,
    size_t dlen)
{
	jw_key(w, "source");
	jw_obj(w);
	jw_kstr(w, "type", "base64");
	jw_key(w, "media_type");
	jw_strn(w, mt, mtlen);
	jw_key(w, "data");
	jw_strn(w, data, dlen);
	jw_obj_end(w);
}

/*
 * One OpenAI content part -> one Anthropic block, written in the open
 * array.  role: the message to open first (NULL inside a tool_result,
 * whose content array is already open).  where names the part in error
 * messages.  0 (also for an empty text part, which writes nothing), or
 * -1 with the 400 message set.
 */
static int
part_block(struct rq *q, const char *role, struct json_object *part,
    const char *where)
{
	struct json_object	*t, *v, *u;
	const char		*type, *s, *mt, *data;
	size_t			 n, mtlen, dlen;

	if (part == NULL || !json_object_is_type(part, json_type_object))
		return rq_fail(q, "%s is not an object", where);
	t = jr_get(part, "type");
	if ((type = jstr(t)) == NULL)
		return rq_fail(q, "%s has no type", where);
	if (strcmp(type, "text") == 0 || strcmp(type, "refusal") == 0) {
		v = jr_get(part, type);
		if (v != NULL && !json_object_is_type(v, json_type_string))
			return rq_fail(q, "%s.%s is not a string", where,
			    type);
		if (jlen(v) == 0)
			return 0;
		if (role != NULL)
			msg_open(q, role);
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "text");
		jw_key(&q->w, "text");
		jw_strn(&q->w, json_object_get_string(v), jlen(v));
		jw_obj_end(&q->w);
		return 0;
	}
	if (strcmp(type, "image_url") == 0) {
		u = jr_get(part, "image_url");
		if (u != NULL && json_object_is_type(u, json_type_object))
			u = jr_get(u, "url");
		if ((s = jstr(u)) == NULL)
			return rq_fail(q, "%s.image_url.url is missing",
			    where);
		n = jlen(u);
		if (data_url(s, n, &mt, &mtlen, &data, &dlen) == 0) {
			if (mtlen <= 6 || strncasecmp(mt, "image/", 6) != 0)
				return rq_fail(q, "%s: an image_url data URL "
				    "must hold an image/* type", where);
			if (role != NULL)
				msg_open(q, role);
			jw_obj(&q->w);
			jw_kstr(&q->w, "type", "image");
			source_base64(&q->w, mt, mtlen, data, dlen);
			jw_obj_end(&q->w);
			return 0;
		}
		if (strncasecmp(s, "https://", 8) != 0 &&
		    strncasecmp(s, "http://", 7) != 0)
			return rq_fail(q, "%s.image_url.url must be an http(s) "
			    "URL or a base64 data URL", where);
		if (role != NULL)
			msg_open(q, role);
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "image");
		jw_key(&q->w, "source");
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "url");
		jw_key(&q->w, "url");
		jw_strn(&q->w, s, n);
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
		return 0;
	}
	if (strcmp(type, "file") == 0) {
		u = jr_get(jr_get(part, "file"), "file_data");
		if ((s = jstr(u)) == NULL ||
		    data_url(s, jlen(u), &mt, &mtlen, &data, &dlen) == -1 ||
		    mtlen != 15 || strncasecmp(mt, "application/pdf", 15) != 0)
			return rq_fail(q, "%s: only a file with file_data as "
			    "a base64 application/pdf data URL can be sent to "
			    "Anthropic", where);
		if (role != NULL)
			msg_open(q, role);
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "document");
		source_base64(&q->w, mt, mtlen, data, dlen);
		jw_obj_end(&q->w);
		return 0;
	}
	return rq_fail(q, "%s: content part type \"%.64s\" cannot be sent to "
	    "Anthropic", where, type);
}

/*
 * A message's content (string, array of parts, or null) as blocks of a
 * message of role `role`.  0, or -1 with the message set.
 */
static int
content_blocks(struct rq *q, const char *role, struct json_object *c,
    size_t i)
{
	char	 where[64];
	size_t	 j, n;

	if (c == NULL)
		return 0;
	if (json_object_is_type(c, json_type_string)) {
		if (jlen(c) == 0)
			return 0;
		msg_open(q, role);
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "text");
		jw_key(&q->w, "text");
		jw_strn(&q->w, json_object_get_string(c), jlen(c));
		jw_obj_end(&q->w);
		return 0;
	}
	if (!json_object_is_type(c, json_type_array))
		return rq_fail(q, "messages[%zu].content must be a string or "
		    "an array", i);
	n = json_object_array_length(c);
	for (j = 0; j < n; j++) {
		snprintf(where, sizeof(where), "messages[%zu].content[%zu]",
		    i, j);
		if (part_block(q, role, json_object_array_get_idx(c, j),
		    where) == -1)
			return -1;
	}
	return 0;
}

/* An assistant message's tool_calls -> tool_use blocks. */
static int
tool_use_blocks(struct rq *q, struct json_object *tc, size_t i)
{
	struct json_object	*call, *f, *id, *name, *args, *in;
	const char		*a;
	size_t			 j, n, k, alen;
	int			 rc;

	if (tc == NULL)
		return 0;
	if (!json_object_is_type(tc, json_type_array))
		return rq_fail(q, "messages[%zu].tool_calls must be an array",
		    i);
	n = json_object_array_length(tc);
	for (j = 0; j < n; j++) {
		call = json_object_array_get_idx(tc, j);
		f = jr_get(call, "function");
		id = jr_get(call, "id");
		name = jr_get(f, "name");
		if (jlen(id) == 0 || jlen(name) == 0)
			return rq_fail(q, "messages[%zu].tool_calls[%zu] needs "
			    "an id and a function.name", i, j);
		args = jr_get(f, "arguments");
		in = NULL;
		if (args != NULL && json_object_is_type(args, json_type_string)) {
			a = json_object_get_string(args);
			alen = jlen(args);
			for (k = 0; k < alen && (a[k] == ' ' || a[k] == '\t' ||
			    a[k] == '\n' || a[k] == '\r'); k++)
				;
			if (k < alen && ((in = jr_parse(a, alen)) == NULL ||
			    !json_object_is_type(in, json_type_object))) {
				json_object_put(in);
				return rq_fail(q, "messages[%zu].tool_calls[%zu]"
				    ".function.arguments is not a JSON object",
				    i, j);
			}
		} else if (args != NULL &&
		    !json_object_is_type(args, json_type_object))
			return rq_fail(q, "messages[%zu].tool_calls[%zu]"
			    ".function.arguments is not a JSON object", i, j);
		msg_open(q, "assistant");
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "tool_use");
		jw_key(&q->w, "id");
		jw_strn(&q->w, json_object_get_string(id), jlen(id));
		jw_key(&q->w, "name");
		jw_strn(&q->w, json_object_get_string(name), jlen(name));
		jw_key(&q->w, "input");
		if (in != NULL)
			jr_write(&q->w, in);
		else if (args != NULL &&
		    json_object_is_type(args, json_type_object))
			jr_write(&q->w, args);
		else {
			jw_obj(&q->w);
			jw_obj_end(&q->w);
		}
		jw_obj_end(&q->w);
		json_object_put(in);
		rc = q->w.b->err ? -1 : 0;
		if (rc == -1)
			return rq_fail(q, "translated request is too large or "
			    "too deeply nested");
	}
	return 0;
}

/* A role "tool" message -> a tool_result block in a user message. */
static int
tool_result_block(struct rq *q, struct json_object *m, size_t i)
{
	struct json_object	*id, *c;
	char			 where[64];
	size_t			 j, n;

	id = jr_get(m, "tool_call_id");
	if (jlen(id) == 0)
		return rq_fail(q, "messages[%zu].tool_call_id is required", i);
	c = jr_get(m, "content");
	if (c != NULL && !json_object_is_type(c, json_type_string) &&
	    !json_object_is_type(c, json_type_array))
		return rq_fail(q, "messages[%zu].content must be a string or "
		    "an array", i);
	msg_open(q, "user");
	jw_obj(&q->w);
	jw_kstr(&q->w, "type", "tool_result");
	jw_key(&q->w, "tool_use_id");
	jw_strn(&q->w, json_object_get_string(id), jlen(id));
	if (c != NULL && json_object_is_type(c, json_type_string)) {
		jw_key(&q->w, "content");
		jw_strn(&q->w, json_object_get_string(c), jlen(c));
	} else if (c != NULL) {
		jw_key(&q->w, "content");
		jw_arr(&q->w);
		n = json_object_array_length(c);
		for (j = 0; j < n; j++) {
			snprintf(where, sizeof(where),
			    "messages[%zu].content[%zu]", i, j);
			if (part_block(q, NULL, json_object_array_get_idx(c,
			    j), where) == -1)
				return -1;
		}
		jw_arr_end(&q->w);
	}
	jw_obj_end(&q->w);
	return 0;
}

/* Append the text of a system/developer message to sys ("\n\n" between
 * messages).  0, or -1 with the message set. */
static int
system_text(struct rq *q, struct buf *sys, struct json_object *c, size_t i)
{
	struct json_object	*part, *t;
	size_t			 j, n;

	if (c == NULL)
		return 0;
	if (json_object_is_type(c, json_type_string)) {
		if (jlen(c) == 0)
			return 0;
		if (sys->len > 0)
			buf_add(sys, "\n\n", 2);
		buf_add(sys, json_object_get_string(c), jlen(c));
		return 0;
	}
	if (!json_object_is_type(c, json_type_array))
		return rq_fail(q, "messages[%zu].content must be a string or "
		    "an array", i);
	n = json_object_array_length(c);
	for (j = 0; j < n; j++) {
		part = json_object_array_get_idx(c, j);
		t = jr_get(part, "text");
		if (!jis(jr_get(part, "type"), "text") ||
		    (t != NULL && !json_object_is_type(t, json_type_string)))
			return rq_fail(q, "messages[%zu].content[%zu]: a system "
			    "message may only hold text parts", i, j);
		if (jlen(t) == 0)
			continue;
		if (sys->len > 0)
			buf_add(sys, "\n\n", 2);
		buf_add(sys, json_object_get_string(t), jlen(t));
	}
	return 0;
}

/* Whether v is a JSON number; `name` for the message when it is not. */
static int
number_param(struct rq *q, struct json_object *v, const char *name)
{
	if (v == NULL || json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double))
		return 0;
	return rq_fail(q, "%s must be a number", name);
}

/* Write a JSON number parameter (known to be a number) as key k. */
static void
number_write(struct jw *w, const char *k, struct json_object *v)
{
	jw_key(w, k);
	if (json_object_is_type(v, json_type_int))
		jw_int(w, json_object_get_int64(v));
	else
		jw_double(w, json_object_get_double(v));
}

/* tools[] -> Anthropic tools; 0, or -1 with the message set. */
static int
tools_write(struct rq *q, struct json_object *tools)
{
	struct json_object	*t, *f, *name, *desc, *params;
	size_t			 i, n;

	n = json_object_array_length(tools);
	jw_key(&q->w, "tools");
	jw_arr(&q->w);
	for (i = 0; i < n; i++) {
		t = json_object_array_get_idx(tools, i);
		f = jr_get(t, "function");
		name = jr_get(f, "name");
		if (!jis(jr_get(t, "type"), "function") || jlen(name) == 0)
			return rq_fail(q, "tools[%zu] must be a function tool "
			    "with a name", i);
		desc = jr_get(f, "description");
		params = jr_get(f, "parameters");
		if (params != NULL &&
		    !json_object_is_type(params, json_type_object))
			return rq_fail(q, "tools[%zu].function.parameters must "
			    "be an object", i);
		jw_obj(&q->w);
		jw_key(&q->w, "name");
		jw_strn(&q->w, json_object_get_string(name), jlen(name));
		if (jlen(desc) > 0) {
			jw_key(&q->w, "description");
			jw_strn(&q->w, json_object_get_string(desc),
			    jlen(desc));
		}
		jw_key(&q->w, "input_schema");
		if (params != NULL)
			jr_write(&q->w, params);
		else {
			jw_obj(&q->w);
			jw_kstr(&q->w, "type", "object");
			jw_key(&q->w, "properties");
			jw_obj(&q->w);
			jw_obj_end(&q->w);
			jw_obj_end(&q->w);
		}
		jw_obj_end(&q->w);
	}
	jw_arr_end(&q->w);
	return 0;
}

/* tool_choice and parallel_tool_calls -> tool_choice (written only when
 * there is something to say).  0, or -1 with the message set. */
static int
tool_choice_write(struct rq *q, struct json_object *tc, struct json_object *par)
{
	struct json_object	*name;
	const char		*type = "auto", *s;
	int			 noparallel;

	noparallel = par != NULL &&
	    json_object_is_type(par, json_type_boolean) &&
	    !json_object_get_boolean(par);
	name = NULL;
	if (tc == NULL) {
		if (!noparallel)
			return 0;
	} else if ((s = jstr(tc)) != NULL) {
		if (strcmp(s, "auto") == 0)
			type = "auto";
		else if (strcmp(s, "required") == 0)
			type = "any";
		else if (strcmp(s, "none") == 0)
			type = "none";
		else
			return rq_fail(q, "tool_choice \"%.32s\" is not "
			    "supported", s);
	} else if (jis(jr_get(tc, "type"), "function") &&
	    jlen(name = jr_get(jr_get(tc, "function"), "name")) > 0)
		type = "tool";
	else
		return rq_fail(q, "tool_choice must be \"auto\", \"required\", "
		    "\"none\" or {\"type\":\"function\",\"function\":"
		    "{\"name\":..}}");
	jw_key(&q->w, "tool_choice");
	jw_obj(&q->w);
	jw_kstr(&q->w, "type", type);
	if (strcmp(type, "tool") == 0) {
		jw_key(&q->w, "name");
		jw_strn(&q->w, json_object_get_string(name), jlen(name));
	}
	if (noparallel && strcmp(type, "none") != 0)
		jw_kbool(&q->w, "disable_parallel_tool_use", 1);
	jw_obj_end(&q->w);
	return 0;
}

/* stop (string or array of strings) -> stop_sequences. */
static int
stop_write(struct rq *q, struct json_object *stop)
{
	struct json_object	*s;
	size_t			 i, n;

	if (stop == NULL)
		return 0;
	if (json_object_is_type(stop, json_type_string)) {
		if (jlen(stop) == 0)
			return 0;
		jw_key(&q->w, "stop_sequences");
		jw_arr(&q->w);
		jw_strn(&q->w, json_object_get_string(stop), jlen(stop));
		jw_arr_end(&q->w);
		return 0;
	}
	if (!json_object_is_type(stop, json_type_array))
		return rq_fail(q, "stop must be a string or an array of "
		    "strings");
	n = json_object_array_length(stop);
	for (i = 0; i < n; i++)
		if (!json_object_is_type(json_object_array_get_idx(stop, i),
		    json_type_string))
			return rq_fail(q, "stop[%zu] is not a string", i);
	if (n == 0)
		return 0;
	jw_key(&q->w, "stop_sequences");
	jw_arr(&q->w);
	for (i = 0; i < n; i++) {
		s = json_object_array_get_idx(stop, i);
		if (jlen(s) > 0)
			jw_strn(&q->w, json_object_get_string(s), jlen(s));
	}
	jw_arr_end(&q->w);
	return 0;
}

/* The request proper, on a parsed object; the caller puts o and frees
 * sys. */
static int
request_build(struct rq *q, struct json_object *o, struct xlate_req *req,
    struct buf *sys)
{
	struct json_object	*msgs, *m, *v, *model, *role, *tools;
	const char		*r;
	int64_t			 maxtok = ANTH_DEFAULT_MAX_TOKENS;
	size_t			 i, n;

	model = jr_get(o, "model");
	if (jlen(model) == 0)
		return rq_fail(q, "model is required");
	if (jlen(model) >= sizeof(req->model))
		return rq_fail(q, "model name is too long");
	jr_copy_str(req->model, sizeof(req->model),
	    json_object_get_string(model), jlen(model));
	msgs = jr_get(o, "messages");
	if (msgs == NULL || !json_object_is_type(msgs, json_type_array))
		return rq_fail(q, "messages must be an array");
	if ((v = jr_get(o, "n")) != NULL) {
		if (!json_object_is_type(v, json_type_int))
			return rq_fail(q, "n must be an integer");
		if (json_object_get_int64(v) > 1)
			return rq_fail(q, "n > 1 is not supported by "
			    "Anthropic");
	}
	if ((v = jr_get(o, "max_completion_tokens")) != NULL ||
	    (v = jr_get(o, "max_tokens")) != NULL) {
		if (!json_object_is_type(v, json_type_int) ||
		    (maxtok = json_object_get_int64(v)) < 1)
			return rq_fail(q, "max_tokens must be a positive "
			    "integer");
	}
	if ((v = jr_get(o, "stream")) != NULL) {
		if (!json_object_is_type(v, json_type_boolean))
			return rq_fail(q, "stream must be a boolean");
		req->stream = json_object_get_boolean(v);
	}
	v = jr_get(jr_get(o, "stream_options"), "include_usage");
	if (req->stream && v != NULL &&
	    json_object_is_type(v, json_type_boolean))
		req->include_usage = json_object_get_boolean(v);
	if (number_param(q, jr_get(o, "temperature"), "temperature") == -1 ||
	    number_param(q, jr_get(o, "top_p"), "top_p") == -1)
		return -1;
	if ((v = jr_get(o, "user")) != NULL &&
	    !json_object_is_type(v, json_type_string))
		return rq_fail(q, "user must be a string");
	tools = jr_get(o, "tools");
	if (tools != NULL && !json_object_is_type(tools, json_type_array))
		return rq_fail(q, "tools must be an array");

	/* System text first: the Messages API takes it at the top. */
	n = json_object_array_length(msgs);
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(msgs, i);
		role = jr_get(m, "role");
		if (jstr(role) == NULL)
			return rq_fail(q, "messages[%zu] needs a role", i);
		if ((jis(role, "system") || jis(role, "developer")) &&
		    system_text(q, sys, jr_get(m, "content"), i) == -1)
			return -1;
	}
	if (sys->err)
		return rq_fail(q, "system text is too long");

	jw_init(&q->w, &req->body);
	jw_obj(&q->w);
	jw_key(&q->w, "model");
	jw_strn(&q->w, json_object_get_string(model), jlen(model));
	jw_kint(&q->w, "max_tokens", maxtok);
	if (sys->len > 0) {
		jw_key(&q->w, "system");
		jw_strn(&q->w, sys->p, sys->len);
	}
	jw_key(&q->w, "messages");
	jw_arr(&q->w);
	for (i = 0; i < n; i++) {
		m = json_object_array_get_idx(msgs, i);
		r = jstr(jr_get(m, "role"));
		if (strcmp(r, "system") == 0 || strcmp(r, "developer") == 0)
			continue;
		if (strcmp(r, "user") == 0) {
			if (content_blocks(q, "user", jr_get(m, "content"), i)
			    == -1)
				return -1;
		} else if (strcmp(r, "assistant") == 0) {
			if (content_blocks(q, "assistant", jr_get(m, "content"),
			    i) == -1 ||
			    tool_use_blocks(q, jr_get(m, "tool_calls"), i) == -1)
				return -1;
		} else if (strcmp(r, "tool") == 0) {
			if (tool_result_block(q, m, i) == -1)
				return -1;
		} else
			return rq_fail(q, "messages[%zu].role \"%.32s\" is not "
			    "supported", i, r);
	}
	msg_close(q);
	jw_arr_end(&q->w);
	if (tools != NULL && json_object_array_length(tools) > 0) {
		if (tools_write(q, tools) == -1 ||
		    tool_choice_write(q, jr_get(o, "tool_choice"),
		    jr_get(o, "parallel_tool_calls")) == -1)
			return -1;
	}
	if ((v = jr_get(o, "temperature")) != NULL)
		number_write(&q->w, "temperature", v);
	if ((v = jr_get(o, "top_p")) != NULL)
		number_write(&q->w, "top_p", v);
	if (stop_write(q, jr_get(o, "stop")) == -1)
		return -1;
	if (req->stream)
		jw_kbool(&q->w, "stream", 1);
	if (jlen(v = jr_get(o, "user")) > 0) {
		jw_key(&q->w, "metadata");
		jw_obj(&q->w);
		jw_key(&q->w, "user_id");
		jw_strn(&q->w, json_object_get_string(v), jlen(v));
		jw_obj_end(&q->w);
	}
	jw_obj_end(&q->w);
	if (req->body.err)
		return rq_fail(q, "translated request is too large or too "
		    "deeply nested");
	return 0;
}

static int
anth_request(const char *body, size_t n, struct xlate_req *req, char *err,
    size_t errsz)
{
	struct json_object	*o;
	struct buf		 sys;
	struct rq		 q;
	int			 rc;

	memset(&q, 0, sizeof(q));
	q.err = err;
	q.errsz = errsz;
	if (errsz > 0)
		err[0] = '\0';
	req->stream = req->include_usage = 0;
	req->model[0] = '\0';
	buf_reset(&req->body);
	if ((o = jr_parse(body, n)) == NULL ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return rq_fail(&q, "request body is not a JSON object");
	}
	/* The joined system text is never longer than the body. */
	buf_init(&sys, n);
	rc = request_build(&q, o, req, &sys);
	buf_free(&sys);
	json_object_put(o);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Response: Messages -> chat.completion.                              */

/* The Anthropic error body o -> OpenAI error body; res->error. */
static int
error_body(struct json_object *o, struct buf *out, struct llm_result *res)
{
	struct json_object	*e = jr_get(o, "error");
	const char		*msg, *type;

	if (e == NULL || !json_object_is_type(e, json_type_object))
		return -1;
	error_into(res, e);
	msg = jlen(jr_get(e, "message")) > 0 ? jstr(jr_get(e, "message")) :
	    res->error;
	type = jlen(jr_get(e, "type")) > 0 ? jstr(jr_get(e, "type")) :
	    "api_error";
	return openai_error_body(out, msg, type, NULL);
}

/* The chat.completion for a Messages response object o. */
static int
message_body(struct json_object *o, size_t n, const char *model,
    struct buf *out, struct llm_result *res)
{
	struct json_object	*content, *b, *in, *sr;
	struct chunk_ctx	 c;
	struct buf		 text, args;
	struct jw		 w, aw;
	size_t			 i, nb, ntext = 0, ntool = 0;
	int			 rc = -1;

	content = jr_get(o, "content");
	if (content == NULL || !json_object_is_type(content, json_type_array))
		return -1;
	JCOPY(res->id, jr_get(o, "id"));
	JCOPY(res->model, jr_get(o, "model"));
	usage_merge(&res->usage, jr_get(o, "usage"));
	sr = jr_get(o, "stop_reason");
	jr_copy_str(res->finish_reason, sizeof(res->finish_reason),
	    finish_map(jstr(sr)), strlen(finish_map(jstr(sr))));
	chunk_init(&c, res->id, res->model[0] ? res->model : model);

	/* Text blocks joined; the text is never longer than the body. */
	buf_init(&text, n);
	buf_init(&args, 2 * n + 64);
	nb = json_object_array_length(content);
	for (i = 0; i < nb; i++) {
		b = json_object_array_get_idx(content, i);
		if (jis(jr_get(b, "type"), "text")) {
			ntext++;
			buf_add(&text, jstr(jr_get(b, "text")) ?
			    jstr(jr_get(b, "text")) : "", jlen(jr_get(b, "text")));
		} else if (jis(jr_get(b, "type"), "tool_use"))
			ntool++;
	}

	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "id", c.id);
	jw_kstr(&w, "object", "chat.completion");
	jw_kint(&w, "created", c.created);
	jw_kstr(&w, "model", c.model);
	jw_key(&w, "choices");
	jw_arr(&w);
	jw_obj(&w);
	jw_kint(&w, "index", 0);
	jw_key(&w, "message");
	jw_obj(&w);
	jw_kstr(&w, "role", "assistant");
	jw_key(&w, "content");
	if (ntext == 0 && ntool > 0)
		jw_null(&w);
	else
		jw_strn(&w, text.p ? text.p : "", text.len);
	if (ntool > 0) {
		jw_key(&w, "tool_calls");
		jw_arr(&w);
		for (i = 0; i < nb; i++) {
			b = json_object_array_get_idx(content, i);
			if (!jis(jr_get(b, "type"), "tool_use"))
				continue;
			buf_reset(&args);
			jw_init(&aw, &args);
			if ((in = jr_get(b, "input")) != NULL)
				jr_write(&aw, in);
			else {
				jw_obj(&aw);
				jw_obj_end(&aw);
			}
			jw_obj(&w);
			jw_kstr(&w, "id", jstr(jr_get(b, "id")) ?
			    jstr(jr_get(b, "id")) : "");
			jw_kstr(&w, "type", "function");
			jw_key(&w, "function");
			jw_obj(&w);
			jw_kstr(&w, "name", jstr(jr_get(b, "name")) ?
			    jstr(jr_get(b, "name")) : "");
			jw_key(&w, "arguments");
			jw_strn(&w, args.p ? args.p : "{}",
			    args.p ? args.len : 2);
			jw_obj_end(&w);
			jw_obj_end(&w);
			if (args.err)
				out->err = 1;
		}
		jw_arr_end(&w);
	}
	jw_obj_end(&w);
	jw_knull(&w, "logprobs");
	jw_kstr(&w, "finish_reason", res->finish_reason);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "usage");
	openai_usage_json(&w, &res->usage);
	jw_obj_end(&w);
	if (!out->err && !text.err)
		rc = 0;
	buf_free(&text);
	buf_free(&args);
	return rc;
}

static int
anth_response(int status, const char *body, size_t n, const char *model,
    struct buf *out, struct llm_result *res)
{
	struct json_object	*o;
	int			 rc = -1;

	if ((o = jr_parse(body, n)) == NULL)
		return -1;
	if (!json_object_is_type(o, json_type_object))
		rc = -1;
	else if (status >= 400 || jis(jr_get(o, "type"), "error"))
		rc = error_body(o, out, res);
	else
		rc = message_body(o, n, model, out, res);
	json_object_put(o);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Streams: Messages SSE -> chat.completion.chunk SSE.  stream_event and
 * stream_end take a NULL state (stream_new out of memory): the result is
 * still read, nothing is written, and they return -1.                 */

enum blk {
	BLK_NONE,
	BLK_TEXT,
	BLK_TOOL,
	BLK_OTHER	/* thinking, server tools, ...: not sent */
};

struct anth_stream {
	struct chunk_ctx c;
	int		 include_usage;
	int		 role_sent;	/* chunk_role written */
	int		 finish_sent;	/* chunk_finish written */
	int		 errored;	/* an error event was passed on */
	int		 ended;		/* stream_end ran */
	int		 ntools;	/* tool_use blocks started */
	int64_t		 cur;		/* index of the open content block */
	enum blk	 kind;		/* ... and what it is */
	int		 tool;		/* its tool index when BLK_TOOL */
	char		 finish[32];	/* OpenAI finish_reason, "" if none */
};

static void *
anth_stream_new(const char *model, int include_usage)
{
	struct anth_stream	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	chunk_init(&s->c, NULL, model);
	s->include_usage = include_usage;
	s->cur = -1;
	s->kind = BLK_NONE;
	return s;
}

static void
anth_stream_free(void *st)
{
	free(st);
}

/* The role chunk, once, before anything else. */
static void
ensure_role(struct anth_stream *s, struct buf *out)
{
	if (s->role_sent)
		return;
	chunk_role(&s->c, out);
	s->role_sent = 1;
}

static int64_t
index_of(struct json_object *o)
{
	struct json_object	*v = jr_get(o, "index");

	if (v == NULL || !json_object_is_type(v, json_type_int))
		return -1;
	return json_object_get_int64(v);
}

/* content_block_start */
static void
block_start(struct anth_stream *s, struct json_object *o, struct buf *out)
{
	struct json_object	*cb = jr_get(o, "content_block"), *t;

	s->cur = index_of(o);
	if (jis(jr_get(cb, "type"), "text")) {
		s->kind = BLK_TEXT;
		t = jr_get(cb, "text");
		if (jlen(t) > 0) {
			ensure_role(s, out);
			chunk_text(&s->c, json_object_get_string(t), jlen(t),
			    out);
		}
	} else if (jis(jr_get(cb, "type"), "tool_use") && s->ntools < INT32_MAX) {
		s->kind = BLK_TOOL;
		s->tool = s->ntools++;
		ensure_role(s, out);
		chunk_tool_start(&s->c, s->tool, jstr(jr_get(cb, "id")) ?
		    jstr(jr_get(cb, "id")) : "", jstr(jr_get(cb, "name")) ?
		    jstr(jr_get(cb, "name")) : "", out);
	} else
		s->kind = BLK_OTHER;
}

/* content_block_delta */
static void
block_delta(struct anth_stream *s, struct json_object *o, struct buf *out)
{
	struct json_object	*d = jr_get(o, "delta"), *v;
	int64_t			 idx = index_of(o);

	if (jis(jr_get(d, "type"), "text_delta")) {
		v = jr_get(d, "text");
		if (jlen(v) > 0) {
			ensure_role(s, out);
			chunk_text(&s->c, json_object_get_string(v), jlen(v),
			    out);
		}
	} else if (jis(jr_get(d, "type"), "input_json_delta")) {
		v = jr_get(d, "partial_json");
		if (s->kind == BLK_TOOL && (idx == -1 || idx == s->cur) &&
		    jlen(v) > 0)
			chunk_tool_args(&s->c, s->tool,
			    json_object_get_string(v), jlen(v), out);
	}
	/* thinking_delta, signature_delta, citations_delta: not sent. */
}

static int
anth_stream_event(void *st, const char *data, size_t n,
    struct llm_result *res, struct buf *out)
{
	struct anth_stream	*s = st;
	struct json_object	*o, *m, *e, *sr;
	const char		*type;

	res->chunks++;
	if ((o = event_parse(data, n)) == NULL)
		return s == NULL || out->err ? -1 : 0;
	if ((type = jstr(jr_get(o, "type"))) == NULL) {
		json_object_put(o);
		return s == NULL || out->err ? -1 : 0;
	}
	note_event(res, o, type, 1);
	if (s == NULL) {
		/* stream_new failed: the result is still read. */
		json_object_put(o);
		return -1;
	}
	if (strcmp(type, "message_start") == 0) {
		m = jr_get(o, "message");
		chunk_set_id(&s->c, jstr(jr_get(m, "id")));
		chunk_set_model(&s->c, jstr(jr_get(m, "model")));
		ensure_role(s, out);
	} else if (strcmp(type, "content_block_start") == 0)
		block_start(s, o, out);
	else if (strcmp(type, "content_block_delta") == 0)
		block_delta(s, o, out);
	else if (strcmp(type, "content_block_stop") == 0) {
		s->cur = -1;
		s->kind = BLK_NONE;
	} else if (strcmp(type, "message_delta") == 0) {
		sr = jr_get(jr_get(o, "delta"), "stop_reason");
		if (jlen(sr) > 0) {
			jr_copy_str(s->finish, sizeof(s->finish),
			    finish_map(jstr(sr)), strlen(finish_map(jstr(sr))));
			if (!s->finish_sent && !s->errored) {
				ensure_role(s, out);
				chunk_finish(&s->c, s->finish, out);
				s->finish_sent = 1;
			}
		}
	} else if (strcmp(type, "error") == 0) {
		e = jr_get(o, "error");
		chunk_error(res->error[0] ? res->error : "upstream error",
		    jlen(jr_get(e, "type")) > 0 ? jstr(jr_get(e, "type")) :
		    "api_error", out);
		s->errored = 1;
	}
	/* ping, message_stop: nothing to send. */
	json_object_put(o);
	return out->err ? -1 : 0;
}

static int
anth_stream_end(void *st, struct llm_result *res, struct buf *out)
{
	struct anth_stream	*s = st;

	if (s == NULL)
		return -1;
	if (s->ended)
		return out->err ? -1 : 0;
	s->ended = 1;
	if (!s->errored) {
		if (!s->finish_sent) {
			ensure_role(s, out);
			chunk_finish(&s->c, s->finish[0] ? s->finish : "stop",
			    out);
			s->finish_sent = 1;
		}
		if (s->include_usage)
			chunk_usage(&s->c, &res->usage, out);
	}
	chunk_done(out);
	return out->err ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Passthrough.                                                        */

static int
anth_native_body(const char *p, size_t n, struct llm_result *res)
{
	struct json_object	*o;

	if ((o = jr_parse(p, n)) == NULL)
		return -1;
	if (jr_get(o, "error") != NULL || jis(jr_get(o, "type"), "error"))
		error_into(res, jr_get(o, "error"));
	else if (json_object_is_type(o, json_type_object)) {
		JCOPY(res->id, jr_get(o, "id"));
		JCOPY(res->model, jr_get(o, "model"));
		JCOPY(res->finish_reason, jr_get(o, "stop_reason"));
		usage_merge(&res->usage, jr_get(o, "usage"));
	}
	json_object_put(o);
	return 0;
}

static int
anth_native_event(struct llm_result *res, const char *data, size_t n)
{
	struct json_object	*o;
	const char		*type;

	res->chunks++;
	if ((o = event_parse(data, n)) == NULL)
		return -1;
	if ((type = jstr(jr_get(o, "type"))) != NULL)
		note_event(res, o, type, 0);
	json_object_put(o);
	return 0;
}

const struct xlate anthropic_xlate = {
	.request = anth_request,
	.response = anth_response,
	.stream_new = anth_stream_new,
	.stream_event = anth_stream_event,
	.stream_end = anth_stream_end,
	.stream_free = anth_stream_free,
	.native_body = anth_native_body,
	.native_event = anth_native_event,
};
