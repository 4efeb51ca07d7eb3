/*
 * The same trace sent as OTLP/JSON and as OTLP/protobuf decodes to the
 * same model and the same row; ids are lowercase hex whatever the case
 * sent; 64-bit integers as strings; enums as names or numbers; kvlist,
 * array and bytes attribute values.
 */
#include "t.h"
#include "otlp-t.h"

static const char json[] =
"{\"resourceSpans\":[{\"resource\":{\"attributes\":["
"{\"key\":\"service.name\",\"value\":{\"stringValue\":\"svc\"}}]},"
"\"scopeSpans\":[{\"scope\":{\"name\":\"sc\"},\"spans\":[{"
"\"traceId\":\"5B8EFFF798038103D269B633813FC60C\","
"\"spanId\":\"eee19b7ec3c1b174\",\"parentSpanId\":\"0000000000000001\","
"\"name\":\"chat\",\"kind\":\"SPAN_KIND_CLIENT\","
"\"startTimeUnixNano\":\"1700000000000000000\","
"\"endTimeUnixNano\":1700000002000000000,"
"\"attributes\":["
"{\"key\":\"gen_ai.request.model\",\"value\":{\"stringValue\":\"gpt-4o\"}},"
"{\"key\":\"gen_ai.usage.input_tokens\",\"value\":{\"intValue\":\"9007199254740993\"}},"
"{\"key\":\"b\",\"value\":{\"bytesValue\":\"AQID\"}},"
"{\"key\":\"arr\",\"value\":{\"arrayValue\":{\"values\":[{\"intValue\":1},{\"boolValue\":true},{\"doubleValue\":1.5}]}}},"
"{\"key\":\"kv\",\"value\":{\"kvlistValue\":{\"values\":[{\"key\":\"x\",\"value\":{\"stringValue\":\"y\"}}]}}}"
"],\"status\":{\"code\":2,\"message\":\"boom\"}}]}]}]}";

static uint8_t *
pb_trace(size_t *len)
{
	static uint8_t			 tid[16] = { 0x5b, 0x8e, 0xff, 0xf7,
	    0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f,
	    0xc6, 0x0c };
	static uint8_t			 sid[8] = { 0xee, 0xe1, 0x9b, 0x7e,
	    0xc3, 0xc1, 0xb1, 0x74 };
	static uint8_t			 pid[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };
	static uint8_t			 bytes[3] = { 1, 2, 3 };
	Otlp__ExportTraceServiceRequest	 rq = OTLP__EXPORT_TRACE_SERVICE_REQUEST__INIT;
	Otlp__ResourceSpans		 rs = OTLP__RESOURCE_SPANS__INIT, *rsp = &rs;
	Otlp__Resource			 res = OTLP__RESOURCE__INIT;
	Otlp__ScopeSpans		 ss = OTLP__SCOPE_SPANS__INIT, *ssp = &ss;
	Otlp__InstrumentationScope	 sc = OTLP__INSTRUMENTATION_SCOPE__INIT;
	Otlp__Span			 sp = OTLP__SPAN__INIT, *spp = &sp;
	Otlp__SpanStatus		 st = OTLP__SPAN_STATUS__INIT;
	Otlp__KeyValue			*ra[1], *a[5], *kvs[1];
	Otlp__AnyValue			 bv = OTLP__ANY_VALUE__INIT, av = OTLP__ANY_VALUE__INIT,
					 kvv = OTLP__ANY_VALUE__INIT, e1 = OTLP__ANY_VALUE__INIT,
					 e2 = OTLP__ANY_VALUE__INIT, e3 = OTLP__ANY_VALUE__INIT;
	Otlp__AnyValue			*elems[3] = { &e1, &e2, &e3 };
	Otlp__ArrayValue		 arr = OTLP__ARRAY_VALUE__INIT;
	Otlp__KeyValueList		 kvl = OTLP__KEY_VALUE_LIST__INIT;
	uint8_t				*p;

	ra[0] = t_kv("service.name", t_sv("svc"));
	res.attributes = ra;
	res.n_attributes = 1;
	rs.resource = &res;
	sc.name = "sc";
	ss.scope = &sc;
	sp.trace_id.data = tid;
	sp.trace_id.len = 16;
	sp.span_id.data = sid;
	sp.span_id.len = 8;
	sp.parent_span_id.data = pid;
	sp.parent_span_id.len = 8;
	sp.name = "chat";
	sp.kind = 3;
	sp.start_time_unix_nano = 1700000000000000000ULL;
	sp.end_time_unix_nano = 1700000002000000000ULL;
	bv.value_case = OTLP__ANY_VALUE__VALUE_BYTES_VALUE;
	bv.bytes_value.data = bytes;
	bv.bytes_value.len = 3;
	e1.value_case = OTLP__ANY_VALUE__VALUE_INT_VALUE;
	e1.int_value = 1;
	e2.value_case = OTLP__ANY_VALUE__VALUE_BOOL_VALUE;
	e2.bool_value = 1;
	e3.value_case = OTLP__ANY_VALUE__VALUE_DOUBLE_VALUE;
	e3.double_value = 1.5;
	arr.values = elems;
	arr.n_values = 3;
	av.value_case = OTLP__ANY_VALUE__VALUE_ARRAY_VALUE;
	av.array_value = &arr;
	kvs[0] = t_kv("x", t_sv("y"));
	kvl.values = kvs;
	kvl.n_values = 1;
	kvv.value_case = OTLP__ANY_VALUE__VALUE_KVLIST_VALUE;
	kvv.kvlist_value = &kvl;
	a[0] = t_kv("gen_ai.request.model", t_sv("gpt-4o"));
	a[1] = t_kv("gen_ai.usage.input_tokens", t_iv(9007199254740993LL));
	a[2] = t_kv("b", &bv);
	a[3] = t_kv("arr", &av);
	a[4] = t_kv("kv", &kvv);
	sp.attributes = a;
	sp.n_attributes = 5;
	st.code = 2;
	st.message = "boom";
	sp.status = &st;
	ss.spans = &spp;
	ss.n_spans = 1;
	rs.scope_spans = &ssp;
	rs.n_scope_spans = 1;
	rq.resource_spans = &rsp;
	rq.n_resource_spans = 1;
	*len = protobuf_c_message_get_packed_size(&rq.base);
	p = malloc(*len);
	protobuf_c_message_pack(&rq.base, p);
	return p;
}

