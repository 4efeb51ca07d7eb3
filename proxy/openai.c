#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "buf.h"
#include "jsonread.h"
#include "limits.h"
#include "usage.h"
#include "jsonscan.h"
#include "openai.h"
#include "sse.h"

void
llm_result_init(struct llm_result *r, size_t max_text)
{
	usage_init(&r->usage);
	r->model[0] = r->id[0] = r->finish_reason[0] = r->error[0] = '\0';
	buf_init(&r->text, max_text);
	r->chunks = 0;
	r->done = 0;
}

void
llm_result_free(struct llm_result *r)
{
	if (r == NULL)
		return;
	buf_free(&r->text);
}

/*
 * Whether p[0, n) may spell a NUL in a string.  json-c cuts object keys at
 * a NUL ("usage\u0000x" reads as "usage") where the scanner and upstream
 * do not, so the byte splices give up on such text rather than disagree.
 */
static int
has_escaped_nul(const char *p, size_t n)
{
	return memmem(p, n, "\\u0000", 6) != NULL;
}

/* Copy a non-empty JSON string value v into dst; others leave it. */
static void
jcopy(char *dst, size_t dstsz, struct json_object *v)
{
	if (v == NULL || !json_object_is_type(v, json_type_string) ||
	    json_object_get_string_len(v) <= 0)
		return;
	jr_copy_str(dst, dstsz, json_object_get_string(v),
	    (size_t)json_object_get_string_len(v));
}

#define JCOPY(dst, v)	jcopy((dst), sizeof(dst), (v))

/* Append streamed text; what does not fit is cut on a UTF-8 boundary and
 * the buffer is marked (err) as cut. */
static void
text_add(struct buf *b, struct json_object *v)
{
	if (v != NULL && json_object_is_type(v, json_type_string))
		buf_add_cut(b, json_object_get_string(v),
		    (size_t)json_object_get_string_len(v));
}

/* Set each reported count of usage from the object u (Chat Completions,
 * Completions, Embeddings and Responses names; OpenRouter's cost). */
static void
usage_from(struct usage *us, struct json_object *u)
{
	struct json_object	*v, *d;
	int64_t			 n;

	if (u == NULL || !json_object_is_type(u, json_type_object))
		return;
	if (((v = jr_get(u, "prompt_tokens")) != NULL ||
	    (v = jr_get(u, "input_tokens")) != NULL) && jr_count(v, &n) == 0)
		us->prompt = n;
	if (((v = jr_get(u, "completion_tokens")) != NULL ||
	    (v = jr_get(u, "output_tokens")) != NULL) && jr_count(v, &n) == 0)
		us->completion = n;
	if ((v = jr_get(u, "total_tokens")) != NULL && jr_count(v, &n) == 0)
		us->total = n;
	if ((d = jr_get(u, "prompt_tokens_details")) == NULL)
		d = jr_get(u, "input_tokens_details");
	if ((v = jr_get(d, "cached_tokens")) != NULL && jr_count(v, &n) == 0)
		us->cached = n;
	else if ((v = jr_get(u, "prompt_cache_hit_tokens")) != NULL &&
	    jr_count(v, &n) == 0)
		us->cached = n;		/* DeepSeek */
	if ((d = jr_get(u, "completion_tokens_details")) == NULL)
		d = jr_get(u, "output_tokens_details");
	if ((v = jr_get(d, "reasoning_tokens")) != NULL && jr_count(v, &n) == 0)
		us->reasoning = n;
	if ((v = jr_get(u, "cost")) != NULL &&
	    (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)) &&
	    isfinite(json_object_get_double(v)) &&
	    json_object_get_double(v) >= 0)
		us->reported_cost = json_object_get_double(v);
}

/* error.message, or error itself when it is a string. */
static void
error_from(struct llm_result *r, struct json_object *e)
{
	if (e == NULL)
		return;
	if (json_object_is_type(e, json_type_string))
		JCOPY(r->error, e);
	else
		JCOPY(r->error, jr_get(e, "message"));
}

/* A Responses API response object (body, or inside a stream event). */
static void
response_from(struct llm_result *r, struct json_object *o)
{
	struct json_object	*v;

	JCOPY(r->model, jr_get(o, "model"));
	JCOPY(r->id, jr_get(o, "id"));
	usage_from(&r->usage, jr_get(o, "usage"));
	error_from(r, jr_get(o, "error"));
	if ((v = jr_get(jr_get(o, "incomplete_details"), "reason")) != NULL)
		JCOPY(r->finish_reason, v);
	else
		JCOPY(r->finish_reason, jr_get(o, "status"));
}

