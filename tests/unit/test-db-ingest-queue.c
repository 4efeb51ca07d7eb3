/* The OTLP ingest queue (a file beside the database): spans appended in a
 * transaction as packed batches, moved into traces in order with their
 * rollups, count and search index, then taken off the queue; a span whose
 * id is already stored is dropped, a move takes whole batches up to max
 * spans, and moving again what was moved but not taken off stores nothing
 * twice.  A damaged batch is skipped and
 * counted; a queue file of the earlier layout (a span per row) is stored
 * when the database is opened. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "db.h"
#include "limits.h"
#include "t.h"

static int
count_cb(void *arg, const struct trace_rec *r)
{
	int	*n = arg;

	(void)r;
	(*n)++;
	return 0;
}

static int
name_cb(void *arg, const struct trace_rec *r)
{
	snprintf(arg, 64, "%s", r->span_name ? r->span_name : "");
	return 0;
}

static int
sum_cb(void *arg, const struct rollup_row *r)
{
	int64_t	*s = arg;

	s[0] += r->requests;
	s[1] += r->total_tokens;
	s[2] += r->errors;
	return 0;
}

static void
span(struct trace_rec *r, const char *id, const char *trace, int64_t ts,
    const char *name, int status)
{
	trace_rec_init(r);
	r->id = id;
	r->trace_id = trace;
	r->timestamp = ts;
	r->duration_ms = 5;
	r->model = "gpt-4o-mini";
	r->provider = "openai";
	r->service_name = "svc";
	r->span_type = "llm";
	r->span_name = name;
	r->prompt_tokens = 10;
	r->completion_tokens = 2;
	r->total_tokens = 12;
	r->estimated_cost = 0.001;
	r->cost_source = "computed";
	r->status = status;
}

static int
found(struct db *db, const char *q)
{
	struct trace_filter	 f;
	int			 n = 0;

	trace_filter_init(&f);
	f.q = q;
	if (db_traces_list(db, &f, count_cb, &n) != DB_OK)
		return -1;
	return n;
}

/* Queue 3,000 spans of 8 KB (ids prefix00000...) in one transaction. */
static int
queue_big(struct db *q, const char *prefix)
{
	struct trace_rec	 t;
	char			 big[8001], id[32];
	int			 i;

	memset(big, 'x', 8000);
	big[8000] = '\0';
	if (db_begin(q) != DB_OK)
		return 0;
	for (i = 0; i < 3000; i++) {
		snprintf(id, sizeof(id), "%s%05d", prefix, i);
		span(&t, id, prefix, 7200000 + i, prefix, 200);
		t.attributes = big;
		if (db_queue_span(q, &t) != DB_OK) {
			db_rollback(q);
			return 0;
		}
	}
	return db_commit(q) == DB_OK;
}

/* Rows of traces and of trace_spans (by trace id) that the other has
 * not: none when the trace index is right. */
#define TRACE_ROWS_DIFF \
	"(SELECT * FROM (SELECT trace_id, seq FROM traces EXCEPT SELECT " \
	"i.trace_id, s.seq FROM trace_spans AS s JOIN trace_ids AS i " \
	"USING (trace_no)) UNION ALL SELECT * FROM (SELECT i.trace_id, " \
	"s.seq FROM trace_spans AS s JOIN trace_ids AS i USING (trace_no) " \
	"EXCEPT SELECT trace_id, seq FROM traces))"

/* count(*) FROM what, on the database file (sqlite3): -1 on an error. */
static int64_t
count_where(const char *path, const char *what)
{
	char		 sql[512];
	sqlite3		*h = NULL;
	sqlite3_stmt	*st = NULL;
	int64_t		 n = -1;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", what);
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return n;
}

/* rollup_hourly holds exactly the sums of the stored rows, and the
 * queue no rollups of spans taken off it (sqlite3 on the files). */
