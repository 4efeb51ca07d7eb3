/*
 * One proxied call, from the client's request to the stored trace.
 * Owned by the thread serving it; everything is freed by call_free().
 */
#ifndef LF_CALL_H
#define LF_CALL_H

#include <stdint.h>
#include <time.h>

#include "buf.h"
#include "gemini.h"
#include "json.h"
#include "limits.h"
#include "openai.h"
#include "providers.h"
#include "server.h"
#include "sse.h"
#include "xlate.h"

struct db;
struct upstream;

/* The request and response dialect a route speaks upstream. */
enum dialect {
	D_OPENAI,	/* OpenAI and compatible servers */
	D_ANTHROPIC,	/* Anthropic Messages */
	D_GEMINI,	/* Gemini generateContent */
	D_COHERE,	/* Cohere v2 chat */
	D__MAX
};

enum route_kind {
	R_HEALTH,	/* GET /health */
	R_PROVIDERS,	/* GET /providers */
	R_PROVIDER,	/* the client speaks OpenAI */
	R_PASSTHROUGH	/* the client speaks the provider's own API */
};

/* How the upstream path is made from the client's. */
enum path_map {
	P_SAME,		/* the path as sent (after the route's prefix) */
	P_DROP_V1,	/* without a leading /v1 (Perplexity) */
	P_AZURE		/* /openai/deployments/<deployment>/...?api-version= */
};

struct route {
	const char	*prefix;	/* matched at the start of the path */
	enum route_kind	 kind;
	enum provider_id prov;
	enum dialect	 dialect;
	int		 keep_prefix;	/* forward the prefix too (/v1/) */
	const char	*up_prefix;	/* put before the path upstream */
	enum path_map	 map;
	int		 translate;	/* /chat/completions is translated */
	int		 inject_usage;	/* may ask streams for usage */
};

/* How the answer goes back to the client. */
enum mode {
	M_RAW,		/* the upstream's bytes, read on the way */
	M_REWRITE,	/* SSE with the usage we asked for taken out */
	M_XSTREAM,	/* native SSE translated to OpenAI chunks */
	M_XBODY		/* native body buffered, translated at the end */
};

struct worker {
	struct db	*db;
	struct upstream	*up;
	unsigned	 stored;	/* traces stored, for pruning checks */
};

struct call {
	struct req		*req;
	struct worker		*w;
	const struct route	*route;
	const struct xlate	*xl;		/* the route's dialect */
	int			 translating;	/* request was translated */
	int			 via_header;	/* X-LLMFlow-Provider chose it */
	struct timespec		 t0;		/* monotonic start */
	int64_t			 start_ms;	/* wall-clock start */
	int64_t			 ttft_ms;
	struct timespec		 last_rx;	/* last upstream byte */
	struct timespec		 last_ping;
	const char		*method;
	const char		*uri;
	const char		*path;		/* uri after the route prefix */
	struct buf		 body;		/* client's request body */
	struct buf		 up_body;	/* body sent upstream, if changed */
	struct xlate_req	 xr;		/* translated request */
	int			 asked_usage;	/* we added include_usage */
	char			 req_model[LF_MAX_MODEL];
	int			 stream_req;
	char			 span_id[17];
	char			 trace_id[LF_MAX_ID + 1];
	char			 parent_id[LF_MAX_ID + 1];
	struct buf		 req_headers;	/* JSON, redacted */
	struct buf		 tags;		/* JSON array */
	/* response */
	enum mode		 mode;
	int			 status;	/* upstream status */
	int			 headers_sent;
	int			 is_sse;
	int			 gemini_array;	/* Gemini JSON-array stream */
	int			 have_clen;
	char			 clen[32];
	struct buf		 head;		/* CGI header block for the client */
	struct buf		 resp_headers;	/* JSON, for the trace */
	struct jw		 rhw;
	struct buf		 resp_body;	/* body copy (raw modes) or native
						 * body (M_XBODY) */
	size_t			 resp_total;	/* body bytes seen */
	struct sse		 sse;
	void			*xst;		/* translator stream state */
	struct gemini_array	 garr;		/* Gemini array splitter */
	struct buf		 data;		/* one event's data */
	struct buf		 out;		/* bytes for the client */
	struct buf		 client_body;	/* what the client got (M_XBODY) */
	struct llm_result	 res;
	char			 error[LF_MAX_ERROR];
};

/* proxy/forward.c */
void	 forward(struct call *);
void	 proxy_error(struct call *, int status, const char *code,
	    const char *msg);
int64_t	 now_ms(void);
int64_t	 since_ms(const struct timespec *);

/* proxy/record.c */
void	 record(struct call *);

#endif
