#include <stdio.h>
#include <string.h>
#include <time.h>

#include "chunk.h"
#include "request.h"

void
chunk_set_id(struct chunk_ctx *c, const char *id)
{
	if (id == NULL || *id == '\0')
		return;
	if (strncmp(id, "chatcmpl-", 9) == 0)
		snprintf(c->id, sizeof(c->id), "%s", id);
	else
		snprintf(c->id, sizeof(c->id), "chatcmpl-%s", id);
}

void
chunk_set_model(struct chunk_ctx *c, const char *model)
{
	if (model != NULL && *model != '\0')
		snprintf(c->model, sizeof(c->model), "%s", model);
}

void
chunk_init(struct chunk_ctx *c, const char *id, const char *model)
{
	char	 rnd[33];

	memset(c, 0, sizeof(*c));
	c->created = (int64_t)time(NULL);
	if (id != NULL && *id != '\0')
		chunk_set_id(c, id);
	else {
		random_hex(rnd, 12);
		chunk_set_id(c, rnd);
	}
	chunk_set_model(c, model);
}

/* Opens `data: {... "choices":[{"index":0,"delta":` */
static void
chunk_open(const struct chunk_ctx *c, struct jw *w, struct buf *out)
{
	buf_add(out, "data: ", 6);
	jw_init(w, out);
	jw_obj(w);
	jw_kstr(w, "id", c->id);
	jw_kstr(w, "object", "chat.completion.chunk");
	jw_kint(w, "created", c->created);
	jw_kstr(w, "model", c->model);
	jw_key(w, "choices");
	jw_arr(w);
	jw_obj(w);
	jw_kint(w, "index", 0);
	jw_key(w, "delta");
}

/* Closes the delta's choice with finish_reason, and the event. */
static int
chunk_close(struct jw *w, const char *reason, struct buf *out)
{
	jw_kstr(w, "finish_reason", reason);
	jw_obj_end(w);
	jw_arr_end(w);
	jw_obj_end(w);
	buf_add(out, "\n\n", 2);
	return out->err ? -1 : 0;
}

int
chunk_role(const struct chunk_ctx *c, struct buf *out)
{
	struct jw	 w;

	chunk_open(c, &w, out);
	jw_obj(&w);
	jw_kstr(&w, "role", "assistant");
	jw_kstr(&w, "content", "");
	jw_obj_end(&w);
	return chunk_close(&w, NULL, out);
}

int
chunk_text(const struct chunk_ctx *c, const char *s, size_t n, struct buf *out)
{
	struct jw	 w;

	chunk_open(c, &w, out);
	jw_obj(&w);
	jw_key(&w, "content");
	jw_strn(&w, s, n);
	jw_obj_end(&w);
	return chunk_close(&w, NULL, out);
}

int
chunk_tool_start(const struct chunk_ctx *c, int index, const char *id,
    const char *name, struct buf *out)
{
	struct jw	 w;

	chunk_open(c, &w, out);
	jw_obj(&w);
	jw_key(&w, "tool_calls");
	jw_arr(&w);
	jw_obj(&w);
	jw_kint(&w, "index", index);
	jw_kstr(&w, "id", id);
	jw_kstr(&w, "type", "function");
	jw_key(&w, "function");
	jw_obj(&w);
	jw_kstr(&w, "name", name);
	jw_kstr(&w, "arguments", "");
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return chunk_close(&w, NULL, out);
}

int
chunk_tool_args(const struct chunk_ctx *c, int index, const char *s, size_t n,
    struct buf *out)
{
	struct jw	 w;

	chunk_open(c, &w, out);
	jw_obj(&w);
	jw_key(&w, "tool_calls");
	jw_arr(&w);
	jw_obj(&w);
	jw_kint(&w, "index", index);
	jw_key(&w, "function");
	jw_obj(&w);
	jw_key(&w, "arguments");
	jw_strn(&w, s, n);
	jw_obj_end(&w);
	jw_obj_end(&w);
	jw_arr_end(&w);
	jw_obj_end(&w);
	return chunk_close(&w, NULL, out);
}

int
chunk_finish(const struct chunk_ctx *c, const char *reason, struct buf *out)
{
	struct jw	 w;

	chunk_open(c, &w, out);
	jw_obj(&w);
	jw_obj_end(&w);
	return chunk_close(&w, reason ? reason : "stop", out);
}

void
openai_usage_json(struct jw *w, const struct usage *u)
{
	int64_t	 p = u->prompt > 0 ? u->prompt : 0;
	int64_t	 c = u->completion > 0 ? u->completion : 0;

	jw_obj(w);
	jw_kint(w, "prompt_tokens", p);
	jw_kint(w, "completion_tokens", c);
	jw_kint(w, "total_tokens", u->total >= 0 ? u->total : usage_sum(u));
	if (u->cached >= 0 || u->cache_creation >= 0) {
		jw_key(w, "prompt_tokens_details");
		jw_obj(w);
		jw_kint(w, "cached_tokens", u->cached > 0 ? u->cached : 0);
		jw_obj_end(w);
	}
	if (u->reasoning >= 0) {
		jw_key(w, "completion_tokens_details");
		jw_obj(w);
		jw_kint(w, "reasoning_tokens", u->reasoning);
		jw_obj_end(w);
	}
	jw_obj_end(w);
}

int
chunk_usage(const struct chunk_ctx *c, const struct usage *u, struct buf *out)
{
	struct jw	 w;

	buf_add(out, "data: ", 6);
	jw_init(&w, out);
	jw_obj(&w);
	jw_kstr(&w, "id", c->id);
	jw_kstr(&w, "object", "chat.completion.chunk");
	jw_kint(&w, "created", c->created);
	jw_kstr(&w, "model", c->model);
	jw_key(&w, "choices");
	jw_arr(&w);
	jw_arr_end(&w);
	jw_key(&w, "usage");
	openai_usage_json(&w, u);
	jw_obj_end(&w);
	buf_add(out, "\n\n", 2);
	return out->err ? -1 : 0;
}

int
openai_error_body(struct buf *out, const char *message, const char *type,
    const char *code)
{
	struct jw	 w;

	jw_init(&w, out);
	jw_obj(&w);
	jw_key(&w, "error");
	jw_obj(&w);
	jw_kstr(&w, "message", message);
	jw_kstr(&w, "type", type);
	jw_kstr(&w, "code", code);
	jw_obj_end(&w);
	jw_obj_end(&w);
	return out->err ? -1 : 0;
}

int
chunk_error(const char *message, const char *type, struct buf *out)
{
	buf_add(out, "data: ", 6);
	openai_error_body(out, message, type, NULL);
	buf_add(out, "\n\n", 2);
	return out->err ? -1 : 0;
}

int
chunk_done(struct buf *out)
{
	buf_adds(out, "data: [DONE]\n\n");
	return out->err ? -1 : 0;
}
