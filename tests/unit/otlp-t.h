/* Helpers for the OTLP unit tests: decode into an arena, build protobuf
 * exports with protobuf-c, and a row of a single span. */
#ifndef LF_OTLP_T_H
#define LF_OTLP_T_H

#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "classify.h"
#include "model.h"
#include "otlp.pb-c.h"

static struct arena	 t_arena __attribute__((unused));

static inline enum otlp_rc
t_decode(int json, enum otlp_signal sig, const void *p, size_t n,
    struct otlp_export *ex, struct otlp_err *err)
{
	memset(ex, 0, sizeof(*ex));
	ex->signal = sig;
	ex->arena = &t_arena;
	return json ? otlp_parse_json(p, n, ex, err) :
	    otlp_parse_protobuf(p, n, ex, err);
}

static inline enum otlp_rc
t_json(enum otlp_signal sig, const char *s, struct otlp_export *ex)
{
	struct otlp_err	 err;

	return t_decode(1, sig, s, strlen(s), ex, &err);
}

/* A JSON trace export of one span with the given attributes (JSON text
 * of the attributes array) and name. */
static inline enum otlp_rc
t_span(const char *name, const char *attrs, struct otlp_export *ex)
{
	char	 *s;
	size_t	  n = strlen(attrs) + strlen(name) + 512;
	enum otlp_rc rc;

	s = malloc(n);
	snprintf(s, n, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{"
	    "\"traceId\":\"0102030405060708090a0b0c0d0e0f10\","
	    "\"spanId\":\"0102030405060708\",\"name\":\"%s\","
	    "\"attributes\":%s}]}]}]}", name, attrs);
	rc = t_json(OTLP_TRACES, s, ex);
	free(s);
	return rc;
}

static inline Otlp__KeyValue *
t_kv(const char *key, Otlp__AnyValue *v)
{
	Otlp__KeyValue	*kv = arena_alloc(&t_arena, sizeof(*kv));

	otlp__key_value__init(kv);
	kv->key = (char *)(uintptr_t)key;
	kv->value = v;
	return kv;
}

static inline Otlp__AnyValue *
t_sv(const char *s)
{
	Otlp__AnyValue	*v = arena_alloc(&t_arena, sizeof(*v));

	otlp__any_value__init(v);
	v->value_case = OTLP__ANY_VALUE__VALUE_STRING_VALUE;
	v->string_value = (char *)(uintptr_t)s;
	return v;
}

static inline Otlp__AnyValue *
t_iv(int64_t i)
{
	Otlp__AnyValue	*v = arena_alloc(&t_arena, sizeof(*v));

	otlp__any_value__init(v);
	v->value_case = OTLP__ANY_VALUE__VALUE_INT_VALUE;
	v->int_value = i;
	return v;
}

#endif
