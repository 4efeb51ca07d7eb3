/*
 * OTLP/JSON as senders really write it decodes to the right values:
 * escaped member names and strings, UTF-8 and \u escapes, NaN and
 * Infinity as literals (JavaScript's and Python's encoders) and as
 * strings (the protobuf JSON mapping), proto (snake_case) names, null
 * members treated as absent, the last of a repeated member, and big
 * integers as numbers and as strings.
 */
#include <math.h>

#include "t.h"
#include "otlp-t.h"

static const char json[] =
"{\"resource_spans\":[{\"resource\":{\"attributes\":["
"{\"key\":\"service.name\",\"value\":{\"string_value\":\"caf\\u00e9 \\\"svc\\\"\"}}]},"
"\"scope_spans\":[{\"scope\":null,\"spans\":[{"
"\"trace_id\":\"5b8efff798038103d269b633813fc60c\","
"\"span\\u0049d\":\"eee19b7ec3c1b174\","
"\"name\":\"first\",\"name\":\"chat \\u00e9\\ud83d\\ude00\\n\\t\","
"\"kind\":3,\"parentSpanId\":null,"
"\"startTimeUnixNano\":18446744073709551615,"
"\"endTimeUnixNano\":\"18446744073709551615\","
"\"attributes\":["
"{\"key\":\"nan\",\"value\":{\"doubleValue\":NaN}},"
"{\"key\":\"inf\",\"value\":{\"doubleValue\":-Infinity}},"
"{\"key\":\"nan-string\",\"value\":{\"doubleValue\":\"NaN\"}},"
"{\"key\":\"exp\",\"value\":{\"doubleValue\":-2.5e-3}},"
"{\"key\":\"big\",\"value\":{\"intValue\":-9223372036854775808}},"
"{\"key\":\"k\\u00e9y\",\"value\":{\"stringValue\":\"tab\\there\"}},"
"{\"key\":\"empty\",\"value\":null}"
"],\"events\":null,\"status\":{\"code\":\"STATUS_CODE_ERROR\",\"message\":\"\\u2603\"}}]}]}]}";

int
main(void)
{
	struct otlp_export	 ex;
	const struct otlp_span	*s;
	const struct anyvalue	*v;

	arena_init(&t_arena, 64 << 20);

	CHECK("decodes", t_json(OTLP_TRACES, json, &ex) == OTLP_OK &&
	    ex.nspans == 1);
	if (ex.nspans != 1)
		return t_done();
	s = &ex.spans[0];
	CHECK("no reason to reject", s->bad == NULL);
	CHECK_STR("escaped member name (span\\u0049d) is spanId", s->span_id,
	    "eee19b7ec3c1b174");
	CHECK_STR("proto names and ids", s->trace_id,
	    "5b8efff798038103d269b633813fc60c");
	CHECK_STR("the last of a repeated member, escapes undone", s->name,
	    "chat \xc3\xa9\xf0\x9f\x98\x80\n\t");
	CHECK_STR("null parentSpanId: a root", s->parent_id, "");
	CHECK("2^64-1 as a number and as a string",
	    s->start_ns == UINT64_MAX && s->end_ns == UINT64_MAX);
	CHECK_STR("resource string with escapes", s->res->service_name,
	    "caf\xc3\xa9 \"svc\"");
	CHECK("null scope: no name", s->scope != NULL &&
	    s->scope->name == NULL);
	CHECK("status by name, message escaped", s->status_code == 2 &&
	    s->status_message != NULL &&
	    strcmp(s->status_message, "\xe2\x98\x83") == 0);
	CHECK("null events: none", s->nevents == 0);
	v = otlp_attr(&s->attrs, "nan");
	CHECK("NaN literal", v != NULL && v->type == AV_DOUBLE && isnan(v->d));
	v = otlp_attr(&s->attrs, "inf");
	CHECK("-Infinity literal", v != NULL && v->type == AV_DOUBLE &&
	    isinf(v->d) && v->d < 0);
	v = otlp_attr(&s->attrs, "nan-string");
	CHECK("\"NaN\" string", v != NULL && v->type == AV_DOUBLE &&
	    isnan(v->d));
	v = otlp_attr(&s->attrs, "exp");
	CHECK("exponent", v != NULL && v->type == AV_DOUBLE &&
	    v->d == -2.5e-3);
	v = otlp_attr(&s->attrs, "big");
	CHECK("INT64_MIN as a number", v != NULL && v->type == AV_INT &&
	    v->i == INT64_MIN);
	v = otlp_attr(&s->attrs, "k\xc3\xa9y");
	CHECK("escaped key and value", v != NULL && v->type == AV_STRING &&
	    v->len == 8 && memcmp(v->s, "tab\there", 8) == 0);
	v = otlp_attr(&s->attrs, "empty");
	CHECK("null value: an empty value", v != NULL && v->type == AV_EMPTY);

	CHECK("a number too big for uint64 is a 400",
	    t_json(OTLP_TRACES, "{\"resourceSpans\":[{\"scopeSpans\":[{"
	    "\"spans\":[{\"startTimeUnixNano\":18446744073709551616}]}]}]}",
	    &ex) == OTLP_BAD);
	CHECK("a fraction where an integer goes is a 400",
	    t_json(OTLP_TRACES, "{\"resourceSpans\":[{\"scopeSpans\":[{"
	    "\"spans\":[{\"startTimeUnixNano\":1.5}]}]}]}", &ex) ==
	    OTLP_BAD);
	CHECK("an integral double where an integer goes is taken",
	    t_json(OTLP_TRACES, "{\"resourceSpans\":[{\"scopeSpans\":[{"
	    "\"spans\":[{\"traceId\":\"5b8efff798038103d269b633813fc60c\","
	    "\"spanId\":\"eee19b7ec3c1b174\",\"startTimeUnixNano\":2e3}]}]}]}",
	    &ex) == OTLP_OK && ex.nspans == 1 && ex.spans[0].start_ns == 2000);
	return t_done();
}
