/*
 * All SQL.  Statements are an enum-indexed table, prepared once per
 * handle and reset after use; the traces list picks constant WHERE
 * fragments by a bitmask of the filters given, each combination prepared
 * once.  Nothing from a request is ever pasted into SQL.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "limits.h"
#include "log.h"

extern const char schema_sql[];		/* schema.sql, compiled in */

struct db;
static void	 batch_clear(struct db *);
static enum db_rc queue_flush(struct db *);
struct groups;
static void	 groups_free(struct groups *);
static const sqlite3_module qb_module;
static void	 bind_span(sqlite3_stmt *, const struct trace_rec *);

/* The values of a span's row (INSERT_VALUES), and of a span packed in
 * a queued batch of format 1 (without links). */
#define SPAN_VALUES	33
#define SPAN_VALUES_V1	32

enum stmt {
	SQL_INSERT_TRACE,
	SQL_TRACE_GET,
	SQL_STATS,
	SQL_STATS_MODELS,
	SQL_TRACE_COUNT,
	SQL_TRACE_SPANS,
	SQL_ROLLUP_TOTAL,
	SQL_ROLLUP_MODEL,
	SQL_ROLLUP_TOOL,
	SQL_ROLLUP_HOUR,
	SQL_ROLLUP_DAY,
	SQL_SESSIONS,
	SQL_SESSIONS_COUNT,
	SQL_SESSION_TRACES,
	SQL_LOG_GET,
	SQL_LOG_SERVICES,
	SQL_LOG_EVENTS,
	SQL_METRIC_GET,
	SQL_METRIC_NAMES,
	SQL_METRIC_SERVICES,
	SQL_METRICS_SUMMARY,
	SQL_TOKEN_USAGE,
	SQL_Q_COMMON,
	SQL_TAG_COMMON,
	SQL_QUEUE_RANGE,
	SQL_INSERT_SPAN,	/* writers only, from here on */
	SQL_INSERT_LOG,
	SQL_INSERT_METRIC,
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL_COUNT_OF,
	SQL_PRUNE_OLDEST,
	SQL_PRUNE_TRACE,
	SQL_PRUNE_LOGS,
	SQL_PRUNE_METRICS,
	SQL_COUNT_ADD,
	SQL_ROLLUP_WRITER,
	SQL_MAX_SEQ,
	SQL_FTS_ADD,
	SQL_QUEUE_ADD,
	SQL_QUEUE_MOVE,
	SQL_QUEUE_BATCHES,
	SQL_ROLLUP_AFTER,
	SQL_QUEUE_DELETE,
	SQL_BEGIN_DEFERRED,
	SQL_TAGS_AFTER,
	SQL_ROLLUP_ADD,
	SQL_QUEUE_KEYS,
	SQL_QUEUE_TAKEN,
	SQL_SPAN_IDS_ORPHANS,
	SQL_TRACE_IDS_AFTER,
	SQL_TRACE_SPANS_AFTER,
	SQL__MAX
};

/* The columns a span (and the span part of a proxied call) is inserted
 * with, and their parameters, bound by bind_span(); INSERT_COLS_V1 are those before links (the ingest queue's
 * first layout, otlp_queue, and its batches of format 1). */
#define INSERT_COLS_V1 \
	"id, trace_id, parent_id, timestamp, duration_ms, provider, model, " \
	"prompt_tokens, completion_tokens, total_tokens, cached_tokens, " \
	"cache_creation_tokens, reasoning_tokens, estimated_cost, " \
	"cost_source, status, error, tags, span_type, span_name, " \
	"service_name, session_id, conversation_id, agent_name, input, " \
	"output, attributes, span_kind, scope_name, user_id, events, " \
	"resource_attributes"
#define INSERT_COLS	INSERT_COLS_V1 ", links"
#define INSERT_VALUES \
	"?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, " \
	"?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, " \
	"?29, ?30, ?31, ?32, ?33"

/* A rollup_hourly row: its columns, their values for a set of rows of
 * traces (the sums of the rollup_insert trigger, grouped by the first
 * four; groups_sum adds the same in C), and the upsert that adds them. */
#define ROLLUP_COLS \
	"hour, model, provider, service_name, requests, errors, unpriced, " \
	"prompt_tokens, completion_tokens, total_tokens, cost, duration_ms, " \
	"duration_n"
#define ROLLUP_OF_ROWS \
	"(timestamp / 3600000) * 3600000, coalesce(model, ''), " \
	"coalesce(provider, ''), coalesce(service_name, ''), count(*), " \
	"sum(coalesce(status, 0) >= 400 OR error IS NOT NULL), " \
	"sum(model IS NOT NULL AND estimated_cost IS NULL), " \
	"sum(coalesce(prompt_tokens, 0)), sum(coalesce(completion_tokens, 0)), " \
	"sum(coalesce(total_tokens, 0)), sum(coalesce(estimated_cost, 0)), " \
	"sum(coalesce(duration_ms, 0)), count(duration_ms)"
#define ROLLUP_UPSERT \
	"ON CONFLICT (hour, model, provider, service_name) DO UPDATE SET " \
	"requests = requests + excluded.requests, " \
	"errors = errors + excluded.errors, " \
	"unpriced = unpriced + excluded.unpriced, " \
	"prompt_tokens = prompt_tokens + excluded.prompt_tokens, " \
	"completion_tokens = completion_tokens + excluded.completion_tokens, " \
	"total_tokens = total_tokens + excluded.total_tokens, " \
	"cost = cost + excluded.cost, " \
	"duration_ms = duration_ms + excluded.duration_ms, " \
	"duration_n = duration_n + excluded.duration_n"

/* Columns of a summary row, in the order read_summary() expects. */
#define SUMMARY_COLS \
	"id, trace_id, parent_id, timestamp, duration_ms, ttft_ms, provider, " \
	"model, prompt_tokens, completion_tokens, total_tokens, " \
	"cached_tokens, cache_creation_tokens, reasoning_tokens, " \
	"estimated_cost, cost_source, status, error, request_method, " \
	"request_path, tags, span_type, span_name, service_name, " \
	"session_id, conversation_id, agent_name"
#define SUMMARY_NCOLS	27
/* Span detail (schema version 2) read after the others. */
#define SPAN_COLS "events, span_kind, scope_name, user_id, resource_attributes, links"

/* Rollup sums, in the order read_rollup() expects after 4 group columns. */
#define ROLLUP_SUMS \
	"sum(requests), sum(errors), sum(unpriced), sum(prompt_tokens), " \
	"sum(completion_tokens), sum(total_tokens), sum(cost), " \
	"sum(duration_ms), sum(duration_n)"
#define ROLLUP_RANGE \
	" FROM rollup_hourly WHERE (?1 IS NULL OR hour >= ?1) AND " \
	"(?2 IS NULL OR hour <= ?2)"

#define LOG_COLS \
	"id, timestamp, observed_timestamp, severity_number, severity_text, " \
	"body, trace_id, span_id, event_name, service_name, scope_name, " \
	"attributes, resource_attributes"
#define METRIC_COLS \
	"id, timestamp, name, description, unit, metric_type, value_int, " \
	"value_double, histogram_data, service_name, scope_name, attributes, " \
	"resource_attributes"

static const char *const sqls[SQL__MAX] = {
	/* SQL_INSERT_TRACE: a proxied call, the span's columns (bind_span)
	 * and the call's own */
	"INSERT INTO traces (" INSERT_COLS ", ttft_ms, request_method, "
	"request_path, request_headers, request_body, request_body_truncated, "
	"response_status, response_headers, response_body, "
	"response_body_truncated) VALUES (" INSERT_VALUES ", ?34, ?35, ?36, "
	"?37, ?38, ?39, ?40, ?41, ?42, ?43)",
	/* SQL_TRACE_GET */
	"SELECT " SUMMARY_COLS ", request_headers, request_body, "
	"request_body_truncated, response_status, response_headers, "
	"response_body, response_body_truncated, input, output, attributes, "
	SPAN_COLS " FROM traces WHERE seq = (SELECT seq FROM span_ids "
	"WHERE id = ?1)",
	/* SQL_STATS: totals kept on insert (rollup_hourly) */
	"SELECT coalesce(sum(requests), 0), coalesce(sum(total_tokens), 0), "
	"coalesce(sum(cost), 0), coalesce(sum(duration_ms), 0), "
	"coalesce(sum(errors), 0), CASE WHEN sum(duration_n) > 0 THEN "
	"1.0 * sum(duration_ms) / sum(duration_n) END, "
	"coalesce(sum(unpriced), 0) FROM rollup_hourly",
	/* SQL_STATS_MODELS */
	"SELECT nullif(model, ''), sum(requests), sum(total_tokens), sum(cost), "
	"sum(unpriced) FROM rollup_hourly GROUP BY model "
	"ORDER BY 2 DESC, 1",
	/* SQL_TRACE_COUNT */
	"SELECT n FROM row_counts WHERE tbl = 'traces'",
	/* SQL_TRACE_SPANS: ?1 a span id or a trace id */
	"SELECT " SUMMARY_COLS ", input, output, attributes, " SPAN_COLS
	" FROM traces WHERE seq IN (SELECT seq FROM trace_spans WHERE "
	"trace_no = (SELECT trace_no FROM trace_ids WHERE trace_id = coalesce("
	"(SELECT trace_id FROM traces WHERE seq = (SELECT seq FROM span_ids "
	"WHERE id = ?1)), ?1))) "
	"ORDER BY timestamp, seq LIMIT ?2",
	/* SQL_ROLLUP_TOTAL */
	"SELECT NULL, NULL, NULL, NULL, " ROLLUP_SUMS ROLLUP_RANGE,
	/* SQL_ROLLUP_MODEL */
	"SELECT NULL, nullif(model, ''), nullif(max(provider), ''), NULL, "
	ROLLUP_SUMS ROLLUP_RANGE " GROUP BY model ORDER BY 11 DESC, 5 DESC",
	/* SQL_ROLLUP_TOOL */
	"SELECT NULL, NULL, nullif(provider, ''), nullif(service_name, ''), "
	ROLLUP_SUMS ROLLUP_RANGE " GROUP BY provider, service_name "
	"ORDER BY 11 DESC, 5 DESC",
	/* SQL_ROLLUP_HOUR */
	"SELECT hour, NULL, NULL, NULL, " ROLLUP_SUMS ROLLUP_RANGE
	" GROUP BY hour ORDER BY hour",
	/* SQL_ROLLUP_DAY */
	"SELECT (hour / 86400000) * 86400000, NULL, NULL, NULL, " ROLLUP_SUMS
	ROLLUP_RANGE " GROUP BY 1 ORDER BY 1",
	/* SQL_SESSIONS */
	"SELECT session_id, min(timestamp), max(timestamp), "
	"count(DISTINCT trace_id), coalesce(sum(estimated_cost), 0), "
	"coalesce(sum(total_tokens), 0), max(agent_name), max(service_name) "
	"FROM traces WHERE session_id IS NOT NULL GROUP BY session_id "
	"ORDER BY 3 DESC, 1 LIMIT ?1 OFFSET ?2",
	/* SQL_SESSIONS_COUNT */
	"SELECT count(DISTINCT session_id) FROM traces "
	"WHERE session_id IS NOT NULL",
	/* SQL_SESSION_TRACES */
	"SELECT trace_id, min(timestamp), "
	"max(timestamp + coalesce(duration_ms, 0)), "
	"coalesce(sum(estimated_cost), 0), coalesce(sum(total_tokens), 0), "
	"count(*), max(coalesce(status, 0) >= 400 OR error IS NOT NULL) "
	"FROM traces WHERE session_id = ?1 GROUP BY trace_id ORDER BY 2, 1",
	/* SQL_LOG_GET */
	"SELECT " LOG_COLS " FROM logs WHERE id = ?1",
	/* SQL_LOG_SERVICES */
	"SELECT DISTINCT service_name FROM logs WHERE service_name IS NOT NULL "
	"ORDER BY 1 LIMIT 1000",
	/* SQL_LOG_EVENTS */
	"SELECT DISTINCT event_name FROM logs WHERE event_name IS NOT NULL "
	"ORDER BY 1 LIMIT 1000",
	/* SQL_METRIC_GET */
	"SELECT " METRIC_COLS " FROM metrics WHERE id = ?1",
	/* SQL_METRIC_NAMES */
	"SELECT DISTINCT name FROM metrics ORDER BY 1 LIMIT 1000",
	/* SQL_METRIC_SERVICES */
	"SELECT DISTINCT service_name FROM metrics "
	"WHERE service_name IS NOT NULL ORDER BY 1 LIMIT 1000",
	/* SQL_METRICS_SUMMARY */
	"SELECT name, service_name, max(metric_type), count(*), min(timestamp), "
	"max(timestamp), sum(value_int), avg(value_double), max(value_int), "
	"min(value_int) FROM metrics WHERE timestamp >= ?1 AND timestamp <= ?2 "
	"GROUP BY name, service_name ORDER BY 4 DESC, 1 LIMIT 1000",
	/* SQL_TOKEN_USAGE */
	"SELECT service_name, json_extract(attributes, '$.model'), "
	"json_extract(attributes, '$.type'), sum(value_int) FROM metrics "
	"WHERE name LIKE '%token%' OR name LIKE '%usage%' "
	"GROUP BY 1, 2, 3 ORDER BY 4 DESC LIMIT 1000",
	/* SQL_Q_COMMON: does the search match many rows? */
	"SELECT count(*) FROM (SELECT rowid FROM traces_fts "
	"WHERE traces_fts MATCH ?1 LIMIT " LF_STR(LF_COMMON_ROWS) ")",
	/* SQL_TAG_COMMON */
	"SELECT count(*) FROM (SELECT 1 FROM trace_tags WHERE tag = ?1 "
	"LIMIT " LF_STR(LF_COMMON_ROWS) ")",
	/* SQL_QUEUE_RANGE: the spans queued */
	"SELECT coalesce(sum(spans), 0) FROM otlp_queue_batch",
	/* SQL_INSERT_SPAN: a span already stored is kept, this one dropped. */
	"INSERT OR IGNORE INTO traces (" INSERT_COLS ") "
	"VALUES (" INSERT_VALUES ")",
	/* SQL_INSERT_LOG */
	"INSERT INTO logs (id, timestamp, observed_timestamp, severity_number, "
	"severity_text, body, trace_id, span_id, event_name, service_name, "
	"scope_name, attributes, resource_attributes) "
	"VALUES (lower(hex(randomblob(8))), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	"?9, ?10, ?11, ?12)",
	/* SQL_INSERT_METRIC */
	"INSERT INTO metrics (id, timestamp, name, description, unit, "
	"metric_type, value_int, value_double, histogram_data, service_name, "
	"scope_name, attributes, resource_attributes) "
	"VALUES (lower(hex(randomblob(8))), ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
	"?9, ?10, ?11, ?12)",
	/* SQL_BEGIN */
	"BEGIN IMMEDIATE",
	/* SQL_COMMIT */
	"COMMIT",
	/* SQL_ROLLBACK */
	"ROLLBACK",
	/* SQL_COUNT_OF */
	"SELECT n FROM row_counts WHERE tbl = ?1",
	/* SQL_PRUNE_OLDEST: traces of the oldest rows older than ?2 */
	"SELECT DISTINCT trace_id FROM (SELECT trace_id FROM traces "
	"WHERE timestamp < ?2 ORDER BY timestamp, seq LIMIT ?1)",
	/* SQL_PRUNE_TRACE */
	"DELETE FROM traces WHERE seq IN (SELECT seq FROM trace_spans "
	"WHERE trace_no = (SELECT trace_no FROM trace_ids WHERE trace_id = ?1))",
	/* SQL_PRUNE_LOGS */
	"DELETE FROM logs WHERE rowid IN (SELECT rowid FROM logs "
	"WHERE timestamp < ?2 ORDER BY timestamp, rowid LIMIT ?1)",
	/* SQL_PRUNE_METRICS */
	"DELETE FROM metrics WHERE rowid IN (SELECT rowid FROM metrics "
	"WHERE timestamp < ?2 ORDER BY timestamp, rowid LIMIT ?1)",
	/* SQL_COUNT_ADD */
	"UPDATE row_counts SET n = n + ?2 WHERE tbl = ?1",
	/* SQL_ROLLUP_WRITER: 1 while this transaction adds its rows'
	 * rollups, count and search index itself (add_derived) */
	"UPDATE rollup_writer SET in_c = ?1",
	/* SQL_MAX_SEQ: rows after this one are the batch's */
	"SELECT coalesce(max(seq), 0) FROM traces",
	/* SQL_FTS_ADD: the batch's rows into the search index, in one
	 * statement (the values of traces_fts_insert) */
	"INSERT INTO traces_fts(rowid, span_name, model, input, output, "
	"request_body, response_body) SELECT seq, span_name, model, "
	"substr(input, 1, 16384), substr(output, 1, 16384), "
	"substr(request_body, 1, 16384), substr(response_body, 1, 16384) "
	"FROM traces WHERE seq > ?1",
	/* SQL_QUEUE_ADD: a batch of ?1 spans, packed (see put_span) */
	"INSERT INTO otlp_queue_batch (spans, data) VALUES (?1, ?2)",
	/* SQL_QUEUE_MOVE: the batch read (see qb_module), in order, its spans
	 * that SQL_QUEUE_KEYS took only, under the row numbers it gave */
	"INSERT OR IGNORE INTO traces (seq, " INSERT_COLS ") SELECT ?1 + rowid, "
	INSERT_COLS " FROM llmflow_queue_batch",
	/* SQL_QUEUE_BATCHES: the queued batches, in order (their data is
	 * read with sqlite3_blob_read: length() does not read it) */
	"SELECT qid, spans, length(data) FROM otlp_queue_batch ORDER BY qid",
	/* SQL_ROLLUP_AFTER: the rollups of the rows after seq ?1 (the sums
	 * of the rollup_insert trigger, one upsert per group) */
	"INSERT INTO rollup_hourly(" ROLLUP_COLS ") SELECT " ROLLUP_OF_ROWS
	" FROM traces WHERE seq > ?1 GROUP BY 1, 2, 3, 4 " ROLLUP_UPSERT,
	/* SQL_QUEUE_DELETE */
	"DELETE FROM otlp_queue_batch WHERE qid <= ?1",
	/* SQL_BEGIN_DEFERRED: locks a file when a statement first uses it */
	"BEGIN",
	/* SQL_TAGS_AFTER: the exact tags of the rows after seq ?1 (what
	 * trace_tags_insert adds) */
	"INSERT OR IGNORE INTO trace_tags(tag, seq) SELECT j.value, t.seq "
	"FROM traces AS t, json_each(t.tags) AS j WHERE t.seq > ?1 "
	"AND t.tags IS NOT NULL AND json_valid(t.tags) AND t.tags <> '[]' "
	"AND j.type = 'text'",
	/* SQL_ROLLUP_ADD: one group's sums (a move's, summed in C) */
	"INSERT INTO rollup_hourly(" ROLLUP_COLS ") VALUES (?1, ?2, ?3, ?4, "
	"?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) " ROLLUP_UPSERT,
	/* SQL_QUEUE_KEYS: the batch's span ids not yet stored, each under
	 * the row number its span will have (?1 + its place in the batch;
	 * a repeated id: its first span's) */
	"INSERT OR IGNORE INTO span_ids (id, seq) SELECT id, ?1 + rowid "
	"FROM llmflow_queue_batch",
	/* SQL_QUEUE_TAKEN: when not all were taken, the places of those
	 * that were */
	"SELECT q.rowid FROM llmflow_queue_batch AS q, span_ids AS s "
	"WHERE s.id = q.id AND s.seq = ?1 + q.rowid",
	/* SQL_SPAN_IDS_ORPHANS: ids of spans after ?1 that were not stored */
	"DELETE FROM span_ids WHERE seq > ?1 AND seq NOT IN "
	"(SELECT seq FROM traces WHERE seq > ?1)",
	/* SQL_TRACE_IDS_AFTER: the traces of the rows after seq ?1 not
	 * known yet, each numbered by its first row (what trace_ids_insert
	 * adds) */
	"INSERT OR IGNORE INTO trace_ids (trace_id, trace_no) "
	"SELECT trace_id, seq FROM traces WHERE seq > ?1 ORDER BY seq",
	/* SQL_TRACE_SPANS_AFTER: the rows after seq ?1 under their traces'
	 * numbers */
	"INSERT INTO trace_spans (trace_no, seq) SELECT (SELECT trace_no "
	"FROM trace_ids AS i WHERE i.trace_id = t.trace_id), t.seq "
	"FROM traces AS t WHERE t.seq > ?1",
};