int
openai_request_info(const char *body, size_t n, int *stream, char *model,
    size_t modelsz)
{
	struct json_object	*o, *v;

	*stream = 0;
	if (modelsz > 0)
		model[0] = '\0';
	if ((o = jr_parse(body, n)) == NULL)
		return -1;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	if ((v = jr_get(o, "stream")) != NULL &&
	    json_object_is_type(v, json_type_boolean))
		*stream = json_object_get_boolean(v);
	jcopy(model, modelsz, jr_get(o, "model"));
	json_object_put(o);
	return 0;
}

/* out = p[0, at) + ins + p[skip, n). */
static int
splice(struct buf *out, const char *p, size_t n, size_t at, size_t skip,
    const char *ins)
{
	buf_reset(out);
	buf_add(out, p, at);
	buf_adds(out, ins);
	buf_add(out, p + skip, n - skip);
	return out->err ? -1 : 0;
}

/* The last member of the object walked by it named name: 1 and *m, 0 if
 * none, -1 if malformed. */
static int
last_member(struct js_iter *it, const char *name, struct js_member *m)
{
	struct js_member	 cur;
	int			 rc, found = 0;

	while ((rc = js_obj_next(it, &cur)) == 1)
		if (js_key_is(it->p, &cur, name)) {
			*m = cur;
			found = 1;
		}
	return rc == -1 ? -1 : found;
}

int
openai_request_usage(const char *body, size_t n, struct buf *out)
{
	struct json_object	*o, *v;
	struct js_iter		 it, sit;
	struct js_member	 so, iu, any;
	size_t			 top;
	int			 rc, want;

	if ((o = jr_parse(body, n)) == NULL)
		return -1;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	want = (v = jr_get(o, "stream")) != NULL &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
	if (want && (v = jr_get(jr_get(o, "stream_options"), "include_usage")) !=
	    NULL && json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v))
		want = 0;
	json_object_put(o);
	if (!want)
		return 0;

	if (has_escaped_nul(body, n) ||
	    (top = js_top_object(body, n)) == JS_BAD ||
	    js_obj_open(&it, body, n, top) == -1 ||
	    (rc = last_member(&it, "stream_options", &so)) == -1)
		return 0;
	if (rc == 0)
		return splice(out, body, n, top + 1, top + 1,
		    "\"stream_options\":{\"include_usage\":true},") == -1 ?
		    -1 : 1;
	if (body[so.val] != '{')
		return splice(out, body, n, so.val, so.val_end,
		    "{\"include_usage\":true}") == -1 ? -1 : 1;
	if (js_obj_open(&sit, body, n, so.val) == -1 ||
	    (rc = last_member(&sit, "include_usage", &iu)) == -1)
		return 0;
	if (rc == 1)
		return splice(out, body, n, iu.val, iu.val_end, "true") == -1 ?
		    -1 : 1;
	/* No include_usage: first member of stream_options, with a comma
	 * if the object has others. */
	js_obj_open(&sit, body, n, so.val);
	return splice(out, body, n, so.val + 1, so.val + 1,
	    js_obj_next(&sit, &any) == 1 ? "\"include_usage\":true," :
	    "\"include_usage\":true") == -1 ? -1 : 1;
}

int
openai_parse_body(const char *p, size_t n, struct llm_result *r)
{
	struct json_object	*o, *c;

	if ((o = jr_parse(p, n)) == NULL)
		return -1;
	if (json_object_is_type(o, json_type_object)) {
		if ((c = jr_get(o, "object")) != NULL &&
		    json_object_is_type(c, json_type_string) &&
		    strcmp(json_object_get_string(c), "response") == 0)
			response_from(r, o);
		else {
			JCOPY(r->model, jr_get(o, "model"));
			JCOPY(r->id, jr_get(o, "id"));
			usage_from(&r->usage, jr_get(o, "usage"));
			error_from(r, jr_get(o, "error"));
			if ((c = jr_get(o, "choices")) != NULL &&
			    json_object_is_type(c, json_type_array) &&
			    json_object_array_length(c) > 0)
				JCOPY(r->finish_reason, jr_get(
				    json_object_array_get_idx(c, 0),
				    "finish_reason"));
		}
	}
	json_object_put(o);
	return 0;
}

/* A Responses API stream event of type t. */
static void
stream_response_event(struct llm_result *r, struct json_object *o,
    const char *t)
{
	struct json_object	*e;

	if (strcmp(t, "response.output_text.delta") == 0)
		text_add(&r->text, jr_get(o, "delta"));
	else if (strcmp(t, "response.created") == 0 ||
	    strcmp(t, "response.in_progress") == 0) {
		JCOPY(r->model, jr_get(jr_get(o, "response"), "model"));
		JCOPY(r->id, jr_get(jr_get(o, "response"), "id"));
	} else if (strcmp(t, "response.completed") == 0 ||
	    strcmp(t, "response.incomplete") == 0 ||
	    strcmp(t, "response.failed") == 0) {
		response_from(r, jr_get(o, "response"));
		r->done = 1;
	} else if (strcmp(t, "error") == 0) {
		if ((e = jr_get(o, "error")) != NULL)
			error_from(r, e);
		else
			JCOPY(r->error, jr_get(o, "message"));
	}
}

