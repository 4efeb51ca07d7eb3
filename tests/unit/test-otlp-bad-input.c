/*
 * Bad input gets the right answer and the database keeps what it had:
 * truncated protobuf, wrong wire types, deep JSON and protobuf, gzip
 * bombs and corrupt gzip, ids of the wrong length, unknown enum names;
 * then logs and metrics of every kind, each data point one row, and
 * duplicate span ids rejected one by one.
 */
#include <unistd.h>

#include "t.h"
#include "otlp-t.h"

#include <zlib.h>

#include "db.h"

static const char good[] = "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
    "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\",\"name\":\"a\"},"
    "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060709\",\"name\":\"b\"}]}]}]}";

static enum otlp_rc
pb(enum otlp_signal sig, const void *p, size_t n, struct otlp_export *ex)
{
	struct otlp_err	 err;

	return t_decode(0, sig, p, n, ex, &err);
}

/* Prefix the n bytes at b with a tag and their length; new length. */
static size_t
wrap(uint8_t *b, size_t n, uint8_t tag)
{
	uint8_t	 hdr[8];
	size_t	 h = 0, len = n;

	hdr[h++] = tag;
	do {
		hdr[h++] = (uint8_t)((len & 0x7f) | (len > 0x7f ? 0x80 : 0));
		len >>= 7;
	} while (len);
	memmove(b + h, b, n);
	memcpy(b, hdr, h);
	return n + h;
}

static int64_t
count(struct db *db)
{
	int64_t	 n = -1;

	db_trace_count(db, &n);
	return n;
}