/* The statements of a DB_QUEUE connection (its main is the queue file). */
static const enum stmt queue_stmts[] = {
	SQL_QUEUE_RANGE, SQL_QUEUE_ADD, SQL_QUEUE_DELETE, SQL_BEGIN,
	SQL_COMMIT, SQL_ROLLBACK,
};

/*
 * The ingest queue's file, <database>-queue, attached to every connection
 * of the database as "q" (its table name is unique, so statements need no
 * prefix).  It is a file of its own so that exports can be queued while
 * the mover writes the database (one writer per file).  A row is a batch:
 * spans one transaction queued, packed (see put_span); its qid is never
 * used twice (AUTOINCREMENT), so that a mover of another process that
 * takes batches off never takes newer ones that reused an old qid.
 */
#define QUEUE_TABLE \
	"otlp_queue_batch (qid INTEGER PRIMARY KEY AUTOINCREMENT, " \
	"spans INTEGER NOT NULL, data BLOB NOT NULL)"


/*
 * Lists with optional filters: each filter is one constant fragment, and a
 * statement is made for each combination used (kept in a small cache per
 * handle).  Values are bound by name; nothing from a request is pasted.
 */
enum list_kind {
	LK_TRACES, LK_LOGS, LK_LOGS_COUNT, LK_METRICS, LK_METRICS_COUNT
};

enum filt {
	F_MODEL, F_PROVIDER, F_SUCCESS, F_ERROR, F_FROM, F_TO, F_Q,
	F_SPAN_TYPE, F_SERVICE, F_SESSION, F_CONVERSATION, F_TAG, F_COST_MIN,
	F_COST_MAX, F_BEFORE, F_Q_SCAN, F_TAG_SCAN, F__MAX
};

static const char *const filt_sql[F__MAX] = {
	"model = :model",
	"provider = :provider",
	"(status IS NULL OR status < 400) AND error IS NULL",
	"(status >= 400 OR error IS NOT NULL)",
	"timestamp >= :from",
	"timestamp <= :to",
	"seq IN (SELECT rowid FROM traces_fts WHERE traces_fts MATCH :q)",
	"span_type = :span_type",
	"service_name = :service",
	"session_id = :session",
	"conversation_id = :conversation",
	"seq IN (SELECT seq FROM trace_tags WHERE tag = :tag)",
	"estimated_cost >= :cost_min",
	"estimated_cost <= :cost_max",
	/* Rows of the cursor's time stored before its row (none if that
	 * row is gone). */
	"(timestamp < :before_ts OR (timestamp = :before_ts AND seq < "
	"coalesce((SELECT seq FROM span_ids WHERE id = :before_id), 0)))",
	/* For a word or tag on many rows: walk rows newest first and test
	 * each (stops after a page); the IN forms above suit rare ones. */
	"EXISTS (SELECT 1 FROM traces_fts WHERE traces_fts MATCH :q "
	"AND rowid = traces.seq)",
	"EXISTS (SELECT 1 FROM trace_tags WHERE tag = :tag AND seq = traces.seq)",
};

enum lfilt {
	LG_SERVICE, LG_EVENT, LG_TRACE, LG_SEVERITY, LG_Q, LG_FROM, LG_TO,
	LG__MAX
};

static const char *const lfilt_sql[LG__MAX] = {
	"service_name = :service",
	"event_name = :event",
	"trace_id = :trace",
	"severity_number >= :severity",
	"(body LIKE :q ESCAPE '\\' OR attributes LIKE :q ESCAPE '\\')",
	"timestamp >= :from",
	"timestamp <= :to",
};

enum mfilt { MF_NAME, MF_SERVICE, MF_TYPE, MF_FROM, MF_TO, MF__MAX };

static const char *const mfilt_sql[MF__MAX] = {
	"name = :name",
	"service_name = :service",
	"metric_type = :type",
	"timestamp >= :from",
	"timestamp <= :to",
};

/* Statements for filter combinations, kept per handle. */
#define LIST_CACHE	48

/*
 * The rollups of a queued batch's spans, summed in C as a move reads
 * them: the sums of the rollup_insert trigger (ROLLUP_OF_ROWS), one group
 * per hour, model, provider and service, added as one upsert per group
 * when every span of the batch was stored.  When one was not (a copy of
 * a stored span) or there were more than LF_DB_MOVE_GROUPS groups, the
 * batch's rows are summed instead (SQL_ROLLUP_AFTER).
 */
struct group {
	int64_t		 hour;
	char		*key[3];	/* model, provider, service_name */
	int64_t		 requests, errors, unpriced, prompt, completion;
	int64_t		 total, duration, duration_n;
	double		 cost;
};

struct groups {
	struct group	 g[LF_DB_MOVE_GROUPS];
	size_t		 n;
};

struct db {
	sqlite3		*h;
	enum db_mode	 mode;
	sqlite3_stmt	*st[SQL__MAX];
	struct {
		unsigned	 key;	/* kind << 20 | mask, + 1; 0 = empty */
		sqlite3_stmt	*st;
	}		 list[LIST_CACHE];
	unsigned	 list_next;	/* next slot to reuse */
	unsigned	 progress_calls;
	/* Spans inserted in the open transaction: their rollups, count and
	 * search index are added at commit (rollup_writer.in_c is 1). */
	int		 batching;
	int64_t		 batch_rows;
	int64_t		 batch_seq;	/* rows with a greater seq are the batch's */
	/* Spans queued by the open transaction and not yet in a batch. */
	struct buf	 qbuf;
	int64_t		 qspans;
	/* A batch being moved, read into memory kept from move to move
	 * (a blob read by SQLite would be allocated afresh each time). */
	unsigned char	*mvbuf;
	size_t		 mvcap, mvlen;
	int		 wal_pages;	/* after its last commit (DB_MOVE) */
	/* What the batch's table read (see qb_next): in pass 1, every span
	 * (counted, mv_read); in pass 2, those mv_keep marks (summed). */
	int64_t		 mv_read, mv_kept;
	int		 mv_bad, mv_full, mv_pass;
	unsigned char	*mv_keep;	/* per span of the batch: 1 to store */
	size_t		 mv_keepcap;
	struct groups	*mv_groups;	/* allocated by the first move */
};

void
trace_rec_init(struct trace_rec *r)
{
	memset(r, 0, sizeof(*r));
	r->timestamp = r->duration_ms = r->ttft_ms = DB_NULL;
	r->prompt_tokens = r->completion_tokens = r->total_tokens = DB_NULL;
	r->cached_tokens = r->cache_creation_tokens = DB_NULL;
	r->reasoning_tokens = r->status = r->response_status = DB_NULL;
	r->estimated_cost = NAN;
}

static enum db_rc
db_rc_of(struct db *db, int rc, const char *what)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_warn("database busy: %s", what);
		return DB_BUSY;
	default:
		log_warn("database error in %s: %s", what,
		    db && db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		return DB_ERROR;
	}
}

