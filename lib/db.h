/*
 * Storage.  The programs see only this interface: no SQLite type leaves
 * lib/db.c, so another store can stand behind it.  A handle belongs to one
 * thread.  Integers that are absent are DB_NULL, doubles NAN, strings NULL.
 */
#ifndef LF_DB_H
#define LF_DB_H

#include <stddef.h>
#include <stdint.h>

#define DB_NULL		INT64_MIN

enum db_rc {
	DB_OK = 0,
	DB_NOTFOUND,	/* no such row */
	DB_BUSY,	/* locked past the retries: answer 503 */
	DB_ERROR	/* anything else: answer 500, details in the log */
};

enum db_mode {
	DB_WRITE,	/* read-write, a small page cache (one per thread) */
	DB_BATCH,	/* read-write, a large page cache: a process's one
			 * connection for batch transactions (OTLP exports) */
	DB_MOVE,	/* like DB_BATCH, with no triggers: db_queue_move
			 * only (it adds what they would) */
	DB_QUEUE,	/* the ingest queue's file alone: db_queue_span,
			 * db_queue_delete, db_queue_count, transactions */
	DB_READ		/* read-only, defensive, interruptible */
};

struct db;

/*
 * Open (creating the file and its directory if needed) and bring the
 * schema up to date.  Safe when several processes start at once.
 */
enum db_rc	 db_open(struct db **, const char *path, enum db_mode);
void		 db_close(struct db **);
/* Schema version the database is at. */
int		 db_schema_version(struct db *);

/* One call or span, as stored. */
struct trace_rec {
	const char	*id;		/* span id, unique */
	const char	*trace_id;
	const char	*parent_id;
	int64_t		 timestamp;	/* start, ms since the epoch */
	int64_t		 duration_ms;
	int64_t		 ttft_ms;	/* time to first token, streams */
	const char	*provider;
	const char	*model;
	int64_t		 prompt_tokens;
	int64_t		 completion_tokens;
	int64_t		 total_tokens;
	int64_t		 cached_tokens;
	int64_t		 cache_creation_tokens;
	int64_t		 reasoning_tokens;
	double		 estimated_cost;	/* NAN when unknown */
	const char	*cost_source;	/* "computed", "reported", "unknown" */
	int64_t		 status;
	const char	*error;
	const char	*request_method;
	const char	*request_path;
	const char	*request_headers;	/* JSON object, secrets removed */
	const char	*request_body;
	size_t		 request_body_len;
	int		 request_body_truncated;
	int64_t		 response_status;
	const char	*response_headers;	/* JSON object */
	const char	*response_body;
	size_t		 response_body_len;
	int		 response_body_truncated;
	const char	*tags;		/* JSON array of strings */
	const char	*span_type;	/* "llm" for proxied calls */
	const char	*span_name;
	const char	*service_name;
	const char	*session_id;
	const char	*conversation_id;
	const char	*agent_name;
	const char	*input;		/* JSON */
	const char	*output;	/* JSON */
	const char	*attributes;	/* JSON object */
	/* Schema version 2; written by db_insert_span only. */
	const char	*span_kind;
	const char	*scope_name;
	const char	*user_id;
	const char	*events;	/* JSON array */
	const char	*resource_attributes;	/* JSON object */
	/* Schema version 7. */
	const char	*links;		/* JSON array */
};

/* A trace_rec with every field absent. */
void		 trace_rec_init(struct trace_rec *);
enum db_rc	 db_insert_trace(struct db *, const struct trace_rec *);

/*
 * One writer transaction around a batch (BEGIN IMMEDIATE, retried
 * LF_DB_BUSY_RETRIES times past the busy timeout: DB_BUSY then).
 * db_rollback is safe to call when no transaction is open.
 */
enum db_rc	 db_begin(struct db *);
enum db_rc	 db_commit(struct db *);
void		 db_rollback(struct db *);

/*
 * A span received over OTLP: like db_insert_trace, with the version 2
 * columns, and a span whose id is already stored is not written:
 * DB_OK with *inserted = 0 (1 when the row was written).
 */
enum db_rc	 db_insert_span(struct db *, const struct trace_rec *,
		    int *inserted);