int
openai_stream_data(struct llm_result *r, const char *data, size_t n)
{
	struct json_object	*o, *t, *ch, *c, *u, *idx;
	size_t			 i, len;
	int			 rc = 0;

	r->chunks++;
	while (n > 0 && (data[n - 1] == ' ' || data[n - 1] == '\n' ||
	    data[n - 1] == '\r' || data[n - 1] == '\t'))
		n--;
	if (n == 6 && memcmp(data, "[DONE]", 6) == 0) {
		r->done = 1;
		return 0;
	}
	if ((o = jr_parse(data, n)) == NULL)
		return -1;
	if (!json_object_is_type(o, json_type_object))
		goto out;
	if ((t = jr_get(o, "type")) != NULL &&
	    json_object_is_type(t, json_type_string) &&
	    (strncmp(json_object_get_string(t), "response.", 9) == 0 ||
	    strcmp(json_object_get_string(t), "error") == 0)) {
		stream_response_event(r, o, json_object_get_string(t));
		goto out;
	}
	JCOPY(r->model, jr_get(o, "model"));
	JCOPY(r->id, jr_get(o, "id"));
	error_from(r, jr_get(o, "error"));
	u = jr_get(o, "usage");
	if (u != NULL && json_object_is_type(u, json_type_object))
		usage_from(&r->usage, u);
	else
		u = NULL;
	if ((ch = jr_get(o, "choices")) == NULL ||
	    !json_object_is_type(ch, json_type_array))
		goto out;
	if ((len = json_object_array_length(ch)) == 0 && u != NULL)
		rc = OPENAI_EV_USAGE_ONLY;
	for (i = 0; i < len; i++) {
		c = json_object_array_get_idx(ch, i);
		/* Text of the first choice only: n > 1 would interleave. */
		if ((idx = jr_get(c, "index")) != NULL &&
		    json_object_get_int64(idx) != 0)
			continue;
		text_add(&r->text, jr_get(jr_get(c, "delta"), "content"));
		text_add(&r->text, jr_get(c, "text"));
		JCOPY(r->finish_reason, jr_get(c, "finish_reason"));
	}
out:
	json_object_put(o);
	return rc;
}

int
openai_strip_usage(const char *ev, size_t n, struct buf *out)
{
	struct json_object	*o, *ch, *u;
	struct js_iter		 it;
	struct js_member	 m, prev = {0, 0, 0, 0}, hit = prev, next = prev;
	const char		*p;
	size_t			 off, len, top, from, to;
	int			 rc, found = 0, have_prev = 0, have_next = 0;
	int			 hit_prev = 0;

	if (sse_data_span(ev, n, &off, &len) != 1)
		return -1;
	p = ev + off;
	if (has_escaped_nul(p, len) || (o = jr_parse(p, len)) == NULL)
		return -1;
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -1;
	}
	ch = jr_get(o, "choices");
	u = jr_get(o, "usage");
	rc = ch != NULL && json_object_is_type(ch, json_type_array) &&
	    json_object_array_length(ch) == 0 && u != NULL &&
	    json_object_is_type(u, json_type_object);
	json_object_put(o);
	if (rc)
		return 1;

	if ((top = js_top_object(p, len)) == JS_BAD ||
	    js_obj_open(&it, p, len, top) == -1)
		return -1;
	while ((rc = js_obj_next(&it, &m)) == 1) {
		if (found && !have_next) {
			next = m;
			have_next = 1;
		}
		if (js_key_is(p, &m, "usage")) {
			if (found)
				return -1;	/* duplicate: leave alone */
			found = 1;
			hit = m;
			hit_prev = have_prev;
		}
		if (!found) {
			prev = m;
			have_prev = 1;
		}
	}
	if (rc == -1)
		return -1;
	buf_reset(out);
	if (!found || hit.val_end - hit.val != 4 ||
	    memcmp(p + hit.val, "null", 4) != 0) {
		buf_add(out, ev, n);
		return out->err ? -1 : 0;
	}
	if (have_next) {		/* first or middle: up to next key */
		from = hit.key;
		to = next.key;
	} else if (hit_prev) {		/* last: from the previous value */
		from = prev.val_end;
		to = hit.val_end;
	} else {			/* the only member */
		from = hit.key;
		to = hit.val_end;
	}
	buf_add(out, ev, off + from);
	buf_add(out, ev + off + to, n - off - to);
	return out->err ? -1 : 0;
}