/* mkdir -p with mode 0700 for the directory holding path. */
static int
make_parent(const char *path)
{
	char	 dir[4096], *p;
	size_t	 n = strlen(path);

	if (n >= sizeof(dir))
		return -1;
	memcpy(dir, path, n + 1);
	if ((p = strrchr(dir, '/')) == NULL || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

/*
 * Run one statement (no rows), retrying while the database is busy.  Some
 * lock upgrades (journal mode, BEGIN IMMEDIATE) answer BUSY at once
 * without waiting, so the retries sleep a little, 2 s in all at most.
 */
static int
exec_retry(sqlite3 *h, const char *sql)
{
	int	 rc, tries = 0;

	for (;;) {
		rc = sqlite3_exec(h, sql, NULL, NULL, NULL);
		if ((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED)
			return rc;
		if (++tries > LF_DB_OPEN_RETRIES)
			return rc;
		sqlite3_sleep(LF_DB_OPEN_RETRY_MS);
	}
}

/*
 * Apply every "-- version N" block of schema.sql above the database's
 * user_version, in one IMMEDIATE transaction.
 */
static enum db_rc
migrate(struct db *db)
{
	const char	*p, *next, *mark = "\n-- version ";
	char		*body;
	sqlite3_stmt	*st = NULL;
	struct buf	 block;
	int		 cur = 0, ver, latest = 0, rc;
	enum db_rc	 erc = DB_ERROR;
	char		 pragma[64];

	/* Most opens find the schema current: then nothing is locked (a
	 * move holds the write lock for up to a second). */
	for (p = strstr(schema_sql, mark); p != NULL; p = strstr(p, mark)) {
		p += strlen(mark);
		latest = atoi(p);
	}
	if (latest > 0 && sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1,
	    &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_int(st, 0) == latest) {
		sqlite3_finalize(st);
		return DB_OK;
	}
	sqlite3_finalize(st);
	st = NULL;
	latest = 0;
	if ((rc = exec_retry(db->h, "BEGIN IMMEDIATE")) != SQLITE_OK)
		return db_rc_of(db, rc, "migration begin");
	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	cur = sqlite3_column_int(st, 0);
	/* Done with it: DROP INDEX fails while a statement is active. */
	sqlite3_finalize(st);
	st = NULL;
	buf_init(&block, 1 << 20);
	for (p = strstr(schema_sql, mark); p != NULL; p = next) {
		p += strlen(mark);
		ver = atoi(p);
		next = strstr(p, mark);
		if (ver <= latest) {
			log_warn("schema.sql: version %d out of order", ver);
			buf_free(&block);
			goto out;
		}
		latest = ver;
		if (ver <= cur)
			continue;
		buf_reset(&block);
		buf_add(&block, p, next ? (size_t)(next - p) : strlen(p));
		/* The block starts with the rest of its "-- version N" line. */
		if (block.err)
			goto outb;
		if ((body = strchr(block.p, '\n')) == NULL)
			continue;
		if ((rc = sqlite3_exec(db->h, body, NULL, NULL, NULL)) != SQLITE_OK) {
			erc = db_rc_of(db, rc, "migration");
			goto outb;
		}
	}
	if (latest > cur) {
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    latest);
		if (sqlite3_exec(db->h, pragma, NULL, NULL, NULL) != SQLITE_OK)
			goto outb;
		log_info("database schema migrated from version %d to %d",
		    cur, latest);
	} else if (cur > latest)
		log_warn("database schema version %d is newer than this "
		    "program's %d", cur, latest);
	erc = DB_OK;
outb:
	buf_free(&block);
out:
	sqlite3_finalize(st);
	if (erc == DB_OK) {
		if ((rc = exec_retry(db->h, "COMMIT")) != SQLITE_OK)
			erc = db_rc_of(db, rc, "migration commit");
	}
	if (erc != DB_OK)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return erc;
}

/*
 * After a commit that left the WAL at `pages` pages or more, checkpoint
 * and restart it.  RESTART waits (busy handler) for readers of old
 * snapshots, then lets the next writer start the file over; the journal
 * size limit then cuts it back.  The call runs after the client has its
 * answer, so the wait delays nobody.
 */
static int
move_wal_cb(void *arg, sqlite3 *h, const char *name, int pages)
{
	struct db	*db = arg;

	(void)h;
	if (strcmp(name, "main") == 0)
		db->wal_pages = pages;
	return SQLITE_OK;
}

int
db_wal_pages(const struct db *db)
{
	return db == NULL ? 0 : db->wal_pages;
}

static int
wal_cb(void *arg, sqlite3 *h, const char *name, int pages)
{
	int	 logn = 0, done = 0;

	/* The queue file is checkpointed by its mover (db_queue_checkpoint). */
	if (pages < LF_DB_WAL_CHECKPOINT_PAGES || strcmp(name, "main") != 0)
		return SQLITE_OK;
	if (sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_RESTART,
	    &logn, &done) != SQLITE_OK)
		log_debug("checkpoint incomplete: %d of %d pages", done, logn);
	return SQLITE_OK;
}

static int
progress_cb(void *arg)
{
	struct db	*db = arg;

	return ++db->progress_calls > LF_DB_MAX_PROGRESS_CALLS;
}

/* Before SQLite's first use: no allocation statistics (they take a
 * process-wide mutex on every allocation, which threads contend for). */
static void
sqlite_setup(void)
{
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static enum db_rc
open_handle(struct db *db, const char *path, int flags)
{
	static pthread_once_t	 once = PTHREAD_ONCE_INIT;
	int			 rc;

	(void)pthread_once(&once, sqlite_setup);
	rc = sqlite3_open_v2(path, &db->h, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_warn("cannot open database %s: %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		sqlite3_close(db->h);
		db->h = NULL;
		return DB_ERROR;
	}
	sqlite3_busy_timeout(db->h, LF_DB_BUSY_TIMEOUT_MS);
	sqlite3_extended_result_codes(db->h, 1);
	return DB_OK;
}

/* The queue file of the database at path. */
static int
queue_path(const char *path, char *out, size_t n)
{
	int	 k = snprintf(out, n, "%s-queue", path);

	return k < 0 || (size_t)k >= n ? -1 : 0;
}

/* 1 when the first column of sql's first row is want. */
static int
queue_is(struct db *db, const char *sql, const char *want)
{
	sqlite3_stmt	*st = NULL;
	const char	*v;
	int		 yes = 0;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW &&
	    (v = (const char *)sqlite3_column_text(st, 0)) != NULL)
		yes = strcmp(v, want) == 0;
	sqlite3_finalize(st);
	return yes;
}

/*
 * A queue file of an earlier version holds spans one per row (otlp_queue)
 * and their rollups (otlp_queue_rollup): its spans are stored in traces
 * as they are (the triggers add rollups, count and search index; spans
 * already stored are dropped) and both tables dropped, in one
 * transaction.
 */
static int
queue_legacy(struct db *db)
{
	static const char	 check[] = "SELECT 'yes' FROM q.sqlite_master "
	    "WHERE name = 'otlp_queue'";
	int			 i;

	if (!queue_is(db, check, "yes"))
		return SQLITE_OK;
	if ((i = exec_retry(db->h, "BEGIN IMMEDIATE")) != SQLITE_OK)
		return i;
	/* Another connection may have done it meanwhile. */
	if (queue_is(db, check, "yes") && (i = sqlite3_exec(db->h,
	    "INSERT OR IGNORE INTO main.traces (" INSERT_COLS_V1 ") SELECT "
	    INSERT_COLS_V1 " FROM q.otlp_queue ORDER BY qid; "
	    "DROP TABLE q.otlp_queue; DROP TABLE IF EXISTS q.otlp_queue_rollup",
	    NULL, NULL, NULL)) != SQLITE_OK) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return i;
	}
	if ((i = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL)) != SQLITE_OK)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return i;
}

/* Attach the queue file as "q"; a writer creates it and its table. */
static enum db_rc
attach_queue(struct db *db, const char *path, int create)
{
	char		 qp[4200];
	sqlite3_stmt	*st = NULL;
	int		 i;

	if (queue_path(path, qp, sizeof(qp)) == -1)
		return DB_ERROR;
	if ((i = sqlite3_prepare_v2(db->h, "ATTACH DATABASE ?1 AS q", -1, &st,
	    NULL)) == SQLITE_OK) {
		sqlite3_bind_text(st, 1, qp, -1, SQLITE_STATIC);
		i = sqlite3_step(st);
	}
	sqlite3_finalize(st);
	if (i != SQLITE_DONE && i != SQLITE_OK)
		return db_rc_of(db, i, "attach the ingest queue");
	if (!create)
		return DB_OK;
	/* Reads first: only the first connection ever (or the few racing
	 * it) takes the queue's exclusive lock to set it up, so a hundred
	 * threads opening at start-up do not queue on it.  secure_delete
	 * (on in Debian's build) would write every page of a batch taken
	 * off the queue again, as zeros: the spans are in the database by
	 * then, so nothing is left to hide (open_queue's connection and,
	 * in plain CGI, this one take batches off). */
	if ((i = exec_retry(db->h, "PRAGMA q.synchronous = NORMAL")) !=
	    SQLITE_OK || (i = exec_retry(db->h, "PRAGMA q.secure_delete = OFF"))
	    != SQLITE_OK || (i = exec_retry(db->h, "PRAGMA q.page_size = "
	    LF_STR(LF_DB_QUEUE_PAGE_SIZE))) != SQLITE_OK ||
	    (!queue_is(db, "PRAGMA q.journal_mode", "wal") &&
	    (i = exec_retry(db->h, "PRAGMA q.journal_mode = WAL")) !=
	    SQLITE_OK) || (!queue_is(db, "SELECT 'yes' FROM q.sqlite_master "
	    "WHERE name = 'otlp_queue_batch'", "yes") && (i = exec_retry(db->h,
	    "CREATE TABLE IF NOT EXISTS q." QUEUE_TABLE)) != SQLITE_OK) ||
	    (i = queue_legacy(db)) != SQLITE_OK)
		return db_rc_of(db, i, "create the ingest queue");
	return DB_OK;
}

/* A DB_QUEUE connection: the queue file alone, its statements only;
 * checkpoints only when asked (db_queue_checkpoint). */
