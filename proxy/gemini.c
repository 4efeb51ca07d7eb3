/*
 * Gemini generateContent <-> OpenAI chat completions.
 *
 * Requests are read with json-c (strict, bounded depth, one put per
 * parse) and written with the JSON writer; nothing is spliced.  The model
 * goes into the path (gemini_path), never into a host, and the API key is
 * never put in the URL: the caller sends it as x-goog-api-key.
 *
 * Dropped on purpose (no generateContent equivalent): logit_bias,
 * logprobs, top_logprobs, user, service_tier, store, parallel_tool_calls,
 * metadata, prediction, modalities, audio, reasoning_effort,
 * web_search_options.  stream and stream_options only set req->stream and
 * req->include_usage.
 */
#include <ctype.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "buf.h"
#include "chunk.h"
#include "gemini.h"
#include "json.h"
#include "jsonread.h"
#include "limits.h"
#include "openai.h"
#include "usage.h"
#include "xlate.h"

/* Tool calls of one assistant message searched for a tool message's
 * tool_call_id beyond the positional guess: bounds the work a body full
 * of tool messages can cause (quadratic otherwise). */
#define GEMINI_MAX_TOOL_SCAN	128
/* Between a tool call's id and the thought signature carried in it. */
#define GEMINI_SIG_SEP		"__thought__"

/* ---------------------------------------------------------------- */
/* json-c helpers                                                    */

static int
jis(struct json_object *v, enum json_type t)
{
	return v != NULL && json_object_is_type(v, t);
}

/* Member k of o if it is a string, else NULL. */
static const char *
jstr(struct json_object *o, const char *k)
{
	struct json_object	*v = jr_get(o, k);

	return jis(v, json_type_string) ? json_object_get_string(v) : NULL;
}

/* Member k of o if it is an array, else NULL. */
static struct json_object *
jarr(struct json_object *o, const char *k)
{
	struct json_object	*v = jr_get(o, k);

	return jis(v, json_type_array) ? v : NULL;
}

/* Copy the non-empty string member k of o into dst; others leave it. */
static void
jcopy(char *dst, size_t dstsz, struct json_object *o, const char *k)
{
	struct json_object	*v = jr_get(o, k);

	if (!jis(v, json_type_string) || json_object_get_string_len(v) <= 0)
		return;
	jr_copy_str(dst, dstsz, json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
}

/*
 * A JSON Schema (tool parameters, response_format.json_schema.schema) as
 * Gemini's OpenAPI-subset Schema: "$schema" and "additionalProperties",
 * which Gemini rejects, are dropped from every schema object (the keys of
 * "properties" are property names and are all kept); everything else is
 * copied.
 */
static void
jw_schema(struct jw *w, struct json_object *v)
{
	struct json_object_iterator	 it, end, pit, pend;
	struct json_object		*val;
	const char			*k;
	size_t				 i, len;

	if (!jis(v, json_type_object)) {
		jr_write(w, v);
		return;
	}
	jw_obj(w);
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		k = json_object_iter_peek_name(&it);
		val = json_object_iter_peek_value(&it);
		if (strcmp(k, "$schema") == 0 ||
		    strcmp(k, "additionalProperties") == 0)
			continue;
		jw_key(w, k);
		if (strcmp(k, "properties") == 0 &&
		    jis(val, json_type_object)) {
			jw_obj(w);
			pit = json_object_iter_begin(val);
			pend = json_object_iter_end(val);
			for (; !json_object_iter_equal(&pit, &pend);
			    json_object_iter_next(&pit)) {
				jw_key(w, json_object_iter_peek_name(&pit));
				jw_schema(w, json_object_iter_peek_value(&pit));
			}
			jw_obj_end(w);
		} else if ((strcmp(k, "anyOf") == 0 ||
		    strcmp(k, "oneOf") == 0 || strcmp(k, "allOf") == 0 ||
		    strcmp(k, "prefixItems") == 0) &&
		    jis(val, json_type_array)) {
			jw_arr(w);
			len = json_object_array_length(val);
			for (i = 0; i < len; i++)
				jw_schema(w, json_object_array_get_idx(val, i));
			jw_arr_end(w);
		} else if (strcmp(k, "items") == 0 ||
		    strcmp(k, "not") == 0)
			jw_schema(w, val);
		else
			jr_write(w, val);
	}
	jw_obj_end(w);
}

/* ---------------------------------------------------------------- */
/* Path                                                              */

