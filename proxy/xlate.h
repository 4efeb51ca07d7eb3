/*
 * Translation between the OpenAI chat-completions dialect a client speaks
 * and a provider's native API (Anthropic Messages, Gemini generateContent,
 * Cohere v2 chat), both ways and for streams; and reading usage from
 * native answers for passthrough routes.
 *
 * Every function takes bytes and a length and writes only into the bounded
 * buffers it is given; none keeps pointers into its input.  Each provider
 * implements the whole set in proxy/<provider>.c and exports it as one
 * `const struct xlate <provider>_xlate`.
 */
#ifndef LF_XLATE_H
#define LF_XLATE_H

#include <stddef.h>

#include "buf.h"
#include "limits.h"
#include "openai.h"

/* A client's OpenAI request, translated. */
struct xlate_req {
	struct buf	 body;		/* native request body (caller inits, bounded) */
	int		 stream;	/* the client asked for a stream */
	int		 include_usage;	/* ... with stream_options.include_usage */
	char		 model[LF_MAX_MODEL];	/* model the client named */
};

struct xlate {
	/*
	 * OpenAI /chat/completions request body -> native request body.
	 * Fills req->stream, req->include_usage, req->model.  0, or -1 with
	 * a message for a 400 in err (not JSON, no messages, unsupported
	 * content the provider cannot take, a model name unsafe in a path).
	 * Parameters without a native equivalent are dropped on purpose and
	 * listed in the provider's comment.
	 */
	int	(*request)(const char *body, size_t n, struct xlate_req *req,
		    char *err, size_t errsz);

	/*
	 * A native non-stream answer with HTTP status `status` -> an OpenAI
	 * chat.completion body in out (for status >= 400: an OpenAI error
	 * body {"error":{"message","type","code"}}).  Reads usage, model, id,
	 * finish reason and error message into res.  model is the client's
	 * model (used when the answer names none).  0, or -1 if the body is
	 * not understood (the caller then forwards it unchanged).
	 */
	int	(*response)(int status, const char *body, size_t n,
		    const char *model, struct buf *out, struct llm_result *res);

	/*
	 * Streams.  stream_new() makes the state for one answer;
	 * stream_event() takes the data of one native SSE event (for Gemini
	 * one GenerateContentResponse object) and appends zero or more whole
	 * OpenAI SSE events ("data: {...chat.completion.chunk...}\n\n") to
	 * out, updating res; stream_end() appends what closes the stream
	 * (the last chunk with finish_reason if not sent yet, a usage-only
	 * chunk "choices":[] when include_usage was asked for, and
	 * "data: [DONE]\n\n").  A native error event becomes an OpenAI
	 * error event `data: {"error":{...}}\n\n` and fills res->error.
	 * Return 0, or -1 when out overflowed.
	 */
	void	*(*stream_new)(const char *model, int include_usage);
	int	(*stream_event)(void *st, const char *data, size_t n,
		    struct llm_result *res, struct buf *out);
	int	(*stream_end)(void *st, struct llm_result *res, struct buf *out);
	void	(*stream_free)(void *st);

	/*
	 * Passthrough: usage, model, id, finish reason, error from a native
	 * answer the client receives unchanged.  native_body: a whole
	 * non-stream body (0 parsed, -1 not JSON).  native_event: the data
	 * of one native SSE event (returns 0, -1 if not JSON).
	 */
	int	(*native_body)(const char *p, size_t n, struct llm_result *res);
	int	(*native_event)(struct llm_result *res, const char *data,
		    size_t n);
};

#endif