int
main(void)
{
	struct otlp_export	 ex;
	struct otlp_result	 res;
	struct otlp_err		 err;
	struct db		*db = NULL;
	struct buf		 out, deep;
	char			 path[] = "/tmp/test-otlp-XXXXXX";
	uint8_t			 gz[4096], *zeros;
	uLongf			 gzlen;
	z_stream		 z;
	size_t			 i;

	arena_init(&t_arena, 64 << 20);

	/* Protobuf: truncated, wrong wire type, deep nesting. */
	{
		static const uint8_t trunc[] = { 0x0a, 0x05, 0x12, 0x03 };
		static const uint8_t wire[] = { 0x0d, 1, 2, 3, 4 };	/* field 1 fixed32 */
		static const uint8_t badkey[] = { 0x00 };

		CHECK("truncated protobuf", pb(OTLP_TRACES, trunc, sizeof(trunc),
		    &ex) == OTLP_BAD);
		CHECK("wrong wire type", pb(OTLP_TRACES, wire, sizeof(wire),
		    &ex) == OTLP_BAD);
		CHECK("field number 0", pb(OTLP_TRACES, badkey, 1, &ex) ==
		    OTLP_BAD);
		CHECK("empty protobuf is an empty export", pb(OTLP_TRACES, "", 0,
		    &ex) == OTLP_OK && ex.nspans == 0);
	}
	{
		/* Request → ResourceSpans.resource → Resource.attributes →
		 * KeyValue.value → AnyValue.array_value → ArrayValue.values →
		 * ... 201 levels: past the depth limit. */
		static uint8_t	 b[8000];
		size_t		 n = 0, d;

		for (d = 0; d < 205; d++)
			n = wrap(b, n, d < 201 ? (d % 2 ? 0x0a : 0x2a) :
			    d == 201 ? 0x12 : 0x0a);
		CHECK("deep protobuf is 400", pb(OTLP_TRACES, b, n, &ex) ==
		    OTLP_BAD);
		n = 0;
		for (d = 0; d < 9; d++)
			n = wrap(b, n, d < 5 ? (d % 2 ? 0x0a : 0x2a) :
			    d == 5 ? 0x12 : 0x0a);
		CHECK("shallow nesting decodes", pb(OTLP_TRACES, b, n, &ex) ==
		    OTLP_OK);
	}
	{
		/* Deep JSON. */
		buf_init(&deep, 1 << 20);
		buf_adds(&deep, "{\"resourceSpans\":");
		for (i = 0; i < 10000; i++)
			buf_addc(&deep, '[');
		for (i = 0; i < 10000; i++)
			buf_addc(&deep, ']');
		buf_addc(&deep, '}');
		CHECK("deep JSON is 400", t_json(OTLP_TRACES, buf_str(&deep), &ex) ==
		    OTLP_BAD);
		buf_free(&deep);
	}
	CHECK("not JSON", t_json(OTLP_TRACES, "{\"resourceSpans\":", &ex) ==
	    OTLP_BAD);
	CHECK("trailing data", t_json(OTLP_TRACES, "{} x", &ex) == OTLP_BAD);
	CHECK("wrong JSON type", t_json(OTLP_TRACES, "{\"resourceSpans\":5}",
	    &ex) == OTLP_BAD);
	CHECK("empty object is empty export", t_json(OTLP_TRACES, "{}", &ex) ==
	    OTLP_OK && ex.nspans == 0);

	/* Ids and enums reject only their record. */
	CHECK("ids decode", t_json(OTLP_TRACES, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
	    "{\"traceId\":\"0102\",\"spanId\":\"0102030405060708\"},"
	    "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"01020304050607\"},"
	    "{\"traceId\":\"00000000000000000000000000000000\",\"spanId\":\"0102030405060708\"},"
	    "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\",\"kind\":\"SPAN_KIND_NOPE\"},"
	    "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\",\"kind\":99,\"status\":{\"code\":\"STATUS_CODE_ERROR\"}}"
	    "]}]}]}", &ex) == OTLP_OK);
	CHECK_I64("five spans", ex.nspans, 5);
	if (ex.nspans == 5) {
		CHECK("short traceId rejected", ex.spans[0].bad != NULL);
		CHECK("short spanId rejected", ex.spans[1].bad != NULL);
		CHECK("zero traceId rejected", ex.spans[2].bad != NULL);
		CHECK("unknown kind name rejected", ex.spans[3].bad != NULL);
		CHECK("unknown kind number kept", ex.spans[4].bad == NULL &&
		    ex.spans[4].kind == 99);
		CHECK_I64("status name", ex.spans[4].status_code, 2);
	}
	{
		static const uint8_t sid7[] = { 0x0a, 0x1f, 0x12, 0x1d, 0x12,
		    0x1b, 0x0a, 0x10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
		    13, 14, 15, 16, 0x12, 0x07, 1, 2, 3, 4, 5, 6, 7 };

		CHECK("protobuf 7-byte spanId decodes", pb(OTLP_TRACES, sid7,
		    sizeof(sid7), &ex) == OTLP_OK && ex.nspans == 1);
		CHECK("protobuf 7-byte spanId rejected", ex.nspans == 1 &&
		    ex.spans[0].bad != NULL);
	}

	/* gzip: round trip, bomb, corrupt. */
	buf_init(&out, 1 << 20);
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)(uintptr_t)good;
	z.avail_in = sizeof(good) - 1;
	z.next_out = gz;
	z.avail_out = sizeof(gz);
	deflate(&z, Z_FINISH);
	gzlen = sizeof(gz) - z.avail_out;
	deflateEnd(&z);
	CHECK("gunzip", otlp_gunzip(gz, gzlen, &out, &err) == OTLP_OK &&
	    out.len == sizeof(good) - 1 && memcmp(out.p, good, out.len) == 0);
	buf_reset(&out);
	CHECK("truncated gzip", otlp_gunzip(gz, gzlen - 5, &out, &err) ==
	    OTLP_BAD);
	buf_reset(&out);
	CHECK("not gzip", otlp_gunzip((const uint8_t *)"hello", 5, &out,
	    &err) == OTLP_BAD);
	buf_free(&out);
	zeros = calloc(1, 8 << 20);
	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 9, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
	z.next_in = zeros;
	z.avail_in = 8 << 20;
	{
		uint8_t	*bomb = malloc(1 << 20);

		z.next_out = bomb;
		z.avail_out = 1 << 20;
		deflate(&z, Z_FINISH);
		buf_init(&out, 1 << 20);	/* cap 1 MiB, stream is 8 MiB */
		CHECK("gzip bomb stops at the cap", otlp_gunzip(bomb,
		    (1 << 20) - z.avail_out, &out, &err) == OTLP_TOO_BIG &&
		    out.len <= (1 << 20));
		buf_free(&out);
		free(bomb);
	}
	deflateEnd(&z);
	free(zeros);

	/* The database: good rows, then failures that leave it as it was. */
	if (mkdtemp(path) == NULL)
		return 1;
	{
		char	 dbp[256];

		snprintf(dbp, sizeof(dbp), "%s/data.db", path);
		CHECK("db open", db_open(&db, dbp, DB_WRITE) == DB_OK);
	}
	if (db == NULL)
		return t_done();
	CHECK("good decodes", t_json(OTLP_TRACES, good, &ex) == OTLP_OK);
	otlp_result_init(&res);
	CHECK("store", otlp_store(db, &ex, &res) == DB_OK);
	CHECK_I64("two stored", res.accepted, 2);
	CHECK_I64("none rejected", res.rejected, 0);
	otlp_result_free(&res);
	CHECK_I64("two rows", count(db), 2);
	otlp_result_init(&res);
	CHECK("store again", otlp_store(db, &ex, &res) == DB_OK);
	CHECK_I64("duplicates rejected", res.rejected, 2);
	CHECK_STR("duplicate reason", buf_str(&res.msg),
	    "duplicate spanId; duplicate spanId");
	otlp_result_free(&res);
	CHECK_I64("still two rows", count(db), 2);

	/* Logs: every body type. */
	CHECK("logs decode", t_json(OTLP_LOGS, "{\"resourceLogs\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"s\"}}]},\"scopeLogs\":[{\"logRecords\":["
	    "{\"timeUnixNano\":\"1700000000000000000\",\"severityNumber\":\"SEVERITY_NUMBER_WARN\",\"body\":{\"stringValue\":\"hi\"},\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":\"0102030405060708\",\"eventName\":\"e\"},"
	    "{\"severityNumber\":17,\"body\":{\"kvlistValue\":{\"values\":[{\"key\":\"a\",\"value\":{\"intValue\":\"1\"}}]}}},"
	    "{\"body\":{\"bytesValue\":\"AAE=\"}},{\"body\":{\"arrayValue\":{\"values\":[]}}},{\"body\":{\"doubleValue\":\"NaN\"}},"
	    "{\"traceId\":\"01\"}"
	    "]}]}]}", &ex) == OTLP_OK);
	CHECK_I64("six logs", ex.nlogs, 6);
	otlp_result_init(&res);
	CHECK("store logs", otlp_store(db, &ex, &res) == DB_OK);
	CHECK_I64("five logs stored", res.accepted, 5);
	CHECK_I64("bad trace id log rejected", res.rejected, 1);
	otlp_result_free(&res);
	if (ex.nlogs == 6) {
		struct rowbufs	 rb;
		struct log_rec	 lr;

		rowbufs_init(&rb);
		otlp_log_row(&ex.logs[0], &rb, 1, &lr);
		CHECK_STR("severity text from number", lr.severity_text, "WARN");
		CHECK_STR("log trace id", lr.trace_id,
		    "0102030405060708090a0b0c0d0e0f10");
		CHECK_STR("log event name", lr.event_name, "e");
		CHECK_STR("log service", lr.service_name, "s");
		otlp_log_row(&ex.logs[1], &rb, 1, &lr);
		CHECK_STR("kvlist body as JSON", lr.body, "{\"a\":1}");
		otlp_log_row(&ex.logs[2], &rb, 1, &lr);
		CHECK_STR("bytes body base64", lr.body, "\"AAE=\"");
		rowbufs_free(&rb);
	}

	/* Metrics: every kind, one row per data point, none dropped. */
	CHECK("metrics decode", t_json(OTLP_METRICS, "{\"resourceMetrics\":[{\"scopeMetrics\":[{\"metrics\":["
	    "{\"name\":\"s\",\"sum\":{\"aggregationTemporality\":\"AGGREGATION_TEMPORALITY_CUMULATIVE\",\"isMonotonic\":true,\"dataPoints\":[{\"asInt\":\"5\",\"timeUnixNano\":\"1700000000000000000\"},{\"asInt\":6}]}},"
	    "{\"name\":\"g\",\"gauge\":{\"dataPoints\":[{\"asDouble\":1.5}]}},"
	    "{\"name\":\"h\",\"histogram\":{\"aggregationTemporality\":1,\"dataPoints\":[{\"count\":\"3\",\"sum\":6,\"bucketCounts\":[\"1\",\"2\"],\"explicitBounds\":[1.0]}]}},"
	    "{\"name\":\"e\",\"exponentialHistogram\":{\"dataPoints\":[{\"count\":2,\"scale\":3,\"positive\":{\"offset\":-1,\"bucketCounts\":[1,1]}}]}},"
	    "{\"name\":\"q\",\"summary\":{\"dataPoints\":[{\"count\":4,\"sum\":2,\"quantileValues\":[{\"quantile\":0.5,\"value\":1}]}]}},"
	    "{\"name\":\"nodata\"}"
	    "]}]}]}", &ex) == OTLP_OK);
	CHECK_I64("six data points", ex.npoints, 6);
	otlp_result_init(&res);
	CHECK("store metrics", otlp_store(db, &ex, &res) == DB_OK);
	CHECK_I64("six points stored", res.accepted, 6);
	CHECK_I64("metric without data rejected", res.rejected, 1);
	otlp_result_free(&res);
	if (ex.npoints == 6) {
		struct rowbufs		 rb;
		struct metric_rec	 mr;

		rowbufs_init(&rb);
		otlp_point_row(&ex.points[0], &rb, 1, &mr);
		CHECK_STR("sum type", mr.metric_type, "sum");
		CHECK_I64("sum value", mr.value_int, 5);
		CHECK_STR("sum temporality kept", mr.histogram_data,
		    "{\"temporality\":\"cumulative\",\"monotonic\":true}");
		otlp_point_row(&ex.points[3], &rb, 1, &mr);
		CHECK_STR("histogram data", mr.histogram_data,
		    "{\"temporality\":\"delta\",\"count\":3,\"sum\":6,"
		    "\"bucketCounts\":[1,2],\"explicitBounds\":[1]}");
		CHECK_I64("histogram count", mr.value_int, 3);
		otlp_point_row(&ex.points[4], &rb, 1, &mr);
		CHECK_STR("exp histogram type", mr.metric_type,
		    "exponential_histogram");
		otlp_point_row(&ex.points[5], &rb, 1, &mr);
		CHECK_STR("summary data", mr.histogram_data,
		    "{\"count\":4,\"sum\":2,\"quantiles\":"
		    "[{\"quantile\":0.5,\"value\":1}]}");
		rowbufs_free(&rb);
	}

	db_close(&db);
	arena_free(&t_arena);
	{
		char	 cmd[512];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
		if (system(cmd) != 0)
			return 1;
	}
	return t_done();
}
