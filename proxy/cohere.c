/*
 * Cohere v2 chat <-> OpenAI chat completions.  See cohere.h for what is
 * translated and what is dropped, xlate.h for the contract.
 *
 * Every JSON input is parsed once by json-c (strict, depth
 * LF_JSON_MAX_DEPTH) and put once; every JSON output is written through
 * the writer into the caller's bounded buf.
 */
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "chunk.h"
#include "cohere.h"
#include "json.h"
#include "jsonread.h"
#include "limits.h"
#include "openai.h"
#include "request.h"
#include "usage.h"

/* ---------------------------------------------------------------------
 * Reading json-c values.
 */

/* v's string, or NULL when v is not a string. */
static const char *
jstr(struct json_object *v)
{
	if (v == NULL || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static size_t
jlen(struct json_object *v)
{
	return (size_t)json_object_get_string_len(v);
}

static int
jis(struct json_object *v, json_type t)
{
	return v != NULL && json_object_is_type(v, t);
}

static int
jnumber(struct json_object *v)
{
	return jis(v, json_type_int) || jis(v, json_type_double);
}

/* Whether v is the string s. */
static int
jeq(struct json_object *v, const char *s)
{
	const char	*t;

	return (t = jstr(v)) != NULL && strcmp(t, s) == 0;
}

/* Copy a non-empty JSON string value v into dst; others leave it. */
static void
jcopy(char *dst, size_t dstsz, struct json_object *v)
{
	if (jstr(v) == NULL || jlen(v) == 0)
		return;
	jr_copy_str(dst, dstsz, json_object_get_string(v), jlen(v));
}

#define JCOPY(dst, v)	jcopy((dst), sizeof(dst), (v))
#define SCOPY(dst, s)	jr_copy_str((dst), sizeof(dst), (s), strlen(s))

/* ---------------------------------------------------------------------
 * Writing.
 */

/* ---------------------------------------------------------------------
 * Usage and finish reasons.
 */

/* One count of a v2 usage object: tokens.<k>, else billed_units.<k>. */
static void
usage_count(struct json_object *u, const char *k, int64_t *dst)
{
	int64_t	 n;

	if (jr_count(jr_get(jr_get(u, "tokens"), k), &n) == 0 ||
	    jr_count(jr_get(jr_get(u, "billed_units"), k), &n) == 0)
		*dst = n;
}

/* Set each count a v2 usage object u reports. */
static void
usage_from(struct usage *us, struct json_object *u)
{
	int64_t	 n;

	if (!jis(u, json_type_object))
		return;
	usage_count(u, "input_tokens", &us->prompt);
	usage_count(u, "output_tokens", &us->completion);
	if (jr_count(jr_get(u, "cached_tokens"), &n) == 0)
		us->cached = n;
}

/*
 * The OpenAI finish reason for Cohere's v2 finish_reason fr (NULL or
 * unknown: "stop").  For ERROR and TIMEOUT the result's error is set,
 * unless an error is already recorded.
 */
static const char *
finish_map(const char *fr, struct llm_result *res)
{
	if (fr == NULL)
		return "stop";
	if (strcmp(fr, "MAX_TOKENS") == 0)
		return "length";
	if (strcmp(fr, "TOOL_CALL") == 0)
		return "tool_calls";
	if ((strncmp(fr, "ERROR", 5) == 0 || strcmp(fr, "TIMEOUT") == 0) &&
	    res->error[0] == '\0')
		snprintf(res->error, sizeof(res->error),
		    "Cohere finish_reason %.64s", fr);
	return "stop";
}

/*
 * The message of a Cohere error object: "message" (a string), else
 * "error" as a string or its "message"; NULL if none.
 */
static const char *
error_message(struct json_object *o)
{
	const char	*s;

	if ((s = jstr(jr_get(o, "message"))) != NULL && *s != '\0')
		return s;
	if ((s = jstr(jr_get(o, "error"))) != NULL && *s != '\0')
		return s;
	if ((s = jstr(jr_get(jr_get(o, "error"), "message"))) != NULL &&
	    *s != '\0')
		return s;
	return NULL;
}

/* ---------------------------------------------------------------------
 * Requests.
 */

struct rq {
	struct jw	 w;
	struct buf	 tmp;		/* joined text for tool_plan */
	char		*err;
	size_t		 errsz;
};

static int	 rq_fail(struct rq *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

/* Record a message for the 400 answer; returns -1. */
static int
rq_fail(struct rq *q, const char *fmt, ...)
{
	va_list	 ap;

	if (q->errsz > 0 && q->err[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(q->err, q->errsz, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* An OpenAI text part's text, NULL if p is not one ("refusal" parts of
 * assistant messages count as text). */
static struct json_object *
part_text(struct json_object *p, int assistant)
{
	struct json_object	*t = jr_get(p, "type");

	if (jeq(t, "text"))
		return jr_get(p, "text");
	if (assistant && jeq(t, "refusal"))
		return jr_get(p, "refusal");
	return NULL;
}

/*
 * Write content (a string, or an array of parts) of message i as Cohere
 * content: a string stays a string; parts become [{"type":"text",...},
 * {"type":"image_url","image_url":{"url","detail"}}], images only where
 * images is set.  0, or -1 with the error recorded.
 */
static int
put_content(struct rq *q, struct json_object *c, size_t i, int images,
    int assistant)
{
	struct json_object	*p, *t, *img, *url;
	size_t			 k, len;

	if (jis(c, json_type_string)) {
		jw_key(&q->w, "content");
		jw_strn(&q->w, json_object_get_string(c), jlen(c));
		return 0;
	}
	if (!jis(c, json_type_array))
		return rq_fail(q, "messages[%zu].content must be a string or "
		    "an array of parts", i);
	jw_key(&q->w, "content");
	jw_arr(&q->w);
	len = json_object_array_length(c);
	for (k = 0; k < len; k++) {
		p = json_object_array_get_idx(c, k);
		if ((t = part_text(p, assistant)) != NULL) {
			if (!jis(t, json_type_string))
				return rq_fail(q, "messages[%zu].content[%zu]"
				    ".text must be a string", i, k);
			jw_obj(&q->w);
			jw_kstr(&q->w, "type", "text");
			jw_key(&q->w, "text");
			jw_strn(&q->w, json_object_get_string(t), jlen(t));
			jw_obj_end(&q->w);
			continue;
		}
		if (!images || !jeq(jr_get(p, "type"), "image_url"))
			return rq_fail(q, "messages[%zu].content[%zu]: part "
			    "type \"%.32s\" is not supported by Cohere here",
			    i, k, jstr(jr_get(p, "type")) ?
			    jstr(jr_get(p, "type")) : "(none)");
		img = jr_get(p, "image_url");
		url = jis(img, json_type_string) ? img : jr_get(img, "url");
		if (jstr(url) == NULL)
			return rq_fail(q, "messages[%zu].content[%zu]"
			    ".image_url.url must be a string", i, k);
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "image_url");
		jw_key(&q->w, "image_url");
		jw_obj(&q->w);
		jw_key(&q->w, "url");
		jw_strn(&q->w, json_object_get_string(url), jlen(url));
		if (jstr(jr_get(img, "detail")) != NULL) {
			jw_key(&q->w, "detail");
			jr_write(&q->w, jr_get(img, "detail"));
		}
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
	}
	jw_arr_end(&q->w);
	return 0;
}

/*
 * The text of assistant content c (a string, or text parts) joined into
 * q->tmp (reset first).  0, or -1 with the error recorded.
 */
static int
join_text(struct rq *q, struct json_object *c, size_t i)
{
	struct json_object	*t;
	size_t			 k, len;

	buf_reset(&q->tmp);
	if (c == NULL)
		return 0;
	if (jis(c, json_type_string)) {
		buf_add(&q->tmp, json_object_get_string(c), jlen(c));
		return q->tmp.err ? rq_fail(q, "request too large") : 0;
	}
	if (!jis(c, json_type_array))
		return rq_fail(q, "messages[%zu].content must be a string or "
		    "an array of parts", i);
	len = json_object_array_length(c);
	for (k = 0; k < len; k++) {
		t = part_text(json_object_array_get_idx(c, k), 1);
		if (!jis(t, json_type_string))
			return rq_fail(q, "messages[%zu].content[%zu] must be "
			    "a text part", i, k);
		buf_add(&q->tmp, json_object_get_string(t), jlen(t));
	}
	return q->tmp.err ? rq_fail(q, "request too large") : 0;
}

/* {"role":"assistant","tool_calls":[...],"tool_plan"?} or content. */
static int
put_assistant(struct rq *q, struct json_object *m, size_t i)
{
	struct json_object	*tcs, *tc, *fn, *c, *args;
	size_t			 k, len;

	c = jr_get(m, "content");
	tcs = jr_get(m, "tool_calls");
	if (tcs != NULL && !jis(tcs, json_type_array))
		return rq_fail(q, "messages[%zu].tool_calls must be an array",
		    i);
	if (tcs == NULL || json_object_array_length(tcs) == 0) {
		if (c == NULL) {
			/* An empty turn: Cohere wants some content. */
			jw_kstr(&q->w, "content", "");
			return 0;
		}
		return put_content(q, c, i, 0, 1);
	}
	jw_key(&q->w, "tool_calls");
	jw_arr(&q->w);
	len = json_object_array_length(tcs);
	for (k = 0; k < len; k++) {
		tc = json_object_array_get_idx(tcs, k);
		fn = jr_get(tc, "function");
		if (jstr(jr_get(tc, "id")) == NULL ||
		    jstr(jr_get(fn, "name")) == NULL)
			return rq_fail(q, "messages[%zu].tool_calls[%zu] needs "
			    "an id and a function name", i, k);
		if (jr_get(tc, "type") != NULL && !jeq(jr_get(tc, "type"),
		    "function"))
			return rq_fail(q, "messages[%zu].tool_calls[%zu]: only "
			    "function tool calls are supported by Cohere", i, k);
		args = jr_get(fn, "arguments");
		if (args != NULL && !jis(args, json_type_string))
			return rq_fail(q, "messages[%zu].tool_calls[%zu]"
			    ".function.arguments must be a string", i, k);
		jw_obj(&q->w);
		jw_key(&q->w, "id");
		jr_write(&q->w, jr_get(tc, "id"));
		jw_kstr(&q->w, "type", "function");
		jw_key(&q->w, "function");
		jw_obj(&q->w);
		jw_key(&q->w, "name");
		jr_write(&q->w, jr_get(fn, "name"));
		jw_key(&q->w, "arguments");
		if (args != NULL)
			jr_write(&q->w, args);
		else
			jw_str(&q->w, "{}");
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
	}
	jw_arr_end(&q->w);
	/* Text the client sent beside its tool calls is Cohere's plan. */
	if (join_text(q, c, i) == -1)
		return -1;
	if (q->tmp.len > 0) {
		jw_key(&q->w, "tool_plan");
		jw_strn(&q->w, q->tmp.p, q->tmp.len);
	}
	return 0;
}

/* {"role":"tool","tool_call_id","content":[{"type":"document",
 * "document":{"data":...}}, ...]}: one document per text. */
static int
put_tool(struct rq *q, struct json_object *m, size_t i)
{
	struct json_object	*c, *id, *t;
	size_t			 k, len;

	id = jr_get(m, "tool_call_id");
	c = jr_get(m, "content");
	if (jstr(id) == NULL)
		return rq_fail(q, "messages[%zu].tool_call_id must be a "
		    "string", i);
	jw_key(&q->w, "tool_call_id");
	jr_write(&q->w, id);
	jw_key(&q->w, "content");
	jw_arr(&q->w);
	if (jis(c, json_type_string)) {
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "document");
		jw_key(&q->w, "document");
		jw_obj(&q->w);
		jw_key(&q->w, "data");
		jr_write(&q->w, c);
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
	} else if (jis(c, json_type_array)) {
		len = json_object_array_length(c);
		for (k = 0; k < len; k++) {
			t = part_text(json_object_array_get_idx(c, k), 0);
			if (!jis(t, json_type_string))
				return rq_fail(q, "messages[%zu].content[%zu] "
				    "must be a text part", i, k);
			jw_obj(&q->w);
			jw_kstr(&q->w, "type", "document");
			jw_key(&q->w, "document");
			jw_obj(&q->w);
			jw_key(&q->w, "data");
			jr_write(&q->w, t);
			jw_obj_end(&q->w);
			jw_obj_end(&q->w);
		}
	} else
		return rq_fail(q, "messages[%zu].content must be a string or "
		    "an array of parts", i);
	jw_arr_end(&q->w);
	return 0;
}

/* One message of the OpenAI messages array, as a v2 message. */
static int
put_message(struct rq *q, struct json_object *m, size_t i)
{
	struct json_object	*role, *c;
	int			 rc;

	if (!jis(m, json_type_object))
		return rq_fail(q, "messages[%zu] must be an object", i);
	role = jr_get(m, "role");
	c = jr_get(m, "content");
	jw_obj(&q->w);
	if (jeq(role, "system") || jeq(role, "developer")) {
		jw_kstr(&q->w, "role", "system");
		rc = put_content(q, c, i, 0, 0);
	} else if (jeq(role, "user")) {
		jw_kstr(&q->w, "role", "user");
		rc = put_content(q, c, i, 1, 0);
	} else if (jeq(role, "assistant")) {
		jw_kstr(&q->w, "role", "assistant");
		rc = put_assistant(q, m, i);
	} else if (jeq(role, "tool")) {
		jw_kstr(&q->w, "role", "tool");
		rc = put_tool(q, m, i);
	} else
		return rq_fail(q, "messages[%zu]: role \"%.32s\" is not "
		    "supported by Cohere", i, jstr(role) ? jstr(role) :
		    "(none)");
	jw_obj_end(&q->w);
	return rc;
}

/*
 * The tools array (OpenAI's function tools, which v2 takes as they are);
 * only the tool named `only` when it is not NULL.  Returns the number of
 * tools written, or -1 with the error recorded.
 */
static int
put_tools(struct rq *q, struct json_object *tools, const char *only)
{
	struct json_object	*t, *fn, *v;
	size_t			 k, len;
	int			 n = 0;

	if (!jis(tools, json_type_array))
		return rq_fail(q, "tools must be an array");
	len = json_object_array_length(tools);
	for (k = 0; k < len; k++) {
		t = json_object_array_get_idx(tools, k);
		fn = jr_get(t, "function");
		if (!jeq(jr_get(t, "type"), "function") ||
		    jstr(jr_get(fn, "name")) == NULL)
			return rq_fail(q, "tools[%zu]: only function tools "
			    "with a name are supported by Cohere", k);
		if (only != NULL && strcmp(only, jstr(jr_get(fn, "name"))) != 0)
			continue;
		if (n++ == 0) {
			jw_key(&q->w, "tools");
			jw_arr(&q->w);
		}
		jw_obj(&q->w);
		jw_kstr(&q->w, "type", "function");
		jw_key(&q->w, "function");
		jw_obj(&q->w);
		jw_key(&q->w, "name");
		jr_write(&q->w, jr_get(fn, "name"));
		if ((v = jr_get(fn, "description")) != NULL) {
			if (!jis(v, json_type_string))
				return rq_fail(q, "tools[%zu].function."
				    "description must be a string", k);
			jw_key(&q->w, "description");
			jr_write(&q->w, v);
		}
		if ((v = jr_get(fn, "parameters")) != NULL) {
			if (!jis(v, json_type_object))
				return rq_fail(q, "tools[%zu].function."
				    "parameters must be an object", k);
			jw_key(&q->w, "parameters");
			jr_write(&q->w, v);
		}
		jw_obj_end(&q->w);
		jw_obj_end(&q->w);
	}
	if (n > 0)
		jw_arr_end(&q->w);
	return n;
}

/*
 * tools and tool_choice.  "auto" (or none given) leaves the choice to
 * the model; "required" and "none" have v2 equivalents; a named function
 * becomes REQUIRED with only that tool offered.
 */
static int
put_tool_fields(struct rq *q, struct json_object *o)
{
	struct json_object	*tools, *tc;
	const char		*only = NULL, *mode = NULL;
	int			 n = 0;

	tools = jr_get(o, "tools");
	tc = jr_get(o, "tool_choice");
	if (jeq(tc, "required"))
		mode = "REQUIRED";
	else if (jeq(tc, "none"))
		mode = "NONE";
	else if (jis(tc, json_type_object)) {
		if (!jeq(jr_get(tc, "type"), "function") ||
		    (only = jstr(jr_get(jr_get(tc, "function"), "name"))) == NULL)
			return rq_fail(q, "tool_choice: only a function "
			    "choice with a name is supported by Cohere");
		mode = "REQUIRED";
	} else if (tc != NULL && !jeq(tc, "auto"))
		return rq_fail(q, "tool_choice must be \"auto\", \"none\", "
		    "\"required\" or a function");
	if (tools != NULL && (n = put_tools(q, tools, only)) == -1)
		return -1;
	if (only != NULL && n == 0)
		return rq_fail(q, "tool_choice names a function that is not "
		    "in tools");
	if (mode != NULL && (n > 0 || strcmp(mode, "NONE") == 0)) {
		jw_key(&q->w, "tool_choice");
		jw_str(&q->w, mode);
	}
	return 0;
}

/* Copy number member `from` of o as `to`; integer: it must be one. */
static int
put_number(struct rq *q, struct json_object *o, const char *from,
    const char *to, int integer)
{
	struct json_object	*v;

	if ((v = jr_get(o, from)) == NULL)
		return 0;
	if (integer ? !jis(v, json_type_int) : !jnumber(v))
		return rq_fail(q, "%s must be %s", from,
		    integer ? "an integer" : "a number");
	jw_key(&q->w, to);
	jr_write(&q->w, v);
	return 0;
}

/* The scalar members: sampling, limits, stop, format. */
static int
put_params(struct rq *q, struct json_object *o)
{
	struct json_object	*v, *s;
	const char		*mt;
	size_t			 k, len;

	mt = jr_get(o, "max_completion_tokens") != NULL ?
	    "max_completion_tokens" : "max_tokens";
	if (put_number(q, o, mt, "max_tokens", 1) == -1 ||
	    put_number(q, o, "temperature", "temperature", 0) == -1 ||
	    put_number(q, o, "top_p", "p", 0) == -1 ||
	    put_number(q, o, "seed", "seed", 1) == -1 ||
	    put_number(q, o, "frequency_penalty", "frequency_penalty", 0) ==
	    -1 ||
	    put_number(q, o, "presence_penalty", "presence_penalty", 0) == -1)
		return -1;
	if ((v = jr_get(o, "stop")) != NULL) {
		if (jis(v, json_type_string)) {
			jw_key(&q->w, "stop_sequences");
			jw_arr(&q->w);
			jr_write(&q->w, v);
			jw_arr_end(&q->w);
		} else if (jis(v, json_type_array)) {
			len = json_object_array_length(v);
			for (k = 0; k < len; k++)
				if (!jis(json_object_array_get_idx(v, k),
				    json_type_string))
					return rq_fail(q, "stop must be a "
					    "string or an array of strings");
			if (len > 0) {
				jw_key(&q->w, "stop_sequences");
				jr_write(&q->w, v);
			}
		} else
			return rq_fail(q, "stop must be a string or an array "
			    "of strings");
	}
	if ((v = jr_get(o, "response_format")) != NULL) {
		if (jeq(jr_get(v, "type"), "json_object")) {
			jw_key(&q->w, "response_format");
			jw_obj(&q->w);
			jw_kstr(&q->w, "type", "json_object");
			jw_obj_end(&q->w);
		} else if (jeq(jr_get(v, "type"), "json_schema")) {
			s = jr_get(jr_get(v, "json_schema"), "schema");
			if (!jis(s, json_type_object))
				return rq_fail(q, "response_format.json_schema"
				    ".schema must be an object");
			jw_key(&q->w, "response_format");
			jw_obj(&q->w);
			jw_kstr(&q->w, "type", "json_object");
			jw_key(&q->w, "json_schema");
			jr_write(&q->w, s);
			jw_obj_end(&q->w);
		} else if (!jeq(jr_get(v, "type"), "text"))
			return rq_fail(q, "response_format type must be "
			    "\"text\", \"json_object\" or \"json_schema\"");
	}
	return 0;
}

/*
 * Dropped on purpose, no v2 equivalent: logit_bias, logprobs,
 * top_logprobs (Cohere's own logprobs differ in shape), user,
 * service_tier, store, metadata, parallel_tool_calls (Cohere decides),
 * n (n > 1 is refused: one answer only), and unknown members.
 * stream_options is ours: include_usage decides the usage chunk the
 * translation writes; Cohere always reports usage at message-end.
 */
static int
cohere_request(const char *body, size_t n, struct xlate_req *req,
    char *err, size_t errsz)
{
	struct json_object	*o, *msgs, *v, *model;
	struct rq		 q;
	size_t			 i, len;
	int			 rc = -1;

	if (errsz > 0)
		err[0] = '\0';
	memset(&q, 0, sizeof(q));
	q.err = err;
	q.errsz = errsz;
	buf_init(&q.tmp, n);
	req->stream = req->include_usage = 0;
	req->model[0] = '\0';
	buf_reset(&req->body);
	jw_init(&q.w, &req->body);

	if ((o = jr_parse(body, n)) == NULL || !jis(o, json_type_object)) {
		rq_fail(&q, "request body must be a JSON object");
		goto out;
	}
	model = jr_get(o, "model");
	if (jstr(model) == NULL || jlen(model) == 0 ||
	    jlen(model) >= sizeof(req->model) ||
	    strlen(jstr(model)) != jlen(model)) {
		rq_fail(&q, "model must be a string of 1 to %d bytes",
		    LF_MAX_MODEL - 1);
		goto out;
	}
	memcpy(req->model, jstr(model), jlen(model) + 1);
	if ((v = jr_get(o, "stream")) != NULL) {
		if (!jis(v, json_type_boolean)) {
			rq_fail(&q, "stream must be a boolean");
			goto out;
		}
		req->stream = json_object_get_boolean(v);
	}
	if ((v = jr_get(o, "stream_options")) != NULL &&
	    (v = jr_get(v, "include_usage")) != NULL) {
		if (!jis(v, json_type_boolean)) {
			rq_fail(&q, "stream_options.include_usage must be a "
			    "boolean");
			goto out;
		}
		req->include_usage = req->stream && json_object_get_boolean(v);
	}
	if ((v = jr_get(o, "n")) != NULL && (!jis(v, json_type_int) ||
	    json_object_get_int64(v) != 1)) {
		rq_fail(&q, "n must be 1: Cohere gives one answer per call");
		goto out;
	}
	msgs = jr_get(o, "messages");
	if (!jis(msgs, json_type_array) ||
	    (len = json_object_array_length(msgs)) == 0) {
		rq_fail(&q, "messages must be a non-empty array");
		goto out;
	}

	jw_obj(&q.w);
	jw_kstr(&q.w, "model", req->model);
	jw_key(&q.w, "messages");
	jw_arr(&q.w);
	for (i = 0; i < len; i++)
		if (put_message(&q, json_object_array_get_idx(msgs, i), i) ==
		    -1)
			goto out;
	jw_arr_end(&q.w);
	if (put_tool_fields(&q, o) == -1 || put_params(&q, o) == -1)
		goto out;
	if (req->stream)
		jw_kbool(&q.w, "stream", 1);
	jw_obj_end(&q.w);
	if (req->body.err) {
		rq_fail(&q, "request too large or too deeply nested to "
		    "translate");
		goto out;
	}
	rc = 0;
out:
	if (rc == -1 && errsz > 0 && err[0] == '\0')
		rq_fail(&q, "request cannot be translated for Cohere");
	buf_free(&q.tmp);
	json_object_put(o);
	return rc;
}

/* ---------------------------------------------------------------------
 * Answers.
 */

/* A v2 tool call (message.tool_calls[k]) as an OpenAI one. */
static void
put_tool_call(struct jw *w, struct json_object *tc)
{
	struct json_object	*fn, *args;
	const char		*s;
	char			 id[32];

	fn = jr_get(tc, "function");
	jw_obj(w);
	jw_key(w, "id");
	if (jstr(jr_get(tc, "id")) != NULL)
		jr_write(w, jr_get(tc, "id"));
	else {
		memcpy(id, "call_", 5);
		random_hex(id + 5, 12);
		jw_str(w, id);
	}
	jw_kstr(w, "type", "function");
	jw_key(w, "function");
	jw_obj(w);
	jw_key(w, "name");
	if (jstr(jr_get(fn, "name")) != NULL)
		jr_write(w, jr_get(fn, "name"));
	else
		jw_str(w, "");
	jw_key(w, "arguments");
	args = jr_get(fn, "arguments");
	if (jis(args, json_type_string))
		jr_write(w, args);
	else if (args != NULL && (s = json_object_to_json_string_ext(args,
	    JSON_C_TO_STRING_PLAIN)) != NULL)
		jw_str(w, s);
	else
		jw_str(w, "{}");
	jw_obj_end(w);
	jw_obj_end(w);
}

static int
cohere_response(int status, const char *body, size_t n, const char *model,
    struct buf *out, struct llm_result *res)
{
	struct json_object	*o, *msg, *c, *p, *tcs, *plan;
	struct chunk_ctx	 cc;
	struct buf		 text;
	struct jw		 w;
	const char		*s, *reason;
	char			 fallback[64];
	size_t			 k, len;
	int			 rc = -1, ntc = 0;

	buf_init(&text, n);
	if ((o = jr_parse(body, n)) == NULL || !jis(o, json_type_object))
		goto out;
	if (status >= 400) {
		if ((s = error_message(o)) == NULL) {
			snprintf(fallback, sizeof(fallback),
			    "Cohere answered HTTP %d", status);
			s = fallback;
		}
		SCOPY(res->error, s);
		rc = openai_error_body(out, s, "api_error", NULL);
		goto out;
	}
	if (!jis(msg = jr_get(o, "message"), json_type_object))
		goto out;

	JCOPY(res->id, jr_get(o, "id"));
	usage_from(&res->usage, jr_get(o, "usage"));
	reason = finish_map(jstr(jr_get(o, "finish_reason")), res);
	SCOPY(res->finish_reason, reason);

	c = jr_get(msg, "content");
	if (jis(c, json_type_string))
		buf_add(&text, json_object_get_string(c), jlen(c));
	else if (jis(c, json_type_array)) {
		len = json_object_array_length(c);
		for (k = 0; k < len; k++) {
			p = json_object_array_get_idx(c, k);
			if (jeq(jr_get(p, "type"), "text") &&
			    jstr(jr_get(p, "text")) != NULL)
				buf_add(&text, jstr(jr_get(p, "text")),
				    jlen(jr_get(p, "text")));
		}
	}
	if (jis(tcs = jr_get(msg, "tool_calls"), json_type_array))
		ntc = json_object_array_length(tcs) > 0;
	/* The plan stands in for content, as the request puts it back. */
	plan = jr_get(msg, "tool_plan");
	if (text.len == 0 && ntc && jstr(plan) != NULL)
		buf_add(&text, jstr(plan), jlen(plan));

	chunk_init(&cc, jstr(jr_get(o, "id")), model);
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "id", cc.id);
	jw_kstr(&w, "object", "chat.completion");
	jw_kint(&w, "created", cc.created);
	jw_kstr(&w, "model", cc.model);
	jw_key(&w, "choices");
	jw_arr(&w);
	jw_obj(&w);
	jw_kint(&w, "index", 0);
	jw_key(&w, "message");
	jw_obj(&w);
	jw_kstr(&w, "role", "assistant");
	jw_key(&w, "content");
	if (text.len == 0 && ntc)
		jw_null(&w);
	else
		jw_strn(&w, buf_str(&text), text.len);
	if (ntc) {
		jw_key(&w, "tool_calls");
		jw_arr(&w);
		len = json_object_array_length(tcs);
		for (k = 0; k < len; k++)
			put_tool_call(&w, json_object_array_get_idx(tcs, k));
		jw_arr_end(&w);
	}
	jw_knull(&w, "refusal");
	jw_obj_end(&w);
	jw_knull(&w, "logprobs");
	jw_kstr(&w, "finish_reason", reason);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_key(&w, "usage");
	openai_usage_json(&w, &res->usage);
	jw_obj_end(&w);
	rc = out->err || text.err ? -1 : 0;
out:
	buf_free(&text);
	json_object_put(o);
	return rc;
}

static int
cohere_native_body(const char *p, size_t n, struct llm_result *res)
{
	struct json_object	*o;
	const char		*s;

	if ((o = jr_parse(p, n)) == NULL)
		return -1;
	if (jis(o, json_type_object)) {
		JCOPY(res->id, jr_get(o, "id"));
		JCOPY(res->finish_reason, jr_get(o, "finish_reason"));
		usage_from(&res->usage, jr_get(o, "usage"));
		/* An error body's "message" is a string, an answer's is an
		 * object. */
		if ((s = error_message(o)) != NULL)
			SCOPY(res->error, s);
		else if ((s = jstr(jr_get(o, "finish_reason"))) != NULL)
			(void)finish_map(s, res);
	}
	json_object_put(o);
	return 0;
}

/* ---------------------------------------------------------------------
 * Streams.
 */

struct cohere_stream {
	struct chunk_ctx c;
	int		 include_usage;
	int		 role_sent;	/* the first chunk (role) written */
	int		 ntools;	/* tool calls started (OpenAI index) */
	int		 finished;	/* the finish_reason chunk written */
	int		 failed;	/* an error event written */
	int		 ended;		/* stream_end ran */
};

static void *
cohere_stream_new(const char *model, int include_usage)
{
	struct cohere_stream	*st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	chunk_init(&st->c, NULL, model);
	st->include_usage = include_usage;
	return st;
}

static void
cohere_stream_free(void *p)
{
	free(p);
}

/* The role chunk, once, before anything else of the answer. */
static void
role(struct cohere_stream *st, struct buf *out)
{
	if (!st->role_sent) {
		chunk_role(&st->c, out);
		st->role_sent = 1;
	}
}

/* Text of a content-delta: delta.message.content.text (or each text of
 * an array of content items). */
static void
event_text(struct cohere_stream *st, struct llm_result *res,
    struct json_object *c, struct buf *out)
{
	struct json_object	*t;
	size_t			 k, len;

	if (jis(c, json_type_array)) {
		len = json_object_array_length(c);
		for (k = 0; k < len; k++)
			event_text(st, res,
			    jis(json_object_array_get_idx(c, k),
			    json_type_object) ?
			    json_object_array_get_idx(c, k) : NULL, out);
		return;
	}
	t = jr_get(c, "text");
	if (jstr(t) == NULL || jlen(t) == 0)
		return;
	buf_add_cut(&res->text, json_object_get_string(t), jlen(t));
	if (st != NULL) {
		role(st, out);
		chunk_text(&st->c, json_object_get_string(t), jlen(t), out);
	}
}

/* The first tool call of delta.message.tool_calls (an object, or an
 * array of them). */
static struct json_object *
event_tool(struct json_object *o)
{
	struct json_object	*tc;

	tc = jr_get(jr_get(jr_get(o, "delta"), "message"), "tool_calls");
	if (jis(tc, json_type_array))
		tc = json_object_array_length(tc) > 0 ?
		    json_object_array_get_idx(tc, 0) : NULL;
	return jis(tc, json_type_object) ? tc : NULL;
}

/*
 * One native v2 event object o: update res and, when st is not NULL
 * (a translated stream), append the OpenAI chunks to out.  Nothing more
 * is written after the finish chunk or an error event, but usage and
 * errors keep being recorded.
 */
static void
event_apply(struct cohere_stream *st, struct llm_result *res,
    struct json_object *o, struct buf *out)
{
	struct json_object	*delta, *tc, *a, *fr;
	const char		*t, *s, *reason;
	struct cohere_stream	*em;	/* st while chunks may be written */

	em = st != NULL && !st->finished && !st->failed ? st : NULL;
	delta = jr_get(o, "delta");
	t = jstr(jr_get(o, "type"));
	if (t == NULL || strcmp(t, "error") == 0) {
		/* An error event, or a bare error body ({"message": ".."}). */
		if ((s = error_message(o)) == NULL &&
		    (s = error_message(delta)) == NULL) {
			if (t == NULL)
				return;
			s = "Cohere stream error";
		}
		SCOPY(res->error, s);
		if (em != NULL) {
			chunk_error(s, "api_error", out);
			em->failed = 1;
		}
	} else if (strcmp(t, "message-start") == 0) {
		JCOPY(res->id, jr_get(o, "id"));
		if (em != NULL)
			chunk_set_id(&em->c, jstr(jr_get(o, "id")));
	} else if (strcmp(t, "content-delta") == 0)
		event_text(em, res, jr_get(jr_get(delta, "message"), "content"),
		    out);
	else if (strcmp(t, "tool-call-start") == 0) {
		if ((tc = event_tool(o)) == NULL || em == NULL)
			return;
		role(em, out);
		s = jstr(jr_get(jr_get(tc, "function"), "name"));
		chunk_tool_start(&em->c, em->ntools, jstr(jr_get(tc, "id")),
		    s != NULL ? s : "", out);
		a = jr_get(jr_get(tc, "function"), "arguments");
		if (jstr(a) != NULL && jlen(a) > 0)
			chunk_tool_args(&em->c, em->ntools,
			    json_object_get_string(a), jlen(a), out);
		em->ntools++;
	} else if (strcmp(t, "tool-call-delta") == 0) {
		/* Arguments belong to the call started last. */
		if ((tc = event_tool(o)) == NULL || em == NULL ||
		    em->ntools == 0)
			return;
		a = jr_get(jr_get(tc, "function"), "arguments");
		if (jstr(a) != NULL && jlen(a) > 0)
			chunk_tool_args(&em->c, em->ntools - 1,
			    json_object_get_string(a), jlen(a), out);
	} else if (strcmp(t, "message-end") == 0) {
		usage_from(&res->usage, jr_get(delta, "usage"));
		if ((s = error_message(delta)) != NULL)
			SCOPY(res->error, s);
		res->done = 1;
		fr = jr_get(delta, "finish_reason");
		if (st == NULL) {
			JCOPY(res->finish_reason, fr);
			(void)finish_map(jstr(fr), res);
			return;
		}
		if (em == NULL)
			return;
		reason = finish_map(jstr(fr), res);
		SCOPY(res->finish_reason, reason);
		role(em, out);
		chunk_finish(&em->c, reason, out);
		em->finished = 1;
	}
	/* content-start/-end, tool-plan-delta, tool-call-end, citation-*,
	 * debug: nothing to translate or record. */
}

static int
cohere_stream_event(void *p, const char *data, size_t n,
    struct llm_result *res, struct buf *out)
{
	struct cohere_stream	*st = p;
	struct json_object	*o;

	res->chunks++;
	if ((o = jr_parse(data, n)) == NULL)
		return out->err ? -1 : 0;
	if (jis(o, json_type_object))
		event_apply(st, res, o, out);
	json_object_put(o);
	return out->err ? -1 : 0;
}

static int
cohere_stream_end(void *p, struct llm_result *res, struct buf *out)
{
	struct cohere_stream	*st = p;

	if (st->ended)
		return out->err ? -1 : 0;
	st->ended = 1;
	if (!st->failed) {
		if (!st->finished) {
			/* Cut short before message-end. */
			role(st, out);
			chunk_finish(&st->c, "stop", out);
			st->finished = 1;
		}
		if (st->include_usage)
			chunk_usage(&st->c, &res->usage, out);
	}
	chunk_done(out);
	return out->err ? -1 : 0;
}

static int
cohere_native_event(struct llm_result *res, const char *data, size_t n)
{
	struct json_object	*o;

	res->chunks++;
	if ((o = jr_parse(data, n)) == NULL)
		return -1;
	if (jis(o, json_type_object))
		event_apply(NULL, res, o, NULL);
	json_object_put(o);
	return 0;
}

const struct xlate cohere_xlate = {
	.request = cohere_request,
	.response = cohere_response,
	.stream_new = cohere_stream_new,
	.stream_event = cohere_stream_event,
	.stream_end = cohere_stream_end,
	.stream_free = cohere_stream_free,
	.native_body = cohere_native_body,
	.native_event = cohere_native_event,
};
