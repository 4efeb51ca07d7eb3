/*
 * Seeds a database for `make bench` through the storage interface, fast:
 * N traces over the last 30 days, most of them single LLM calls with small
 * bodies (words from a fixed vocabulary, so searches have work to do),
 * the rest spans in traces of ten, and one trace of 1,000 nested spans
 * (trace id "bench-tree").  Usage: seed DB_PATH N
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"

static const char *const models[] = { "gpt-4o-mini", "gpt-4o",
    "claude-sonnet-4-5", "gemini-2.0-flash", "llama3", "o3-mini",
    "text-embedding-3-small", "mistral-large-latest" };
static const char *const providers[] = { "openai", "openai", "anthropic",
    "gemini", "ollama", "openai", "openai", "mistral" };
static const char *const types[] = { "llm", "tool", "retrieval", "agent",
    "chain" };
static const char *const words[] = { "alpha", "bravo", "charlie", "delta",
    "echo", "foxtrot", "golf", "hotel", "india", "juliet", "kilo", "lima",
    "mike", "november", "oscar", "papa", "quebec", "romeo", "sierra",
    "tango", "uniform", "victor", "whiskey", "xray", "yankee", "zulu",
    "summarise", "invoice", "weather", "refund", "translate", "schedule" };

static uint64_t	 rng = 88172645463325252ULL;

static uint64_t
next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void
sentence(char *out, size_t outsz, int nwords, uint64_t salt)
{
	size_t	 k = 0;
	int	 i;

	k += (size_t)snprintf(out + k, outsz - k, "{\"model\":\"m\",\"messages\":"
	    "[{\"role\":\"user\",\"content\":\"");
	for (i = 0; i < nwords && k < outsz - 64; i++)
		k += (size_t)snprintf(out + k, outsz - k, "%s%s", i ? " " : "",
		    words[next() % (sizeof(words) / sizeof(words[0]))]);
	/* A rare word now and then: "needle" in about 1 row of 10,000. */
	if (salt % 10000 == 7 && k < outsz - 64)
		k += (size_t)snprintf(out + k, outsz - k, " needle");
	snprintf(out + k, outsz - k, "\"}]}");
}

int
main(int argc, char *argv[])
{
	struct db		*db = NULL;
	struct trace_rec	 r;
	char			 id[40], tid[40], pid[40], body[600], out[600];
	char			 name[64];
	int64_t			 n, i, now, base;
	int			 m, k;

	if (argc != 3 || (n = strtoll(argv[2], NULL, 10)) <= 0) {
		fprintf(stderr, "usage: seed DB_PATH N\n");
		return 2;
	}
	if (db_open(&db, argv[1], DB_WRITE) != DB_OK)
		return 1;
	now = (int64_t)time(NULL) * 1000;
	base = now - 30LL * 86400000;
	db_begin(db);
	for (i = 0; i < n; i++) {
		trace_rec_init(&r);
		snprintf(id, sizeof(id), "%016" PRIx64, (uint64_t)i + 1);
		m = (int)(next() % 8);
		r.id = id;
		r.timestamp = base + (int64_t)((double)i / n * 30 * 86400000);
		r.duration_ms = 50 + (int64_t)(next() % 3000);
		if (i % 10 < 7) {
			/* a proxied call */
			snprintf(tid, sizeof(tid), "%032" PRIx64, (uint64_t)i + 1);
			r.trace_id = tid;
			r.span_type = "llm";
			r.provider = providers[m];
			r.model = models[m];
			r.prompt_tokens = 100 + (int64_t)(next() % 2000);
			r.completion_tokens = 10 + (int64_t)(next() % 800);
			r.total_tokens = r.prompt_tokens + r.completion_tokens;
			r.cached_tokens = 0;
			r.estimated_cost = m == 4 ? NAN :
			    (double)r.total_tokens * 1e-6;
			r.cost_source = m == 4 ? "unknown" : "computed";
			r.status = next() % 20 == 0 ? 500 : 200;
			r.request_method = "POST";
			r.request_path = "/v1/chat/completions";
			sentence(body, sizeof(body), 12, (uint64_t)i);
			sentence(out, sizeof(out), 20, 0);
			r.request_body = body;
			r.request_body_len = strlen(body);
			r.response_body = out;
			r.response_body_len = strlen(out);
			r.tags = i % 3 == 0 ? "[\"env:prod\"]" : "[\"env:dev\"]";
			snprintf(name, sizeof(name), "chat %s", models[m]);
			r.span_name = name;
		} else {
			/* spans of an instrumented app, ten to a trace */
			snprintf(tid, sizeof(tid), "%032" PRIx64,
			    (uint64_t)(i / 10) + (uint64_t)0x100000000);
			r.trace_id = tid;
			k = (int)(next() % 5);
			r.span_type = types[k];
			r.service_name = "bench-app";
			r.session_id = i % 50 == 0 ? "bench-session" : NULL;
			snprintf(name, sizeof(name), "%s step %d", types[k],
			    (int)(i % 10));
			r.span_name = name;
			if (k == 0) {
				r.model = models[m];
				r.provider = providers[m];
				r.prompt_tokens = 200;
				r.completion_tokens = 50;
				r.total_tokens = 250;
				r.estimated_cost = 0.0001;
				r.cost_source = "computed";
			}
			r.status = 200;
		}
		if (db_insert_trace(db, &r) != DB_OK)
			return 1;
		if (i % 20000 == 19999) {
			db_commit(db);
			db_begin(db);
		}
	}
	/* One trace of 1,000 spans, each under one of the earlier ones. */
	for (i = 0; i < 1000; i++) {
		trace_rec_init(&r);
		snprintf(id, sizeof(id), "tree%012" PRId64, i);
		snprintf(pid, sizeof(pid), "tree%012" PRId64, (i - 1) / 4);
		r.id = id;
		r.trace_id = "bench-tree";
		r.parent_id = i ? pid : NULL;
		r.timestamp = now - 60000 + i * 10;
		r.duration_ms = 100;
		r.span_type = i % 4 == 0 ? "llm" : "tool";
		r.span_name = "tree span";
		r.status = 200;
		if (db_insert_trace(db, &r) != DB_OK)
			return 1;
	}
	db_commit(db);
	db_close(&db);
	return 0;
}