#define SAME_STR(f) CHECK_STR("same " #f, a.f, b.f)
#define SAME_I64(f) CHECK_I64("same " #f, a.f, b.f)

int
main(void)
{
	struct otlp_export	 ej, ep;
	struct otlp_err		 err;
	struct rowbufs		 rj, rp;
	struct trace_rec	 a, b;
	uint8_t			*pb;
	size_t			 n;

	arena_init(&t_arena, 64 << 20);
	pb = pb_trace(&n);
	CHECK("json decodes", t_decode(1, OTLP_TRACES, json, strlen(json),
	    &ej, &err) == OTLP_OK);
	CHECK("protobuf decodes", t_decode(0, OTLP_TRACES, pb, n, &ep,
	    &err) == OTLP_OK);
	CHECK_I64("json spans", ej.nspans, 1);
	CHECK_I64("protobuf spans", ep.nspans, 1);
	if (ej.nspans != 1 || ep.nspans != 1)
		return t_done();
	CHECK("json span good", ej.spans[0].bad == NULL);
	CHECK("protobuf span good", ep.spans[0].bad == NULL);
	rowbufs_init(&rj);
	rowbufs_init(&rp);
	otlp_span_row(&ej.spans[0], &rj, 1, &a);
	otlp_span_row(&ep.spans[0], &rp, 2, &b);
	CHECK_STR("id lowercase hex", a.id, "eee19b7ec3c1b174");
	CHECK_STR("trace id lowercase hex", a.trace_id,
	    "5b8efff798038103d269b633813fc60c");
	CHECK_STR("parent id", a.parent_id, "0000000000000001");
	CHECK_I64("timestamp ms", a.timestamp, 1700000000000LL);
	CHECK_I64("duration ms", a.duration_ms, 2000);
	CHECK_STR("kind name", a.span_kind, "client");
	CHECK_I64("error status", a.status, 500);
	CHECK_STR("error message", a.error, "boom");
	CHECK_I64("64-bit int from string", a.prompt_tokens,
	    9007199254740993LL);
	CHECK_STR("attributes typed", a.attributes,
	    "{\"gen_ai.request.model\":\"gpt-4o\","
	    "\"gen_ai.usage.input_tokens\":9007199254740993,"
	    "\"b\":\"AQID\",\"arr\":[1,true,1.5],\"kv\":{\"x\":\"y\"}}");
	CHECK_STR("resource attributes", a.resource_attributes,
	    "{\"service.name\":\"svc\"}");
	SAME_STR(id); SAME_STR(trace_id); SAME_STR(parent_id);
	SAME_I64(timestamp); SAME_I64(duration_ms); SAME_STR(span_type);
	SAME_STR(span_name); SAME_STR(span_kind); SAME_STR(model);
	SAME_STR(service_name); SAME_STR(scope_name); SAME_I64(status);
	SAME_STR(error); SAME_I64(prompt_tokens); SAME_STR(attributes);
	SAME_STR(resource_attributes); SAME_STR(cost_source);
	CHECK("same input", (a.input == NULL) == (b.input == NULL));
	rowbufs_free(&rj);
	rowbufs_free(&rp);
	free(pb);
	arena_free(&t_arena);
	return t_done();
}