/*
 * The OTLP ingest queue: a file of its own beside the database
 * (<database>-queue), attached to every connection.  db_queue_span appends
 * a span, inside the caller's transaction (a DB_QUEUE connection): the
 * transaction's spans are packed into batches, one queue row each (qid),
 * written as they fill and at commit.  db_queue_move copies the oldest
 * queued batches, whole, until max spans, into traces, in one transaction of
 * the database that locks only the database (the queue can take new
 * spans meanwhile): spans whose id is already stored are dropped, the
 * rest get their rollups, count and search index.  Then db_queue_delete
 * removes them from the queue (batches up to qid upto);
 * should the program stop between the two, moving them again drops them
 * all as already stored.  db_queue_checkpoint copies the queue file's WAL
 * back and, once it is long, starts it over: with wait, after waiting for
 * the queue's readers and writers (call it when no move is in progress);
 * without, only if none is in the way.  It returns the WAL pages left
 * (0 when it was started over).  db_queue_count: spans queued.
 */
struct db_moved {
	int64_t		 moved;		/* now in traces */
	int64_t		 dropped;	/* id already stored */
	int64_t		 left;		/* still queued */
	int64_t		 upto;		/* last batch's qid taken (0: none) */
	int64_t		 unreadable;	/* in a damaged batch (logged) */
};
enum db_rc	 db_queue_span(struct db *, const struct trace_rec *);
enum db_rc	 db_queue_move(struct db *, int64_t max, struct db_moved *);
enum db_rc	 db_queue_delete(struct db *, int64_t upto);
int		 db_queue_checkpoint(struct db *, int wait);
/* A DB_MOVE connection's WAL pages after its last commit. */
int		 db_wal_pages(const struct db *);
enum db_rc	 db_queue_count(struct db *, int64_t *);
/* The spans in a queued batch's packed data, or -1 when it is damaged or
 * of another format (for tests and the fuzz target). */
int		 db_queue_batch_check(const void *, size_t);
/*
 * A DB_MOVE connection does not checkpoint the database after its
 * commits (they are large: the copy would take a fifth of a move);
 * another thread calls db_checkpoint on a connection of its own, which
 * copies the WAL into the database without holding up writers (passive),
 * and waits for readers of old snapshots (restart) only when that left
 * pages uncopied in a WAL past LF_DB_WAL_MAX_PAGES.  Returns the WAL's
 * pages (the next write transaction starts it over when all were copied).
 */
int		 db_checkpoint(struct db *);

/* One OTLP log record; the id is made here (16 random hex digits). */
struct log_rec {
	int64_t		 timestamp;		/* ms; required */
	int64_t		 observed_timestamp;	/* ms or DB_NULL */
	int64_t		 severity_number;	/* or DB_NULL */
	const char	*severity_text;
	const char	*body;		/* string body as is, others as JSON */
	const char	*trace_id;	/* lowercase hex or NULL */
	const char	*span_id;
	const char	*event_name;
	const char	*service_name;
	const char	*scope_name;
	const char	*attributes;		/* JSON object */
	const char	*resource_attributes;	/* JSON object */
};

/* One OTLP metric data point; the id is made here. */
struct metric_rec {
	int64_t		 timestamp;	/* ms; required */
	const char	*name;		/* required */
	const char	*description;
	const char	*unit;
	const char	*metric_type;	/* sum, gauge, histogram,
					 * exponential_histogram, summary */
	int64_t		 value_int;	/* or DB_NULL */
	double		 value_double;	/* or NAN */
	const char	*histogram_data;	/* JSON object */
	const char	*service_name;
	const char	*scope_name;
	const char	*attributes;
	const char	*resource_attributes;
};

enum db_rc	 db_insert_log(struct db *, const struct log_rec *);
enum db_rc	 db_insert_metric(struct db *, const struct metric_rec *);

/* Filters of the traces list; absent ones are NULL / DB_NULL / 0. */
enum status_filter { STATUS_ANY = 0, STATUS_SUCCESS, STATUS_ERROR };

