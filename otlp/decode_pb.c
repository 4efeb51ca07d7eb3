/*
 * OTLP/protobuf.  protobuf-c unpacks into the request's arena (its
 * allocator is the arena; nothing is freed on its own), after a first
 * pass over the wire format that checks every length against the bytes
 * left and bounds message nesting by LF_OTLP_MAX_DEPTH, since protobuf-c
 * recurses once per nested message.  Strings in the model point into the
 * unpacked message.  Enums are open: unknown numbers are kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "limits.h"
#include "model.h"
#include "otlp.pb-c.h"

static void *
pb_alloc(void *arg, size_t n)
{
	return arena_alloc(arg, n ? n : 1);
}

static void
pb_free(void *arg, void *p)
{
	/* The arena frees everything at the end of the request. */
}

/* Read a varint at *i: 0, or -1 when truncated or longer than 10 bytes. */
static int
varint(const uint8_t *p, size_t n, size_t *i, uint64_t *out)
{
	uint64_t	 v = 0;
	unsigned	 shift = 0;

	while (*i < n && shift < 64) {
		v |= (uint64_t)(p[*i] & 0x7f) << shift;
		if ((p[(*i)++] & 0x80) == 0) {
			*out = v;
			return 0;
		}
		shift += 7;
	}
	return -1;
}

/*
 * Walk one message of type d (NULL: an unknown field, not looked into):
 * -1 for malformed wire data, -2 for nesting deeper than the limit.
 */
static int
pb_check(const uint8_t *p, size_t n, const ProtobufCMessageDescriptor *d,
    int depth)
{
	const ProtobufCFieldDescriptor	*f;
	uint64_t			 key, len;
	size_t				 i = 0;
	int				 rc;

	if (depth > LF_OTLP_MAX_DEPTH)
		return -2;
	while (i < n) {
		if (varint(p, n, &i, &key) == -1 || (key >> 3) == 0 ||
		    (key >> 3) > 536870911u)
			return -1;
		switch (key & 7) {
		case 0:
			if (varint(p, n, &i, &len) == -1)
				return -1;
			break;
		case 1:
			if (n - i < 8)
				return -1;
			i += 8;
			break;
		case 5:
			if (n - i < 4)
				return -1;
			i += 4;
			break;
		case 2:
			if (varint(p, n, &i, &len) == -1 || len > n - i)
				return -1;
			f = d ? protobuf_c_message_descriptor_get_field(d,
			    (unsigned)(key >> 3)) : NULL;
			if (f != NULL && f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    (rc = pb_check(p + i, (size_t)len, f->descriptor,
			    depth + 1)) != 0)
				return rc;
			i += (size_t)len;
			break;
		default:
			return -1;	/* groups (3, 4) are not used by OTLP */
		}
	}
	return 0;
}

struct pctx {
	struct otlp_export	*ex;
	struct arena		*a;
	struct otlp_err		*err;
};

static enum otlp_rc
nomem(struct pctx *c)
{
	snprintf(c->err->msg, sizeof(c->err->msg),
	    "export too large to decode; send smaller batches");
	return OTLP_NOMEM;
}

#define TRY(x) do { enum otlp_rc t_rc = (x); if (t_rc != OTLP_OK) return t_rc; } while (0)

static const char *
nonempty(const char *s)
{
	return s != NULL && *s != '\0' ? s : NULL;
}

static enum otlp_rc pattrs(struct pctx *, Otlp__KeyValue **, size_t,
    struct attrs *);