static enum db_rc
open_queue(struct db *db, const char *path)
{
	char		 qp[4200];
	enum db_rc	 rc;
	size_t		 k;
	int		 i;

	if (queue_path(path, qp, sizeof(qp)) == -1)
		return DB_ERROR;
	if ((rc = open_handle(db, qp,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) != DB_OK)
		return rc;
	if ((i = exec_retry(db->h, "PRAGMA page_size = "
	    LF_STR(LF_DB_QUEUE_PAGE_SIZE))) != SQLITE_OK ||
	    (i = exec_retry(db->h, "PRAGMA journal_mode = WAL")) != SQLITE_OK ||
	    (i = exec_retry(db->h, "PRAGMA synchronous = NORMAL")) !=
	    SQLITE_OK || (i = exec_retry(db->h, "PRAGMA secure_delete = OFF")) !=
	    SQLITE_OK || (i = exec_retry(db->h, "PRAGMA temp_store = MEMORY"))
	    != SQLITE_OK || (i = exec_retry(db->h, "PRAGMA cache_size = -"
	    LF_STR(LF_DB_QUEUE_CACHE_KIB))) != SQLITE_OK || (i = exec_retry(db->h,
	    "CREATE TABLE IF NOT EXISTS " QUEUE_TABLE)) != SQLITE_OK)
		return db_rc_of(db, i, "open the ingest queue");
	snprintf(qp, sizeof(qp), "PRAGMA journal_size_limit = %lld",
	    (long long)LF_DB_JOURNAL_SIZE_LIMIT);
	if ((i = exec_retry(db->h, qp)) != SQLITE_OK)
		return db_rc_of(db, i, "open the ingest queue");
	sqlite3_wal_autocheckpoint(db->h, 0);
	for (k = 0; k < sizeof(queue_stmts) / sizeof(queue_stmts[0]); k++)
		if (sqlite3_prepare_v3(db->h, sqls[queue_stmts[k]], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->st[queue_stmts[k]], NULL) !=
		    SQLITE_OK)
			return db_rc_of(db, SQLITE_ERROR, sqls[queue_stmts[k]]);
	return DB_OK;
}

enum db_rc
db_open(struct db **out, const char *path, enum db_mode mode)
{
	struct db	*db;
	enum db_rc	 rc;
	int		 i;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return DB_ERROR;
	buf_init(&db->qbuf, LF_DB_QUEUE_BATCH_MAX);
	db->mode = mode;
	if (make_parent(path) == -1) {
		log_warn("cannot create the directory of %s: %s", path,
		    strerror(errno));
		free(db);
		return DB_ERROR;
	}
	/* Every program can create and migrate: whoever is first does. */
	umask(077);
	if (mode == DB_QUEUE) {
		if ((rc = open_queue(db, path)) != DB_OK)
			goto fail;
		*out = db;
		return DB_OK;
	}
	if ((rc = open_handle(db, path,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) != DB_OK)
		goto fail;
	/* Pruned space can be given back: only takes effect on a new file. */
	if ((i = exec_retry(db->h, "PRAGMA auto_vacuum = INCREMENTAL")) !=
	    SQLITE_OK) {
		rc = db_rc_of(db, i, "open pragmas");
		goto fail;
	}
	if ((i = exec_retry(db->h, "PRAGMA journal_mode = WAL")) != SQLITE_OK ||
	    (i = exec_retry(db->h, "PRAGMA synchronous = NORMAL")) != SQLITE_OK) {
		rc = db_rc_of(db, i, "open pragmas");
		goto fail;
	}
	if ((rc = migrate(db)) != DB_OK || (rc = attach_queue(db, path, 1)) !=
	    DB_OK)
		goto fail;
	/* Read the schema again now: one loaded before another program's
	 * migration committed (this one waited for it) left statements
	 * prepared next failing with "no such table" (version 8 rebuilds
	 * traces). */
	if ((i = exec_retry(db->h, "SELECT count(*) FROM main.sqlite_master"))
	    != SQLITE_OK) {
		rc = db_rc_of(db, i, "read the schema");
		goto fail;
	}
	if (mode == DB_MOVE &&
	    sqlite3_db_config(db->h, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, NULL) !=
	    SQLITE_OK) {
		rc = db_rc_of(db, SQLITE_ERROR, "triggers off");
		goto fail;
	}
	/* Writers can move queued batches (db_queue_move). */
	if (mode != DB_READ && sqlite3_create_module_v2(db->h,
	    "llmflow_queue_batch", &qb_module, db, NULL) != SQLITE_OK) {
		rc = db_rc_of(db, SQLITE_ERROR, "queue batch table");
		goto fail;
	}
	if (mode == DB_WRITE || mode == DB_BATCH || mode == DB_MOVE) {
		char	 pragma[128];

		/* temp_store: statement journals stay in memory. */
		snprintf(pragma, sizeof(pragma), "PRAGMA journal_size_limit = %lld;"
		    " PRAGMA cache_size = -%d; PRAGMA temp_store = MEMORY",
		    (long long)LF_DB_JOURNAL_SIZE_LIMIT, mode == DB_MOVE ?
		    LF_DB_MOVE_CACHE_KIB : mode == DB_BATCH ?
		    LF_DB_BATCH_CACHE_KIB : LF_DB_WRITER_CACHE_KIB);
		if ((i = exec_retry(db->h, pragma)) != SQLITE_OK) {
			rc = db_rc_of(db, i, "writer pragmas");
			goto fail;
		}
		/* The mover's commits are checkpointed by db_checkpoint;
		 * it only notes the WAL's length (db_wal_pages). */
		if (mode == DB_MOVE)
			sqlite3_wal_hook(db->h, move_wal_cb, db);
		else
			sqlite3_wal_hook(db->h, wal_cb, db);
	}
	if (mode == DB_READ) {
		sqlite3_close(db->h);
		db->h = NULL;
		if ((rc = open_handle(db, path, SQLITE_OPEN_READONLY)) != DB_OK ||
		    (rc = attach_queue(db, path, 0)) != DB_OK)
			goto fail;
		sqlite3_db_config(db->h, SQLITE_DBCONFIG_DEFENSIVE, 1, NULL);
		sqlite3_progress_handler(db->h, LF_DB_PROGRESS_OPS,
		    progress_cb, db);
	}
	for (i = 0; i < SQL__MAX; i++) {
		if (mode == DB_READ && (i == SQL_INSERT_TRACE ||
		    i >= SQL_INSERT_SPAN))
			continue;
		if (sqlite3_prepare_v3(db->h, sqls[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &db->st[i], NULL) != SQLITE_OK) {
			rc = db_rc_of(db, SQLITE_ERROR, sqls[i]);
			goto fail;
		}
	}
	*out = db;
	return DB_OK;
fail:
	db_close(&db);
	return rc == DB_OK ? DB_ERROR : rc;
}

void
db_close(struct db **pdb)
{
	struct db	*db = *pdb;
	size_t		 i;

	if (db == NULL)
		return;
	batch_clear(db);
	buf_free(&db->qbuf);
	free(db->mvbuf);
	free(db->mv_keep);
	if (db->mv_groups != NULL)
		groups_free(db->mv_groups);
	free(db->mv_groups);
	for (i = 0; i < SQL__MAX; i++)
		sqlite3_finalize(db->st[i]);
	for (i = 0; i < LIST_CACHE; i++)
		sqlite3_finalize(db->list[i].st);
	sqlite3_close(db->h);
	free(db);
	*pdb = NULL;
}

int
db_schema_version(struct db *db)
{
	sqlite3_stmt	*st;
	int		 v = -1;

	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
}

static void
bind_textn(sqlite3_stmt *st, int i, const char *s, size_t n)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text64(st, i, s, n, SQLITE_STATIC, SQLITE_UTF8);
}

static void
bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	if (v == DB_NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, v);
}

enum db_rc
db_insert_trace(struct db *db, const struct trace_rec *r)
{
	sqlite3_stmt	*st = db->st[SQL_INSERT_TRACE];
	struct trace_rec t;
	int		 rc, tries = 0;

	if (st == NULL)
		return DB_ERROR;
	/* A proxied call is an LLM call unless it says otherwise. */
	t = *r;
	if (t.span_type == NULL)
		t.span_type = "llm";
	bind_span(st, &t);
	bind_i64(st, 34, r->ttft_ms);
	bind_text(st, 35, r->request_method);
	bind_text(st, 36, r->request_path);
	bind_text(st, 37, r->request_headers);
	bind_textn(st, 38, r->request_body, r->request_body_len);
	sqlite3_bind_int(st, 39, r->request_body_truncated != 0);
	bind_i64(st, 40, r->response_status);
	bind_text(st, 41, r->response_headers);
	bind_textn(st, 42, r->response_body, r->response_body_len);
	sqlite3_bind_int(st, 43, r->response_body_truncated != 0);
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY &&
	    ++tries <= LF_DB_BUSY_RETRIES)
		sqlite3_reset(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	/* A span id already stored: span_ids_once ignored the row. */
	if (rc == SQLITE_DONE && sqlite3_changes(db->h) == 0) {
		log_warn("insert trace: span id %s is already stored", r->id);
		return DB_ERROR;
	}
	/* In a transaction whose spans came first, the triggers are off
	 * for this row too: it is counted with them at commit. */
	if (rc == SQLITE_DONE && db->batching)
		db->batch_rows++;
	return db_rc_of(db, rc, "insert trace");
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

static int64_t
col_i64(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? DB_NULL :
	    sqlite3_column_int64(st, i);
}

static double
col_double(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN :
	    sqlite3_column_double(st, i);
}

static void
read_summary(sqlite3_stmt *st, struct trace_rec *r)
{
	trace_rec_init(r);
	r->id = col_text(st, 0);
	r->trace_id = col_text(st, 1);
	r->parent_id = col_text(st, 2);
	r->timestamp = col_i64(st, 3);
	r->duration_ms = col_i64(st, 4);
	r->ttft_ms = col_i64(st, 5);
	r->provider = col_text(st, 6);
	r->model = col_text(st, 7);
	r->prompt_tokens = col_i64(st, 8);
	r->completion_tokens = col_i64(st, 9);
	r->total_tokens = col_i64(st, 10);
	r->cached_tokens = col_i64(st, 11);
	r->cache_creation_tokens = col_i64(st, 12);
	r->reasoning_tokens = col_i64(st, 13);
	r->estimated_cost = col_double(st, 14);
	r->cost_source = col_text(st, 15);
	r->status = col_i64(st, 16);
	r->error = col_text(st, 17);
	r->request_method = col_text(st, 18);
	r->request_path = col_text(st, 19);
	r->tags = col_text(st, 20);
	r->span_type = col_text(st, 21);
	r->span_name = col_text(st, 22);
	r->service_name = col_text(st, 23);
	r->session_id = col_text(st, 24);
	r->conversation_id = col_text(st, 25);
	r->agent_name = col_text(st, 26);
}

/* What a walk over trace rows reads beyond the summary columns. */
enum walk_mode {
	W_SUMMARY,	/* SUMMARY_COLS */
	W_DETAIL,	/* + headers, bodies, input, output, attributes, span */
	W_SPANS		/* + input, output, attributes, span */
};

static void
read_span_cols(sqlite3_stmt *st, int k, struct trace_rec *r)
{
	r->events = col_text(st, k);
	r->span_kind = col_text(st, k + 1);
	r->scope_name = col_text(st, k + 2);
	r->user_id = col_text(st, k + 3);
	r->resource_attributes = col_text(st, k + 4);
	r->links = col_text(st, k + 5);
}

/* Step through rows, handing each to cb; resets st. */
static enum db_rc
walk(struct db *db, sqlite3_stmt *st, enum walk_mode mode, trace_cb cb,
    void *arg, int *nrows)
{
	struct trace_rec	 r;
	int			 rc, n = 0, k = SUMMARY_NCOLS;
	enum db_rc		 erc = DB_OK;

	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_summary(st, &r);
		if (mode == W_DETAIL) {
			r.request_headers = col_text(st, k);
			r.request_body = col_text(st, k + 1);
			r.request_body_len = (size_t)sqlite3_column_bytes(st, k + 1);
			r.request_body_truncated = sqlite3_column_int(st, k + 2);
			r.response_status = col_i64(st, k + 3);
			r.response_headers = col_text(st, k + 4);
			r.response_body = col_text(st, k + 5);
			r.response_body_len = (size_t)sqlite3_column_bytes(st, k + 5);
			r.response_body_truncated = sqlite3_column_int(st, k + 6);
			r.input = col_text(st, k + 7);
			r.output = col_text(st, k + 8);
			r.attributes = col_text(st, k + 9);
			read_span_cols(st, k + 10, &r);
		} else if (mode == W_SPANS) {
			r.input = col_text(st, k);
			r.output = col_text(st, k + 1);
			r.attributes = col_text(st, k + 2);
			read_span_cols(st, k + 3, &r);
		}
		n++;
		if (cb(arg, &r) != 0) {
			erc = DB_ERROR;
			break;
		}
	}
	if (erc == DB_OK && rc != SQLITE_DONE)
		erc = db_rc_of(db, rc, "read traces");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (nrows)
		*nrows = n;
	return erc;
}

/*
 * The statement for a list of `kind` with the filters in mask, made from
 * constant fragments on first use and kept in the handle's cache.
 */
static sqlite3_stmt *
list_stmt(struct db *db, enum list_kind kind, unsigned mask)
{
	const char *const	*frag;
	struct buf		 sql;
	unsigned		 key = (((unsigned)kind << 20) | mask) + 1, i, n;
	int			 first = 1;
	sqlite3_stmt		*st = NULL;

	for (i = 0; i < LIST_CACHE; i++)
		if (db->list[i].key == key)
			return db->list[i].st;
	buf_init(&sql, 8192);
	switch (kind) {
	case LK_TRACES:
		buf_adds(&sql, "SELECT " SUMMARY_COLS " FROM traces");
		frag = filt_sql, n = F__MAX;
		break;
	case LK_LOGS:
		buf_adds(&sql, "SELECT " LOG_COLS " FROM logs");
		frag = lfilt_sql, n = LG__MAX;
		break;
	case LK_LOGS_COUNT:
		buf_adds(&sql, "SELECT count(*) FROM logs");
		frag = lfilt_sql, n = LG__MAX;
		break;
	case LK_METRICS:
		buf_adds(&sql, "SELECT " METRIC_COLS " FROM metrics");
		frag = mfilt_sql, n = MF__MAX;
		break;
	case LK_METRICS_COUNT:
	default:
		buf_adds(&sql, "SELECT count(*) FROM metrics");
		frag = mfilt_sql, n = MF__MAX;
		break;
	}
	for (i = 0; i < n; i++) {
		if (!(mask & (1u << i)))
			continue;
		buf_adds(&sql, first ? " WHERE " : " AND ");
		buf_adds(&sql, frag[i]);
		first = 0;
	}
	if (kind == LK_TRACES || kind == LK_LOGS || kind == LK_METRICS)
		buf_adds(&sql, kind == LK_TRACES ?
		    " ORDER BY timestamp DESC, seq DESC LIMIT :limit OFFSET :offset" :
		    " ORDER BY timestamp DESC, rowid DESC LIMIT :limit OFFSET :offset");
	if (sql.err || sqlite3_prepare_v3(db->h, sql.p, -1,
	    SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		db_rc_of(db, SQLITE_ERROR, "prepare list");
		buf_free(&sql);
		return NULL;
	}
	buf_free(&sql);
	i = db->list_next++ % LIST_CACHE;
	sqlite3_finalize(db->list[i].st);
	db->list[i].key = key;
	db->list[i].st = st;
	return st;
}

static void
bind_named_text(sqlite3_stmt *st, const char *name, const char *v)
{
	int	 i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void
bind_named_i64(sqlite3_stmt *st, const char *name, int64_t v)
{
	int	 i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_int64(st, i, v);
}

static void
bind_named_double(sqlite3_stmt *st, const char *name, double v)
{
	int	 i = sqlite3_bind_parameter_index(st, name);

	if (i > 0)
		sqlite3_bind_double(st, i, v);
}

/* A LIKE pattern matching s literally anywhere ('\' escapes). */
static int
like_pattern(struct buf *b, const char *s)
{
	buf_addc(b, '%');
	for (; *s; s++) {
		if (*s == '%' || *s == '_' || *s == '\\')
			buf_addc(b, '\\');
		buf_addc(b, *s);
	}
	buf_addc(b, '%');
	return b->err ? -1 : 0;
}

/*
 * An FTS5 query that finds the words of s, as text: each word becomes a
 * quoted phrase (quotes doubled), so no input is query syntax.  0, or -1
 * if s has no word.
 */
static int
fts_query(struct buf *b, const char *s)
{
	const char	*p = s;
	size_t		 n;
	int		 words = 0;

	while (*p) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		n = strcspn(p, " \t\r\n");
		if (words++)
			buf_addc(b, ' ');
		buf_addc(b, '"');
		for (; n > 0; n--, p++) {
			if (*p == '"')
				buf_addc(b, '"');
			buf_addc(b, *p);
		}
		buf_addc(b, '"');
	}
	return words == 0 || b->err ? -1 : 0;
}

/* Whether a one-parameter count statement reaches LF_COMMON_ROWS. */
static int
is_common(struct db *db, enum stmt which, const char *v)
{
	sqlite3_stmt	*st = db->st[which];
	int64_t		 n = 0;

	bind_text(st, 1, v);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return n >= LF_COMMON_ROWS;
}

void
trace_filter_init(struct trace_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->date_from = f->date_to = f->before_ts = DB_NULL;
	f->cost_min = f->cost_max = NAN;
}

enum db_rc
db_traces_list(struct db *db, const struct trace_filter *f, trace_cb cb,
    void *arg)
{
	sqlite3_stmt	*st;
	struct buf	 q;
	unsigned	 mask = 0;
	enum db_rc	 rc;

	buf_init(&q, 4 * LF_MAX_PARAM + 64);
	if (f->q != NULL && *f->q != '\0' && fts_query(&q, f->q) == 0)
		mask |= 1u << (is_common(db, SQL_Q_COMMON, q.p) ? F_Q_SCAN : F_Q);
	else if (f->q != NULL && *f->q != '\0' && q.err) {
		buf_free(&q);
		return DB_ERROR;
	}
#define SET(cond, bit)	do { if (cond) mask |= 1u << (bit); } while (0)
	SET(f->model, F_MODEL);
	SET(f->provider, F_PROVIDER);
	SET(f->status == STATUS_SUCCESS, F_SUCCESS);
	SET(f->status == STATUS_ERROR, F_ERROR);
	SET(f->date_from != DB_NULL, F_FROM);
	SET(f->date_to != DB_NULL, F_TO);
	SET(f->span_type, F_SPAN_TYPE);
	SET(f->service_name, F_SERVICE);
	SET(f->session_id, F_SESSION);
	SET(f->conversation_id, F_CONVERSATION);
	if (f->tag)
		mask |= 1u << (is_common(db, SQL_TAG_COMMON, f->tag) ?
		    F_TAG_SCAN : F_TAG);
	SET(!isnan(f->cost_min), F_COST_MIN);
	SET(!isnan(f->cost_max), F_COST_MAX);
	SET(f->before_ts != DB_NULL && f->before_id != NULL, F_BEFORE);
#undef SET
	if ((st = list_stmt(db, LK_TRACES, mask)) == NULL) {
		buf_free(&q);
		return DB_ERROR;
	}
	if (mask & ((1u << F_Q) | (1u << F_Q_SCAN)))
		bind_named_text(st, ":q", q.p);
	if (f->model)
		bind_named_text(st, ":model", f->model);
	if (f->provider)
		bind_named_text(st, ":provider", f->provider);
	if (f->span_type)
		bind_named_text(st, ":span_type", f->span_type);
	if (f->service_name)
		bind_named_text(st, ":service", f->service_name);
	if (f->session_id)
		bind_named_text(st, ":session", f->session_id);
	if (f->conversation_id)
		bind_named_text(st, ":conversation", f->conversation_id);
	if (f->tag)
		bind_named_text(st, ":tag", f->tag);
	if (f->date_from != DB_NULL)
		bind_named_i64(st, ":from", f->date_from);
	if (f->date_to != DB_NULL)
		bind_named_i64(st, ":to", f->date_to);
	bind_named_double(st, ":cost_min", f->cost_min);
	bind_named_double(st, ":cost_max", f->cost_max);
	if (mask & (1u << F_BEFORE)) {
		bind_named_i64(st, ":before_ts", f->before_ts);
		bind_named_text(st, ":before_id", f->before_id);
	}
	bind_named_i64(st, ":limit", f->limit > 0 ? f->limit : -1);
	bind_named_i64(st, ":offset", f->offset);
	buf_free(&q);
	/* An export walks every row: no step budget for it. */
	if (f->limit <= 0 && db->mode == DB_READ)
		sqlite3_progress_handler(db->h, 0, NULL, NULL);
	rc = walk(db, st, W_SUMMARY, cb, arg, NULL);
	if (f->limit <= 0 && db->mode == DB_READ)
		sqlite3_progress_handler(db->h, LF_DB_PROGRESS_OPS,
		    progress_cb, db);
	return rc;
}

enum db_rc
db_trace_get(struct db *db, const char *id, trace_cb cb, void *arg)
{
	sqlite3_stmt	*st = db->st[SQL_TRACE_GET];
	enum db_rc	 rc;
	int		 n;

	bind_text(st, 1, id);
	if ((rc = walk(db, st, W_DETAIL, cb, arg, &n)) != DB_OK)
		return rc;
	return n ? DB_OK : DB_NOTFOUND;
}

enum db_rc
db_stats(struct db *db, struct stats *s, model_stats_cb cb, void *arg)
{
	sqlite3_stmt		*st = db->st[SQL_STATS];
	struct model_stats	 m;
	int			 rc;

	memset(s, 0, sizeof(*s));
	db->progress_calls = 0;
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_reset(st);
		return db_rc_of(db, rc == SQLITE_DONE ? SQLITE_ERROR : rc,
		    "stats");
	}
	s->total_requests = sqlite3_column_int64(st, 0);
	s->total_tokens = sqlite3_column_int64(st, 1);
	s->total_cost = sqlite3_column_double(st, 2);
	s->total_duration = sqlite3_column_int64(st, 3);
	s->error_count = sqlite3_column_int64(st, 4);
	s->avg_duration = col_double(st, 5);
	s->unpriced_count = sqlite3_column_int64(st, 6);
	sqlite3_reset(st);
	if (cb == NULL)
		return DB_OK;
	st = db->st[SQL_STATS_MODELS];
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m.model = col_text(st, 0);
		m.count = sqlite3_column_int64(st, 1);
		m.tokens = sqlite3_column_int64(st, 2);
		m.cost = sqlite3_column_double(st, 3);
		m.unpriced = sqlite3_column_int64(st, 4);
		if (cb(arg, &m) != 0) {
			sqlite3_reset(st);
			return DB_ERROR;
		}
	}
	sqlite3_reset(st);
	return db_rc_of(db, rc, "stats by model");
}