struct trace_filter {
	int64_t		 limit;		/* rows; 0 = no limit (export) */
	int64_t		 offset;
	const char	*model;
	const char	*provider;
	enum status_filter status;
	int64_t		 date_from;	/* ms, inclusive */
	int64_t		 date_to;	/* ms, inclusive */
	const char	*q;		/* text searched in names, models, input,
					 * output and bodies (words, not syntax) */
	const char	*span_type;
	const char	*service_name;
	const char	*session_id;
	const char	*conversation_id;
	const char	*tag;		/* exact tag */
	double		 cost_min;	/* NAN = none */
	double		 cost_max;	/* NAN = none */
	/* Keyset cursor: rows strictly older than (timestamp, id). */
	int64_t		 before_ts;	/* DB_NULL = none */
	const char	*before_id;
};

/* A trace_filter with nothing set (no limit). */
void		 trace_filter_init(struct trace_filter *);

/*
 * Rows are handed to the callback one at a time; its strings are valid
 * only during the call.  A non-zero return from the callback stops the
 * walk and is returned as DB_ERROR.  The bodies, headers and JSON
 * columns are filled only by db_trace_get().
 */
typedef int (*trace_cb)(void *, const struct trace_rec *);

enum db_rc	 db_traces_list(struct db *, const struct trace_filter *,
		    trace_cb, void *);
enum db_rc	 db_trace_get(struct db *, const char *id, trace_cb, void *);

struct stats {
	int64_t		 total_requests;
	int64_t		 total_tokens;
	int64_t		 total_duration;
	int64_t		 error_count;
	int64_t		 unpriced_count;
	double		 total_cost;
	double		 avg_duration;	/* NAN when there are no rows */
};

struct model_stats {
	const char	*model;		/* NULL for rows with no model */
	int64_t		 count;
	int64_t		 tokens;
	double		 cost;
	int64_t		 unpriced;
};

typedef int (*model_stats_cb)(void *, const struct model_stats *);

enum db_rc	 db_stats(struct db *, struct stats *, model_stats_cb, void *);

/* Rows in traces (for /health), kept by triggers: O(1). */
enum db_rc	 db_trace_count(struct db *, int64_t *);

/*
 * Every span of the trace that id names (a span id, or a trace id), oldest
 * first, at most LF_MAX_TREE_SPANS; the rows carry input, output,
 * attributes and events but not bodies or headers.  DB_NOTFOUND if none.
 */
enum db_rc	 db_trace_spans(struct db *, const char *id, trace_cb, void *);

/* ---- Rollups: totals kept per hour on insert, so they cost the same at
 * any size, and keep the history of pruned rows. ---- */

struct rollup_row {
	int64_t		 bucket;	/* ms: start of the hour or day (UTC) */
	const char	*model;		/* NULL when the group has none */
	const char	*provider;
	const char	*service_name;
	int64_t		 requests;
	int64_t		 errors;
	int64_t		 unpriced;	/* calls with a model but no known cost */
	int64_t		 prompt_tokens;
	int64_t		 completion_tokens;
	int64_t		 total_tokens;
	double		 cost;
	int64_t		 duration_ms;	/* sum */
	int64_t		 duration_n;	/* rows with a duration */
};

typedef int (*rollup_cb)(void *, const struct rollup_row *);

enum rollup_group {
	RG_TOTAL,	/* one row */
	RG_MODEL,	/* per model (provider: any one of the group's) */
	RG_TOOL,	/* per provider and service */
	RG_HOUR,	/* per hour */
	RG_DAY		/* per UTC day */
};

/* Rollup rows with bucket in [from, to] (ms; DB_NULL = open), grouped;
 * RG_HOUR/RG_DAY in time order, the others by cost, requests. */
enum db_rc	 db_rollup(struct db *, enum rollup_group, int64_t from,
		    int64_t to, rollup_cb, void *);

/* ---- Sessions ---- */

struct session_row {
	const char	*session_id;
	int64_t		 first_seen;
	int64_t		 last_seen;
	int64_t		 trace_count;	/* distinct traces */
	double		 total_cost;
	int64_t		 total_tokens;
	const char	*agent_name;
	const char	*service_name;
};

typedef int (*session_cb)(void *, const struct session_row *);

enum db_rc	 db_sessions(struct db *, int64_t limit, int64_t offset,
		    session_cb, void *, int64_t *total);

struct session_trace {
	const char	*trace_id;
	int64_t		 started_at;
	int64_t		 ended_at;
	double		 cost;
	int64_t		 tokens;
	int64_t		 span_count;
	int		 has_error;
};