static int
rollups_match(const char *path)
{
	static const char	 sql[] =
	    "SELECT count(*) FROM ("
	    "SELECT hour, model, provider, service_name, requests, errors, "
	    "unpriced, prompt_tokens, completion_tokens, total_tokens, "
	    "round(cost, 9), duration_ms, duration_n FROM rollup_hourly "
	    "EXCEPT SELECT (timestamp / 3600000) * 3600000, "
	    "coalesce(model, ''), coalesce(provider, ''), "
	    "coalesce(service_name, ''), count(*), "
	    "sum(coalesce(status, 0) >= 400 OR error IS NOT NULL), "
	    "sum(model IS NOT NULL AND estimated_cost IS NULL), "
	    "sum(coalesce(prompt_tokens, 0)), "
	    "sum(coalesce(completion_tokens, 0)), "
	    "sum(coalesce(total_tokens, 0)), "
	    "round(sum(coalesce(estimated_cost, 0)), 9), "
	    "sum(coalesce(duration_ms, 0)), count(duration_ms) "
	    "FROM traces GROUP BY 1, 2, 3, 4) "
	    "UNION ALL SELECT count(*) - (SELECT count(*) FROM rollup_hourly) "
	    "FROM (SELECT 1 FROM traces GROUP BY (timestamp / 3600000), "
	    "coalesce(model, ''), coalesce(provider, ''), "
	    "coalesce(service_name, ''))";
	sqlite3		*h = NULL;
	sqlite3_stmt	*st = NULL;
	int		 bad = -1;

	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) ==
	    SQLITE_OK && sqlite3_prepare_v2(h, sql, -1, &st, NULL) ==
	    SQLITE_OK) {
		bad = 0;
		while (sqlite3_step(st) == SQLITE_ROW)
			bad += sqlite3_column_int(st, 0) != 0;
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return bad == 0;
}