static enum otlp_rc
pvalue(struct pctx *c, const Otlp__AnyValue *in, struct anyvalue *v)
{
	size_t	 i;

	memset(v, 0, sizeof(*v));
	if (in == NULL)
		return OTLP_OK;
	switch (in->value_case) {
	case OTLP__ANY_VALUE__VALUE_STRING_VALUE:
		v->type = AV_STRING;
		v->s = in->string_value ? in->string_value : "";
		v->len = strlen(v->s);
		break;
	case OTLP__ANY_VALUE__VALUE_BOOL_VALUE:
		v->type = AV_BOOL;
		v->i = in->bool_value ? 1 : 0;
		break;
	case OTLP__ANY_VALUE__VALUE_INT_VALUE:
		v->type = AV_INT;
		v->i = in->int_value;
		break;
	case OTLP__ANY_VALUE__VALUE_DOUBLE_VALUE:
		v->type = AV_DOUBLE;
		v->d = in->double_value;
		break;
	case OTLP__ANY_VALUE__VALUE_BYTES_VALUE:
		v->type = AV_BYTES;
		v->s = (const char *)in->bytes_value.data;
		v->len = in->bytes_value.len;
		if (v->s == NULL)
			v->s = "";
		break;
	case OTLP__ANY_VALUE__VALUE_ARRAY_VALUE:
		v->type = AV_ARRAY;
		if (in->array_value == NULL || in->array_value->n_values == 0)
			break;
		v->n = in->array_value->n_values;
		if ((v->arr = arena_alloc(c->a, v->n * sizeof(*v->arr))) == NULL)
			return nomem(c);
		for (i = 0; i < v->n; i++)
			TRY(pvalue(c, in->array_value->values[i], &v->arr[i]));
		break;
	case OTLP__ANY_VALUE__VALUE_KVLIST_VALUE: {
		struct attrs	 a = { NULL, 0 };

		v->type = AV_KVLIST;
		if (in->kvlist_value != NULL)
			TRY(pattrs(c, in->kvlist_value->values,
			    in->kvlist_value->n_values, &a));
		v->kvs = a.kv;
		v->n = a.n;
		break;
	}
	default:
		break;
	}
	return OTLP_OK;
}

static enum otlp_rc
pattrs(struct pctx *c, Otlp__KeyValue **kv, size_t n, struct attrs *out)
{
	size_t	 i;

	out->kv = NULL;
	out->n = 0;
	if (n == 0)
		return OTLP_OK;
	if ((out->kv = arena_alloc(c->a, n * sizeof(*out->kv))) == NULL)
		return nomem(c);
	out->n = n;
	for (i = 0; i < n; i++) {
		out->kv[i].key = kv[i]->key ? kv[i]->key : "";
		out->kv[i].klen = strlen(out->kv[i].key);
		TRY(pvalue(c, kv[i]->value, &out->kv[i].v));
	}
	return OTLP_OK;
}

static enum otlp_rc
presource(struct pctx *c, const Otlp__Resource *in, struct otlp_resource **out)
{
	struct otlp_resource	*r;

	if ((r = arena_alloc(c->a, sizeof(*r))) == NULL)
		return nomem(c);
	r->dropped_attrs = 0;
	if (in != NULL) {
		TRY(pattrs(c, in->attributes, in->n_attributes, &r->attrs));
		r->dropped_attrs = in->dropped_attributes_count;
	}
	r->service_name = otlp_attr_str(&r->attrs, "service.name");
	*out = r;
	return OTLP_OK;
}

static enum otlp_rc
pscope(struct pctx *c, const Otlp__InstrumentationScope *in,
    struct otlp_scope **out)
{
	struct otlp_scope	*s;

	if ((s = arena_alloc(c->a, sizeof(*s))) == NULL)
		return nomem(c);
	if (in != NULL) {
		s->name = nonempty(in->name);
		s->version = nonempty(in->version);
		TRY(pattrs(c, in->attributes, in->n_attributes, &s->attrs));
	}
	*out = s;
	return OTLP_OK;
}

static enum otlp_rc
too_many(struct pctx *c)
{
	snprintf(c->err->msg, sizeof(c->err->msg),
	    "more than %d records in one export", LF_OTLP_MAX_RECORDS);
	return OTLP_TOO_BIG;
}