typedef int (*session_trace_cb)(void *, const struct session_trace *);

enum db_rc	 db_session_traces(struct db *, const char *session_id,
		    session_trace_cb, void *);

/* ---- Logs and metrics (read side) ---- */

struct log_filter {
	int64_t		 limit;
	int64_t		 offset;
	const char	*service_name;
	const char	*event_name;
	const char	*trace_id;
	int64_t		 severity_min;	/* DB_NULL = none */
	const char	*q;		/* text in body and attributes */
	int64_t		 date_from;
	int64_t		 date_to;
};

struct log_row {
	const char	*id;
	int64_t		 timestamp;
	int64_t		 observed_timestamp;
	int64_t		 severity_number;
	const char	*severity_text;
	const char	*body;
	const char	*trace_id;
	const char	*span_id;
	const char	*event_name;
	const char	*service_name;
	const char	*scope_name;
	const char	*attributes;		/* JSON text */
	const char	*resource_attributes;	/* JSON text */
};

typedef int (*log_cb)(void *, const struct log_row *);

void		 log_filter_init(struct log_filter *);
/* Rows newest first, and the number matching every filter. */
enum db_rc	 db_logs_list(struct db *, const struct log_filter *, log_cb,
		    void *, int64_t *total);
enum db_rc	 db_log_get(struct db *, const char *id, log_cb, void *);
/* Distinct values: which = 0 services, 1 event names. */
typedef int (*str_cb)(void *, const char *);
enum db_rc	 db_logs_distinct(struct db *, int which, str_cb, void *);

struct metric_filter {
	int64_t		 limit;
	int64_t		 offset;
	const char	*name;
	const char	*service_name;
	const char	*metric_type;
	int64_t		 date_from;
	int64_t		 date_to;
};

struct metric_row {
	const char	*id;
	int64_t		 timestamp;
	const char	*name;
	const char	*description;
	const char	*unit;
	const char	*metric_type;
	int64_t		 value_int;
	double		 value_double;
	const char	*histogram_data;	/* JSON text */
	const char	*service_name;
	const char	*scope_name;
	const char	*attributes;
	const char	*resource_attributes;
};

typedef int (*metric_cb)(void *, const struct metric_row *);

void		 metric_filter_init(struct metric_filter *);
enum db_rc	 db_metrics_list(struct db *, const struct metric_filter *,
		    metric_cb, void *, int64_t *total);
enum db_rc	 db_metric_get(struct db *, const char *id, metric_cb, void *);
/* which = 0 names, 1 services. */
enum db_rc	 db_metrics_distinct(struct db *, int which, str_cb, void *);

struct metric_summary {
	const char	*name;
	const char	*service_name;
	const char	*metric_type;
	int64_t		 data_points;
	int64_t		 first_seen;
	int64_t		 last_seen;
	int64_t		 sum_int;	/* DB_NULL when none */
	double		 avg_double;	/* NAN when none */
	int64_t		 max_int;
	int64_t		 min_int;
};

typedef int (*metric_summary_cb)(void *, const struct metric_summary *);

enum db_rc	 db_metrics_summary(struct db *, int64_t from, int64_t to,
		    metric_summary_cb, void *);

/* Token metrics: {service_name, model, token_type, total_tokens}. */
struct token_usage {
	const char	*service_name;
	const char	*model;
	const char	*token_type;
	int64_t		 total_tokens;
};

typedef int (*token_usage_cb)(void *, const struct token_usage *);

enum db_rc	 db_token_usage(struct db *, token_usage_cb, void *);

/* ---- Retention ---- */

struct retention {
	int64_t		 max_traces;	/* 0 = unlimited */
	int64_t		 max_logs;
	int64_t		 max_metrics;
	int64_t		 max_age_ms;	/* 0 = none */
};

/*
 * One bounded round of pruning, if anything is over its limit: whole
 * traces oldest first (never a part of one), then logs and metrics, at
 * most LF_PRUNE_BATCH rows of each, then some free pages given back.
 * Rollups are not touched.  *more is set when there is still work left.
 */
enum db_rc	 db_prune(struct db *, const struct retention *, int *more);
/* A few rounds of db_prune with the limits from the configuration (cfg);
 * for writers, after their answer has gone. */
void		 db_maintain(struct db *);

#endif
