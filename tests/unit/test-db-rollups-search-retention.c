/* Storage at scale: full-text search, exact tags, keyset paging, rollups,
 * trees, and retention that removes whole traces. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "t.h"

struct ids {
	int	 n;
	char	 id[64][32];
	int64_t	 ts[64];
};

static int
collect(void *arg, const struct trace_rec *r)
{
	struct ids	*s = arg;

	if (s->n < 64) {
		snprintf(s->id[s->n], sizeof(s->id[0]), "%s", r->id);
		s->ts[s->n] = r->timestamp;
	}
	s->n++;
	return 0;
}

static void
put(struct db *db, const char *id, const char *trace, const char *parent,
    int64_t ts, const char *model, double cost, const char *tags,
    const char *body, int status)
{
	struct trace_rec	 r;

	trace_rec_init(&r);
	r.id = id;
	r.trace_id = trace;
	r.parent_id = parent;
	r.timestamp = ts;
	r.duration_ms = 10;
	r.provider = "openai";
	r.model = model;
	r.prompt_tokens = 100;
	r.completion_tokens = 50;
	r.total_tokens = 150;
	r.estimated_cost = cost;
	r.cost_source = isnan(cost) ? "unknown" : "computed";
	r.tags = tags;
	r.request_body = body;
	r.request_body_len = body ? strlen(body) : 0;
	r.status = status;
	if (db_insert_trace(db, &r) != DB_OK)
		printf("not ok - insert %s\n", id);
}

static struct ids
list(struct db *db, struct trace_filter *f)
{
	struct ids	 s;

	memset(&s, 0, sizeof(s));
	if (db_traces_list(db, f, collect, &s) != DB_OK)
		s.n = -1;
	return s;
}

struct sums {
	int64_t	 requests, errors, unpriced, tokens, rows;
	double	 cost;
};

static int
sum_cb(void *arg, const struct rollup_row *r)
{
	struct sums	*s = arg;

	s->requests += r->requests;
	s->errors += r->errors;
	s->unpriced += r->unpriced;
	s->tokens += r->total_tokens;
	s->cost += r->cost;
	s->rows++;
	return 0;
}

int
main(void)
{
	char			 dir[] = "/tmp/lf-db-scale-XXXXXX", path[256], id[48];
	char			 tr[16], cmd[300];
	struct db		*w = NULL, *r = NULL;
	struct trace_filter	 f;
	struct ids		 s;
	struct sums		 sum;
	struct retention	 ret;
	int			 i, more;
	int64_t			 n;

	CHECK("temp dir", mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/data.db", dir);
	CHECK("writer opens", db_open(&w, path, DB_WRITE) == DB_OK);
	CHECK("reader opens", db_open(&r, path, DB_READ) == DB_OK);

	put(w, "a", "t1", NULL, 3600000, "gpt-4o-mini", 0.5,
	    "[\"env:prod\",\"user:alice\"]", "{\"q\":\"the quick brown fox\"}", 200);
	put(w, "b", "t1", "a", 3600100, "gpt-4o", 0.25, "[\"env:production\"]",
	    "{\"q\":\"lazy dog (AND) OR \\\"NEAR\\\" *\"}", 500);
	put(w, "c", "t2", NULL, 7200000, "local", NAN, NULL, NULL, 200);

	trace_filter_init(&f);
	f.q = "quick fox";
	s = list(r, &f);
	CHECK("search finds words in bodies", s.n == 1 && !strcmp(s.id[0], "a"));
	f.q = "fox quick";
	s = list(r, &f);
	CHECK("search words in any order", s.n == 1);
	f.q = "(AND) OR \"NEAR\" *";
	s = list(r, &f);
	CHECK("query syntax in the text is text", s.n == 1 && !strcmp(s.id[0], "b"));
	f.q = "gpt-4o-mini";
	s = list(r, &f);
	CHECK("search finds a model name", s.n == 1 && !strcmp(s.id[0], "a"));
	f.q = "\"";
	s = list(r, &f);
	CHECK("a lone quote is no error", s.n == 0);
	f.q = NULL;

	f.tag = "env:prod";
	s = list(r, &f);
	CHECK("tag match is exact", s.n == 1 && !strcmp(s.id[0], "a"));
	f.tag = "env:production";
	s = list(r, &f);
	CHECK("the longer tag is another tag", s.n == 1 && !strcmp(s.id[0], "b"));
	f.tag = NULL;

	f.cost_min = 0.3;
	s = list(r, &f);
	CHECK("cost_min", s.n == 1 && !strcmp(s.id[0], "a"));
	f.cost_min = NAN;
	f.cost_max = 0.3;
	s = list(r, &f);
	CHECK("cost_max (unknown cost excluded)", s.n == 1 && !strcmp(s.id[0], "b"));
	f.cost_max = NAN;

	f.limit = 1;
	s = list(r, &f);
	CHECK("first page", s.n == 1 && !strcmp(s.id[0], "c"));
	f.before_ts = s.ts[0];
	f.before_id = "c";
	s = list(r, &f);
	CHECK("cursor page 2", s.n == 1 && !strcmp(s.id[0], "b"));
	f.before_ts = s.ts[0];
	f.before_id = "b";
	s = list(r, &f);
	CHECK("cursor page 3", s.n == 1 && !strcmp(s.id[0], "a"));
	f.before_ts = s.ts[0];
	f.before_id = "a";
	s = list(r, &f);
	CHECK_I64("cursor end", s.n, 0);

	memset(&s, 0, sizeof(s));
	CHECK("tree by span id", db_trace_spans(r, "b", collect, &s) == DB_OK);
	CHECK("tree has the whole trace, oldest first", s.n == 2 &&
	    !strcmp(s.id[0], "a") && !strcmp(s.id[1], "b"));
	memset(&s, 0, sizeof(s));
	CHECK("tree by trace id", db_trace_spans(r, "t2", collect, &s) == DB_OK &&
	    s.n == 1);
	CHECK("tree of nothing", db_trace_spans(r, "zz", collect, &s) ==
	    DB_NOTFOUND);

	memset(&sum, 0, sizeof(sum));
	CHECK("rollup total", db_rollup(r, RG_TOTAL, DB_NULL, DB_NULL, sum_cb,
	    &sum) == DB_OK);
	CHECK_I64("rollup requests", sum.requests, 3);
	CHECK_I64("rollup errors", sum.errors, 1);
	CHECK_I64("rollup unpriced", sum.unpriced, 1);
	CHECK_I64("rollup tokens", sum.tokens, 450);
	CHECK_NEAR("rollup cost (priced only)", sum.cost, 0.75);
	memset(&sum, 0, sizeof(sum));
	db_rollup(r, RG_HOUR, DB_NULL, DB_NULL, sum_cb, &sum);
	CHECK_I64("rollup by hour", sum.rows, 2);
	memset(&sum, 0, sizeof(sum));
	db_rollup(r, RG_MODEL, DB_NULL, DB_NULL, sum_cb, &sum);
	CHECK_I64("rollup by model", sum.rows, 3);
	memset(&sum, 0, sizeof(sum));
	db_rollup(r, RG_HOUR, 7200000, DB_NULL, sum_cb, &sum);
	CHECK("rollup range", sum.rows == 1 && sum.requests == 1);

	/* 120 traces of 3 spans; keep at most 30 rows. */
	for (i = 0; i < 120; i++) {
		snprintf(tr, sizeof(tr), "T%03d", i);
		snprintf(id, sizeof(id), "%s-r", tr);
		put(w, id, tr, NULL, 100000000 + i * 1000, "gpt-4o-mini", 0.01,
		    NULL, NULL, 200);
		snprintf(id, sizeof(id), "%s-x", tr);
		put(w, id, tr, NULL, 100000000 + i * 1000 + 1, "gpt-4o-mini",
		    0.01, NULL, NULL, 200);
		snprintf(id, sizeof(id), "%s-y", tr);
		put(w, id, tr, NULL, 100000000 + i * 1000 + 2, "gpt-4o-mini",
		    0.01, NULL, NULL, 200);
	}
	CHECK("count kept by triggers", db_trace_count(r, &n) == DB_OK &&
	    n == 363);
	memset(&ret, 0, sizeof(ret));
	ret.max_traces = 30;
	for (i = 0, more = 1; more && i < 100; i++)
		CHECK("prune round", db_prune(w, &ret, &more) == DB_OK);
	db_trace_count(r, &n);
	CHECK("pruned to the limit", n <= 30 && n >= 27);
	CHECK_I64("whole traces remain", n % 3, 0);
	trace_filter_init(&f);
	f.limit = 1;
	s = list(r, &f);
	CHECK("the newest remain", s.n == 1 && !strcmp(s.id[0], "T119-y"));
	memset(&sum, 0, sizeof(sum));
	db_rollup(r, RG_TOTAL, DB_NULL, DB_NULL, sum_cb, &sum);
	CHECK_I64("rollups keep pruned history", sum.requests, 363);
	f.q = "quick";
	f.limit = 10;
	s = list(r, &f);
	CHECK_I64("search forgets pruned rows", s.n, 0);

	ret.max_traces = 0;
	ret.max_age_ms = 1;	/* everything is older than 1 ms ago */
	for (i = 0, more = 1; more && i < 100; i++)
		db_prune(w, &ret, &more);
	db_trace_count(r, &n);
	CHECK_I64("age limit prunes old traces", n, 0);

	/* Spans stored in one transaction (an OTLP export) are added to the
	 * rollups and the count at commit, in C, exactly as the triggers add
	 * single rows; a batch rolled back adds nothing; and a single span
	 * after a batch goes through the triggers again. */
	{
		struct trace_rec	 sp;
		struct sums		 before;
		int			 ins;

		memset(&before, 0, sizeof(before));
		db_rollup(r, RG_TOTAL, DB_NULL, DB_NULL, sum_cb, &before);
		CHECK("batch begin", db_begin(w) == DB_OK);
		for (i = 0; i < 3; i++) {
			trace_rec_init(&sp);
			snprintf(id, sizeof(id), "B%d", i);
			sp.id = id;
			sp.trace_id = "TB";
			sp.timestamp = 3600000 * 5 + i;
			sp.model = i == 2 ? NULL : "gpt-4o";
			sp.provider = "openai";
			sp.total_tokens = 10;
			sp.estimated_cost = i == 0 ? 0.5 : NAN;
			sp.status = i == 1 ? 500 : 200;
			sp.duration_ms = i == 2 ? DB_NULL : 7;
			CHECK("batch insert", db_insert_span(w, &sp, &ins) ==
			    DB_OK && ins);
		}
		/* A proxied-call row in the same transaction counts too. */
		put(w, "B3", "TB", NULL, 3600000 * 5, "gpt-4o", 0.25, NULL,
		    NULL, 200);
		CHECK("batch commit", db_commit(w) == DB_OK);
		CHECK("batch counted", db_trace_count(r, &n) == DB_OK &&
		    n == 4);
		memset(&sum, 0, sizeof(sum));
		db_rollup(r, RG_TOTAL, DB_NULL, DB_NULL, sum_cb, &sum);
		CHECK_I64("batch requests", sum.requests - before.requests, 4);
		CHECK_I64("batch errors", sum.errors - before.errors, 1);
		CHECK_I64("batch unpriced", sum.unpriced - before.unpriced, 1);
		CHECK_I64("batch tokens", sum.tokens - before.tokens, 180);
		CHECK_NEAR("batch cost", sum.cost - before.cost, 0.75);
		memset(&sum, 0, sizeof(sum));
		db_rollup(r, RG_MODEL, 3600000 * 5, 3600000 * 6, sum_cb, &sum);
		CHECK_I64("batch groups by model", sum.rows, 2);

		CHECK("rolled back batch begin", db_begin(w) == DB_OK);
		trace_rec_init(&sp);
		sp.id = "B9";
		sp.trace_id = "TB";
		sp.timestamp = 3600000 * 5;
		CHECK("rolled back insert", db_insert_span(w, &sp, &ins) ==
		    DB_OK && ins);
		db_rollback(w);
		db_trace_count(r, &n);
		CHECK_I64("rolled back batch not counted", n, 4);

		sp.id = "S1";
		CHECK("single span", db_insert_span(w, &sp, &ins) == DB_OK &&
		    ins);
		db_trace_count(r, &n);
		CHECK_I64("single span counted by the trigger", n, 5);
		memset(&sum, 0, sizeof(sum));
		db_rollup(r, RG_TOTAL, DB_NULL, DB_NULL, sum_cb, &sum);
		CHECK_I64("single span rolled up by the trigger",
		    sum.requests - before.requests, 5);
	}

	db_close(&r);
	db_close(&w);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return t_done();
}