static enum otlp_rc
pspan(struct pctx *c, const Otlp__Span *in, struct otlp_span *s)
{
	const char	*why;
	size_t		 i;

	why = otlp_set_ids(IDS_RECORD, in->trace_id.data, in->trace_id.len,
	    in->span_id.data, in->span_id.len, 1, s->trace_id, s->span_id);
	if (why == NULL && in->parent_span_id.len != 0) {
		if (in->parent_span_id.len != 8)
			why = "parentSpanId is not 8 bytes";
		else if (!otlp_all_zero(in->parent_span_id.data, 8))
			otlp_hex(in->parent_span_id.data, 8, s->parent_id);
	}
	s->name = in->name ? in->name : "";
	s->kind = in->kind;
	s->start_ns = in->start_time_unix_nano;
	s->end_ns = in->end_time_unix_nano;
	TRY(pattrs(c, in->attributes, in->n_attributes, &s->attrs));
	s->dropped_attrs = in->dropped_attributes_count;
	s->dropped_events = in->dropped_events_count;
	s->dropped_links = in->dropped_links_count;
	s->nevents = in->n_events;
	if (s->nevents > 0 && (s->events = arena_alloc(c->a,
	    s->nevents * sizeof(*s->events))) == NULL)
		return nomem(c);
	for (i = 0; i < s->nevents; i++) {
		s->events[i].time_ns = in->events[i]->time_unix_nano;
		s->events[i].name = in->events[i]->name ?
		    in->events[i]->name : "";
		TRY(pattrs(c, in->events[i]->attributes,
		    in->events[i]->n_attributes, &s->events[i].attrs));
		s->events[i].dropped_attrs =
		    in->events[i]->dropped_attributes_count;
		if (why == NULL)
			why = otlp_check_attrs(&s->events[i].attrs);
	}
	s->nlinks = in->n_links;
	if (s->nlinks > 0 && (s->links = arena_alloc(c->a,
	    s->nlinks * sizeof(*s->links))) == NULL)
		return nomem(c);
	for (i = 0; i < s->nlinks; i++) {
		const Otlp__Span__Link	*l = in->links[i];
		const char		*lwhy;

		lwhy = otlp_set_ids(IDS_LINK, l->trace_id.data,
		    l->trace_id.len, l->span_id.data, l->span_id.len, 1,
		    s->links[i].trace_id, s->links[i].span_id);
		s->links[i].trace_state = nonempty(l->trace_state);
		TRY(pattrs(c, l->attributes, l->n_attributes,
		    &s->links[i].attrs));
		s->links[i].dropped_attrs = l->dropped_attributes_count;
		if (why == NULL)
			why = lwhy;
		if (why == NULL)
			why = otlp_check_attrs(&s->links[i].attrs);
	}
	if (in->status != NULL) {
		s->status_code = in->status->code;
		s->status_message = nonempty(in->status->message);
	}
	if (why == NULL && s->nevents > LF_OTLP_MAX_EVENTS)
		why = "too many events";
	if (why == NULL && s->nlinks > LF_OTLP_MAX_LINKS)
		why = "too many links";
	if (why == NULL)
		why = otlp_check_attrs(&s->attrs);
	s->bad = why;
	return OTLP_OK;
}

static enum otlp_rc
ptraces(struct pctx *c, const Otlp__ExportTraceServiceRequest *rq)
{
	struct otlp_export	*ex = c->ex;
	struct otlp_resource	*res;
	struct otlp_scope	*scope;
	size_t			 i, j, k, n = 0;

	for (i = 0; i < rq->n_resource_spans; i++)
		for (j = 0; j < rq->resource_spans[i]->n_scope_spans; j++) {
			k = rq->resource_spans[i]->scope_spans[j]->n_spans;
			if (k > LF_OTLP_MAX_RECORDS - n)
				return too_many(c);
			n += k;
		}
	if (n > 0 && (ex->spans = arena_alloc(c->a, n * sizeof(*ex->spans))) ==
	    NULL)
		return nomem(c);
	for (i = 0; i < rq->n_resource_spans; i++) {
		const Otlp__ResourceSpans *rs = rq->resource_spans[i];

		TRY(presource(c, rs->resource, &res));
		for (j = 0; j < rs->n_scope_spans; j++) {
			const Otlp__ScopeSpans *ss = rs->scope_spans[j];

			TRY(pscope(c, ss->scope, &scope));
			for (k = 0; k < ss->n_spans; k++) {
				struct otlp_span *s = &ex->spans[ex->nspans++];

				s->res = res;
				s->scope = scope;
				TRY(pspan(c, ss->spans[k], s));
			}
		}
	}
	return OTLP_OK;
}

