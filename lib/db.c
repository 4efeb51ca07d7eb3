/*
 * All SQL.  Statements are an enum-indexed table, prepared once per
 * handle and reset after use; the traces list picks constant WHERE
 * fragments by a bitmask of the filters given, each combination prepared
 * once.  Nothing from a request is ever pasted into SQL.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "limits.h"
#include "log.h"

extern const char schema_sql[];		/* schema.sql, compiled in */

enum stmt {
	SQL_INSERT_TRACE,
	SQL_TRACE_GET,
	SQL_STATS,
	SQL_STATS_MODELS,
	SQL_TRACE_COUNT,
	SQL_INSERT_SPAN,	/* writers only, from here on */
	SQL_INSERT_LOG,
	SQL_INSERT_METRIC,
	SQL_BEGIN,
	SQL_COMMIT,
	SQL_ROLLBACK,
	SQL__MAX
};

/* Columns of a summary row, in the order read_summary() expects. */
#define SUMMARY_COLS \
	"id, trace_id, parent_id, timestamp, duration_ms, ttft_ms, provider, " \
	"model, prompt_tokens, completion_tokens, total_tokens, " \
	"cached_tokens, cache_creation_tokens, reasoning_tokens, " \
	"estimated_cost, cost_source, status, error, request_method, " \
	"request_path, tags, span_type, span_name, service_name, " \
	"session_id, conversation_id, agent_name"
#define SUMMARY_NCOLS	27

static const char *const sqls[SQL__MAX] = {
	/* SQL_INSERT_TRACE */
	"INSERT INTO traces (id, trace_id, parent_id, timestamp, duration_ms, "
	"ttft_ms, provider, model, prompt_tokens, completion_tokens, "
	"total_tokens, cached_tokens, cache_creation_tokens, reasoning_tokens, "
	"estimated_cost, cost_source, status, error, request_method, "
	"request_path, request_headers, request_body, request_body_truncated, "
	"response_status, response_headers, response_body, "
	"response_body_truncated, tags, span_type, span_name, service_name, "
	"session_id, conversation_id, agent_name, input, output, attributes) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	"?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
	"?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37)",
	/* SQL_TRACE_GET */
	"SELECT " SUMMARY_COLS ", request_headers, request_body, "
	"request_body_truncated, response_status, response_headers, "
	"response_body, response_body_truncated, input, output, attributes "
	"FROM traces WHERE id = ?1",
	/* SQL_STATS */
	"SELECT COUNT(*), COALESCE(SUM(total_tokens), 0), "
	"COALESCE(SUM(estimated_cost), 0), COALESCE(SUM(duration_ms), 0), "
	"COALESCE(SUM(status >= 400 OR error IS NOT NULL), 0), "
	"AVG(duration_ms), COALESCE(SUM(cost_source = 'unknown'), 0) "
	"FROM traces",
	/* SQL_STATS_MODELS */
	"SELECT model, COUNT(*), COALESCE(SUM(total_tokens), 0), "
	"COALESCE(SUM(estimated_cost), 0), "
	"COALESCE(SUM(cost_source = 'unknown'), 0) "
	"FROM traces GROUP BY model ORDER BY COUNT(*) DESC, model",
	/* SQL_TRACE_COUNT */
	"SELECT COUNT(*) FROM traces",
	/* SQL_INSERT_SPAN: a span already stored is kept, this one dropped. */
	"INSERT OR IGNORE INTO traces (id, trace_id, parent_id, timestamp, "
	"duration_ms, provider, model, prompt_tokens, completion_tokens, "
	"total_tokens, cached_tokens, cache_creation_tokens, reasoning_tokens, "
	"estimated_cost, cost_source, status, error, tags, span_type, "
	"span_name, service_name, session_id, conversation_id, agent_name, "
	"input, output, attributes, span_kind, scope_name, user_id, events, "
	"resource_attributes) "
	"VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
	"?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, "
	"?29, ?30, ?31, ?32)",
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
};