enum db_rc
db_trace_count(struct db *db, int64_t *n)
{
	sqlite3_stmt	*st = db->st[SQL_TRACE_COUNT];
	int		 rc;

	*n = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_OK : db_rc_of(db, rc, "count");
}

/* Step a statement that returns no rows, retrying BUSY a bounded number
 * of times; resets it and clears its bindings. */
static enum db_rc
step_retry(struct db *db, enum stmt which, const char *what)
{
	sqlite3_stmt	*st = db->st[which];
	int		 rc, tries = 0;

	if (st == NULL)
		return DB_ERROR;
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY &&
	    ++tries <= LF_DB_BUSY_RETRIES)
		sqlite3_reset(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return db_rc_of(db, rc, what);
}

/* step_retry with ?1 bound to v (a row number or queue id). */
static enum db_rc
step_after(struct db *db, enum stmt which, int64_t v, const char *what)
{
	if (db->st[which] == NULL)
		return DB_ERROR;
	sqlite3_bind_int64(db->st[which], 1, v);
	return step_retry(db, which, what);
}

/* The first column of a statement's one row into v (0 when no row). */
static enum db_rc
step_int(struct db *db, enum stmt which, int64_t *v, const char *what)
{
	sqlite3_stmt	*st = db->st[which];
	int		 i;

	*v = 0;
	if ((i = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return i == SQLITE_ROW || i == SQLITE_DONE ? DB_OK :
	    db_rc_of(db, i, what);
}

enum db_rc
db_begin(struct db *db)
{
	return step_retry(db, SQL_BEGIN, "begin");
}

static void
batch_clear(struct db *db)
{
	db->batch_rows = 0;
	db->batching = 0;
}

/*
 * What the triggers that rollup_writer.in_c turns off add per row, for
 * the n rows after seq `after`, in one statement each: the row count,
 * the search index and exact tags (with triggers on, trace_tags_insert
 * has added them too: INSERT OR IGNORE); at in_c 1 (a batch transaction,
 * at commit) rollups, one upsert per group; at in_c 2 (a move of the
 * ingest queue, which adds rollups and span ids batch by batch, see
 * move_batch) each row under its trace (trace_ids, trace_spans).
 */
static enum db_rc
add_derived(struct db *db, int64_t after, int64_t n, int in_c)
{
	enum db_rc	 rc;

	if (n <= 0)
		return DB_OK;
	if (in_c == 1 &&
	    (rc = step_after(db, SQL_ROLLUP_AFTER, after, "rollups")) != DB_OK)
		return rc;
	bind_text(db->st[SQL_COUNT_ADD], 1, "traces");
	sqlite3_bind_int64(db->st[SQL_COUNT_ADD], 2, n);
	if ((rc = step_retry(db, SQL_COUNT_ADD, "row count")) != DB_OK ||
	    (rc = step_after(db, SQL_FTS_ADD, after, "search index")) !=
	    DB_OK ||
	    (rc = step_after(db, SQL_TAGS_AFTER, after, "tags")) != DB_OK)
		return rc;
	if (in_c == 2 &&
	    ((rc = step_after(db, SQL_TRACE_IDS_AFTER, after, "trace ids")) !=
	    DB_OK || (rc = step_after(db, SQL_TRACE_SPANS_AFTER, after,
	    "trace spans")) != DB_OK))
		return rc;
	return DB_OK;
}

/* Turn the per-row triggers off for this transaction (see add_derived). */
static enum db_rc
batch_start(struct db *db)
{
	enum db_rc	 rc;

	sqlite3_bind_int(db->st[SQL_ROLLUP_WRITER], 1, 1);
	if ((rc = step_retry(db, SQL_ROLLUP_WRITER, "rollup writer")) != DB_OK)
		return rc;
	if ((rc = step_int(db, SQL_MAX_SEQ, &db->batch_seq, "max seq")) !=
	    DB_OK)
		return rc;
	db->batching = 1;
	return DB_OK;
}

/* Add what the transaction's rows need and hand them back to the
 * triggers (in the same transaction). */
static enum db_rc
batch_finish(struct db *db)
{
	enum db_rc	 rc;

	if ((rc = add_derived(db, db->batch_seq, db->batch_rows, 1)) != DB_OK)
		return rc;
	sqlite3_bind_int(db->st[SQL_ROLLUP_WRITER], 1, 0);
	if ((rc = step_retry(db, SQL_ROLLUP_WRITER, "rollup writer")) != DB_OK)
		return rc;
	batch_clear(db);
	return DB_OK;
}

enum db_rc
db_commit(struct db *db)
{
	enum db_rc	 rc = DB_OK;

	if (db->batching)
		rc = batch_finish(db);
	if (rc == DB_OK)
		rc = queue_flush(db);
	if (rc == DB_OK)
		rc = step_retry(db, SQL_COMMIT, "commit");
	if (rc != DB_OK)
		db_rollback(db);
	return rc;
}

void
db_rollback(struct db *db)
{
	if (db != NULL) {
		batch_clear(db);
		buf_reset(&db->qbuf);
		db->qspans = 0;
	}
	if (db == NULL || db->h == NULL || sqlite3_get_autocommit(db->h))
		return;
	if (db->st[SQL_ROLLBACK] != NULL) {
		sqlite3_step(db->st[SQL_ROLLBACK]);
		sqlite3_reset(db->st[SQL_ROLLBACK]);
	}
}

static void
bind_double(sqlite3_stmt *st, int i, double v)
{
	if (isfinite(v))
		sqlite3_bind_double(st, i, v);
	else
		sqlite3_bind_null(st, i);
}

/*
 * A span's INSERT_VALUES, bound to a statement or packed into a queued
 * batch.  A batch starts with its format's byte (QUEUE_FORMAT); packed,
 * each value is a tag byte ('n' NULL, 'i' a 64-bit
 * integer, 'r' a double, 't' text) followed, for 'i' and 'r', by its 8
 * bytes and, for 't', by its length in 4 bytes and its bytes (numbers
 * little-endian).  unpack_span reads them back, checking every length.
 * Format 2 packs SPAN_VALUES values; batches of format 1, queued by
 * earlier versions, SPAN_VALUES_V1 (no links): they are still moved.
 */
#define QUEUE_FORMAT	2

struct span_out {
	sqlite3_stmt	*st;	/* bind to it, or else */
	struct buf	*b;	/* pack into it */
};

static void
pack_u64(struct buf *b, char tag, uint64_t v, int n)
{
	unsigned char	 h[9];
	int		 k;

	h[0] = (unsigned char)tag;
	for (k = 0; k < n; k++)
		h[1 + k] = (unsigned char)(v >> (8 * k));
	buf_add(b, h, (size_t)n + 1);
}

static void
out_text(struct span_out *o, int i, const char *v)
{
	size_t	 n;

	if (o->st != NULL) {
		bind_text(o->st, i, v);
		return;
	}
	if (v == NULL) {
		buf_addc(o->b, 'n');
		return;
	}
	if ((n = strlen(v)) > LF_DB_QUEUE_TEXT_MAX) {
		o->b->err = 1;
		return;
	}
	pack_u64(o->b, 't', n, 4);
	buf_add(o->b, v, n);
}

static void
out_i64(struct span_out *o, int i, int64_t v)
{
	if (o->st != NULL)
		bind_i64(o->st, i, v);
	else if (v == DB_NULL)
		buf_addc(o->b, 'n');
	else
		pack_u64(o->b, 'i', (uint64_t)v, 8);
}

static void
out_double(struct span_out *o, int i, double v)
{
	uint64_t	 u;

	if (o->st != NULL)
		bind_double(o->st, i, v);
	else if (!isfinite(v))
		buf_addc(o->b, 'n');
	else {
		memcpy(&u, &v, sizeof(u));
		pack_u64(o->b, 'r', u, 8);
	}
}

/* The parameters of INSERT_VALUES. */
static void
put_span(struct span_out *o, const struct trace_rec *r)
{
	out_text(o, 1, r->id);
	out_text(o, 2, r->trace_id ? r->trace_id : r->id);
	out_text(o, 3, r->parent_id);
	out_i64(o, 4, r->timestamp);
	out_i64(o, 5, r->duration_ms);
	out_text(o, 6, r->provider);
	out_text(o, 7, r->model);
	out_i64(o, 8, r->prompt_tokens);
	out_i64(o, 9, r->completion_tokens);
	out_i64(o, 10, r->total_tokens);
	out_i64(o, 11, r->cached_tokens);
	out_i64(o, 12, r->cache_creation_tokens);
	out_i64(o, 13, r->reasoning_tokens);
	out_double(o, 14, r->estimated_cost);
	out_text(o, 15, r->cost_source ? r->cost_source : "unknown");
	out_i64(o, 16, r->status);
	out_text(o, 17, r->error);
	out_text(o, 18, r->tags);
	out_text(o, 19, r->span_type ? r->span_type : "custom");
	out_text(o, 20, r->span_name);
	out_text(o, 21, r->service_name);
	out_text(o, 22, r->session_id);
	out_text(o, 23, r->conversation_id);
	out_text(o, 24, r->agent_name);
	out_text(o, 25, r->input);
	out_text(o, 26, r->output);
	out_text(o, 27, r->attributes);
	out_text(o, 28, r->span_kind);
	out_text(o, 29, r->scope_name);
	out_text(o, 30, r->user_id);
	out_text(o, 31, r->events);
	out_text(o, 32, r->resource_attributes);
	out_text(o, 33, r->links);
}

static void
bind_span(sqlite3_stmt *st, const struct trace_rec *r)
{
	struct span_out	 o = { st, NULL };

	put_span(&o, r);
}

enum db_rc
db_insert_span(struct db *db, const struct trace_rec *r, int *inserted)
{
	sqlite3_stmt	*st = db->st[SQL_INSERT_SPAN];
	enum db_rc	 rc;

	*inserted = 0;
	if (st == NULL)
		return DB_ERROR;
	/* In a transaction (a batch), rollups are added per group at
	 * commit; a single span (autocommit) leaves them to the triggers. */
	if (!db->batching && !sqlite3_get_autocommit(db->h) &&
	    (rc = batch_start(db)) != DB_OK)
		return rc;
	bind_span(st, r);
	if ((rc = step_retry(db, SQL_INSERT_SPAN, "insert span")) == DB_OK)
		*inserted = sqlite3_changes(db->h) > 0;
	if (rc == DB_OK && *inserted && db->batching)
		db->batch_rows++;
	return rc;
}

/* The spans packed so far become one queued batch. */
static enum db_rc
queue_flush(struct db *db)
{
	sqlite3_stmt	*st = db->st[SQL_QUEUE_ADD];
	enum db_rc	 rc;

	if (db->qspans == 0)
		return DB_OK;
	if (db->qbuf.err) {
		log_warn("a queued batch is over %lu bytes",
		    LF_DB_QUEUE_BATCH_MAX);
		rc = DB_ERROR;
	} else {
		sqlite3_bind_int64(st, 1, db->qspans);
		sqlite3_bind_blob64(st, 2, db->qbuf.p, db->qbuf.len,
		    SQLITE_STATIC);
		rc = step_retry(db, SQL_QUEUE_ADD, "queue batch");
		sqlite3_bind_null(st, 2);
	}
	/* Memory a batch of large spans took is given back. */
	if (db->qbuf.cap > 2 * LF_DB_QUEUE_BATCH_BYTES) {
		buf_free(&db->qbuf);
		buf_init(&db->qbuf, LF_DB_QUEUE_BATCH_MAX);
	} else
		buf_reset(&db->qbuf);
	db->qspans = 0;
	return rc;
}

enum db_rc
db_queue_span(struct db *db, const struct trace_rec *r)
{
	struct span_out	 o = { NULL, &db->qbuf };

	if (db->st[SQL_QUEUE_ADD] == NULL)
		return DB_ERROR;
	if (db->qspans == 0) {
		buf_reset(&db->qbuf);
		buf_addc(&db->qbuf, QUEUE_FORMAT);
	}
	put_span(&o, r);
	db->qspans++;
	/* A transaction's spans go as batches of about
	 * LF_DB_QUEUE_BATCH_BYTES; outside one, each span at once. */
	if (db->qbuf.err || db->qbuf.len >= LF_DB_QUEUE_BATCH_BYTES ||
	    sqlite3_get_autocommit(db->h))
		return queue_flush(db);
	return DB_OK;
}

enum db_rc
db_queue_count(struct db *db, int64_t *n)
{
	if (db->st[SQL_QUEUE_RANGE] == NULL)
		return DB_ERROR;
	return step_int(db, SQL_QUEUE_RANGE, n, "queue count");
}

/* One packed value. */
struct packed {
	char		 type;	/* 'n', 'i', 'r', 't' */
	int64_t		 i;
	double		 r;
	const char	*t;
	size_t		 len;
};

static uint64_t
get_u64(const unsigned char *p, int n)
{
	uint64_t	 v = 0;
	int		 k;

	for (k = 0; k < n; k++)
		v |= (uint64_t)p[k] << (8 * k);
	return v;
}

/* Read one packed span's nvals values from *p (up to end), the rest of
 * SPAN_VALUES NULL; -1 when the bytes are not one. */
static int
unpack_span(const unsigned char **p, const unsigned char *end,
    int nvals, struct packed *v)
{
	const unsigned char	*q = *p;
	uint64_t		 u;
	int			 k;

	for (k = nvals; k < SPAN_VALUES; k++)
		v[k].type = 'n';
	for (k = 0; k < nvals; k++) {
		if (q >= end)
			return -1;
		v[k].type = (char)*q++;
		switch (v[k].type) {
		case 'n':
			break;
		case 'i':
		case 'r':
			if (end - q < 8)
				return -1;
			u = get_u64(q, 8);
			q += 8;
			v[k].i = (int64_t)u;
			memcpy(&v[k].r, &u, sizeof(u));
			break;
		case 't':
			if (end - q < 4)
				return -1;
			v[k].len = (size_t)get_u64(q, 4);
			q += 4;
			if ((size_t)(end - q) < v[k].len)
				return -1;
			v[k].t = (const char *)q;
			q += v[k].len;
			break;
		default:
			return -1;
		}
	}
	*p = q;
	return 0;
}

/* The first span of a batch of len bytes at data, and in *nvals the
 * values each span packs; NULL when the batch is of no known format. */
static const unsigned char *
batch_spans(const void *data, size_t len, int *nvals)
{
	const unsigned char	*p = data;

	if (p == NULL || len == 0)
		return NULL;
	if (*p == QUEUE_FORMAT)
		*nvals = SPAN_VALUES;
	else if (*p == 1)
		*nvals = SPAN_VALUES_V1;
	else
		return NULL;
	return p + 1;
}

int
db_queue_batch_check(const void *data, size_t len)
{
	struct packed		 v[SPAN_VALUES];
	const unsigned char	*p, *end = (const unsigned char *)data + len;
	int			 n = 0, nvals;

	if ((p = batch_spans(data, len, &nvals)) == NULL)
		return -1;
	while (p < end) {
		if (unpack_span(&p, end, nvals, v) == -1)
			return -1;
		n++;
	}
	return n;
}

static const char *
packed_str(const struct packed *v, size_t *len)
{
	if (v->type != 't') {
		*len = 0;
		return "";
	}
	*len = v->len;
	return v->t;
}

static int
key_is(const char *key, const struct packed *v)
{
	size_t		 len;
	const char	*s = packed_str(v, &len);

	return strlen(key) == len && memcmp(key, s, len) == 0;
}

static void
groups_free(struct groups *gs)
{
	size_t	 i;
	int	 k;

	for (i = 0; i < gs->n; i++)
		for (k = 0; k < 3; k++)
			free(gs->g[i].key[k]);
	gs->n = 0;
}

static enum db_rc
groups_add(struct db *db, struct groups *gs)
{
	sqlite3_stmt	*st = db->st[SQL_ROLLUP_ADD];
	struct group	*g;
	enum db_rc	 rc = DB_OK;
	size_t		 i;

	for (i = 0; i < gs->n && rc == DB_OK; i++) {
		g = &gs->g[i];
		sqlite3_bind_int64(st, 1, g->hour);
		bind_text(st, 2, g->key[0]);
		bind_text(st, 3, g->key[1]);
		bind_text(st, 4, g->key[2]);
		sqlite3_bind_int64(st, 5, g->requests);
		sqlite3_bind_int64(st, 6, g->errors);
		sqlite3_bind_int64(st, 7, g->unpriced);
		sqlite3_bind_int64(st, 8, g->prompt);
		sqlite3_bind_int64(st, 9, g->completion);
		sqlite3_bind_int64(st, 10, g->total);
		sqlite3_bind_double(st, 11, g->cost);
		sqlite3_bind_int64(st, 12, g->duration);
		sqlite3_bind_int64(st, 13, g->duration_n);
		rc = step_retry(db, SQL_ROLLUP_ADD, "rollups");
	}
	groups_free(gs);
	return rc;
}

/* Value k (1-based, as in INSERT_VALUES) as an integer, 0 when NULL. */
#define PV_INT(v, k)	((v)[(k) - 1].type == 'i' ? (v)[(k) - 1].i : 0)

/* Add one span's values to its group: -1 when no group is left for it
 * (or no memory). */
static int
groups_sum(struct groups *gs, const struct packed *v)
{
	const struct packed	*key[3] = { &v[6], &v[5], &v[20] };
	struct group		*g = NULL;
	int64_t			 hour;
	size_t			 i, len;
	const char		*s;
	int			 k;

	/* (timestamp / 3600000) * 3600000: SQLite's division truncates as
	 * C's does. */
	hour = PV_INT(v, 4) / 3600000 * 3600000;
	for (i = 0; i < gs->n && g == NULL; i++)
		if (gs->g[i].hour == hour && key_is(gs->g[i].key[0], key[0]) &&
		    key_is(gs->g[i].key[1], key[1]) &&
		    key_is(gs->g[i].key[2], key[2]))
			g = &gs->g[i];
	if (g == NULL) {
		if (gs->n == LF_DB_MOVE_GROUPS)
			return -1;
		g = &gs->g[gs->n];
		memset(g, 0, sizeof(*g));
		g->hour = hour;
		for (k = 0; k < 3; k++) {
			s = packed_str(key[k], &len);
			if ((g->key[k] = strndup(s, len)) == NULL) {
				while (k-- > 0)
					free(g->key[k]);
				return -1;
			}
		}
		gs->n++;
	}
	g->requests++;
	g->errors += PV_INT(v, 16) >= 400 || v[16].type != 'n';
	g->unpriced += v[6].type != 'n' && v[13].type == 'n';
	g->prompt += PV_INT(v, 8);
	g->completion += PV_INT(v, 9);
	g->total += PV_INT(v, 10);
	g->cost += v[13].type == 'r' ? v[13].r : 0;
	g->duration += PV_INT(v, 5);
	g->duration_n += v[4].type != 'n';
	return 0;
}

/*
 * The batch being moved as a table (the eponymous virtual table
 * llmflow_queue_batch, on writers' connections): one INSERT ... SELECT
 * stores a whole batch, as a statement per span would open and close a
 * cursor on traces and each of its indexes for every span.  It reads
 * db->mvbuf twice or three times (db->mv_pass): 1, every span, for its
 * id (SQL_QUEUE_KEYS), counting them (mv_read); 3, every span again
 * (SQL_QUEUE_TAKEN); 2, the spans mv_keep marks (SQL_QUEUE_MOVE),
 * counting them (mv_kept) and summing their rollups into mv_groups
 * (mv_full when they did not fit).  Its rowid is a span's
 * place in the batch, from 1, in both.  mv_bad: the data was damaged.
 */
struct qb_vtab {
	sqlite3_vtab	 base;
	struct db	*db;
};

struct qb_cursor {
	sqlite3_vtab_cursor	 base;
	struct db		*db;
	const unsigned char	*p, *end;
	struct packed		 v[SPAN_VALUES];
	sqlite3_int64		 row;
	int			 eof;
	int			 nvals;	/* packed per span (batch_spans) */
};

static int
qb_connect(sqlite3 *h, void *aux, int argc, const char *const *argv,
    sqlite3_vtab **out, char **err)
{
	struct qb_vtab	*vt;
	int		 rc;

	(void)argc;
	(void)argv;
	(void)err;
	if ((rc = sqlite3_declare_vtab(h, "CREATE TABLE x(" INSERT_COLS ")"))
	    != SQLITE_OK)
		return rc;
	if ((vt = sqlite3_malloc(sizeof(*vt))) == NULL)
		return SQLITE_NOMEM;
	memset(vt, 0, sizeof(*vt));
	vt->db = aux;
	*out = &vt->base;
	return SQLITE_OK;
}

static int
qb_disconnect(sqlite3_vtab *vt)
{
	sqlite3_free(vt);
	return SQLITE_OK;
}

static int
qb_best_index(sqlite3_vtab *vt, sqlite3_index_info *info)
{
	(void)vt;
	info->estimatedCost = 1000;
	info->estimatedRows = 1000;
	return SQLITE_OK;
}

static int
qb_open(sqlite3_vtab *vt, sqlite3_vtab_cursor **out)
{
	struct qb_cursor	*c;

	if ((c = sqlite3_malloc(sizeof(*c))) == NULL)
		return SQLITE_NOMEM;
	memset(c, 0, sizeof(*c));
	c->db = ((struct qb_vtab *)vt)->db;
	c->eof = 1;
	*out = &c->base;
	return SQLITE_OK;
}

static int
qb_close(sqlite3_vtab_cursor *c)
{
	sqlite3_free(c);
	return SQLITE_OK;
}

static int
qb_next(sqlite3_vtab_cursor *cur)
{
	struct qb_cursor	*c = (struct qb_cursor *)cur;
	struct db		*db = c->db;

	for (;;) {
		if (c->p >= c->end) {
			c->eof = 1;
			return SQLITE_OK;
		}
		if (unpack_span(&c->p, c->end, c->nvals, c->v) == -1) {
			db->mv_bad = 1;
			c->eof = 1;
			return SQLITE_OK;
		}
		c->row++;
		if (db->mv_pass != 2) {
			db->mv_read += db->mv_pass == 1;
			return SQLITE_OK;
		}
		if ((uint64_t)c->row <= db->mv_keepcap &&
		    db->mv_keep[c->row - 1])
			break;
	}
	db->mv_kept++;
	if (!db->mv_full && groups_sum(db->mv_groups, c->v) == -1)
		db->mv_full = 1;
	return SQLITE_OK;
}

static int
qb_filter(sqlite3_vtab_cursor *cur, int idx, const char *idxs, int argc,
    sqlite3_value **argv)
{
	struct qb_cursor	*c = (struct qb_cursor *)cur;
	struct db		*db = c->db;

	(void)idx;
	(void)idxs;
	(void)argc;
	(void)argv;
	c->end = db->mvbuf + db->mvlen;
	c->row = 0;
	c->eof = 0;
	/* A batch of another format is not read (counted as damaged). */
	if ((c->p = batch_spans(db->mvbuf, db->mvlen, &c->nvals)) == NULL) {
		db->mv_bad = 1;
		c->eof = 1;
		return SQLITE_OK;
	}
	return qb_next(cur);
}

static int
qb_eof(sqlite3_vtab_cursor *cur)
{
	return ((struct qb_cursor *)cur)->eof;
}

static int
qb_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i)
{
	const struct packed	*v = &((struct qb_cursor *)cur)->v[i];

	if (i < 0 || i >= SPAN_VALUES)
		return SQLITE_RANGE;
	switch (v->type) {
	case 'i':
		sqlite3_result_int64(ctx, v->i);
		break;
	case 'r':
		sqlite3_result_double(ctx, v->r);
		break;
	case 't':
		sqlite3_result_text64(ctx, v->t, v->len, SQLITE_STATIC,
		    SQLITE_UTF8);
		break;
	default:
		sqlite3_result_null(ctx);
	}
	return SQLITE_OK;
}

static int
qb_rowid(sqlite3_vtab_cursor *cur, sqlite3_int64 *rowid)
{
	*rowid = ((struct qb_cursor *)cur)->row;
	return SQLITE_OK;
}

static const sqlite3_module qb_module = {
	.iVersion = 0,
	.xCreate = NULL,	/* eponymous only */
	.xConnect = qb_connect,
	.xBestIndex = qb_best_index,
	.xDisconnect = qb_disconnect,
	.xDestroy = qb_disconnect,
	.xOpen = qb_open,
	.xClose = qb_close,
	.xFilter = qb_filter,
	.xNext = qb_next,
	.xEof = qb_eof,
	.xColumn = qb_column,
	.xRowid = qb_rowid,
};

/* Store the batch read into db->mvbuf (spans of them), with the move's
 * transaction open: first the ids of its spans not stored yet (the first
 * of a repeated one), then those spans, under the row numbers the ids
 * were given; its rollups are the sums read when every such span was
 * stored, else summed from the rows stored. */
static enum db_rc
move_batch(struct db *db, int64_t spans, struct db_moved *m)
{
	sqlite3_stmt	*taken_st = db->st[SQL_QUEUE_TAKEN];
	enum db_rc	 rc;
	int64_t		 seq, stored, taken = 0, row;
	unsigned char	*p;
	size_t		 n;
	int		 i;

	db->mv_read = db->mv_kept = 0;
	db->mv_bad = db->mv_full = 0;
	/* A span takes a byte at least: a damaged count is not believed. */
	n = spans < 0 ? 0 : (uint64_t)spans > db->mvlen ? db->mvlen :
	    (size_t)spans;
	if (n > db->mv_keepcap) {
		if ((p = realloc(db->mv_keep, n)) == NULL) {
			rc = DB_ERROR;
			goto fail;
		}
		db->mv_keep = p;
		db->mv_keepcap = n;
	}
	if (db->mv_keepcap > 0)
		memset(db->mv_keep, 0, db->mv_keepcap);
	if ((rc = step_int(db, SQL_MAX_SEQ, &seq, "max seq")) != DB_OK)
		goto fail;
	db->mv_pass = 1;
	if ((rc = step_after(db, SQL_QUEUE_KEYS, seq, "queue span ids")) != DB_OK)
		goto fail;
	/* Spans past mv_keepcap are not stored: their ids are cleared. */
	taken = sqlite3_changes64(db->h);
	if (taken == db->mv_read) {
		if (db->mv_keepcap > 0)
			memset(db->mv_keep, 1, db->mv_keepcap);
	} else {
		/* Some ids were stored already (an export sent again). */
		db->mv_pass = 3;
		sqlite3_bind_int64(taken_st, 1, seq);
		while ((i = sqlite3_step(taken_st)) == SQLITE_ROW) {
			row = sqlite3_column_int64(taken_st, 0);
			if (row >= 1 && (uint64_t)row <= db->mv_keepcap)
				db->mv_keep[row - 1] = 1;
		}
		sqlite3_reset(taken_st);
		sqlite3_clear_bindings(taken_st);
		if (i != SQLITE_DONE) {
			rc = db_rc_of(db, i, "queue span ids taken");
			goto fail;
		}
	}
	db->mv_pass = 2;
	if ((rc = step_after(db, SQL_QUEUE_MOVE, seq, "queue move")) != DB_OK)
		goto fail;
	stored = sqlite3_changes64(db->h);
	m->moved += stored;
	m->dropped += db->mv_read - stored;
	if (stored == taken && db->mv_kept == taken && !db->mv_full)
		rc = groups_add(db, db->mv_groups);
	else {
		groups_free(db->mv_groups);
		rc = step_after(db, SQL_ROLLUP_AFTER, seq, "rollups");
	}
	/* A span its id was taken for but the table refused (a constraint):
	 * its id goes too. */
	if (rc == DB_OK && stored != taken) {
		rc = step_after(db, SQL_SPAN_IDS_ORPHANS, seq, "span ids");
	}
	if (db->mv_bad || db->mv_read != spans) {
		log_warn("ingest queue: a batch of %lld spans is damaged: "
		    "%lld of them could not be read", (long long)spans,
		    (long long)(spans > db->mv_read ? spans - db->mv_read : 0));
		m->unreadable += spans > db->mv_read ? spans - db->mv_read : 0;
	}
	return rc;
fail:
	groups_free(db->mv_groups);
	return rc;
}

/* Read the data of batch qid (len bytes) into db->mvbuf, through *blob
 * (opened on the first batch, moved to the next ones). */
static enum db_rc
read_batch(struct db *db, sqlite3_blob **blob, int64_t qid, int64_t len)
{
	unsigned char	*p;
	size_t		 cap;
	int		 i;

	if (len < 0 || (uint64_t)len > LF_DB_QUEUE_BATCH_MAX) {
		log_warn("ingest queue: batch %lld is %lld bytes",
		    (long long)qid, (long long)len);
		return DB_ERROR;
	}
	if ((size_t)len > db->mvcap) {
		cap = db->mvcap ? db->mvcap : 65536;
		while (cap < (size_t)len)
			cap *= 2;
		if ((p = realloc(db->mvbuf, cap)) == NULL)
			return DB_ERROR;
		db->mvbuf = p;
		db->mvcap = cap;
	}
	i = *blob == NULL ? sqlite3_blob_open(db->h, "q", "otlp_queue_batch",
	    "data", qid, 0, blob) : sqlite3_blob_reopen(*blob, qid);
	if (i == SQLITE_OK && len > 0)
		i = sqlite3_blob_read(*blob, db->mvbuf, (int)len, 0);
	db->mvlen = (size_t)len;
	return i == SQLITE_OK ? DB_OK : db_rc_of(db, i, "queue batch read");
}

enum db_rc
db_queue_move(struct db *db, int64_t max, struct db_moved *m)
{
	sqlite3_stmt	*st = db->st[SQL_QUEUE_BATCHES];
	sqlite3_blob	*blob = NULL;
	enum db_rc	 rc;
	int64_t		 seq, spans, qid, len, taken = 0;
	int		 i = SQLITE_DONE;

	memset(m, 0, sizeof(m[0]));
	if (st == NULL || max <= 0)
		return DB_ERROR;
	if (db->mv_groups == NULL &&
	    (db->mv_groups = calloc(1, sizeof(*db->mv_groups))) == NULL)
		return DB_ERROR;
	/* Deferred: the first statement writes the database (so takes its
	 * lock at once); the queue file is only read. */
	if ((rc = step_retry(db, SQL_BEGIN_DEFERRED, "begin")) != DB_OK)
		return rc;
	/* Rollups, the count, the search index, the span ids and the trace
	 * rows are added below, once for all the moved rows, not by the
	 * per-row triggers (in_c 2; a DB_MOVE connection has none anyway). */
	sqlite3_bind_int(db->st[SQL_ROLLUP_WRITER], 1, 2);
	if ((rc = step_retry(db, SQL_ROLLUP_WRITER, "rollup writer")) !=
	    DB_OK || (rc = step_int(db, SQL_MAX_SEQ, &seq, "max seq")) != DB_OK)
		goto done;
	/* Whole batches, from the oldest, until max spans; the rest are
	 * only counted. */
	while ((i = sqlite3_step(st)) == SQLITE_ROW) {
		spans = sqlite3_column_int64(st, 1);
		if (taken >= max) {
			m->left += spans;
			continue;
		}
		qid = sqlite3_column_int64(st, 0);
		len = sqlite3_column_int64(st, 2);
		if ((rc = read_batch(db, &blob, qid, len)) != DB_OK ||
		    (rc = move_batch(db, spans, m)) != DB_OK)
			break;
		taken += spans;
		m->upto = qid;
	}
	sqlite3_reset(st);
	sqlite3_blob_close(blob);
	if (db->mvcap > 2 * LF_DB_QUEUE_BATCH_BYTES) {
		free(db->mvbuf);
		db->mvbuf = NULL;
		db->mvcap = db->mvlen = 0;
	}
	if (rc == DB_OK && i != SQLITE_DONE)
		rc = db_rc_of(db, i, "queue batches");
	if (rc == DB_OK)
		rc = add_derived(db, seq, m->moved, 2);
done:
	if (rc == DB_OK) {
		sqlite3_bind_int(db->st[SQL_ROLLUP_WRITER], 1, 0);
		rc = step_retry(db, SQL_ROLLUP_WRITER, "rollup writer");
	}
	if (rc == DB_OK)
		rc = db_commit(db);
	else
		db_rollback(db);
	if (rc != DB_OK)
		memset(m, 0, sizeof(m[0]));
	return rc;
}

enum db_rc
db_queue_delete(struct db *db, int64_t upto)
{
	if (upto <= 0)
		return DB_OK;
	return step_after(db, SQL_QUEUE_DELETE, upto, "queue delete");
}

/*
 * Copy the WAL of schema name back (passive: writers go on); when that
 * left a WAL of restart_at pages or more, copy again waiting for its
 * readers (restart), so the next writer starts it over.  With
 * need_lag, only when the passive copy stopped short at a reader.
 * Without wait, the restart gives up at once when a reader or writer is
 * in its way: a pending restart holds up every new writer.  Returns the
 * WAL's pages (0 after a restart).
 */
static int
checkpoint(sqlite3 *h, const char *name, int restart_at, int need_lag,
    int wait)
{
	int	 logn = 0, done = 0, rc;

	if (sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_PASSIVE,
	    &logn, &done) != SQLITE_OK || logn < restart_at ||
	    (need_lag && done >= logn))
		return logn;
	if (!wait)
		sqlite3_busy_timeout(h, 0);
	rc = sqlite3_wal_checkpoint_v2(h, name, SQLITE_CHECKPOINT_RESTART,
	    &logn, &done);
	if (!wait)
		sqlite3_busy_timeout(h, LF_DB_BUSY_TIMEOUT_MS);
	if (rc == SQLITE_OK)
		return 0;
	log_debug("%s checkpoint incomplete: %d of %d pages", name, done,
	    logn);
	return logn;
}