static enum otlp_rc
plog(struct pctx *c, const Otlp__LogRecord *in, struct otlp_log *l)
{
	const char	*why;
	struct attrs	 b;
	struct kv	 one;

	why = otlp_set_ids(IDS_RECORD, in->trace_id.data, in->trace_id.len,
	    in->span_id.data, in->span_id.len, 0, l->trace_id, l->span_id);
	l->time_ns = in->time_unix_nano;
	l->observed_ns = in->observed_time_unix_nano;
	l->severity_number = in->severity_number;
	l->severity_text = nonempty(in->severity_text);
	TRY(pvalue(c, in->body, &l->body));
	TRY(pattrs(c, in->attributes, in->n_attributes, &l->attrs));
	l->dropped_attrs = in->dropped_attributes_count;
	l->flags = in->flags;
	l->event_name = nonempty(in->event_name);
	if (why == NULL)
		why = otlp_check_attrs(&l->attrs);
	if (why == NULL) {
		one.key = "body";
		one.klen = 4;
		one.v = l->body;
		b.kv = &one;
		b.n = 1;
		why = otlp_check_attrs(&b);
	}
	l->bad = why;
	return OTLP_OK;
}

static enum otlp_rc
plogs(struct pctx *c, const Otlp__ExportLogsServiceRequest *rq)
{
	struct otlp_export	*ex = c->ex;
	struct otlp_resource	*res;
	struct otlp_scope	*scope;
	size_t			 i, j, k, n = 0;

	for (i = 0; i < rq->n_resource_logs; i++)
		for (j = 0; j < rq->resource_logs[i]->n_scope_logs; j++) {
			k = rq->resource_logs[i]->scope_logs[j]->n_log_records;
			if (k > LF_OTLP_MAX_RECORDS - n)
				return too_many(c);
			n += k;
		}
	if (n > 0 && (ex->logs = arena_alloc(c->a, n * sizeof(*ex->logs))) ==
	    NULL)
		return nomem(c);
	for (i = 0; i < rq->n_resource_logs; i++) {
		const Otlp__ResourceLogs *rl = rq->resource_logs[i];

		TRY(presource(c, rl->resource, &res));
		for (j = 0; j < rl->n_scope_logs; j++) {
			const Otlp__ScopeLogs *sl = rl->scope_logs[j];

			TRY(pscope(c, sl->scope, &scope));
			for (k = 0; k < sl->n_log_records; k++) {
				struct otlp_log *l = &ex->logs[ex->nlogs++];

				l->res = res;
				l->scope = scope;
				TRY(plog(c, sl->log_records[k], l));
			}
		}
	}
	return OTLP_OK;
}

/* Data points of a metric, and their attributes. */
static size_t
npoints(const Otlp__Metric *m)
{
	switch (m->data_case) {
	case OTLP__METRIC__DATA_GAUGE:
		return m->gauge ? m->gauge->n_data_points : 0;
	case OTLP__METRIC__DATA_SUM:
		return m->sum ? m->sum->n_data_points : 0;
	case OTLP__METRIC__DATA_HISTOGRAM:
		return m->histogram ? m->histogram->n_data_points : 0;
	case OTLP__METRIC__DATA_EXPONENTIAL_HISTOGRAM:
		return m->exponential_histogram ?
		    m->exponential_histogram->n_data_points : 0;
	case OTLP__METRIC__DATA_SUMMARY:
		return m->summary ? m->summary->n_data_points : 0;
	default:
		return 0;
	}
}

/* A data point's exemplars; a bad one sets *why (the point's reason). */
static enum otlp_rc
pexemplars(struct pctx *c, Otlp__Exemplar **in, size_t n,
    struct otlp_point *p, const char **why)
{
	size_t	 i;

