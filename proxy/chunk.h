/*
 * Writing OpenAI-shaped answers for translated providers: stream chunks
 * ("data: {chat.completion.chunk}\n\n"), the usage object, error bodies.
 * All output goes through the JSON writer into a bounded buf; each
 * function returns 0, or -1 once the buf has overflowed.
 */
#ifndef LF_CHUNK_H
#define LF_CHUNK_H

#include <stdint.h>

#include "buf.h"
#include "json.h"
#include "limits.h"
#include "usage.h"

struct chunk_ctx {
	char	 id[128];		/* "chatcmpl-..." */
	char	 model[LF_MAX_MODEL];
	int64_t	 created;		/* Unix seconds */
};

/* id: the native answer's id (prefixed "chatcmpl-" if it lacks it), or
 * NULL for a random one; model: the model to report. */
void	 chunk_init(struct chunk_ctx *, const char *id, const char *model);
/* Once the native id or model becomes known (it may arrive later). */
void	 chunk_set_id(struct chunk_ctx *, const char *id);
void	 chunk_set_model(struct chunk_ctx *, const char *model);

/* delta {"role":"assistant","content":""} */
int	 chunk_role(const struct chunk_ctx *, struct buf *);
/* delta {"content":"..."} */
int	 chunk_text(const struct chunk_ctx *, const char *, size_t,
	    struct buf *);
/* delta {"tool_calls":[{"index":i,"id":..,"type":"function",
 * "function":{"name":..,"arguments":""}}]} */
int	 chunk_tool_start(const struct chunk_ctx *, int index, const char *id,
	    const char *name, struct buf *);
/* delta {"tool_calls":[{"index":i,"function":{"arguments":"..."}}]} */
int	 chunk_tool_args(const struct chunk_ctx *, int index, const char *,
	    size_t, struct buf *);
/* delta {} with finish_reason */
int	 chunk_finish(const struct chunk_ctx *, const char *reason,
	    struct buf *);
/* "choices":[] with the usage object (stream_options.include_usage) */
int	 chunk_usage(const struct chunk_ctx *, const struct usage *,
	    struct buf *);
/* data: {"error":{"message":..,"type":..,"code":null}} */
int	 chunk_error(const char *message, const char *type, struct buf *);
/* data: [DONE] */
int	 chunk_done(struct buf *);

/* The OpenAI usage object for u: prompt/completion/total tokens, with
 * prompt_tokens_details.cached_tokens and
 * completion_tokens_details.reasoning_tokens when known.  Absent counts
 * are written as 0. */
void	 openai_usage_json(struct jw *, const struct usage *);
/* {"error":{"message":..,"type":..,"code":..}} (code may be NULL) */
int	 openai_error_body(struct buf *, const char *message, const char *type,
	    const char *code);

#endif