int
db_queue_checkpoint(struct db *db, int wait)
{
	if (db == NULL || db->h == NULL)
		return 0;
	/* Past the threshold only: RESTART waits for readers of the queue
	 * (a move in progress, a health check) to finish. */
	return checkpoint(db->h, db->mode == DB_QUEUE ? "main" : "q",
	    LF_DB_QUEUE_WAL_CHECKPOINT_PAGES, 0, wait);
}

int
db_checkpoint(struct db *db)
{
	if (db == NULL || db->h == NULL)
		return 0;
	/* Once the WAL is long, starts it over, waiting for its readers and
	 * its writer (the mover's next move waits meanwhile): the mover
	 * begins each move at once, so the WAL is never all copied when its
	 * next write begins, which would start it over. */
	return checkpoint(db->h, "main", LF_DB_WAL_MAX_PAGES, 0, 1);
}

enum db_rc
db_insert_log(struct db *db, const struct log_rec *r)
{
	sqlite3_stmt	*st = db->st[SQL_INSERT_LOG];

	if (st == NULL)
		return DB_ERROR;
	bind_i64(st, 1, r->timestamp);
	bind_i64(st, 2, r->observed_timestamp);
	bind_i64(st, 3, r->severity_number);
	bind_text(st, 4, r->severity_text);
	bind_text(st, 5, r->body);
	bind_text(st, 6, r->trace_id);
	bind_text(st, 7, r->span_id);
	bind_text(st, 8, r->event_name);
	bind_text(st, 9, r->service_name);
	bind_text(st, 10, r->scope_name);
	bind_text(st, 11, r->attributes);
	bind_text(st, 12, r->resource_attributes);
	return step_retry(db, SQL_INSERT_LOG, "insert log");
}

