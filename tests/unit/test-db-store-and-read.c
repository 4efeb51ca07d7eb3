/* Storage: migration, a stored trace read back, 0 kept apart from NULL,
 * filters, stats, and several handles on one file. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "t.h"

struct seen {
	int	 n;
	char	 ids[16][32];
	int64_t	 prompt, cached;
	double	 cost;
	char	 body[64];
	int	 trunc;
};

static int
collect(void *arg, const struct trace_rec *r)
{
	struct seen	*s = arg;

	if (s->n < 16)
		snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", r->id);
	s->n++;
	s->prompt = r->prompt_tokens;
	s->cached = r->cached_tokens;
	s->cost = r->estimated_cost;
	if (r->request_body)
		snprintf(s->body, sizeof(s->body), "%s", r->request_body);
	s->trunc = r->request_body_truncated;
	return 0;
}

static void
put(struct db *db, const char *id, int64_t ts, const char *model, int status,
    double cost, const char *body)
{
	struct trace_rec	 r;

	trace_rec_init(&r);
	r.id = id;
	r.trace_id = "t1";
	r.timestamp = ts;
	r.duration_ms = 100;
	r.provider = "openai";
	r.model = model;
	r.prompt_tokens = 10;
	r.completion_tokens = 5;
	r.total_tokens = 15;
	r.cached_tokens = 0;
	r.estimated_cost = cost;
	r.cost_source = isnan(cost) ? "unknown" : "computed";
	r.status = status;
	r.request_body = body;
	r.request_body_len = body ? strlen(body) : 0;
	CHECK("insert", db_insert_trace(db, &r) == DB_OK);
}

int
main(void)
{
	char			 dir[] = "/tmp/lf-db-test-XXXXXX", path[256];
	struct db		*w = NULL, *r = NULL, *w2 = NULL;
	struct trace_filter	 f;
	struct stats		 st;
	struct seen		 s;
	int			 version;

	CHECK("temp dir", mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/sub/dir/data.db", dir);
	CHECK("open creates directories and schema",
	    db_open(&w, path, DB_WRITE) == DB_OK);
	version = db_schema_version(w);
	CHECK("schema migrated to its latest version", version >= 1);
	CHECK("second writer on the same file",
	    db_open(&w2, path, DB_WRITE) == DB_OK);
	CHECK("reader opens", db_open(&r, path, DB_READ) == DB_OK);

	memset(&s, 0, sizeof(s));
	CHECK("empty stats", db_stats(r, &st, NULL, NULL) == DB_OK);
	CHECK_I64("no requests", st.total_requests, 0);
	CHECK_I64("error_count 0 on empty", st.error_count, 0);

	put(w, "a", 1000, "gpt-4o-mini", 200, 0.5, "{\"q\":\"hello 100%_sure\"}");
	put(w2, "b", 2000, "gpt-4o", 500, 0.25, "{\"q\":\"bye\"}");
	put(w, "c", 3000, "local", 200, NAN, NULL);

	trace_filter_init(&f);
	f.limit = 10;
	CHECK("list all", db_traces_list(r, &f, collect, &s) == DB_OK);
	CHECK_I64("three rows", s.n, 3);
	CHECK_STR("newest first", s.ids[0], "c");
	CHECK_STR("oldest last", s.ids[2], "a");

	memset(&s, 0, sizeof(s));
	f.model = "gpt-4o";
	db_traces_list(r, &f, collect, &s);
	CHECK("model filter is exact", s.n == 1 && strcmp(s.ids[0], "b") == 0);
	f.model = NULL;

	memset(&s, 0, sizeof(s));
	f.status = STATUS_ERROR;
	db_traces_list(r, &f, collect, &s);
	CHECK("status=error", s.n == 1 && strcmp(s.ids[0], "b") == 0);
	memset(&s, 0, sizeof(s));
	f.status = STATUS_SUCCESS;
	db_traces_list(r, &f, collect, &s);
	CHECK_I64("status=success", s.n, 2);
	f.status = STATUS_ANY;

	memset(&s, 0, sizeof(s));
	f.date_from = 1500;
	f.date_to = 2000;
	db_traces_list(r, &f, collect, &s);
	CHECK("date range is inclusive", s.n == 1 && strcmp(s.ids[0], "b") == 0);
	f.date_from = f.date_to = DB_NULL;

	memset(&s, 0, sizeof(s));
	f.q = "100%_";
	db_traces_list(r, &f, collect, &s);
	CHECK("q matches % and _ literally", s.n == 1 &&
	    strcmp(s.ids[0], "a") == 0);
	memset(&s, 0, sizeof(s));
	f.q = "1%0";
	db_traces_list(r, &f, collect, &s);
	CHECK_I64("q % is not a wildcard", s.n, 0);
	f.q = NULL;

	memset(&s, 0, sizeof(s));
	f.limit = 1;
	f.offset = 1;
	db_traces_list(r, &f, collect, &s);
	CHECK("limit and offset", s.n == 1 && strcmp(s.ids[0], "b") == 0);

	memset(&s, 0, sizeof(s));
	CHECK("get by id", db_trace_get(r, "a", collect, &s) == DB_OK);
	CHECK_I64("prompt tokens read back", s.prompt, 10);
	CHECK_I64("zero stays zero, not NULL", s.cached, 0);
	CHECK_NEAR("cost read back", s.cost, 0.5);
	CHECK_STR("body read back", s.body, "{\"q\":\"hello 100%_sure\"}");
	memset(&s, 0, sizeof(s));
	db_trace_get(r, "c", collect, &s);
	CHECK("unknown cost reads back as NaN", isnan(s.cost));
	CHECK("missing id is not found",
	    db_trace_get(r, "zzz", collect, &s) == DB_NOTFOUND);

	CHECK("stats", db_stats(r, &st, NULL, NULL) == DB_OK);
	CHECK_I64("requests counted", st.total_requests, 3);
	CHECK_I64("errors counted", st.error_count, 1);
	CHECK_I64("unpriced counted", st.unpriced_count, 1);
	CHECK_NEAR("cost sums priced calls", st.total_cost, 0.75);
	CHECK_I64("tokens summed", st.total_tokens, 45);

	{
		struct trace_rec t;
		trace_rec_init(&t);
		t.id = "a";
		t.trace_id = "t";
		t.timestamp = 1;
		CHECK("duplicate id is refused", db_insert_trace(w, &t) ==
		    DB_ERROR);
	}
	db_close(&r);
	db_close(&w);
	db_close(&w2);
	CHECK("close clears the pointer", w == NULL && r == NULL);
	CHECK("reopen keeps the schema", db_open(&w, path, DB_WRITE) == DB_OK &&
	    db_schema_version(w) == version);
	db_close(&w);
	{
		char cmd[300];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		(void)!system(cmd);
	}
	return t_done();
}