int
main(void)
{
	char			 dir[] = "/tmp/lf-db-queue-XXXXXX", path[256];
	char			 cmd[300];
	struct db		*w = NULL, *r = NULL, *q = NULL;
	struct trace_rec	 t;
	struct db_moved		 m;
	int64_t			 n, sums[3];
	char			 name[64];
	int			 ins;

	CHECK("temp dir", mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/data.db", dir);
	CHECK("writer opens", db_open(&w, path, DB_BATCH) == DB_OK);
	CHECK("queue opens", db_open(&q, path, DB_QUEUE) == DB_OK);
	CHECK("reader opens", db_open(&r, path, DB_READ) == DB_OK);
	snprintf(cmd, sizeof(cmd), "%s-queue", path);
	CHECK("the queue is a file of its own", access(cmd, F_OK) == 0);

	/* One span already stored the ordinary way. */
	span(&t, "s0", "t0", 3600000, "stored before", 200);
	CHECK("direct insert", db_insert_span(w, &t, &ins) == DB_OK && ins);

	CHECK("empty queue counts 0", db_queue_count(r, &n) == DB_OK &&
	    n == 0);
	CHECK("moving an empty queue", db_queue_move(w, 10, &m) == DB_OK &&
	    m.moved == 0 && m.dropped == 0 && m.left == 0 && m.upto == 0);

	CHECK("begin", db_begin(q) == DB_OK);
	span(&t, "s1", "t1", 3600100, "alphaword first", 200);
	CHECK("queue s1", db_queue_span(q, &t) == DB_OK);
	span(&t, "s0", "t0", 3600200, "duplicate of s0", 200);
	CHECK("queue a copy of s0", db_queue_span(q, &t) == DB_OK);
	span(&t, "s2", "t1", 3600300, "betaword second", 503);
	CHECK("queue s2", db_queue_span(q, &t) == DB_OK);
	CHECK("commit", db_commit(q) == DB_OK);

	CHECK("three queued", db_queue_count(r, &n) == DB_OK && n == 3);
	CHECK("queued spans are not in traces yet",
	    db_trace_count(r, &n) == DB_OK && n == 1);
	CHECK("nor found by search", found(r, "alphaword") == 0);

	/* A queued span rolled back is not queued. */
	CHECK("begin 2", db_begin(q) == DB_OK);
	span(&t, "s9", "t9", 3600400, "rolled back", 200);
	CHECK("queue s9", db_queue_span(q, &t) == DB_OK);
	db_rollback(q);
	CHECK("rollback leaves three", db_queue_count(r, &n) == DB_OK &&
	    n == 3);

	CHECK("begin 3", db_begin(q) == DB_OK);
	span(&t, "s3", "t3", 3600500, "gammaword third", 200);
	CHECK("queue s3", db_queue_span(q, &t) == DB_OK);
	CHECK("commit 3", db_commit(q) == DB_OK);
	CHECK("four queued", db_queue_count(r, &n) == DB_OK && n == 4);

	CHECK("a move of at most two", db_queue_move(w, 2, &m) == DB_OK);
	CHECK_I64("takes the first batch whole: s1 and s2 moved", m.moved, 2);
	CHECK_I64("dropped: the copy of s0", m.dropped, 1);
	CHECK_I64("left: s3", m.left, 1);
	CHECK("moved spans stay queued until taken off",
	    db_queue_count(r, &n) == DB_OK && n == 4);
	/* Stopped before taking them off: moving them again adds nothing. */
	CHECK("move the same batch again", db_queue_move(w, 2, &m) ==
	    DB_OK && m.moved == 0 && m.dropped == 3 && m.left == 1);
	CHECK("take it off", db_queue_delete(q, m.upto) == DB_OK);
	CHECK("one still queued", db_queue_count(r, &n) == DB_OK && n == 1);
	CHECK("begin 4", db_begin(q) == DB_OK);
	span(&t, "s4", "t3", 3600600, "deltaword fourth", 200);
	CHECK("queue s4", db_queue_span(q, &t) == DB_OK);
	CHECK("commit 4", db_commit(q) == DB_OK);
	CHECK("move s3's batch", db_queue_move(w, 1, &m) == DB_OK &&
	    m.moved == 1 && m.dropped == 0 && m.left == 1);
	CHECK("take it off", db_queue_delete(q, m.upto) == DB_OK);
	CHECK("move s4's", db_queue_move(w, 100, &m) == DB_OK &&
	    m.moved == 1 && m.dropped == 0 && m.left == 0);
	CHECK("take it off", db_queue_delete(q, m.upto) == DB_OK);
	(void)db_queue_checkpoint(q, 1);
	CHECK("queue empty", db_queue_count(r, &n) == DB_OK && n == 0);

	CHECK("five spans in traces", db_trace_count(r, &n) == DB_OK &&
	    n == 5);
	name[0] = '\0';
	CHECK("the stored s0 is the first one",
	    db_trace_get(r, "s0", name_cb, name) == DB_OK &&
	    strcmp(name, "stored before") == 0);
	CHECK("moved spans are found by search", found(r, "alphaword") == 1 &&
	    found(r, "betaword") == 1 && found(r, "deltaword") == 1);
	CHECK("the dropped copy is not", found(r, "duplicate") == 0);
	memset(sums, 0, sizeof(sums));
	CHECK("rollups", db_rollup(r, RG_TOTAL, DB_NULL, DB_NULL, sum_cb,
	    sums) == DB_OK);
	CHECK_I64("rollup requests count each stored span once", sums[0], 5);
	CHECK_I64("rollup tokens", sums[1], 60);
	CHECK_I64("rollup errors", sums[2], 1);

	/* A move sums its stored spans' rollups in C: they equal the sums
	 * of the rows, over hours, models, services, errors, unpriced and
	 * NULL values, with a copy of a stored span dropped (not counted). */
	{
		static const char *const ids[] = { "u1", "u2", "u3", "u4",
		    "u5", "v1", "v2", "v3", "v4", "v5" };
		int	 i;

		CHECK("begin T1", db_begin(q) == DB_OK);
		for (i = 0; i < 10; i++) {
			span(&t, ids[i], "tu", 7200000 + (i % 3) * 3600000, "u",
			    i == 1 ? 500 : 200);
			if (i == 2) {
				t.model = "gpt-4o";
				t.estimated_cost = NAN;
			}
			if (i == 3)
				t.model = t.provider = NULL;
			if (i == 4) {
				t.service_name = NULL;
				t.duration_ms = DB_NULL;
				t.status = DB_NULL;
				t.error = "boom";
			}
			if (i == 5) {
				t.prompt_tokens = DB_NULL;
				t.estimated_cost = 0.125;
			}
			if (i == 6)
				t.timestamp = 7200000 + 2 * 3600000 - 1;
			CHECK("queue T1", db_queue_span(q, &t) == DB_OK);
		}
		span(&t, "s1", "t1", 3600100, "a copy of s1", 200);
		CHECK("queue a copy of s1", db_queue_span(q, &t) == DB_OK);
		CHECK("commit T1", db_commit(q) == DB_OK);
		CHECK("moved, the copy dropped", db_queue_move(w, 100, &m) ==
		    DB_OK && m.moved == 10 && m.dropped == 1);
		CHECK("T1 taken off", db_queue_delete(q, m.upto) == DB_OK);
		CHECK("rollups equal the sums of the stored rows",
		    rollups_match(path));
	}

	/* Span ids (span_ids, schema version 8): an id repeated inside one
	 * batch is stored once, its first span; a span the table refuses
	 * (here its cost_source breaks a CHECK) is not stored and leaves no
	 * id behind, so a later span with that id is stored. */
	{
		CHECK("begin R", db_begin(q) == DB_OK);
		span(&t, "r1", "tr", 3600800, "first r1", 200);
		CHECK("queue r1", db_queue_span(q, &t) == DB_OK);
		span(&t, "r2", "tr", 3600801, "refused r2", 200);
		t.cost_source = "guessed";
		CHECK("queue r2", db_queue_span(q, &t) == DB_OK);
		span(&t, "r1", "tr", 3600802, "second r1", 200);
		CHECK("queue r1 again", db_queue_span(q, &t) == DB_OK);
		span(&t, "r3", "tr", 3600803, "r3", 200);
		CHECK("queue r3", db_queue_span(q, &t) == DB_OK);
		CHECK("commit R", db_commit(q) == DB_OK);
		CHECK("moved r1 and r3; r1's copy and r2 dropped",
		    db_queue_move(w, 100, &m) == DB_OK && m.moved == 2 &&
		    m.dropped == 2);
		CHECK("R taken off", db_queue_delete(q, m.upto) == DB_OK);
		CHECK_I64("r1 stored once", count_where(path,
		    "traces WHERE id = 'r1'"), 1);
		CHECK_I64("r1 is the first span", count_where(path,
		    "traces WHERE id = 'r1' AND span_name = 'first r1'"), 1);
		CHECK_I64("r2 not stored", count_where(path,
		    "traces WHERE id = 'r2'"), 0);
		CHECK_I64("no id left for r2", count_where(path,
		    "span_ids WHERE id = 'r2'"), 0);
		CHECK_I64("span_ids match traces", count_where(path,
		    "(SELECT * FROM (SELECT id, seq FROM span_ids EXCEPT "
		    "SELECT id, seq FROM traces) UNION ALL SELECT * FROM "
		    "(SELECT id, seq FROM traces EXCEPT SELECT id, seq FROM "
		    "span_ids))"), 0);
		CHECK("rollups of R equal the sums of the stored rows",
		    rollups_match(path));
		CHECK("begin R2", db_begin(q) == DB_OK);
		span(&t, "r2", "tr", 3600804, "r2 again", 200);
		CHECK("queue r2 again", db_queue_span(q, &t) == DB_OK);
		CHECK("commit R2", db_commit(q) == DB_OK);
		CHECK("r2 moved now", db_queue_move(w, 100, &m) == DB_OK &&
		    m.moved == 1 && m.dropped == 0);
		CHECK("R2 taken off", db_queue_delete(q, m.upto) == DB_OK);
		/* Trace numbers (trace_ids and trace_spans, schema version
		 * 9): trace tr is numbered by r1's row, and r2, moved later,
		 * is listed under that number too. */
		CHECK_I64("tr numbered by its first row", count_where(path,
		    "trace_ids WHERE trace_id = 'tr' AND trace_no = "
		    "(SELECT seq FROM traces WHERE id = 'r1')"), 1);
		CHECK_I64("tr's rows under its number", count_where(path,
		    "trace_spans WHERE trace_no = (SELECT trace_no FROM "
		    "trace_ids WHERE trace_id = 'tr')"), 3);
		CHECK_I64("trace_spans match traces", count_where(path,
		    TRACE_ROWS_DIFF), 0);
		CHECK_I64("one trace_ids row per trace", count_where(path,
		    "trace_ids"), count_where(path,
		    "(SELECT DISTINCT trace_id FROM traces)"));
		CHECK_I64("each numbered by its first row", count_where(path,
		    "trace_ids WHERE trace_no IS NOT (SELECT min(seq) FROM "
		    "traces AS t WHERE t.trace_id = trace_ids.trace_id)"), 0);
	}

	/* A damaged batch is skipped and counted as unreadable; the spans
	 * read before the damage are stored, and batches after it too. */
	{
		sqlite3		*h = NULL;
		char		 qp[4200];
		static const unsigned char bad[] = { 'n', 'i', 1, 2, 3 };

		CHECK("begin D", db_begin(q) == DB_OK);
		span(&t, "d1", "td", 3600700, "d1", 200);
		CHECK("queue d1", db_queue_span(q, &t) == DB_OK);
		CHECK("commit D", db_commit(q) == DB_OK);
		snprintf(qp, sizeof(qp), "%s-queue", path);
		CHECK("a damaged batch of 2 spans",
		    sqlite3_open(qp, &h) == SQLITE_OK && sqlite3_exec(h,
		    "INSERT INTO otlp_queue_batch (spans, data) VALUES "
		    "(2, x'6e69010203')", NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(h);
		CHECK("begin E", db_begin(q) == DB_OK);
		span(&t, "e1", "te", 3600800, "e1", 200);
		CHECK("queue e1", db_queue_span(q, &t) == DB_OK);
		CHECK("commit E", db_commit(q) == DB_OK);
		CHECK("the move goes past it", db_queue_move(w, 100, &m) ==
		    DB_OK && m.moved == 2 && m.unreadable == 2 && m.left == 0);
		CHECK("taken off", db_queue_delete(q, m.upto) == DB_OK);
		CHECK("queue empty", db_queue_count(r, &n) == DB_OK &&
		    n == 0);
		CHECK("db_queue_batch_check: damaged",
		    db_queue_batch_check(bad, sizeof(bad)) == -1);
		CHECK("db_queue_batch_check: empty is damaged",
		    db_queue_batch_check("", 0) == -1);
		CHECK("db_queue_batch_check: no spans",
		    db_queue_batch_check("\002", 1) == 0);
		CHECK("db_queue_batch_check: another format",
		    db_queue_batch_check("\003n", 2) == -1);
		{
			/* Format 2 packs 33 values a span; format 1 (before
			 * links) 32. */
			unsigned char	 nulls[1 + 66];

			memset(nulls, 'n', sizeof(nulls));
			nulls[0] = 2;
			CHECK("db_queue_batch_check: format 2, 1 span",
			    db_queue_batch_check(nulls, 34) == 1);
			CHECK("db_queue_batch_check: format 2, 32 values",
			    db_queue_batch_check(nulls, 33) == -1);
			CHECK("db_queue_batch_check: format 2, 2 spans",
			    db_queue_batch_check(nulls, 67) == 2);
			nulls[0] = 1;
			CHECK("db_queue_batch_check: format 1, 1 span",
			    db_queue_batch_check(nulls, 33) == 1);
			CHECK("db_queue_batch_check: format 1, 2 spans",
			    db_queue_batch_check(nulls, 65) == 2);
			CHECK("db_queue_batch_check: format 1, 33 values",
			    db_queue_batch_check(nulls, 34) == -1);
		}
		CHECK("rollups still equal the stored rows", rollups_match(path));
	}

	/* A span larger than a batch (10 MB of attributes) is queued and
	 * moved whole; the memory it took is given back after. */
	{
		size_t		 big = 10u << 20;
		char		*attrs = malloc(big + 1);
		sqlite3		*h = NULL;
		sqlite3_stmt	*st = NULL;
		int64_t		 len = -1;

		CHECK("memory", attrs != NULL);
		if (attrs != NULL) {
			memset(attrs, 'a', big);
			memcpy(attrs, "{\"k\":\"", 6);
			memcpy(attrs + big - 2, "\"}", 2);
			attrs[big] = '\0';
			CHECK("begin B", db_begin(q) == DB_OK);
			span(&t, "b1", "tb", 3600900, "big", 200);
			t.attributes = attrs;
			CHECK("queue the 10 MB span", db_queue_span(q, &t) ==
			    DB_OK);
			CHECK("commit B", db_commit(q) == DB_OK);
			CHECK("moved", db_queue_move(w, 100, &m) == DB_OK &&
			    m.moved == 1 && m.unreadable == 0);
			CHECK("taken off", db_queue_delete(q, m.upto) == DB_OK);
			if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY,
			    NULL) == SQLITE_OK && sqlite3_prepare_v2(h,
			    "SELECT length(attributes) FROM traces WHERE "
			    "id = 'b1'", -1, &st, NULL) == SQLITE_OK &&
			    sqlite3_step(st) == SQLITE_ROW)
				len = sqlite3_column_int64(st, 0);
			sqlite3_finalize(st);
			sqlite3_close(h);
			CHECK_I64("stored whole", len, (int64_t)big);
			t.attributes = NULL;
			free(attrs);
		}
	}

	/* A queue file of the earlier layout: its spans are stored when the
	 * database is opened, with the triggers' rollups and search index;
	 * a span already stored is not stored twice. */
	{
		char		 d2[] = "/tmp/lf-db-legacy-XXXXXX", p2[256];
		char		 qp[300];
		sqlite3		*h = NULL;
		struct db	*l = NULL;

		CHECK("legacy dir", mkdtemp(d2) != NULL);
		snprintf(p2, sizeof(p2), "%s/data.db", d2);
		snprintf(qp, sizeof(qp), "%s-queue", p2);
		CHECK("a queue file with an otlp_queue table",
		    sqlite3_open(qp, &h) == SQLITE_OK && sqlite3_exec(h,
		    "CREATE TABLE otlp_queue (qid INTEGER PRIMARY KEY, id TEXT, "
		    "trace_id TEXT, parent_id TEXT, timestamp INTEGER, "
		    "duration_ms INTEGER, provider TEXT, model TEXT, "
		    "prompt_tokens INTEGER, completion_tokens INTEGER, "
		    "total_tokens INTEGER, cached_tokens INTEGER, "
		    "cache_creation_tokens INTEGER, reasoning_tokens INTEGER, "
		    "estimated_cost REAL, cost_source TEXT, status INTEGER, "
		    "error TEXT, tags TEXT, span_type TEXT, span_name TEXT, "
		    "service_name TEXT, session_id TEXT, conversation_id TEXT, "
		    "agent_name TEXT, input TEXT, output TEXT, attributes TEXT, "
		    "span_kind TEXT, scope_name TEXT, user_id TEXT, events TEXT, "
		    "resource_attributes TEXT); CREATE TABLE otlp_queue_rollup "
		    "(upto INTEGER); INSERT INTO otlp_queue (id, trace_id, "
		    "timestamp, model, provider, total_tokens, span_name, "
		    "cost_source, span_type) VALUES ('L1', 'TL', 3600000, "
		    "'gpt-4o-mini', 'openai', 7, 'legacyword', 'unknown', "
		    "'llm'), ('L1', 'TL', 3600000, 'gpt-4o-mini', 'openai', 7, "
		    "'legacyword copy', 'unknown', 'llm'), ('L2', 'TL', "
		    "3600001, NULL, NULL, 5, 'legacyword two', 'unknown', "
		    "'custom')", NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(h);
		CHECK("the database opens", db_open(&l, p2, DB_BATCH) == DB_OK);
		CHECK("its spans are in traces, the copy dropped",
		    db_trace_count(l, &n) == DB_OK && n == 2);
		CHECK("found by search", found(l, "legacyword") == 2);
		memset(sums, 0, sizeof(sums));
		CHECK("rollups", db_rollup(l, RG_TOTAL, DB_NULL, DB_NULL,
		    sum_cb, sums) == DB_OK && sums[0] == 2 && sums[1] == 12);
		CHECK("and they equal the stored rows", rollups_match(p2));
		CHECK("the old tables are gone, the new queue empty",
		    sqlite3_open(qp, &h) == SQLITE_OK && sqlite3_exec(h,
		    "SELECT * FROM otlp_queue", NULL, NULL, NULL) != SQLITE_OK &&
		    sqlite3_exec(h, "SELECT * FROM otlp_queue_rollup", NULL,
		    NULL, NULL) != SQLITE_OK &&
		    db_queue_count(l, &n) == DB_OK && n == 0);
		sqlite3_close(h);
		db_close(&l);
		snprintf(cmd, sizeof(cmd), "rm -rf %s", d2);
		(void)!system(cmd);
	}

	/* The mover's connection never checkpoints, however long its WAL
	 * (past LF_DB_WAL_CHECKPOINT_PAGES here); db_checkpoint on another
	 * connection copies it into the database file. */
	{
		struct db	*mv = NULL, *ck = NULL;
		struct stat	 st;
		off_t		 size0;
		int		 pages;

		CHECK("mover opens", db_open(&mv, path, DB_MOVE) == DB_OK);
		CHECK("checkpointer opens", db_open(&ck, path, DB_WRITE) ==
		    DB_OK);
		db_checkpoint(ck);
		CHECK("database file", stat(path, &st) == 0);
		size0 = st.st_size;
		CHECK("3,000 spans of 8 KB queued", queue_big(q, "big"));
		CHECK("the mover moves them", db_queue_move(mv, 5000, &m) ==
		    DB_OK && m.moved == 3000);
		CHECK("its commit copied nothing into the file",
		    stat(path, &st) == 0 && st.st_size == size0);
		pages = db_checkpoint(ck);
		CHECK("db_checkpoint reports a WAL of the 3,000 spans or more",
		    pages >= 3000 * 8000 / 4096);
		CHECK("and copies it into the file", stat(path, &st) == 0 &&
		    st.st_size >= size0 + 3000 * 8000);
		CHECK("taken off", db_queue_delete(q, m.upto) == DB_OK);
		/* Past LF_DB_WAL_MAX_PAGES it starts the WAL over, and the
		 * mover's next commit writes at its start. */
		{
			char	 pre[16];
			int	 k, longest = 0;

			/* Each move adds about 6,000 pages. */
			for (k = 0; k < LF_DB_WAL_MAX_PAGES / 5000 + 2 &&
			    longest < LF_DB_WAL_MAX_PAGES; k++) {
				snprintf(pre, sizeof(pre), "w%d", k);
				CHECK("3,000 more spans of 8 KB queued and moved",
				    queue_big(q, pre) && db_queue_move(mv,
				    5000, &m) == DB_OK && m.moved == 3000 &&
				    db_queue_delete(q, m.upto) == DB_OK);
				if (db_wal_pages(mv) > longest)
					longest = db_wal_pages(mv);
			}
			CHECK("the mover's WAL passed LF_DB_WAL_MAX_PAGES",
			    longest >= LF_DB_WAL_MAX_PAGES);
			CHECK("db_checkpoint then starts it over",
			    db_checkpoint(ck) == 0);
			CHECK("3,000 more queued and moved", queue_big(q, "after") &&
			    db_queue_move(mv, 5000, &m) == DB_OK &&
			    m.moved == 3000);
			CHECK("the next move's commit starts at the WAL's start",
			    db_wal_pages(mv) > 0 &&
			    db_wal_pages(mv) < LF_DB_WAL_MAX_PAGES / 2);
		}
		db_close(&ck);
		db_close(&mv);
	}

	/* Without wait, a checkpoint of the queue never waits for a move
	 * reading it (a pending restart would hold up every leader until
	 * the move ends): it copies what it can and leaves the WAL; with no
	 * reader in the way, it starts the WAL over. */
	{
		struct db	*ck = NULL;
		sqlite3		*rd = NULL;
		sqlite3_stmt	*st = NULL;
		struct timespec	 a, b;
		char		 qp[4200];
		int		 pages;
		long		 ms;

		CHECK("checkpointer opens", db_open(&ck, path, DB_WRITE) ==
		    DB_OK);
		CHECK("3,000 spans of 8 KB queued", queue_big(q, "wal"));
		snprintf(qp, sizeof(qp), "%s-queue", path);
		CHECK("a reader of the queue (a move) begins",
		    sqlite3_open_v2(qp, &rd, SQLITE_OPEN_READONLY, NULL) ==
		    SQLITE_OK && sqlite3_exec(rd, "BEGIN", NULL, NULL, NULL) ==
		    SQLITE_OK && sqlite3_prepare_v2(rd,
		    "SELECT count(*) FROM otlp_queue_batch", -1, &st, NULL) ==
		    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW);
		clock_gettime(CLOCK_MONOTONIC, &a);
		pages = db_queue_checkpoint(ck, 0);
		clock_gettime(CLOCK_MONOTONIC, &b);
		ms = (long)((b.tv_sec - a.tv_sec) * 1000 +
		    (b.tv_nsec - a.tv_nsec) / 1000000);
		CHECK("without wait, the reader in the way: the WAL is left",
		    pages >= 3000 * 8000 / LF_DB_QUEUE_PAGE_SIZE);
		CHECK("and the busy timeout was not waited",
		    ms < LF_DB_BUSY_TIMEOUT_MS / 2);
		CHECK("a leader queues meanwhile", db_begin(q) == DB_OK &&
		    db_queue_span(q, &t) == DB_OK && db_commit(q) == DB_OK);
		sqlite3_finalize(st);
		CHECK("the reader ends", sqlite3_exec(rd, "COMMIT", NULL, NULL,
		    NULL) == SQLITE_OK);
		sqlite3_close(rd);
		CHECK("with no reader, the WAL is started over",
		    db_queue_checkpoint(ck, 0) == 0);
		/* Taking moved batches off the queue writes a few pages, not
		 * the batches' pages again (SQLite's secure_delete, on in
		 * Debian's build, would write every freed page as zeros:
		 * 24 MB here): by the queue's own connection (the mover's
		 * partner), and by one that attached it (plain CGI). */
		CHECK("the queue moved, the 3,001 spans among it",
		    db_queue_move(w, 100000, &m) == DB_OK && m.left == 0 &&
		    m.moved + m.dropped >= 3001);
		CHECK("taken off", db_queue_delete(q, m.upto) == DB_OK);
		pages = db_queue_checkpoint(ck, 0);
		CHECK("the delete wrote under 16 pages to the queue's WAL",
		    pages > 0 && pages < 16);
		CHECK("3,000 spans of 8 KB queued again", queue_big(q, "sdw"));
		CHECK("and moved", db_queue_move(w, 100000, &m) == DB_OK &&
		    m.moved == 3000 && m.left == 0);
		CHECK("the WAL started over", db_queue_checkpoint(ck, 0) == 0);
		CHECK("taken off by the attaching connection",
		    db_queue_delete(w, m.upto) == DB_OK);
		pages = db_queue_checkpoint(ck, 0);
		CHECK("that delete wrote under 16 pages too",
		    pages > 0 && pages < 16);
		db_close(&ck);
	}

	/* Every span moved is listed under its trace; deleting a trace's
	 * rows with plain SQL (a tool; the triggers) takes its trace_ids
	 * row and its trace_spans rows, and only one of two rows leaves the
	 * trace numbered as before. */
	{
		sqlite3		*h = NULL;

		CHECK_I64("trace_spans match traces at the end",
		    count_where(path, TRACE_ROWS_DIFF), 0);
		CHECK("delete r3 and the rows of trace t1 (sqlite3)",
		    sqlite3_open(path, &h) == SQLITE_OK && sqlite3_exec(h,
		    "DELETE FROM traces WHERE id = 'r3' OR trace_id = 't1'",
		    NULL, NULL, NULL) == SQLITE_OK);
		sqlite3_close(h);
		CHECK_I64("t1 gone from trace_ids", count_where(path,
		    "trace_ids WHERE trace_id = 't1'"), 0);
		CHECK_I64("tr still numbered by r1", count_where(path,
		    "trace_ids WHERE trace_id = 'tr' AND trace_no = "
		    "(SELECT seq FROM traces WHERE id = 'r1')"), 1);
		CHECK_I64("trace_spans match traces after the deletes",
		    count_where(path, TRACE_ROWS_DIFF), 0);
	}

	db_close(&r);
	db_close(&q);
	db_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return t_done();
}