	p->nexemplars = n;
	if (n > 0 && (p->exemplars = arena_alloc(c->a,
	    n * sizeof(*p->exemplars))) == NULL)
		return nomem(c);
	for (i = 0; i < n; i++) {
		struct exemplar	*e = &p->exemplars[i];
		const char	*w;

		memset(e, 0, sizeof(*e));
		w = otlp_set_ids(IDS_EXEMPLAR, in[i]->trace_id.data,
		    in[i]->trace_id.len, in[i]->span_id.data,
		    in[i]->span_id.len, 0, e->trace_id, e->span_id);
		e->time_ns = in[i]->time_unix_nano;
		if (in[i]->value_case == OTLP__EXEMPLAR__VALUE_AS_INT) {
			e->vtype = EV_INT;
			e->as_int = in[i]->as_int;
		} else if (in[i]->value_case ==
		    OTLP__EXEMPLAR__VALUE_AS_DOUBLE) {
			e->vtype = EV_DOUBLE;
			e->as_double = in[i]->as_double;
		}
		TRY(pattrs(c, in[i]->filtered_attributes,
		    in[i]->n_filtered_attributes, &e->attrs));
		if (*why == NULL)
			*why = w;
		if (*why == NULL)
			*why = otlp_check_attrs(&e->attrs);
	}
	if (*why == NULL && n > LF_OTLP_MAX_EXEMPLARS)
		*why = "too many exemplars";
	return OTLP_OK;
}

static enum otlp_rc
pnumber(struct pctx *c, const Otlp__NumberDataPoint *in, struct otlp_point *p)
{
	TRY(pattrs(c, in->attributes, in->n_attributes, &p->attrs));
	p->start_ns = in->start_time_unix_nano;
	p->time_ns = in->time_unix_nano;
	p->flags = in->flags;
	if (in->value_case == OTLP__NUMBER_DATA_POINT__VALUE_AS_INT) {
		p->vtype = PV_INT;
		p->as_int = in->as_int;
	} else if (in->value_case == OTLP__NUMBER_DATA_POINT__VALUE_AS_DOUBLE) {
		p->vtype = PV_DOUBLE;
		p->as_double = in->as_double;
	}
	return OTLP_OK;
}

static enum otlp_rc
pbuckets(struct pctx *c, const Otlp__ExponentialHistogramDataPoint__Buckets *in,
    struct ebuckets *b)
{
	if (in == NULL)
		return OTLP_OK;
	b->offset = in->offset;
	b->counts = in->bucket_counts;
	b->n = in->n_bucket_counts;
	return OTLP_OK;
}