int
gemini_path(const char *model, int stream, struct buf *out)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*m;
	size_t			 len, i, mark;
	char			 esc[3];

	if (model == NULL || (len = strnlen(model, LF_MAX_MODEL)) >=
	    LF_MAX_MODEL)
		return -1;
	if (strncmp(model, "models/", 7) == 0) {
		model += 7;
		len -= 7;
	}
	if (len == 0 || strcmp(model, ".") == 0 || strcmp(model, "..") == 0)
		return -1;
	mark = out->len;
	buf_adds(out, "/v1beta/models/");
	for (m = (const unsigned char *)model, i = 0; i < len; i++) {
		if ((m[i] >= 'A' && m[i] <= 'Z') ||
		    (m[i] >= 'a' && m[i] <= 'z') ||
		    (m[i] >= '0' && m[i] <= '9') || m[i] == '-' ||
		    m[i] == '.' || m[i] == '_' || m[i] == '~') {
			buf_addc(out, (char)m[i]);
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[m[i] >> 4];
		esc[2] = hex[m[i] & 0xf];
		buf_add(out, esc, 3);
	}
	buf_adds(out, stream ? ":streamGenerateContent?alt=sse" :
	    ":generateContent");
	if (out->err) {
		if (out->p != NULL && mark <= out->len) {
			out->len = mark;
			out->p[mark] = '\0';
		}
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- */
/* Request                                                           */

struct rq {
	struct jw		 w;
	char			*err;
	size_t			 errsz;
	const char		*role;		/* open content's role */
	size_t			 ncontents;
	struct json_object	*calls;		/* last assistant tool_calls */
	size_t			 ncall_resp;	/* tool messages since then */
};

static int
rq_fail(struct rq *q, const char *what)
{
	snprintf(q->err, q->errsz, "%s", what);
	return -1;
}

static int
rq_failf(struct rq *q, size_t i, const char *what)
{
	snprintf(q->err, q->errsz, "messages[%zu]: %s", i, what);
	return -1;
}

/* Open a {"role":..,"parts":[ content unless the open one has the same
 * role (consecutive same-role messages are merged).  Role "system" opens
 * "systemInstruction":{"parts":[ instead (rq_system's pass). */
static void
rq_content(struct rq *q, const char *role)
{
	if (q->role != NULL && strcmp(q->role, role) == 0)
		return;
	if (strcmp(role, "system") == 0) {
		jw_key(&q->w, "systemInstruction");
		jw_obj(&q->w);
		jw_key(&q->w, "parts");
		jw_arr(&q->w);
		q->role = role;
		return;
	}
	if (q->role != NULL) {
		jw_arr_end(&q->w);
		jw_obj_end(&q->w);
	}
	jw_obj(&q->w);
	jw_kstr(&q->w, "role", role);
	jw_key(&q->w, "parts");
	jw_arr(&q->w);
	q->role = role;
	q->ncontents++;
}

static void
rq_text(struct rq *q, const char *role, const char *s, size_t n)
{
	if (n == 0)	/* Gemini rejects empty text parts */
		return;
	rq_content(q, role);
	jw_obj(&q->w);
	jw_key(&q->w, "text");
	jw_strn(&q->w, s, n);
	jw_obj_end(&q->w);
}

static int
prefix_ci(const char *s, const char *pre)
{
	return strncasecmp(s, pre, strlen(pre)) == 0;
}

/* MIME type guessed from the extension of an URL's path. */
static const char *
mime_guess(const char *url)
{
	static const struct { const char *ext, *mime; } map[] = {
		{ ".png", "image/png" },	{ ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" },	{ ".gif", "image/gif" },
		{ ".webp", "image/webp" },	{ ".heic", "image/heic" },
		{ ".heif", "image/heif" },	{ ".pdf", "application/pdf" },
		{ ".mp3", "audio/mp3" },	{ ".wav", "audio/wav" },
		{ ".mp4", "video/mp4" },
	};
	size_t	 end, i, el;

	end = strcspn(url, "?#");
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		el = strlen(map[i].ext);
		if (end >= el &&
		    strncasecmp(url + end - el, map[i].ext, el) == 0)
			return map[i].mime;
	}
	return "image/jpeg";
}

/* "data:<mime>[;params];base64,<data>" -> inlineData; 0 or -1. */
static int
rq_data_url(struct rq *q, const char *role, const char *s, size_t n)
{
	const char	*comma, *semi;
	size_t		 hl;

	if (n < 5 || strncasecmp(s, "data:", 5) != 0 ||
	    (comma = memchr(s, ',', n)) == NULL)
		return -1;
	hl = (size_t)(comma - s);
	if (hl < 5 + 7 || strncasecmp(comma - 7, ";base64", 7) != 0)
		return -1;
	semi = memchr(s + 5, ';', hl - 5);
	if (semi == s + 5)
		return -1;
	rq_content(q, role);
	jw_obj(&q->w);
	jw_key(&q->w, "inlineData");
	jw_obj(&q->w);
	jw_key(&q->w, "mimeType");
	jw_strn(&q->w, s + 5, (size_t)(semi - (s + 5)));
	jw_key(&q->w, "data");
	jw_strn(&q->w, comma + 1, n - hl - 1);
	jw_obj_end(&q->w);
	jw_obj_end(&q->w);
	return 0;
}

/* One content part of a user/system/assistant message. */
static int
rq_part(struct rq *q, size_t i, const char *role, struct json_object *p,
    int text_only)
{
	struct json_object	*v;
	const char		*type, *s, *fmt;

	if ((type = jstr(p, "type")) == NULL)
		return rq_failf(q, i, "content part without a type");
	if (strcmp(type, "text") == 0 || strcmp(type, "refusal") == 0) {
		v = jr_get(p, type);
		if (!jis(v, json_type_string))
			return rq_failf(q, i, "text part without text");
		rq_text(q, role, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
		return 0;
	}
	if (text_only)
		return rq_failf(q, i, "only text parts are accepted here");
	if (strcmp(type, "image_url") == 0) {
		v = jr_get(p, "image_url");
		if (jis(v, json_type_object))
			v = jr_get(v, "url");
		if (!jis(v, json_type_string))
			return rq_failf(q, i, "image_url without url");
		s = json_object_get_string(v);
		if (prefix_ci(s, "data:")) {
			if (rq_data_url(q, role, s,
			    (size_t)json_object_get_string_len(v)) == -1)
				return rq_failf(q, i, "image_url: only "
				    "base64 data URLs are accepted");
			return 0;
		}
		if (!prefix_ci(s, "http://") && !prefix_ci(s, "https://"))
			return rq_failf(q, i, "image_url: not an http(s) "
			    "or data URL");
		rq_content(q, role);
		jw_obj(&q->w);
		jw_key(&q->w, "fileData");
		jw_obj(&q->w);
		jw_kstr(&q->w, "mimeType", mime_guess(s));
		jw_key(&q->w, "fileUri");
		jw_strn(&q->w, s, (size_t)json_object_get_string_len(v));
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
		return 0;
	}
	if (strcmp(type, "input_audio") == 0) {
		v = jr_get(p, "input_audio");
		if ((s = jstr(v, "data")) == NULL ||
		    (fmt = jstr(v, "format")) == NULL ||
		    (strcmp(fmt, "wav") != 0 && strcmp(fmt, "mp3") != 0))
			return rq_failf(q, i, "input_audio needs data and "
			    "format wav or mp3");
		rq_content(q, role);
		jw_obj(&q->w);
		jw_key(&q->w, "inlineData");
		jw_obj(&q->w);
		jw_kstr(&q->w, "mimeType", strcmp(fmt, "wav") == 0 ?
		    "audio/wav" : "audio/mp3");
		jw_key(&q->w, "data");
		jr_write(&q->w, jr_get(v, "data"));
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
		return 0;
	}
	if (strcmp(type, "file") == 0) {
		v = jr_get(jr_get(p, "file"), "file_data");
		if (!jis(v, json_type_string) || rq_data_url(q, role,
		    json_object_get_string(v),
		    (size_t)json_object_get_string_len(v)) == -1)
			return rq_failf(q, i, "file: only file_data as a "
			    "base64 data URL is accepted");
		return 0;
	}
	return rq_failf(q, i, "unsupported content part type");
}

/* A message's content: a string, an array of parts, or null. */
static int
rq_parts(struct rq *q, size_t i, const char *role, struct json_object *c,
    int text_only)
{
	size_t	 k, len;

	if (c == NULL)
		return 0;
	if (jis(c, json_type_string)) {
		rq_text(q, role, json_object_get_string(c),
		    (size_t)json_object_get_string_len(c));
		return 0;
	}
	if (!jis(c, json_type_array))
		return rq_failf(q, i, "content must be a string or an array");
	len = json_object_array_length(c);
	for (k = 0; k < len; k++)
		if (rq_part(q, i, role, json_object_array_get_idx(c, k),
		    text_only) == -1)
			return -1;
	return 0;
}

/* Assistant tool_calls -> functionCall parts. */
static int
rq_tool_calls(struct rq *q, size_t i, struct json_object *calls)
{
	struct json_object	*tc, *fn, *a, *args;
	const char		*name, *sig, *id;
	size_t			 k, len;
	int			 rc;

	len = json_object_array_length(calls);
	for (k = 0; k < len; k++) {
		tc = json_object_array_get_idx(calls, k);
		fn = jr_get(tc, "function");
		if ((name = jstr(fn, "name")) == NULL || *name == '\0')
			return rq_failf(q, i, "tool call without a "
			    "function name");
		a = jr_get(fn, "arguments");
		args = NULL;
		if (jis(a, json_type_string) &&
		    json_object_get_string_len(a) > 0) {
			args = jr_parse(json_object_get_string(a),
			    (size_t)json_object_get_string_len(a));
			if (!jis(args, json_type_object)) {
				json_object_put(args);
				return rq_failf(q, i, "tool call arguments "
				    "are not a JSON object");
			}
		} else if (a != NULL && !jis(a, json_type_string) &&
		    !jis(a, json_type_object))
			return rq_failf(q, i, "tool call arguments are not "
			    "a JSON object");
		rq_content(q, "model");
		jw_obj(&q->w);
		jw_key(&q->w, "functionCall");
		jw_obj(&q->w);
		jw_kstr(&q->w, "name", name);
		jw_key(&q->w, "args");
		if (args != NULL)
			jr_write(&q->w, args);
		else if (jis(a, json_type_object))
			jr_write(&q->w, a);
		else {
			jw_obj(&q->w);
			jw_obj_end(&q->w);
		}
		jw_obj_end(&q->w);
		/* Gemini 3 wants its thought signature back with the call:
		 * where Google's OpenAI-compatible API puts it, or in the id
		 * we gave the call (call_id). */
		sig = jstr(jr_get(jr_get(tc, "extra_content"), "google"),
		    "thought_signature");
		if (sig == NULL && (id = jstr(tc, "id")) != NULL &&
		    (sig = strstr(id, GEMINI_SIG_SEP)) != NULL)
			sig += strlen(GEMINI_SIG_SEP);
		if (sig != NULL && *sig != '\0')
			jw_kstr(&q->w, "thoughtSignature", sig);
		jw_obj_end(&q->w);
		rc = q->w.b->err ? -1 : 0;
		json_object_put(args);
		if (rc == -1)
			return rq_fail(q, "translated request too large or "
			    "too deeply nested");
	}
	return 0;
}

/* The function name for a tool message's tool_call_id, from the last
 * assistant message with tool_calls: the call at the same position as
 * this answer first, then the first GEMINI_MAX_TOOL_SCAN calls. */
static const char *
rq_call_name(struct rq *q, const char *id)
{
	struct json_object	*tc;
	const char		*cid;
	size_t			 k, len;

	if (q->calls == NULL || id == NULL)
		return NULL;
	len = json_object_array_length(q->calls);
	if (q->ncall_resp < len) {
		tc = json_object_array_get_idx(q->calls, q->ncall_resp);
		if ((cid = jstr(tc, "id")) != NULL && strcmp(cid, id) == 0)
			return jstr(jr_get(tc, "function"), "name");
	}
	for (k = 0; k < len && k < GEMINI_MAX_TOOL_SCAN; k++) {
		tc = json_object_array_get_idx(q->calls, k);
		if ((cid = jstr(tc, "id")) != NULL && strcmp(cid, id) == 0)
			return jstr(jr_get(tc, "function"), "name");
	}
	return NULL;
}

/* A tool (or legacy function) message -> a user functionResponse part:
 * response {"content": the content as a JSON object if it is one, else
 * as text}. */
static int
rq_tool_msg(struct rq *q, size_t i, struct json_object *m)
{
	struct json_object	*c, *p, *parsed = NULL;
	struct buf		 text;
	const char		*name;
	size_t			 k, len;
	int			 rc = -1;

	name = rq_call_name(q, jstr(m, "tool_call_id"));
	q->ncall_resp++;
	if (name == NULL || *name == '\0')
		name = jstr(m, "name");
	if (name == NULL || *name == '\0')
		return rq_failf(q, i, "tool message whose tool_call_id "
		    "matches no earlier tool call");
	buf_init(&text, q->w.b->max);
	c = jr_get(m, "content");
	if (jis(c, json_type_string))
		buf_add(&text, json_object_get_string(c),
		    (size_t)json_object_get_string_len(c));
	else if (jis(c, json_type_array)) {
		len = json_object_array_length(c);
		for (k = 0; k < len; k++) {
			p = json_object_array_get_idx(c, k);
			if (jstr(p, "text") != NULL)
				buf_add(&text, jstr(p, "text"), (size_t)
				    json_object_get_string_len(jr_get(p,
				    "text")));
		}
	} else if (c != NULL) {
		rq_failf(q, i, "tool content must be a string or an array");
		goto out;
	}
	if (text.err) {
		rq_fail(q, "translated request too large");
		goto out;
	}
	if (text.len > 0 && (parsed = jr_parse(text.p, text.len)) != NULL &&
	    !jis(parsed, json_type_object)) {
		json_object_put(parsed);
		parsed = NULL;
	}
	rq_content(q, "user");
	jw_obj(&q->w);
	jw_key(&q->w, "functionResponse");
	jw_obj(&q->w);
	jw_kstr(&q->w, "name", name);
	jw_key(&q->w, "response");
	jw_obj(&q->w);
	jw_key(&q->w, "content");
	if (parsed != NULL)
		jr_write(&q->w, parsed);
	else
		jw_strn(&q->w, buf_str(&text), text.len);
	jw_obj_end(&q->w);
	jw_obj_end(&q->w);
	jw_obj_end(&q->w);
	rc = 0;
out:
	json_object_put(parsed);
	buf_free(&text);
	return rc;
}

/* "contents": every non-system message, in order. */
static int
rq_contents(struct rq *q, struct json_object *msgs)
{
	struct json_object	*m, *calls;
	const char		*role;
	size_t			 i, len;

	jw_key(&q->w, "contents");
	jw_arr(&q->w);
	len = json_object_array_length(msgs);
	for (i = 0; i < len; i++) {
		m = json_object_array_get_idx(msgs, i);
		if ((role = jstr(m, "role")) == NULL)
			return rq_failf(q, i, "message without a role");
		if (strcmp(role, "system") == 0 ||
		    strcmp(role, "developer") == 0)
			continue;
		if (strcmp(role, "user") == 0) {
			if (rq_parts(q, i, "user", jr_get(m, "content"), 0)
			    == -1)
				return -1;
		} else if (strcmp(role, "assistant") == 0) {
			if (rq_parts(q, i, "model", jr_get(m, "content"), 1)
			    == -1)
				return -1;
			if ((calls = jarr(m, "tool_calls")) != NULL &&
			    json_object_array_length(calls) > 0) {
				if (rq_tool_calls(q, i, calls) == -1)
					return -1;
				q->calls = calls;
				q->ncall_resp = 0;
			}
		} else if (strcmp(role, "tool") == 0 ||
		    strcmp(role, "function") == 0) {
			if (rq_tool_msg(q, i, m) == -1)
				return -1;
		} else
			return rq_failf(q, i, "unknown role");
	}
	if (q->role != NULL) {
		jw_arr_end(&q->w);
		jw_obj_end(&q->w);
	}
	jw_arr_end(&q->w);
	if (q->ncontents == 0)
		return rq_fail(q, "messages: no user or assistant message");
	return 0;
}

/* "systemInstruction": the text of system and developer messages. */
static int
rq_system(struct rq *q, struct json_object *msgs)
{
	struct json_object	*m;
	const char		*role;
	size_t			 i, len;

	q->role = NULL;
	len = json_object_array_length(msgs);
	for (i = 0; i < len; i++) {
		m = json_object_array_get_idx(msgs, i);
		role = jstr(m, "role");
		if (role == NULL || (strcmp(role, "system") != 0 &&
		    strcmp(role, "developer") != 0))
			continue;
		if (rq_parts(q, i, "system", jr_get(m, "content"), 1) == -1)
			return -1;
	}
	if (q->role != NULL) {
		jw_arr_end(&q->w);
		jw_obj_end(&q->w);
	}
	return 0;
}

/* Whether tool parameters are worth sending: Gemini refuses an OBJECT
 * schema without properties, so {} and {"type":"object"} (with no or
 * empty properties) are left out. */
static int
params_useful(struct json_object *params)
{
	struct json_object	*props = jr_get(params, "properties");
	const char		*type = jstr(params, "type");

	if (!jis(params, json_type_object) ||
	    json_object_object_length(params) == 0)
		return 0;
	if (type != NULL && strcmp(type, "object") == 0 &&
	    (!jis(props, json_type_object) ||
	    json_object_object_length(props) == 0))
		return 0;
	return 1;
}

static int
rq_tools(struct rq *q, struct json_object *tools)
{
	struct json_object	*t, *fn, *params;
	const char		*type, *name;
	size_t			 i, len;

	if (tools == NULL || (len = json_object_array_length(tools)) == 0)
		return 0;
	jw_key(&q->w, "tools");
	jw_arr(&q->w);
	jw_obj(&q->w);
	jw_key(&q->w, "functionDeclarations");
	jw_arr(&q->w);
	for (i = 0; i < len; i++) {
		t = json_object_array_get_idx(tools, i);
		if ((type = jstr(t, "type")) == NULL ||
		    strcmp(type, "function") != 0)
			return rq_fail(q, "tools: only function tools are "
			    "supported");
		fn = jr_get(t, "function");
		if ((name = jstr(fn, "name")) == NULL || *name == '\0')
			return rq_fail(q, "tools: function without a name");
		jw_obj(&q->w);
		jw_kstr(&q->w, "name", name);
		if (jstr(fn, "description") != NULL)
			jw_kstr(&q->w, "description",
			    jstr(fn, "description"));
		params = jr_get(fn, "parameters");
		if (params_useful(params)) {
			jw_key(&q->w, "parameters");
			jw_schema(&q->w, params);
		}
		jw_obj_end(&q->w);
	}
	jw_arr_end(&q->w);
	jw_obj_end(&q->w);
	jw_arr_end(&q->w);
	return 0;
}

static int
rq_tool_choice(struct rq *q, struct json_object *tc)
{
	const char	*s, *mode, *name = NULL;

	if (tc == NULL)
		return 0;
	if ((s = jis(tc, json_type_string) ? json_object_get_string(tc) :
	    NULL) != NULL) {
		if (strcmp(s, "auto") == 0)
			mode = "AUTO";
		else if (strcmp(s, "none") == 0)
			mode = "NONE";
		else if (strcmp(s, "required") == 0)
			mode = "ANY";
		else
			return rq_fail(q, "tool_choice: unknown value");
	} else if ((s = jstr(tc, "type")) != NULL &&
	    strcmp(s, "function") == 0 &&
	    (name = jstr(jr_get(tc, "function"), "name")) != NULL)
		mode = "ANY";
	else
		return rq_fail(q, "tool_choice: unknown value");
	jw_key(&q->w, "toolConfig");
	jw_obj(&q->w);
	jw_key(&q->w, "functionCallingConfig");
	jw_obj(&q->w);
	jw_kstr(&q->w, "mode", mode);
	if (name != NULL) {
		jw_key(&q->w, "allowedFunctionNames");
		jw_arr(&q->w);
		jw_str(&q->w, name);
		jw_arr_end(&q->w);
	}
	jw_obj_end(&q->w);
	jw_obj_end(&q->w);
	return 0;
}

/* Member k as a number: 1 (and *d), 0 absent or null, -1 not a number. */
static int
rq_num(struct json_object *o, const char *k, double *d)
{
	struct json_object	*v = jr_get(o, k);

	if (v == NULL)
		return 0;
	if (!jis(v, json_type_int) && !jis(v, json_type_double))
		return -1;
	*d = json_object_get_double(v);
	return isfinite(*d) ? 1 : -1;
}

/* Member k as an integer in [lo, hi]: 1 (and *i), 0 absent, -1 bad. */
static int
rq_int(struct json_object *o, const char *k, int64_t lo, int64_t hi,
    int64_t *i)
{
	struct json_object	*v = jr_get(o, k);
	double			 d;

	if (v == NULL)
		return 0;
	if (jis(v, json_type_int))
		*i = json_object_get_int64(v);
	else if (jis(v, json_type_double) &&
	    isfinite(d = json_object_get_double(v)) && d == floor(d) &&
	    d >= -9007199254740992.0 && d <= 9007199254740992.0)
		*i = (int64_t)d;
	else
		return -1;
	return *i >= lo && *i <= hi ? 1 : -1;
}

/* Opens "generationConfig" the first time a setting is written. */
static void
rq_gc(struct rq *q, int *open, const char *key)
{
	if (!*open) {
		jw_key(&q->w, "generationConfig");
		jw_obj(&q->w);
		*open = 1;
	}
	jw_key(&q->w, key);
}

static int
rq_genconfig(struct rq *q, struct json_object *o)
{
	static const struct { const char *from, *to; } nums[] = {
		{ "temperature", "temperature" },
		{ "top_p", "topP" },
		{ "presence_penalty", "presencePenalty" },
		{ "frequency_penalty", "frequencyPenalty" },
	};
	struct json_object	*v, *rf, *js;
	const char		*type;
	double			 d;
	int64_t			 i;
	size_t			 k, len;
	int			 open = 0, r;

	if ((r = rq_int(o, "max_completion_tokens", 1, INT32_MAX, &i)) == 0)
		r = rq_int(o, "max_tokens", 1, INT32_MAX, &i);
	if (r == -1)
		return rq_fail(q, "max_tokens: not a positive integer");
	if (r == 1) {
		rq_gc(q, &open, "maxOutputTokens");
		jw_int(&q->w, i);
	}
	for (k = 0; k < sizeof(nums) / sizeof(nums[0]); k++) {
		if ((r = rq_num(o, nums[k].from, &d)) == -1) {
			snprintf(q->err, q->errsz, "%s: not a number",
			    nums[k].from);
			return -1;
		}
		if (r == 1) {
			rq_gc(q, &open, nums[k].to);
			jr_write(&q->w, jr_get(o, nums[k].from));
		}
	}
	if ((v = jr_get(o, "stop")) != NULL) {
		if (jis(v, json_type_string)) {
			rq_gc(q, &open, "stopSequences");
			jw_arr(&q->w);
			jr_write(&q->w, v);
			jw_arr_end(&q->w);
		} else if (jis(v, json_type_array)) {
			len = json_object_array_length(v);
			for (k = 0; k < len; k++)
				if (!jis(json_object_array_get_idx(v, k),
				    json_type_string))
					return rq_fail(q, "stop: not a string "
					    "or an array of strings");
			if (len > 0) {
				rq_gc(q, &open, "stopSequences");
				jr_write(&q->w, v);
			}
		} else
			return rq_fail(q, "stop: not a string or an array of "
			    "strings");
	}
	if ((r = rq_int(o, "n", 1, INT32_MAX, &i)) == -1)
		return rq_fail(q, "n: not a positive integer");
	if (r == 1) {
		rq_gc(q, &open, "candidateCount");
		jw_int(&q->w, i);
	}
	if ((r = rq_int(o, "seed", INT32_MIN, INT32_MAX, &i)) == -1)
		return rq_fail(q, "seed: not a 32-bit integer");
	if (r == 1) {
		rq_gc(q, &open, "seed");
		jw_int(&q->w, i);
	}
	if ((rf = jr_get(o, "response_format")) != NULL) {
		if ((type = jstr(rf, "type")) == NULL)
			return rq_fail(q, "response_format: no type");
		if (strcmp(type, "json_object") == 0 ||
		    strcmp(type, "json_schema") == 0) {
			rq_gc(q, &open, "responseMimeType");
			jw_str(&q->w, "application/json");
			js = jr_get(jr_get(rf, "json_schema"), "schema");
			if (strcmp(type, "json_schema") == 0 &&
			    jis(js, json_type_object)) {
				jw_key(&q->w, "responseSchema");
				jw_schema(&q->w, js);
			}
		} else if (strcmp(type, "text") != 0)
			return rq_fail(q, "response_format: unknown type");
	}
	if (open)
		jw_obj_end(&q->w);
	return 0;
}

static int
gemini_request(const char *body, size_t n, struct xlate_req *req, char *err,
    size_t errsz)
{
	struct json_object	*o, *msgs, *v;
	struct buf		 probe;
	struct rq		 q;
	const char		*model;
	int			 rc = -1;

	memset(&q, 0, sizeof(q));
	q.err = err;
	q.errsz = errsz;
	if (errsz > 0)
		err[0] = '\0';
	buf_init(&probe, 4 * LF_MAX_MODEL);
	if ((o = jr_parse(body, n)) == NULL || !jis(o, json_type_object)) {
		rq_fail(&q, "request body is not a JSON object");
		goto out;
	}
	if ((msgs = jarr(o, "messages")) == NULL ||
	    json_object_array_length(msgs) == 0) {
		rq_fail(&q, "messages: missing or empty");
		goto out;
	}
	if ((model = jstr(o, "model")) == NULL ||
	    (size_t)json_object_get_string_len(jr_get(o, "model")) !=
	    strlen(model) || gemini_path(model, 0, &probe) == -1) {
		rq_fail(&q, "model: missing, too long or not a model name");
		goto out;
	}
	snprintf(req->model, sizeof(req->model), "%s", model);
	req->stream = jis(v = jr_get(o, "stream"), json_type_boolean) &&
	    json_object_get_boolean(v);
	req->include_usage = req->stream && jis(v = jr_get(jr_get(o,
	    "stream_options"), "include_usage"), json_type_boolean) &&
	    json_object_get_boolean(v);

	jw_init(&q.w, &req->body);
	jw_obj(&q.w);
	if (rq_contents(&q, msgs) == -1 || rq_system(&q, msgs) == -1 ||
	    rq_tools(&q, jarr(o, "tools")) == -1 ||
	    rq_tool_choice(&q, jr_get(o, "tool_choice")) == -1 ||
	    rq_genconfig(&q, o) == -1)
		goto out;
	jw_obj_end(&q.w);
	if (req->body.err) {
		rq_fail(&q, "translated request too large or too deeply "
		    "nested");
		goto out;
	}
	rc = 0;
out:
	buf_free(&probe);
	json_object_put(o);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Responses                                                         */

/* a + b for counts, -1 when neither is known or the sum overflows. */
static int64_t
count_add(int64_t a, int64_t b)
{
	if (a < 0)
		return b;
	if (b < 0)
		return a;
	return a > INT64_MAX - b ? -1 : a + b;
}

/*
 * usageMetadata -> usage: prompt = promptTokenCount (it includes
 * cachedContentTokenCount) + toolUsePromptTokenCount; cached =
 * cachedContentTokenCount; completion = candidatesTokenCount +
 * thoughtsTokenCount; reasoning = thoughtsTokenCount; total =
 * totalTokenCount.  0, or -1 (u untouched) if m is not an object.
 */
static int
usage_from_meta(struct usage *u, struct json_object *m)
{
	int64_t		 prompt = -1, tool = -1, cand = -1, th = -1, v;
	double		 cost;

	if (!jis(m, json_type_object))
		return -1;
	cost = u->reported_cost;
	usage_init(u);
	u->reported_cost = cost;
	if (jr_count(jr_get(m, "promptTokenCount"), &v) == 0)
		prompt = v;
	if (jr_count(jr_get(m, "toolUsePromptTokenCount"), &v) == 0)
		tool = v;
	u->prompt = count_add(prompt, tool);
	if (jr_count(jr_get(m, "cachedContentTokenCount"), &v) == 0)
		u->cached = v;
	if (jr_count(jr_get(m, "candidatesTokenCount"), &v) == 0)
		cand = v;
	if (jr_count(jr_get(m, "thoughtsTokenCount"), &v) == 0)
		th = v;
	u->completion = count_add(cand, th);
	u->reasoning = th;
	if (jr_count(jr_get(m, "totalTokenCount"), &v) == 0)
		u->total = v;
	return 0;
}

/* s lower-cased (ASCII) into out, cut to fit. */
static void
lower_copy(const char *s, char *out, size_t outsz)
{
	size_t	 i;

	if (outsz == 0)
		return;
	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (char)tolower((unsigned char)s[i]);
	out[i] = '\0';
}

/* A Gemini error status ("INVALID_ARGUMENT") as an OpenAI error type
 * ("invalid_argument"); "api_error" when there is none. */
static void
error_type(const char *status, char *out, size_t outsz)
{
	lower_copy(status != NULL && *status != '\0' ? status : "api_error",
	    out, outsz);
}

static int
is_filter_reason(const char *r)
{
	static const char *const filt[] = { "SAFETY", "RECITATION",
	    "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY" };
	size_t	 i;

	for (i = 0; i < sizeof(filt) / sizeof(filt[0]); i++)
		if (strcmp(r, filt[i]) == 0)
			return 1;
	return 0;
}

/*
 * Gemini finishReason (may be NULL) -> OpenAI finish_reason in out:
 * MAX_TOKENS length, safety reasons content_filter, then tool_calls when
 * the candidate called functions, STOP stop, others lower-cased.  ""
 * when there is neither a reason nor a call.
 */
static void
finish_map(const char *r, int has_calls, char *out, size_t outsz)
{
	if (r != NULL && strcmp(r, "MAX_TOKENS") == 0)
		r = "length";
	else if (r != NULL && is_filter_reason(r))
		r = "content_filter";
	else if (has_calls)
		r = "tool_calls";
	else if (r != NULL && strcmp(r, "STOP") == 0)
		r = "stop";
	else if (r == NULL)
		r = "";
	lower_copy(r, out, outsz);
}

/* Whether a candidate's content has a functionCall part. */
static int
has_calls(struct json_object *cand)
{
	struct json_object	*parts;
	size_t			 i, len;

	if ((parts = jarr(jr_get(cand, "content"), "parts")) == NULL)
		return 0;
	len = json_object_array_length(parts);
	for (i = 0; i < len; i++)
		if (jr_get(json_object_array_get_idx(parts, i),
		    "functionCall") != NULL)
			return 1;
	return 0;
}

/* A part that is answer text (not a thought summary): its text. */
static struct json_object *
part_text(struct json_object *part)
{
	struct json_object	*t = jr_get(part, "text"), *th;

	if (!jis(t, json_type_string))
		return NULL;
	if (jis(th = jr_get(part, "thought"), json_type_boolean) &&
	    json_object_get_boolean(th))
		return NULL;
	return t;
}

/* The JSON text of a functionCall's args (an absent args is {}). */
static void
args_json(struct buf *b, struct json_object *fc)
{
	struct json_object	*a = jr_get(fc, "args");
	struct jw		 w;

	jw_init(&w, b);
	if (a == NULL) {
		jw_obj(&w);
		jw_obj_end(&w);
	} else
		jr_write(&w, a);
}

/*
 * The OpenAI id of a functionCall part, in b (reset first): the call's
 * own id, or "call_<n>"; when the part carries a thoughtSignature, it
 * follows after GEMINI_SIG_SEP, so that it comes back with the tool call
 * in the next request (Gemini 3 refuses a replayed call without it) even
 * through clients that keep nothing but the id.
 */
static const char *
call_id(struct buf *b, struct json_object *part, int n)
{
	const char	*id = jstr(jr_get(part, "functionCall"), "id");
	const char	*sig = jstr(part, "thoughtSignature");

	buf_reset(b);
	if (id != NULL && *id != '\0')
		buf_adds(b, id);
	else
		buf_printf(b, "call_%d", n);
	if (sig != NULL && *sig != '\0') {
		buf_adds(b, GEMINI_SIG_SEP);
		buf_adds(b, sig);
	}
	return buf_str(b);
}

/* The candidate at position i with "index" 0 (or none) counts as the
 * first choice. */
static int
cand_index(struct json_object *cand, size_t pos)
{
	int64_t	 v;

	if (jr_count(jr_get(cand, "index"), &v) == 0 && v <= INT32_MAX)
		return (int)v;
	return pos > INT32_MAX ? INT32_MAX : (int)pos;
}

/* {"error":{"code","message","status"}} (or such an object first in an
 * array) -> res->error and out as an OpenAI error body.  0, or -1. */
static int
error_write(struct json_object *o, struct buf *out, struct llm_result *res)
{
	struct json_object	*e;
	const char		*msg;
	char			 type[64];

	if (jis(o, json_type_array) && json_object_array_length(o) > 0)
		o = json_object_array_get_idx(o, 0);
	e = jr_get(o, "error");
	if ((msg = jstr(e, "message")) == NULL)
		return -1;
	error_type(jstr(e, "status"), type, sizeof(type));
	jr_copy_str(res->error, sizeof(res->error), msg, strlen(msg));
	buf_reset(out);
	return openai_error_body(out, msg, type, NULL);
}

/* One candidate as an OpenAI choice.  *ncall numbers generated tool-call
 * ids.  Writes the mapped finish reason into fin. */
static void
choice_write(struct jw *w, struct json_object *cand, size_t pos,
    int *ncall, char *fin, size_t finsz, size_t max)
{
	struct json_object	*parts, *part, *t, *fc;
	struct buf		 text, args, idb;
	const char		*id;
	size_t			 i, len;
	int			 calls = has_calls(cand);

	buf_init(&text, max);
	buf_init(&args, max);
	buf_init(&idb, max);
	parts = jarr(jr_get(cand, "content"), "parts");
	len = parts != NULL ? json_object_array_length(parts) : 0;
	for (i = 0; i < len; i++)
		if ((t = part_text(json_object_array_get_idx(parts, i)))
		    != NULL)
			buf_add(&text, json_object_get_string(t),
			    (size_t)json_object_get_string_len(t));
	if (text.err)
		w->b->err = 1;
	jw_obj(w);
	jw_kint(w, "index", cand_index(cand, pos));
	jw_key(w, "message");
	jw_obj(w);
	jw_kstr(w, "role", "assistant");
	jw_key(w, "content");
	if (text.len > 0)
		jw_strn(w, text.p, text.len);
	else
		jw_null(w);
	if (calls) {
		jw_key(w, "tool_calls");
		jw_arr(w);
		for (i = 0; i < len; i++) {
			part = json_object_array_get_idx(parts, i);
			if ((fc = jr_get(part, "functionCall")) == NULL)
				continue;
			id = call_id(&idb, part, *ncall);
			if (*ncall < INT32_MAX)
				(*ncall)++;
			buf_reset(&args);
			args_json(&args, fc);
			if (args.err)
				w->b->err = 1;
			jw_obj(w);
			jw_kstr(w, "id", id);
			jw_kstr(w, "type", "function");
			jw_key(w, "function");
			jw_obj(w);
			jw_kstr(w, "name", jstr(fc, "name") ? jstr(fc,
			    "name") : "");
			jw_key(w, "arguments");
			jw_strn(w, buf_str(&args), args.len);
			jw_obj_end(w);
			jw_obj_end(w);
		}
		jw_arr_end(w);
	}
	jw_obj_end(w);
	finish_map(jstr(cand, "finishReason"), calls, fin, finsz);
	if (*fin == '\0')
		snprintf(fin, finsz, "stop");
	jw_kstr(w, "finish_reason", fin);
	jw_obj_end(w);
	buf_free(&text);
	buf_free(&args);
	buf_free(&idb);
}

static int
gemini_response(int status, const char *body, size_t n, const char *model,
    struct buf *out, struct llm_result *res)
{
	struct json_object	*o, *cands;
	struct chunk_ctx	 c;
	struct usage		 u;
	struct jw		 w;
	char			 fin[32];
	size_t			 i, len;
	int			 ncall = 0, rc = -1;

	if ((o = jr_parse(body, n)) == NULL)
		return -1;
	if (status >= 400) {
		rc = error_write(o, out, res);
		goto out;
	}
	if (!jis(o, json_type_object))
		goto out;
	jcopy(res->model, sizeof(res->model), o, "modelVersion");
	jcopy(res->id, sizeof(res->id), o, "responseId");
	chunk_init(&c, jstr(o, "responseId"), model);
	chunk_set_model(&c, jstr(o, "modelVersion"));
	usage_init(&u);
	if (usage_from_meta(&u, jr_get(o, "usageMetadata")) == 0)
		res->usage = u;

	buf_reset(out);
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "id", c.id);
	jw_kstr(&w, "object", "chat.completion");
	jw_kint(&w, "created", c.created);
	jw_kstr(&w, "model", c.model);
	jw_key(&w, "choices");
	jw_arr(&w);
	cands = jarr(o, "candidates");
	len = cands != NULL ? json_object_array_length(cands) : 0;
	for (i = 0; i < len; i++) {
		choice_write(&w, json_object_array_get_idx(cands, i), i,
		    &ncall, fin, sizeof(fin), out->max);
		if (i == 0)
			snprintf(res->finish_reason,
			    sizeof(res->finish_reason), "%s", fin);
	}
	if (len == 0) {
		/* No candidate: the prompt was blocked (or nothing came). */
		snprintf(fin, sizeof(fin), "%s", jstr(jr_get(o,
		    "promptFeedback"), "blockReason") != NULL ?
		    "content_filter" : "stop");
		snprintf(res->finish_reason, sizeof(res->finish_reason), "%s",
		    fin);
		jw_obj(&w);
		jw_kint(&w, "index", 0);
		jw_key(&w, "message");
		jw_obj(&w);
		jw_kstr(&w, "role", "assistant");
		jw_knull(&w, "content");
		jw_obj_end(&w);
		jw_kstr(&w, "finish_reason", fin);
		jw_obj_end(&w);
	}
	jw_arr_end(&w);
	jw_key(&w, "usage");
	openai_usage_json(&w, &u);
	jw_obj_end(&w);
	rc = out->err ? -1 : 0;
out:
	json_object_put(o);
	return rc;
}

/* ---------------------------------------------------------------- */
/* Streams (alt=sse)                                                 */

struct gstream {
	struct chunk_ctx c;
	int		 include_usage;
	int		 emitted;	/* a chunk was written: id is fixed */
	int		 role_sent;
	int		 finish_sent;
	int		 errored;
	int		 ncall;
	int		 has_calls;
	char		 gfinish[64];	/* Gemini's reason, "" if none yet */
	struct usage	 usage;
};

static void *
gemini_stream_new(const char *model, int include_usage)
{
	struct gstream	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	chunk_init(&s->c, NULL, model);
	s->include_usage = include_usage;
	usage_init(&s->usage);
	return s;
}

static void
gemini_stream_free(void *p)
{
	free(p);
}

static int
st_role(struct gstream *s, struct buf *out)
{
	s->emitted = 1;
	if (s->role_sent)
		return 0;
	s->role_sent = 1;
	return chunk_role(&s->c, out);
}

static int
st_finish(struct gstream *s, struct llm_result *res, struct buf *out)
{
	char	 fin[32];

	finish_map(s->gfinish[0] ? s->gfinish : NULL, s->has_calls, fin,
	    sizeof(fin));
	if (fin[0] == '\0')
		snprintf(fin, sizeof(fin), "stop");
	snprintf(res->finish_reason, sizeof(res->finish_reason), "%s", fin);
	s->finish_sent = 1;
	s->emitted = 1;
	return chunk_finish(&s->c, fin, out);
}

/* One GenerateContentResponse of the stream. */
static void
st_object(struct gstream *s, struct json_object *o, struct llm_result *res,
    struct buf *out)
{
	struct json_object	*cands, *cand = NULL, *parts, *part, *t, *fc;
	struct buf		 args, idb;
	const char		*msg, *fr, *id;
	char			 type[64];
	size_t			 i, len;

	if ((msg = jstr(jr_get(o, "error"), "message")) != NULL) {
		error_type(jstr(jr_get(o, "error"), "status"), type,
		    sizeof(type));
		jr_copy_str(res->error, sizeof(res->error), msg, strlen(msg));
		s->errored = 1;
		chunk_error(msg, type, out);
		return;
	}
	jcopy(res->model, sizeof(res->model), o, "modelVersion");
	jcopy(res->id, sizeof(res->id), o, "responseId");
	if (!s->emitted) {
		chunk_set_id(&s->c, jstr(o, "responseId"));
		chunk_set_model(&s->c, jstr(o, "modelVersion"));
	}
	/* The role goes out with the first event, before any text: a
	 * thinking model may be silent for long, and the client learns at
	 * once that the answer has started. */
	st_role(s, out);
	if (usage_from_meta(&s->usage, jr_get(o, "usageMetadata")) == 0)
		res->usage = s->usage;
	cands = jarr(o, "candidates");
	len = cands != NULL ? json_object_array_length(cands) : 0;
	for (i = 0; i < len; i++)
		if (cand_index(json_object_array_get_idx(cands, i), i) == 0) {
			cand = json_object_array_get_idx(cands, i);
			break;
		}
	if (cand == NULL) {
		if (len == 0 && jstr(jr_get(o, "promptFeedback"),
		    "blockReason") != NULL && !s->finish_sent) {
			snprintf(s->gfinish, sizeof(s->gfinish), "SAFETY");
			res->done = 1;
			st_role(s, out);
			st_finish(s, res, out);
		}
		return;
	}
	buf_init(&args, out->max);
	buf_init(&idb, out->max);
	parts = jarr(jr_get(cand, "content"), "parts");
	len = parts != NULL ? json_object_array_length(parts) : 0;
	for (i = 0; i < len && !s->finish_sent; i++) {
		part = json_object_array_get_idx(parts, i);
		if ((t = part_text(part)) != NULL &&
		    json_object_get_string_len(t) > 0) {
			st_role(s, out);
			chunk_text(&s->c, json_object_get_string(t),
			    (size_t)json_object_get_string_len(t), out);
			buf_add_cut(&res->text, json_object_get_string(t),
			    (size_t)json_object_get_string_len(t));
		} else if ((fc = jr_get(part, "functionCall")) != NULL) {
			id = call_id(&idb, part, s->ncall);
			st_role(s, out);
			buf_reset(&args);
			args_json(&args, fc);
			if (args.err)
				out->err = 1;
			chunk_tool_start(&s->c, s->ncall, id, jstr(fc,
			    "name") ? jstr(fc, "name") : "", out);
			chunk_tool_args(&s->c, s->ncall, buf_str(&args),
			    args.len, out);
			s->has_calls = 1;
			if (s->ncall < INT32_MAX)
				s->ncall++;
		}
	}
	buf_free(&args);
	buf_free(&idb);
	if ((fr = jstr(cand, "finishReason")) != NULL && *fr != '\0' &&
	    !s->finish_sent) {
		snprintf(s->gfinish, sizeof(s->gfinish), "%s", fr);
		res->done = 1;
		st_role(s, out);
		st_finish(s, res, out);
	}
}

static int
gemini_stream_event(void *st, const char *data, size_t n,
    struct llm_result *res, struct buf *out)
{
	struct gstream		*s = st;
	struct json_object	*o;
	size_t			 i, len;

	res->chunks++;
	if ((o = jr_parse(data, n)) == NULL)
		return out->err ? -1 : 0;
	if (jis(o, json_type_object))
		st_object(s, o, res, out);
	else if (jis(o, json_type_array)) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			if (jis(json_object_array_get_idx(o, i),
			    json_type_object))
				st_object(s, json_object_array_get_idx(o, i),
				    res, out);
	}
	json_object_put(o);
	return out->err ? -1 : 0;
}

static int
gemini_stream_end(void *st, struct llm_result *res, struct buf *out)
{
	struct gstream	*s = st;

	if (!s->finish_sent && !s->errored) {
		st_role(s, out);
		st_finish(s, res, out);
	}
	if (s->include_usage && !s->errored)
		chunk_usage(&s->c, &s->usage, out);
	return chunk_done(out);
}

/* ---------------------------------------------------------------- */
/* Passthrough                                                       */

/* One GenerateContentResponse (or error object) of a native answer;
 * with text set, the first candidate's answer text is assembled. */
static void
native_obj(struct llm_result *res, struct json_object *o, int text)
{
	struct json_object	*cands, *cand = NULL, *parts, *t;
	const char		*fr;
	size_t			 i, len;

	if (!jis(o, json_type_object))
		return;
	jcopy(res->error, sizeof(res->error), jr_get(o, "error"), "message");
	jcopy(res->model, sizeof(res->model), o, "modelVersion");
	jcopy(res->id, sizeof(res->id), o, "responseId");
	usage_from_meta(&res->usage, jr_get(o, "usageMetadata"));
	cands = jarr(o, "candidates");
	len = cands != NULL ? json_object_array_length(cands) : 0;
	for (i = 0; i < len; i++)
		if (cand_index(json_object_array_get_idx(cands, i), i) == 0) {
			cand = json_object_array_get_idx(cands, i);
			break;
		}
	if (cand == NULL) {
		if (len == 0 && jstr(jr_get(o, "promptFeedback"),
		    "blockReason") != NULL) {
			snprintf(res->finish_reason,
			    sizeof(res->finish_reason), "content_filter");
			res->done = 1;
		}
		return;
	}
	if (text && (parts = jarr(jr_get(cand, "content"), "parts")) != NULL) {
		len = json_object_array_length(parts);
		for (i = 0; i < len; i++)
			if ((t = part_text(json_object_array_get_idx(parts,
			    i))) != NULL)
				buf_add_cut(&res->text, json_object_get_string(t),
				    (size_t)json_object_get_string_len(t));
	}
	if ((fr = jstr(cand, "finishReason")) != NULL && *fr != '\0') {
		finish_map(fr, has_calls(cand), res->finish_reason,
		    sizeof(res->finish_reason));
		res->done = 1;
	}
}

static int
gemini_native_body(const char *p, size_t n, struct llm_result *res)
{
	struct json_object	*o;
	size_t			 i, len;

	if ((o = jr_parse(p, n)) == NULL)
		return -1;
	if (jis(o, json_type_array)) {
		/* A whole streamGenerateContent answer without alt=sse:
		 * usage is cumulative, so the last one reported wins. */
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			native_obj(res, json_object_array_get_idx(o, i), 1);
	} else
		native_obj(res, o, 0);
	json_object_put(o);
	return 0;
}

static int
gemini_native_event(struct llm_result *res, const char *data, size_t n)
{
	struct json_object	*o;
	size_t			 i, len;

	res->chunks++;
	if ((o = jr_parse(data, n)) == NULL)
		return -1;
	if (jis(o, json_type_array)) {
		len = json_object_array_length(o);
		for (i = 0; i < len; i++)
			native_obj(res, json_object_array_get_idx(o, i), 1);
	} else
		native_obj(res, o, 1);
	json_object_put(o);
	return 0;
}

/* ---------------------------------------------------------------- */
/* JSON-array stream splitter                                        */

enum {
	GA_OUT = 0,	/* before '[' or after ']' */
	GA_ARRAY,	/* inside the array, between elements */
	GA_ELEM,	/* inside an object, array or string element */
	GA_SCALAR	/* inside a number or literal element */
};

void
gemini_array_init(struct gemini_array *a, size_t max_elem)
{
	memset(a, 0, sizeof(*a));
	buf_init(&a->elem, max_elem);
	a->state = GA_OUT;
}

void
gemini_array_free(struct gemini_array *a)
{
	if (a == NULL)
		return;
	buf_free(&a->elem);
	a->state = GA_OUT;
}

static int
ga_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Keep p[0, n) of the element, or start skipping it if it outgrows the
 * bound. */
static void
ga_keep(struct gemini_array *a, const char *p, size_t n)
{
	if (a->skipping || n == 0)
		return;
	if (buf_add(&a->elem, p, n) == -1) {
		a->skipping = 1;
		buf_reset(&a->elem);
	}
}

/* The element is complete: hand it on (or count it as skipped). */
static int
ga_done(struct gemini_array *a, gemini_array_fn fn, void *ctx)
{
	int	 rc = 0;

	a->state = a->toplevel ? GA_OUT : GA_ARRAY;
	if (a->skipping)
		a->skipped++;
	else if (a->elem.len > 0)
		rc = fn(ctx, a->elem.p, a->elem.len);
	buf_reset(&a->elem);
	a->skipping = 0;
	return rc;
}

int
gemini_array_feed(struct gemini_array *a, const char *p, size_t n,
    gemini_array_fn fn, void *ctx)
{
	size_t	 i = 0, start;
	char	 c;
	int	 rc, done;

	while (i < n) {
		c = p[i];
		switch (a->state) {
		case GA_OUT:
		case GA_ARRAY:
			if (ga_ws(c) || (a->state == GA_ARRAY && c == ',')) {
				i++;
				break;
			}
			if (a->state == GA_OUT && c == '[') {
				a->state = GA_ARRAY;
				i++;
				break;
			}
			if (a->state == GA_ARRAY && c == ']') {
				a->state = GA_OUT;
				i++;
				break;
			}
			if (a->state == GA_OUT && c != '{') {
				i++;	/* not JSON we can use: ignored */
				break;
			}
			if (c == '}') {
				i++;	/* stray: no element starts here */
				break;
			}
			a->toplevel = a->state == GA_OUT;
			a->depth = 0;
			a->in_str = a->esc = a->skipping = 0;
			buf_reset(&a->elem);
			if (c == '{' || c == '[' || c == '"')
				a->state = GA_ELEM;
			else {
				/* A number or literal: its first byte is
				 * taken here, so every pass makes progress. */
				a->state = GA_SCALAR;
				ga_keep(a, p + i, 1);
				i++;
			}
			break;
		case GA_ELEM:
			done = 0;
			for (start = i; i < n && !done; i++) {
				c = p[i];
				if (a->in_str) {
					if (a->esc)
						a->esc = 0;
					else if (c == '\\')
						a->esc = 1;
					else if (c == '"') {
						a->in_str = 0;
						done = a->depth == 0;
					}
				} else if (c == '"')
					a->in_str = 1;
				else if (c == '{' || c == '[')
					a->depth++;
				else if ((c == '}' || c == ']') &&
				    a->depth > 0)
					done = --a->depth == 0;
			}
			ga_keep(a, p + start, i - start);
			if (done && (rc = ga_done(a, fn, ctx)) != 0)
				return rc;
			break;
		case GA_SCALAR:
			for (start = i; i < n; i++)
				if (ga_ws(p[i]) || p[i] == ',' ||
				    p[i] == ']' || p[i] == '[' ||
				    p[i] == '{' || p[i] == '}' || p[i] == '"')
					break;
			ga_keep(a, p + start, i - start);
			if (i < n && (rc = ga_done(a, fn, ctx)) != 0)
				return rc;
			break;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- */

const struct xlate gemini_xlate = {
	.request = gemini_request,
	.response = gemini_response,
	.stream_new = gemini_stream_new,
	.stream_event = gemini_stream_event,
	.stream_end = gemini_stream_end,
	.stream_free = gemini_stream_free,
	.native_body = gemini_native_body,
	.native_event = gemini_native_event,
};