enum db_rc
db_insert_metric(struct db *db, const struct metric_rec *r)
{
	sqlite3_stmt	*st = db->st[SQL_INSERT_METRIC];

	if (st == NULL)
		return DB_ERROR;
	bind_i64(st, 1, r->timestamp);
	bind_text(st, 2, r->name);
	bind_text(st, 3, r->description);
	bind_text(st, 4, r->unit);
	bind_text(st, 5, r->metric_type);
	bind_i64(st, 6, r->value_int);
	bind_double(st, 7, r->value_double);
	bind_text(st, 8, r->histogram_data);
	bind_text(st, 9, r->service_name);
	bind_text(st, 10, r->scope_name);
	bind_text(st, 11, r->attributes);
	bind_text(st, 12, r->resource_attributes);
	return step_retry(db, SQL_INSERT_METRIC, "insert metric");
}

/* ---- Trees, rollups, sessions ------------------------------------------ */

enum db_rc
db_trace_spans(struct db *db, const char *id, trace_cb cb, void *arg)
{
	sqlite3_stmt	*st = db->st[SQL_TRACE_SPANS];
	enum db_rc	 rc;
	int		 n;

	bind_text(st, 1, id);
	sqlite3_bind_int64(st, 2, LF_MAX_TREE_SPANS);
	if ((rc = walk(db, st, W_SPANS, cb, arg, &n)) != DB_OK)
		return rc;
	return n ? DB_OK : DB_NOTFOUND;
}

enum db_rc
db_rollup(struct db *db, enum rollup_group g, int64_t from, int64_t to,
    rollup_cb cb, void *arg)
{
	static const enum stmt	 by[] = { SQL_ROLLUP_TOTAL, SQL_ROLLUP_MODEL,
	    SQL_ROLLUP_TOOL, SQL_ROLLUP_HOUR, SQL_ROLLUP_DAY };
	sqlite3_stmt		*st = db->st[by[g]];
	struct rollup_row	 r;
	int			 rc;

	bind_i64(st, 1, from);
	bind_i64(st, 2, to);
	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		/* SUM over no rows is NULL: a total of nothing is 0. */
		r.bucket = col_i64(st, 0);
		r.model = col_text(st, 1);
		r.provider = col_text(st, 2);
		r.service_name = col_text(st, 3);
		r.requests = sqlite3_column_int64(st, 4);
		r.errors = sqlite3_column_int64(st, 5);
		r.unpriced = sqlite3_column_int64(st, 6);
		r.prompt_tokens = sqlite3_column_int64(st, 7);
		r.completion_tokens = sqlite3_column_int64(st, 8);
		r.total_tokens = sqlite3_column_int64(st, 9);
		r.cost = sqlite3_column_double(st, 10);
		r.duration_ms = sqlite3_column_int64(st, 11);
		r.duration_n = sqlite3_column_int64(st, 12);
		if (cb(arg, &r) != 0) {
			sqlite3_reset(st);
			return DB_ERROR;
		}
	}
	sqlite3_reset(st);
	return db_rc_of(db, rc, "rollup");
}

enum db_rc
db_sessions(struct db *db, int64_t limit, int64_t offset, session_cb cb,
    void *arg, int64_t *total)
{
	sqlite3_stmt		*st = db->st[SQL_SESSIONS_COUNT];
	struct session_row	 r;
	int			 rc;

	db->progress_calls = 0;
	*total = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*total = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW)
		return db_rc_of(db, rc, "sessions count");
	st = db->st[SQL_SESSIONS];
	sqlite3_bind_int64(st, 1, limit);
	sqlite3_bind_int64(st, 2, offset);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r.session_id = col_text(st, 0);
		r.first_seen = sqlite3_column_int64(st, 1);
		r.last_seen = sqlite3_column_int64(st, 2);
		r.trace_count = sqlite3_column_int64(st, 3);
		r.total_cost = sqlite3_column_double(st, 4);
		r.total_tokens = sqlite3_column_int64(st, 5);
		r.agent_name = col_text(st, 6);
		r.service_name = col_text(st, 7);
		if (cb(arg, &r) != 0) {
			sqlite3_reset(st);
			return DB_ERROR;
		}
	}
	sqlite3_reset(st);
	return db_rc_of(db, rc, "sessions");
}

enum db_rc
db_session_traces(struct db *db, const char *session_id, session_trace_cb cb,
    void *arg)
{
	sqlite3_stmt		*st = db->st[SQL_SESSION_TRACES];
	struct session_trace	 t;
	int			 rc, n = 0;

	bind_text(st, 1, session_id);
	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t.trace_id = col_text(st, 0);
		t.started_at = sqlite3_column_int64(st, 1);
		t.ended_at = sqlite3_column_int64(st, 2);
		t.cost = sqlite3_column_double(st, 3);
		t.tokens = sqlite3_column_int64(st, 4);
		t.span_count = sqlite3_column_int64(st, 5);
		t.has_error = sqlite3_column_int(st, 6);
		n++;
		if (cb(arg, &t) != 0) {
			sqlite3_reset(st);
			return DB_ERROR;
		}
	}
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_rc_of(db, rc, "session traces");
	return n ? DB_OK : DB_NOTFOUND;
}

/* ---- Logs and metrics ---------------------------------------------------- */

void
log_filter_init(struct log_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->severity_min = f->date_from = f->date_to = DB_NULL;
}

void
metric_filter_init(struct metric_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->date_from = f->date_to = DB_NULL;
}

