/*
 * The OpenAI dialect (chat completions, completions, embeddings,
 * responses, models, and compatible servers): what the proxy reads from
 * request bodies, response bodies and stream events, and the byte-exact
 * rewrites it makes so that it can ask upstream for stream usage without
 * the client seeing a difference.
 */
#ifndef LF_OPENAI_H
#define LF_OPENAI_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "limits.h"
#include "usage.h"

struct llm_result {
	struct usage	 usage;
	char		 model[LF_MAX_MODEL];	/* response model, "" if none */
	char		 id[128];		/* response id, "" if none */
	char		 finish_reason[32];	/* or Responses status */
	char		 error[LF_MAX_ERROR];	/* upstream error message */
	struct buf	 text;			/* assembled stream text; err
						 * set when it was cut */
	int64_t		 chunks;		/* stream events with data */
	int		 done;			/* [DONE], or a terminal
						 * Responses event, seen */
};

/* Returned by openai_stream_data: the chunk include_usage adds. */
#define OPENAI_EV_USAGE_ONLY	0x01

void	 llm_result_init(struct llm_result *, size_t max_text);
void	 llm_result_free(struct llm_result *);

/* Sets *stream (body.stream is true) and copies body.model into model
 * ("" if absent).  0, or -1 if the body is not a JSON object. */
int	 openai_request_info(const char *body, size_t n, int *stream,
	    char *model, size_t modelsz);
/*
 * For a streaming request whose stream_options.include_usage is not true,
 * out (reset first) receives the same body asking for usage, and 1 is
 * returned.  0: no change needed (not streaming, or usage already asked
 * for, or the body could not be spliced).  -1: not a JSON object, or out
 * overflowed.  Bytes are spliced, never re-serialised.
 */
int	 openai_request_usage(const char *body, size_t n, struct buf *out);
/* A whole (non-stream) response body: usage, model, id, finish reason,
 * error message.  0 if it is JSON, -1 if not (result untouched). */
int	 openai_parse_body(const char *p, size_t n, struct llm_result *);
/* The data of one stream event (sse_data): updates the result.  Returns
 * OPENAI_EV_USAGE_ONLY for a chunk with "choices":[] and a usage object,
 * 0 otherwise, -1 if the data is not JSON (nothing but chunks changes). */
int	 openai_stream_data(struct llm_result *, const char *data, size_t n);
/*
 * For a client that did not ask for usage, rewrite one raw event (bytes
 * as given to the sse callback): 1 = drop it (the usage-only chunk);
 * 0 = forward out (reset first), which is the event without its top-level
 * "usage":null member and one separating comma, or the event unchanged
 * if it has none; -1 = forward the event unchanged (not one data line
 * holding a JSON object, or out overflowed).
 */
int	 openai_strip_usage(const char *ev, size_t n, struct buf *out);

#endif