static enum otlp_rc
ppoint(struct pctx *c, const Otlp__Metric *m, size_t k, struct otlp_point *p)
{
	const char	*why = NULL;
	size_t		 i;

	switch (m->data_case) {
	case OTLP__METRIC__DATA_GAUGE:
		TRY(pnumber(c, m->gauge->data_points[k], p));
		TRY(pexemplars(c, m->gauge->data_points[k]->exemplars,
		    m->gauge->data_points[k]->n_exemplars, p, &why));
		break;
	case OTLP__METRIC__DATA_SUM:
		TRY(pnumber(c, m->sum->data_points[k], p));
		TRY(pexemplars(c, m->sum->data_points[k]->exemplars,
		    m->sum->data_points[k]->n_exemplars, p, &why));
		break;
	case OTLP__METRIC__DATA_HISTOGRAM: {
		const Otlp__HistogramDataPoint *h = m->histogram->data_points[k];

		TRY(pattrs(c, h->attributes, h->n_attributes, &p->attrs));
		p->start_ns = h->start_time_unix_nano;
		p->time_ns = h->time_unix_nano;
		p->flags = h->flags;
		p->count = h->count;
		p->has_sum = h->has_sum_case ==
		    OTLP__HISTOGRAM_DATA_POINT__HAS_SUM_SUM;
		p->sum = h->sum;
		p->has_min = h->has_min_case ==
		    OTLP__HISTOGRAM_DATA_POINT__HAS_MIN_MIN;
		p->min = h->min;
		p->has_max = h->has_max_case ==
		    OTLP__HISTOGRAM_DATA_POINT__HAS_MAX_MAX;
		p->max = h->max;
		p->bucket_counts = h->bucket_counts;
		p->nbucket_counts = h->n_bucket_counts;
		p->bounds = h->explicit_bounds;
		p->nbounds = h->n_explicit_bounds;
		TRY(pexemplars(c, h->exemplars, h->n_exemplars, p, &why));
		break;
	}
	case OTLP__METRIC__DATA_EXPONENTIAL_HISTOGRAM: {
		const Otlp__ExponentialHistogramDataPoint *h =
		    m->exponential_histogram->data_points[k];

		TRY(pattrs(c, h->attributes, h->n_attributes, &p->attrs));
		p->start_ns = h->start_time_unix_nano;
		p->time_ns = h->time_unix_nano;
		p->flags = h->flags;
		p->count = h->count;
		p->has_sum = h->has_sum_case ==
		    OTLP__EXPONENTIAL_HISTOGRAM_DATA_POINT__HAS_SUM_SUM;
		p->sum = h->sum;
		p->has_min = h->has_min_case ==
		    OTLP__EXPONENTIAL_HISTOGRAM_DATA_POINT__HAS_MIN_MIN;
		p->min = h->min;
		p->has_max = h->has_max_case ==
		    OTLP__EXPONENTIAL_HISTOGRAM_DATA_POINT__HAS_MAX_MAX;
		p->max = h->max;
		p->scale = h->scale;
		p->zero_count = h->zero_count;
		p->zero_threshold = h->zero_threshold;
		TRY(pbuckets(c, h->positive, &p->pos));
		TRY(pbuckets(c, h->negative, &p->neg));
		TRY(pexemplars(c, h->exemplars, h->n_exemplars, p, &why));
		break;
	}
	case OTLP__METRIC__DATA_SUMMARY: {
		const Otlp__SummaryDataPoint *h = m->summary->data_points[k];

		TRY(pattrs(c, h->attributes, h->n_attributes, &p->attrs));
		p->start_ns = h->start_time_unix_nano;
		p->time_ns = h->time_unix_nano;
		p->flags = h->flags;
		p->count = h->count;
		p->has_sum = 1;
		p->sum = h->sum;
		p->nquantiles = h->n_quantile_values;
		if (p->nquantiles > 0 && (p->quantiles = arena_alloc(c->a,
		    p->nquantiles * sizeof(*p->quantiles))) == NULL)
			return nomem(c);
		for (i = 0; i < p->nquantiles; i++) {
			p->quantiles[i].q = h->quantile_values[i]->quantile;
			p->quantiles[i].v = h->quantile_values[i]->value;
		}
		break;
	}
	default:
		abort();
	}
	p->bad = why != NULL ? why : otlp_check_attrs(&p->attrs);
	return OTLP_OK;
}

static enum otlp_rc
pmetrics(struct pctx *c, const Otlp__ExportMetricsServiceRequest *rq)
{
	struct otlp_export	*ex = c->ex;
	struct otlp_resource	*res;
	struct otlp_scope	*scope;
	struct otlp_metric	*m;
	size_t			 i, j, k, l, n = 0;

	for (i = 0; i < rq->n_resource_metrics; i++)
		for (j = 0; j < rq->resource_metrics[i]->n_scope_metrics; j++) {
			const Otlp__ScopeMetrics *sm =
			    rq->resource_metrics[i]->scope_metrics[j];

			for (l = 0; l < sm->n_metrics; l++) {
				k = npoints(sm->metrics[l]);
				if (k > LF_OTLP_MAX_RECORDS - n)
					return too_many(c);
				n += k;
			}
		}
	if (n > 0 && (ex->points = arena_alloc(c->a,
	    n * sizeof(*ex->points))) == NULL)
		return nomem(c);
	for (i = 0; i < rq->n_resource_metrics; i++) {
		const Otlp__ResourceMetrics *rm = rq->resource_metrics[i];

		TRY(presource(c, rm->resource, &res));
		for (j = 0; j < rm->n_scope_metrics; j++) {
			const Otlp__ScopeMetrics *sm = rm->scope_metrics[j];

			TRY(pscope(c, sm->scope, &scope));
			for (l = 0; l < sm->n_metrics; l++) {
				const Otlp__Metric *in = sm->metrics[l];

				if ((m = arena_alloc(c->a, sizeof(*m))) == NULL)
					return nomem(c);
				m->name = in->name ? in->name : "";
				m->description = nonempty(in->description);
				m->unit = nonempty(in->unit);
				switch (in->data_case) {
				case OTLP__METRIC__DATA_GAUGE:
					m->kind = MK_GAUGE;
					break;
				case OTLP__METRIC__DATA_SUM:
					m->kind = MK_SUM;
					m->temporality =
					    in->sum->aggregation_temporality;
					m->monotonic = in->sum->is_monotonic;
					break;
				case OTLP__METRIC__DATA_HISTOGRAM:
					m->kind = MK_HISTOGRAM;
					m->temporality = in->histogram->
					    aggregation_temporality;
					break;
				case OTLP__METRIC__DATA_EXPONENTIAL_HISTOGRAM:
					m->kind = MK_EXP_HISTOGRAM;
					m->temporality = in->
					    exponential_histogram->
					    aggregation_temporality;
					break;
				case OTLP__METRIC__DATA_SUMMARY:
					m->kind = MK_SUMMARY;
					break;
				default:
					ex->rejected_metrics++;
					ex->rejected_metric_reason =
					    "metric has no data";
					continue;
				}
				for (k = 0; k < npoints(in); k++) {
					struct otlp_point *p =
					    &ex->points[ex->npoints++];

					p->res = res;
					p->scope = scope;
					p->metric = m;
					TRY(ppoint(c, in, k, p));
				}
			}
		}
	}
	return OTLP_OK;
}

