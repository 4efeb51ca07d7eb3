/*
 * From a decoded OTLP record to the row stored: span classification and
 * GenAI dialect extraction (classify.c), typed values as JSON (render.c),
 * and the rows of one export written in one transaction (store.c).
 */
#ifndef LF_OTLP_CLASSIFY_H
#define LF_OTLP_CLASSIFY_H

#include <stddef.h>

#include "buf.h"
#include "db.h"
#include "json.h"
#include "model.h"
#include "usage.h"

/* What a span says about the call it records. */
struct span_info {
	const char	*type;		/* llm embedding retrieval tool agent
					 * chain trace custom */
	const char	*name;
	const char	*model;
	const char	*provider;
	struct usage	 usage;		/* kept only for llm and embedding */
	const char	*session_id;
	const char	*conversation_id;
	const char	*user_id;
	const char	*agent_name;
};

/* Span type by the order of evidence in the issue (see classify.c). */
const char	*otlp_span_type(const struct otlp_span *);
/* Everything in span_info; strings point into the span or are static. */
void		 otlp_span_info(const struct otlp_span *, struct span_info *);
/*
 * Input and output for the span detail, each one JSON value written to
 * its writer; *has_in / *has_out say whether one was found.
 */
void		 otlp_span_io(const struct otlp_span *, struct jw *in,
		    int *has_in, struct jw *out, int *has_out);

/* render.c: AnyValue and attribute lists as JSON (bytes as base64). */
void		 otlp_jw_value(struct jw *, const struct anyvalue *);
void		 otlp_jw_attrs(struct jw *, const struct attrs *);
/* The same, with what the sender's limits dropped, when any, as the
 * OTel spec's non-OTLP keys otel.dropped_{attributes,events,links}_count
 * (unless the attributes already have them). */
void		 otlp_jw_attrs_dropped(struct jw *, const struct attrs *,
		    uint32_t attrs, uint32_t events, uint32_t links);
/* A string that may hold JSON: the parsed value when it is valid JSON
 * (strict, UTF-8, depth-capped), else the string itself. */
void		 otlp_jw_maybe_json(struct jw *, const char *, size_t);
/* Integer from an INT, integral DOUBLE or decimal STRING value: 0 or -1. */
int		 otlp_value_i64(const struct anyvalue *, int64_t *);
/* Number from an INT, DOUBLE or numeric STRING value: 0 or -1. */
int		 otlp_value_double(const struct anyvalue *, double *);

/* Column builders reused across the records of one export. */
enum row_col { COL_ATTRS, COL_RES_ATTRS, COL_EVENTS, COL_LINKS, COL_INPUT,
	COL_OUTPUT, COL_BODY, COL_HIST, COL__MAX };

struct rowbufs {
	struct buf	 b[COL__MAX];
	char		 kind[16];	/* an unknown span kind's number */
};

void		 rowbufs_init(struct rowbufs *);
void		 rowbufs_free(struct rowbufs *);

/* Rows of one record; strings point into the record or the rowbufs,
 * valid until the next call with the same rowbufs.  now_ms stands in for
 * absent times. */
void		 otlp_span_row(const struct otlp_span *, struct rowbufs *,
		    int64_t now_ms, struct trace_rec *);
void		 otlp_log_row(const struct otlp_log *, struct rowbufs *,
		    int64_t now_ms, struct log_rec *);
void		 otlp_point_row(const struct otlp_point *, struct rowbufs *,
		    int64_t now_ms, struct metric_rec *);

/* Outcome of storing an export. */
struct otlp_result {
	size_t		 accepted;
	size_t		 rejected;
	struct buf	 msg;	/* first reasons, "; "-separated */
};

void		 otlp_result_init(struct otlp_result *);
void		 otlp_result_free(struct otlp_result *);
/* Count one rejected record and remember its reason. */
void		 otlp_reject(struct otlp_result *, const char *why);

/*
 * Write every acceptable record of the export in one transaction.  On
 * DB_OK res says what was accepted and rejected; on any other code
 * nothing was written.
 */
enum db_rc	 otlp_store(struct db *, const struct otlp_export *,
		    struct otlp_result *);
/* Exports are written through one connection of the process, to
 * db_path (a thread's own connection is the fallback).  With queue set
 * (FastCGI), spans go through the ingest queue and a mover thread. */
void		 otlp_store_setup(const char *db_path, int queue);
void		 otlp_store_close(void);
/* Around each request: the mover moves queued spans early only when no
 * export is in progress. */
void		 otlp_store_enter(void);
void		 otlp_store_leave(void);
/* 1 when the mover runs retention (db_maintain) after what it writes, so
 * request threads leave it alone (they would wait on its moves). */
int		 otlp_store_maintains(void);

#endif