/* Filters of the traces list, one bit each. */
enum filt {
	F_MODEL, F_PROVIDER, F_SUCCESS, F_ERROR, F_FROM, F_TO, F_Q, F__MAX
};

static const char *const filt_sql[F__MAX] = {
	"model = :model",
	"provider = :provider",
	"(status IS NULL OR status < 400) AND error IS NULL",
	"(status >= 400 OR error IS NOT NULL)",
	"timestamp >= :from",
	"timestamp <= :to",
	"(request_body LIKE :q ESCAPE '\\' OR response_body LIKE :q ESCAPE '\\'"
	" OR input LIKE :q ESCAPE '\\' OR output LIKE :q ESCAPE '\\'"
	" OR span_name LIKE :q ESCAPE '\\' OR model LIKE :q ESCAPE '\\')",
};

struct db {
	sqlite3		*h;
	enum db_mode	 mode;
	sqlite3_stmt	*st[SQL__MAX];
	sqlite3_stmt	*list[1 << F__MAX];
	unsigned	 progress_calls;
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

	if ((rc = exec_retry(db->h, "BEGIN IMMEDIATE")) != SQLITE_OK)
		return db_rc_of(db, rc, "migration begin");
	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &st,
	    NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
		goto out;
	cur = sqlite3_column_int(st, 0);
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
wal_cb(void *arg, sqlite3 *h, const char *name, int pages)
{
	int	 logn = 0, done = 0;

	if (pages < LF_DB_WAL_CHECKPOINT_PAGES)
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

static enum db_rc
open_handle(struct db *db, const char *path, int flags)
{
	int	 rc;

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

enum db_rc
db_open(struct db **out, const char *path, enum db_mode mode)
{
	struct db	*db;
	enum db_rc	 rc;
	int		 i;

	*out = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL)
		return DB_ERROR;
	db->mode = mode;
	if (make_parent(path) == -1) {
		log_warn("cannot create the directory of %s: %s", path,
		    strerror(errno));
		free(db);
		return DB_ERROR;
	}
	/* Every program can create and migrate: whoever is first does. */
	umask(077);
	if ((rc = open_handle(db, path,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)) != DB_OK)
		goto fail;
	if ((i = exec_retry(db->h, "PRAGMA journal_mode = WAL")) != SQLITE_OK ||
	    (i = exec_retry(db->h, "PRAGMA synchronous = NORMAL")) != SQLITE_OK) {
		rc = db_rc_of(db, i, "open pragmas");
		goto fail;
	}
	if ((rc = migrate(db)) != DB_OK)
		goto fail;
	if (mode == DB_WRITE) {
		char	 pragma[128];

		snprintf(pragma, sizeof(pragma), "PRAGMA journal_size_limit = %lld;"
		    " PRAGMA cache_size = -%d", (long long)LF_DB_JOURNAL_SIZE_LIMIT,
		    LF_DB_WRITER_CACHE_KIB);
		if ((i = exec_retry(db->h, pragma)) != SQLITE_OK) {
			rc = db_rc_of(db, i, "writer pragmas");
			goto fail;
		}
		sqlite3_wal_hook(db->h, wal_cb, db);
	}
	if (mode == DB_READ) {
		sqlite3_close(db->h);
		db->h = NULL;
		if ((rc = open_handle(db, path, SQLITE_OPEN_READONLY)) != DB_OK)
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
	for (i = 0; i < SQL__MAX; i++)
		sqlite3_finalize(db->st[i]);
	for (i = 0; i < sizeof(db->list) / sizeof(db->list[0]); i++)
		sqlite3_finalize(db->list[i]);
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
	int		 rc, tries = 0;

	if (st == NULL)
		return DB_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->trace_id ? r->trace_id : r->id);
	bind_text(st, 3, r->parent_id);
	bind_i64(st, 4, r->timestamp);
	bind_i64(st, 5, r->duration_ms);
	bind_i64(st, 6, r->ttft_ms);
	bind_text(st, 7, r->provider);
	bind_text(st, 8, r->model);
	bind_i64(st, 9, r->prompt_tokens);
	bind_i64(st, 10, r->completion_tokens);
	bind_i64(st, 11, r->total_tokens);
	bind_i64(st, 12, r->cached_tokens);
	bind_i64(st, 13, r->cache_creation_tokens);
	bind_i64(st, 14, r->reasoning_tokens);
	if (isfinite(r->estimated_cost))
		sqlite3_bind_double(st, 15, r->estimated_cost);
	else
		sqlite3_bind_null(st, 15);
	bind_text(st, 16, r->cost_source ? r->cost_source : "unknown");
	bind_i64(st, 17, r->status);
	bind_text(st, 18, r->error);
	bind_text(st, 19, r->request_method);
	bind_text(st, 20, r->request_path);
	bind_text(st, 21, r->request_headers);
	bind_textn(st, 22, r->request_body, r->request_body_len);
	sqlite3_bind_int(st, 23, r->request_body_truncated != 0);
	bind_i64(st, 24, r->response_status);
	bind_text(st, 25, r->response_headers);
	bind_textn(st, 26, r->response_body, r->response_body_len);
	sqlite3_bind_int(st, 27, r->response_body_truncated != 0);
	bind_text(st, 28, r->tags);
	bind_text(st, 29, r->span_type ? r->span_type : "llm");
	bind_text(st, 30, r->span_name);
	bind_text(st, 31, r->service_name);
	bind_text(st, 32, r->session_id);
	bind_text(st, 33, r->conversation_id);
	bind_text(st, 34, r->agent_name);
	bind_text(st, 35, r->input);
	bind_text(st, 36, r->output);
	bind_text(st, 37, r->attributes);
	while ((rc = sqlite3_step(st)) == SQLITE_BUSY &&
	    ++tries <= LF_DB_BUSY_RETRIES)
		sqlite3_reset(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
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

/* Step through rows, handing each to cb; resets st. */
static enum db_rc
walk(struct db *db, sqlite3_stmt *st, int detail, trace_cb cb, void *arg,
    int *nrows)
{
	struct trace_rec	 r;
	int			 rc, n = 0, k = SUMMARY_NCOLS;
	enum db_rc		 erc = DB_OK;

	db->progress_calls = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		read_summary(st, &r);
		if (detail) {
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

/* The list statement for a filter combination, prepared on first use. */
static sqlite3_stmt *
list_stmt(struct db *db, unsigned mask)
{
	struct buf	 sql;
	int		 i, first = 1;

	if (db->list[mask] != NULL)
		return db->list[mask];
	buf_init(&sql, 8192);
	buf_adds(&sql, "SELECT " SUMMARY_COLS " FROM traces");
	for (i = 0; i < F__MAX; i++) {
		if (!(mask & (1u << i)))
			continue;
		buf_adds(&sql, first ? " WHERE " : " AND ");
		buf_adds(&sql, filt_sql[i]);
		first = 0;
	}
	buf_adds(&sql, " ORDER BY timestamp DESC, id DESC"
	    " LIMIT :limit OFFSET :offset");
	if (sql.err || sqlite3_prepare_v3(db->h, sql.p, -1,
	    SQLITE_PREPARE_PERSISTENT, &db->list[mask], NULL) != SQLITE_OK) {
		db_rc_of(db, SQLITE_ERROR, "prepare list");
		db->list[mask] = NULL;
	}
	buf_free(&sql);
	return db->list[mask];
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

enum db_rc
db_traces_list(struct db *db, const struct trace_filter *f, trace_cb cb,
    void *arg)
{
	sqlite3_stmt	*st;
	struct buf	 like;
	unsigned	 mask = 0;
	const char	*p;

	if (f->model)
		mask |= 1u << F_MODEL;
	if (f->provider)
		mask |= 1u << F_PROVIDER;
	if (f->status == STATUS_SUCCESS)
		mask |= 1u << F_SUCCESS;
	if (f->status == STATUS_ERROR)
		mask |= 1u << F_ERROR;
	if (f->date_from != DB_NULL)
		mask |= 1u << F_FROM;
	if (f->date_to != DB_NULL)
		mask |= 1u << F_TO;
	if (f->q && *f->q)
		mask |= 1u << F_Q;
	if ((st = list_stmt(db, mask)) == NULL)
		return DB_ERROR;
	buf_init(&like, 4 * LF_MAX_PARAM + 8);
	if (mask & (1u << F_Q)) {
		/* The user's text is matched literally. */
		buf_addc(&like, '%');
		for (p = f->q; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				buf_addc(&like, '\\');
			buf_addc(&like, *p);
		}
		buf_addc(&like, '%');
		if (like.err) {
			buf_free(&like);
			return DB_ERROR;
		}
		bind_named_text(st, ":q", like.p);
	}
	if (f->model)
		bind_named_text(st, ":model", f->model);
	if (f->provider)
		bind_named_text(st, ":provider", f->provider);
	if (f->date_from != DB_NULL)
		bind_named_i64(st, ":from", f->date_from);
	if (f->date_to != DB_NULL)
		bind_named_i64(st, ":to", f->date_to);
	bind_named_i64(st, ":limit", f->limit);
	bind_named_i64(st, ":offset", f->offset);
	buf_free(&like);
	return walk(db, st, 0, cb, arg, NULL);
}

enum db_rc
db_trace_get(struct db *db, const char *id, trace_cb cb, void *arg)
{
	sqlite3_stmt	*st = db->st[SQL_TRACE_GET];
	enum db_rc	 rc;
	int		 n;

	bind_text(st, 1, id);
	if ((rc = walk(db, st, 1, cb, arg, &n)) != DB_OK)
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

enum db_rc
db_begin(struct db *db)
{
	return step_retry(db, SQL_BEGIN, "begin");
}

enum db_rc
db_commit(struct db *db)
{
	enum db_rc	 rc;

	if ((rc = step_retry(db, SQL_COMMIT, "commit")) != DB_OK)
		db_rollback(db);
	return rc;
}

void
db_rollback(struct db *db)
{
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

enum db_rc
db_insert_span(struct db *db, const struct trace_rec *r, int *inserted)
{
	sqlite3_stmt	*st = db->st[SQL_INSERT_SPAN];
	enum db_rc	 rc;

	*inserted = 0;
	if (st == NULL)
		return DB_ERROR;
	bind_text(st, 1, r->id);
	bind_text(st, 2, r->trace_id ? r->trace_id : r->id);
	bind_text(st, 3, r->parent_id);
	bind_i64(st, 4, r->timestamp);
	bind_i64(st, 5, r->duration_ms);
	bind_text(st, 6, r->provider);
	bind_text(st, 7, r->model);
	bind_i64(st, 8, r->prompt_tokens);
	bind_i64(st, 9, r->completion_tokens);
	bind_i64(st, 10, r->total_tokens);
	bind_i64(st, 11, r->cached_tokens);
	bind_i64(st, 12, r->cache_creation_tokens);
	bind_i64(st, 13, r->reasoning_tokens);
	bind_double(st, 14, r->estimated_cost);
	bind_text(st, 15, r->cost_source ? r->cost_source : "unknown");
	bind_i64(st, 16, r->status);
	bind_text(st, 17, r->error);
	bind_text(st, 18, r->tags);
	bind_text(st, 19, r->span_type ? r->span_type : "custom");
	bind_text(st, 20, r->span_name);
	bind_text(st, 21, r->service_name);
	bind_text(st, 22, r->session_id);
	bind_text(st, 23, r->conversation_id);
	bind_text(st, 24, r->agent_name);
	bind_text(st, 25, r->input);
	bind_text(st, 26, r->output);
	bind_text(st, 27, r->attributes);
	bind_text(st, 28, r->span_kind);
	bind_text(st, 29, r->scope_name);
	bind_text(st, 30, r->user_id);
	bind_text(st, 31, r->events);
	bind_text(st, 32, r->resource_attributes);
	if ((rc = step_retry(db, SQL_INSERT_SPAN, "insert span")) == DB_OK)
		*inserted = sqlite3_changes(db->h) > 0;
	return rc;
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