enum otlp_rc
otlp_parse_protobuf(const uint8_t *p, size_t len, struct otlp_export *ex,
    struct otlp_err *err)
{
	static const ProtobufCMessageDescriptor *const desc[OTLP__MAX] = {
		[OTLP_TRACES] = &otlp__export_trace_service_request__descriptor,
		[OTLP_LOGS] = &otlp__export_logs_service_request__descriptor,
		[OTLP_METRICS] =
		    &otlp__export_metrics_service_request__descriptor,
	};
	ProtobufCAllocator	 al;
	ProtobufCMessage	*msg;
	struct pctx		 c;

	c.ex = ex;
	c.a = ex->arena;
	c.err = err;
	ex->spans = NULL;
	ex->logs = NULL;
	ex->points = NULL;
	ex->nspans = ex->nlogs = ex->npoints = 0;
	ex->rejected_metrics = 0;
	ex->rejected_metric_reason = NULL;
	if (len > LF_OTLP_MAX_BODY) {
		snprintf(err->msg, sizeof(err->msg),
		    "body is larger than %lu bytes", LF_OTLP_MAX_BODY);
		return OTLP_TOO_BIG;
	}
	switch (pb_check(p, len, desc[ex->signal], 0)) {
	case 0:
		break;
	case -2:
		snprintf(err->msg, sizeof(err->msg), "protobuf body nested "
		    "deeper than %d messages", LF_OTLP_MAX_DEPTH);
		return OTLP_BAD;
	default:
		snprintf(err->msg, sizeof(err->msg), "protobuf body is "
		    "truncated or malformed");
		return OTLP_BAD;
	}
	al.alloc = pb_alloc;
	al.free = pb_free;
	al.allocator_data = ex->arena;
	if ((msg = protobuf_c_message_unpack(desc[ex->signal], &al, len,
	    p)) == NULL) {
		/* The walk passed, so the arena ran out or a field had the
		 * wrong wire type for its declaration. */
		snprintf(err->msg, sizeof(err->msg), "protobuf body does not "
		    "decode as an OTLP export request (wrong wire type, or too "
		    "large to decode)");
		return OTLP_BAD;
	}
	switch (ex->signal) {
	case OTLP_TRACES:
		return ptraces(&c, (const Otlp__ExportTraceServiceRequest *)msg);
	case OTLP_LOGS:
		return plogs(&c, (const Otlp__ExportLogsServiceRequest *)msg);
	case OTLP_METRICS:
		return pmetrics(&c,
		    (const Otlp__ExportMetricsServiceRequest *)msg);
	default:
		abort();
	}
}