static void
read_log(sqlite3_stmt *st, struct log_row *r)
{
	r->id = col_text(st, 0);
	r->timestamp = col_i64(st, 1);
	r->observed_timestamp = col_i64(st, 2);
	r->severity_number = col_i64(st, 3);
	r->severity_text = col_text(st, 4);
	r->body = col_text(st, 5);
	r->trace_id = col_text(st, 6);
	r->span_id = col_text(st, 7);
	r->event_name = col_text(st, 8);
	r->service_name = col_text(st, 9);
	r->scope_name = col_text(st, 10);
	r->attributes = col_text(st, 11);
	r->resource_attributes = col_text(st, 12);
}

static void
read_metric(sqlite3_stmt *st, struct metric_row *r)
{
	r->id = col_text(st, 0);
	r->timestamp = col_i64(st, 1);
	r->name = col_text(st, 2);
	r->description = col_text(st, 3);
	r->unit = col_text(st, 4);
	r->metric_type = col_text(st, 5);
	r->value_int = col_i64(st, 6);
	r->value_double = col_double(st, 7);
	r->histogram_data = col_text(st, 8);
	r->service_name = col_text(st, 9);
	r->scope_name = col_text(st, 10);
	r->attributes = col_text(st, 11);
	r->resource_attributes = col_text(st, 12);
}

/* Bind a log filter's values to st (list or count statement). */
static void
bind_log_filter(sqlite3_stmt *st, const struct log_filter *f, const char *q)
{
	if (f->service_name)
		bind_named_text(st, ":service", f->service_name);
	if (f->event_name)
		bind_named_text(st, ":event", f->event_name);
	if (f->trace_id)
		bind_named_text(st, ":trace", f->trace_id);
	if (f->severity_min != DB_NULL)
		bind_named_i64(st, ":severity", f->severity_min);
	if (q)
		bind_named_text(st, ":q", q);
	if (f->date_from != DB_NULL)
		bind_named_i64(st, ":from", f->date_from);
	if (f->date_to != DB_NULL)
		bind_named_i64(st, ":to", f->date_to);
	bind_named_i64(st, ":limit", f->limit > 0 ? f->limit : -1);
	bind_named_i64(st, ":offset", f->offset);
}

/* Run a count(*) statement; resets it. */
static enum db_rc
count_of(struct db *db, sqlite3_stmt *st, int64_t *n)
{
	int	 rc;

	*n = 0;
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_ROW ? DB_OK : db_rc_of(db, rc, "count");
}

enum db_rc
db_logs_list(struct db *db, const struct log_filter *f, log_cb cb, void *arg,
    int64_t *total)
{
	sqlite3_stmt	*st;
	struct buf	 like;
	struct log_row	 r;
	unsigned	 mask = 0;
	const char	*q = NULL;
	enum db_rc	 erc;
	int		 rc;

	buf_init(&like, 4 * LF_MAX_PARAM + 8);
	if (f->q && *f->q) {
		if (like_pattern(&like, f->q) == -1) {
			buf_free(&like);
			return DB_ERROR;
		}
		q = like.p;
		mask |= 1u << LG_Q;
	}
	if (f->service_name)
		mask |= 1u << LG_SERVICE;
	if (f->event_name)
		mask |= 1u << LG_EVENT;
	if (f->trace_id)
		mask |= 1u << LG_TRACE;
	if (f->severity_min != DB_NULL)
		mask |= 1u << LG_SEVERITY;
	if (f->date_from != DB_NULL)
		mask |= 1u << LG_FROM;
	if (f->date_to != DB_NULL)
		mask |= 1u << LG_TO;
	db->progress_calls = 0;
	erc = DB_ERROR;
	if (total != NULL) {
		if ((st = list_stmt(db, LK_LOGS_COUNT, mask)) == NULL)
			goto out;
		bind_log_filter(st, f, q);
		if ((erc = count_of(db, st, total)) != DB_OK)
			goto out;
		erc = DB_ERROR;
	}
	if ((st = list_stmt(db, LK_LOGS, mask)) == NULL)
		goto out;
	bind_log_filter(st, f, q);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_log(st, &r);
		if (cb(arg, &r) != 0)
			break;
	}
	erc = rc == SQLITE_ROW ? DB_ERROR : db_rc_of(db, rc, "logs");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
out:
	buf_free(&like);
	return erc;
}

enum db_rc
db_log_get(struct db *db, const char *id, log_cb cb, void *arg)
{
	sqlite3_stmt	*st = db->st[SQL_LOG_GET];
	struct log_row	 r;
	int		 rc;

	bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_log(st, &r);
		cb(arg, &r);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return DB_NOTFOUND;
	return rc == SQLITE_ROW ? DB_OK : db_rc_of(db, rc, "log");
}

/* Hand each text of a one-column statement to cb; resets st. */
static enum db_rc
each_text(struct db *db, sqlite3_stmt *st, str_cb cb, void *arg)
{
	int	 rc;

	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (cb(arg, col_text(st, 0)) != 0)
			break;
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_ERROR : db_rc_of(db, rc, "distinct");
}

enum db_rc
db_logs_distinct(struct db *db, int which, str_cb cb, void *arg)
{
	return each_text(db, db->st[which == 0 ? SQL_LOG_SERVICES :
	    SQL_LOG_EVENTS], cb, arg);
}

static void
bind_metric_filter(sqlite3_stmt *st, const struct metric_filter *f)
{
	if (f->name)
		bind_named_text(st, ":name", f->name);
	if (f->service_name)
		bind_named_text(st, ":service", f->service_name);
	if (f->metric_type)
		bind_named_text(st, ":type", f->metric_type);
	if (f->date_from != DB_NULL)
		bind_named_i64(st, ":from", f->date_from);
	if (f->date_to != DB_NULL)
		bind_named_i64(st, ":to", f->date_to);
	bind_named_i64(st, ":limit", f->limit > 0 ? f->limit : -1);
	bind_named_i64(st, ":offset", f->offset);
}

enum db_rc
db_metrics_list(struct db *db, const struct metric_filter *f, metric_cb cb,
    void *arg, int64_t *total)
{
	sqlite3_stmt		*st;
	struct metric_row	 r;
	unsigned		 mask = 0;
	enum db_rc		 erc;
	int			 rc;

	if (f->name)
		mask |= 1u << MF_NAME;
	if (f->service_name)
		mask |= 1u << MF_SERVICE;
	if (f->metric_type)
		mask |= 1u << MF_TYPE;
	if (f->date_from != DB_NULL)
		mask |= 1u << MF_FROM;
	if (f->date_to != DB_NULL)
		mask |= 1u << MF_TO;
	db->progress_calls = 0;
	if (total != NULL) {
		if ((st = list_stmt(db, LK_METRICS_COUNT, mask)) == NULL)
			return DB_ERROR;
		bind_metric_filter(st, f);
		if ((erc = count_of(db, st, total)) != DB_OK)
			return erc;
	}
	if ((st = list_stmt(db, LK_METRICS, mask)) == NULL)
		return DB_ERROR;
	bind_metric_filter(st, f);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_metric(st, &r);
		if (cb(arg, &r) != 0)
			break;
	}
	erc = rc == SQLITE_ROW ? DB_ERROR : db_rc_of(db, rc, "metrics");
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return erc;
}

enum db_rc
db_metric_get(struct db *db, const char *id, metric_cb cb, void *arg)
{
	sqlite3_stmt		*st = db->st[SQL_METRIC_GET];
	struct metric_row	 r;
	int			 rc;

	bind_text(st, 1, id);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_metric(st, &r);
		cb(arg, &r);
	}
	sqlite3_reset(st);
	if (rc == SQLITE_DONE)
		return DB_NOTFOUND;
	return rc == SQLITE_ROW ? DB_OK : db_rc_of(db, rc, "metric");
}

enum db_rc
db_metrics_distinct(struct db *db, int which, str_cb cb, void *arg)
{
	return each_text(db, db->st[which == 0 ? SQL_METRIC_NAMES :
	    SQL_METRIC_SERVICES], cb, arg);
}

enum db_rc
db_metrics_summary(struct db *db, int64_t from, int64_t to,
    metric_summary_cb cb, void *arg)
{
	sqlite3_stmt		*st = db->st[SQL_METRICS_SUMMARY];
	struct metric_summary	 m;
	int			 rc;

	sqlite3_bind_int64(st, 1, from == DB_NULL ? INT64_MIN : from);
	sqlite3_bind_int64(st, 2, to == DB_NULL ? INT64_MAX : to);
	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m.name = col_text(st, 0);
		m.service_name = col_text(st, 1);
		m.metric_type = col_text(st, 2);
		m.data_points = sqlite3_column_int64(st, 3);
		m.first_seen = col_i64(st, 4);
		m.last_seen = col_i64(st, 5);
		m.sum_int = col_i64(st, 6);
		m.avg_double = col_double(st, 7);
		m.max_int = col_i64(st, 8);
		m.min_int = col_i64(st, 9);
		if (cb(arg, &m) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_ERROR : db_rc_of(db, rc, "metrics summary");
}

enum db_rc
db_token_usage(struct db *db, token_usage_cb cb, void *arg)
{
	sqlite3_stmt		*st = db->st[SQL_TOKEN_USAGE];
	struct token_usage	 t;
	int			 rc;

	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		t.service_name = col_text(st, 0);
		t.model = col_text(st, 1);
		t.token_type = col_text(st, 2);
		t.total_tokens = sqlite3_column_int64(st, 3);
		if (cb(arg, &t) != 0)
			break;
	}
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? DB_ERROR : db_rc_of(db, rc, "token usage");
}

/* ---- Retention ------------------------------------------------------------ */

static int64_t
count_in(struct db *db, const char *tbl)
{
	sqlite3_stmt	*st = db->st[SQL_COUNT_OF];
	int64_t		 n = 0;

	bind_text(st, 1, tbl);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return n;
}

/* Delete the whole traces of up to `rows` oldest rows older than cutoff. */
static enum db_rc
prune_traces(struct db *db, int64_t rows, int64_t cutoff, int64_t *deleted)
{
	sqlite3_stmt	*sel = db->st[SQL_PRUNE_OLDEST];
	sqlite3_stmt	*del = db->st[SQL_PRUNE_TRACE];
	char		 ids[LF_PRUNE_BATCH][LF_MAX_ID + 1];
	int		 n = 0, i, rc;

	sqlite3_bind_int64(sel, 1, rows);
	sqlite3_bind_int64(sel, 2, cutoff);
	while (n < LF_PRUNE_BATCH && (rc = sqlite3_step(sel)) == SQLITE_ROW) {
		const char *t = col_text(sel, 0);
		snprintf(ids[n++], sizeof(ids[0]), "%s", t ? t : "");
	}
	sqlite3_reset(sel);
	for (i = 0; i < n; i++) {
		bind_text(del, 1, ids[i]);
		rc = sqlite3_step(del);
		sqlite3_reset(del);
		if (rc != SQLITE_DONE)
			return db_rc_of(db, rc, "prune traces");
		*deleted += sqlite3_changes(db->h);
	}
	return DB_OK;
}

static enum db_rc
prune_rows(struct db *db, enum stmt which, int64_t rows, int64_t cutoff,
    int64_t *deleted)
{
	sqlite3_stmt	*st = db->st[which];
	int		 rc;

	sqlite3_bind_int64(st, 1, rows);
	sqlite3_bind_int64(st, 2, cutoff);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return db_rc_of(db, rc, "prune");
	*deleted += sqlite3_changes(db->h);
	return DB_OK;
}

enum db_rc
db_prune(struct db *db, const struct retention *r, int *more)
{
	int64_t		 n, cutoff = INT64_MAX, deleted = 0, over;
	enum db_rc	 rc;
	char		 pragma[64];

	*more = 0;
	if (db->st[SQL_PRUNE_TRACE] == NULL)
		return DB_ERROR;
	if (r->max_age_ms > 0) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		cutoff = (int64_t)ts.tv_sec * 1000 - r->max_age_ms;
	}
	if ((rc = db_begin(db)) != DB_OK)
		return rc;
	/* Over a count: the oldest rows, whole traces.  Too old: the same,
	 * limited to rows before the cutoff. */
	n = count_in(db, "traces");
	over = r->max_traces > 0 && n > r->max_traces ? n - r->max_traces : 0;
	if (over > 0 || cutoff != INT64_MAX) {
		int64_t rows = over > 0 ? over : LF_PRUNE_BATCH;
		if (rows > LF_PRUNE_BATCH)
			rows = LF_PRUNE_BATCH;
		if ((rc = prune_traces(db, rows, over > 0 ? INT64_MAX : cutoff,
		    &deleted)) != DB_OK)
			goto fail;
		if (over > LF_PRUNE_BATCH)
			*more = 1;
	}
	n = count_in(db, "logs");
	over = r->max_logs > 0 && n > r->max_logs ? n - r->max_logs : 0;
	if (over > 0 || cutoff != INT64_MAX) {
		if ((rc = prune_rows(db, SQL_PRUNE_LOGS, over > 0 ?
		    (over < LF_PRUNE_BATCH ? over : LF_PRUNE_BATCH) :
		    LF_PRUNE_BATCH, over > 0 ? INT64_MAX : cutoff,
		    &deleted)) != DB_OK)
			goto fail;
		if (over > LF_PRUNE_BATCH)
			*more = 1;
	}
	n = count_in(db, "metrics");
	over = r->max_metrics > 0 && n > r->max_metrics ? n - r->max_metrics : 0;
	if (over > 0 || cutoff != INT64_MAX) {
		if ((rc = prune_rows(db, SQL_PRUNE_METRICS, over > 0 ?
		    (over < LF_PRUNE_BATCH ? over : LF_PRUNE_BATCH) :
		    LF_PRUNE_BATCH, over > 0 ? INT64_MAX : cutoff,
		    &deleted)) != DB_OK)
			goto fail;
		if (over > LF_PRUNE_BATCH)
			*more = 1;
	}
	if ((rc = db_commit(db)) != DB_OK)
		return rc;
	if (deleted > 0) {
		/* Give back about what was freed. */
		snprintf(pragma, sizeof(pragma), "PRAGMA incremental_vacuum(%d)",
		    LF_PRUNE_VACUUM_PAGES);
		sqlite3_exec(db->h, pragma, NULL, NULL, NULL);
		log_debug("pruned %lld rows", (long long)deleted);
	}
	return DB_OK;
fail:
	db_rollback(db);
	return rc;
}

void
db_maintain(struct db *db)
{
	struct retention	 r;
	int			 more = 1, rounds;

	r.max_traces = cfg.max_traces;
	r.max_logs = cfg.max_logs;
	r.max_metrics = cfg.max_metrics;
	r.max_age_ms = (int64_t)cfg.max_age_days * 86400000;
	for (rounds = 0; more && rounds < 8; rounds++)
		if (db_prune(db, &r, &more) != DB_OK)
			break;
}
