/*
 * The one internal model both OTLP encodings decode into, so that JSON
 * and protobuf give the same rows.  Everything lives in the request's
 * arena (strings may point into protobuf-c's unpacked message, which is
 * in the same arena); nothing here is freed on its own.
 *
 * An export is flattened: every span, log record and data point points
 * at its resource, scope (and metric).  A record the decoder could read
 * but must not store (wrong id length, unknown enum name, over a limit)
 * keeps `bad` set to the reason; the store skips it and counts it in
 * partialSuccess.
 */
#ifndef LF_OTLP_MODEL_H
#define LF_OTLP_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

enum otlp_signal {
	OTLP_TRACES,
	OTLP_LOGS,
	OTLP_METRICS,
	OTLP__MAX
};

enum av_type {
	AV_EMPTY = 0,	/* no value set */
	AV_STRING,
	AV_BOOL,
	AV_INT,
	AV_DOUBLE,
	AV_ARRAY,
	AV_KVLIST,
	AV_BYTES
};

struct kv;

/* An OTLP AnyValue.  s/len hold STRING and BYTES (s NUL-terminated). */
struct anyvalue {
	enum av_type	 type;
	const char	*s;
	size_t		 len;
	int64_t		 i;	/* INT, BOOL (0/1) */
	double		 d;
	struct anyvalue	*arr;	/* ARRAY */
	struct kv	*kvs;	/* KVLIST */
	size_t		 n;	/* elements of arr or kvs */
};

struct kv {
	const char	*key;
	size_t		 klen;	/* strlen(key): lookups compare it first */
	struct anyvalue	 v;
};

struct attrs {
	struct kv	*kv;
	size_t		 n;
};

struct otlp_resource {
	struct attrs	 attrs;
	uint32_t	 dropped_attrs;	/* by the sender's limits */
	const char	*service_name;	/* service.name string, or NULL */
};

struct otlp_scope {
	const char	*name;		/* NULL when empty */
	const char	*version;
	struct attrs	 attrs;
};

struct span_event {
	uint64_t	 time_ns;
	const char	*name;
	struct attrs	 attrs;
	uint32_t	 dropped_attrs;	/* by the sender's limits */
};

/* A span link: a span this one points at (any trace). */
struct span_link {
	char		 trace_id[33];	/* lowercase hex */
	char		 span_id[17];
	const char	*trace_state;	/* NULL when empty */
	struct attrs	 attrs;
	uint32_t	 dropped_attrs;
};

/* Status.code values; others are kept as numbers. */
#define OTLP_STATUS_UNSET	0
#define OTLP_STATUS_OK		1
#define OTLP_STATUS_ERROR	2

struct otlp_span {
	const struct otlp_resource *res;
	const struct otlp_scope	*scope;
	const char	*bad;		/* reason to reject, or NULL */
	char		 trace_id[33];	/* lowercase hex */
	char		 span_id[17];
	char		 parent_id[17];	/* "" for a root */
	const char	*name;
	int32_t		 kind;		/* SpanKind number */
	uint64_t	 start_ns;
	uint64_t	 end_ns;
	struct attrs	 attrs;
	struct span_event *events;
	size_t		 nevents;
	struct span_link *links;
	size_t		 nlinks;
	/* What the sender's limits dropped (kept as otel.dropped_*). */
	uint32_t	 dropped_attrs, dropped_events, dropped_links;
	int32_t		 status_code;
	const char	*status_message;	/* NULL when empty */
};

struct otlp_log {
	const struct otlp_resource *res;
	const struct otlp_scope	*scope;
	const char	*bad;
	uint64_t	 time_ns;
	uint64_t	 observed_ns;
	int32_t		 severity_number;
	const char	*severity_text;	/* NULL when empty */
	struct anyvalue	 body;
	struct attrs	 attrs;
	uint32_t	 dropped_attrs;
	uint32_t	 flags;
	char		 trace_id[33];	/* "" when absent */
	char		 span_id[17];
	const char	*event_name;
};

enum metric_kind {
	MK_GAUGE,
	MK_SUM,
	MK_HISTOGRAM,
	MK_EXP_HISTOGRAM,
	MK_SUMMARY,
	MK__MAX
};

struct otlp_metric {
	const char	*name;
	const char	*description;	/* NULL when empty */
	const char	*unit;
	enum metric_kind kind;
	int32_t		 temporality;	/* AggregationTemporality number */
	int		 monotonic;
};

struct quantile {
	double		 q;
	double		 v;
};

/* Exponential histogram buckets. */
struct ebuckets {
	int32_t		 offset;
	uint64_t	*counts;
	size_t		 n;
};

/* A data point's exemplar: a measurement and the span it was taken in. */
struct exemplar {
	uint64_t	 time_ns;
	enum { EV_NONE, EV_INT, EV_DOUBLE } vtype;
	int64_t		 as_int;
	double		 as_double;
	char		 trace_id[33];	/* "" when absent */
	char		 span_id[17];
	struct attrs	 attrs;		/* filtered_attributes */
};

struct otlp_point {
	const struct otlp_resource *res;
	const struct otlp_scope	*scope;
	const struct otlp_metric *metric;
	const char	*bad;
	struct attrs	 attrs;
	uint64_t	 start_ns;
	uint64_t	 time_ns;
	uint32_t	 flags;
	/* gauge, sum */
	enum { PV_NONE, PV_INT, PV_DOUBLE } vtype;
	int64_t		 as_int;
	double		 as_double;
	/* histogram, exponential histogram, summary */
	uint64_t	 count;
	int		 has_sum, has_min, has_max;
	double		 sum, min, max;
	uint64_t	*bucket_counts;
	size_t		 nbucket_counts;
	double		*bounds;
	size_t		 nbounds;
	int32_t		 scale;
	uint64_t	 zero_count;
	double		 zero_threshold;
	struct ebuckets	 pos, neg;
	struct quantile	*quantiles;
	size_t		 nquantiles;
	struct exemplar	*exemplars;
	size_t		 nexemplars;
};

struct otlp_export {
	enum otlp_signal signal;
	struct arena	*arena;		/* set by the caller */
	struct otlp_span *spans;
	size_t		 nspans;
	struct otlp_log	*logs;
	size_t		 nlogs;
	struct otlp_point *points;
	size_t		 npoints;
	/* Metrics that carried no data (no gauge/sum/...): rejected. */
	size_t		 rejected_metrics;
	const char	*rejected_metric_reason;
};

/* How a decode ended. */
enum otlp_rc {
	OTLP_OK = 0,
	OTLP_BAD,	/* undecodable: 400, message in err */
	OTLP_TOO_BIG,	/* over a limit for the whole export: 413 */
	OTLP_NOMEM	/* the arena is exhausted: 413 (split the batch) */
};

struct otlp_err {
	char		 msg[256];
};

/*
 * Decoders.  `out` must have signal and arena set; on OTLP_OK its arrays
 * hold every record of the export (records with `bad` included).  On
 * failure err->msg says why, for the client, and out is unspecified.
 */
enum otlp_rc	 otlp_parse_json(const uint8_t *, size_t, struct otlp_export *,
		    struct otlp_err *);
enum otlp_rc	 otlp_parse_protobuf(const uint8_t *, size_t,
		    struct otlp_export *, struct otlp_err *);

/*
 * Undo Content-Encoding: gzip into out (a buf whose max is the cap).
 * OTLP_BAD for a corrupt or truncated stream, OTLP_TOO_BIG past the cap.
 */
struct buf;
enum otlp_rc	 otlp_gunzip(const uint8_t *, size_t, struct buf *,
		    struct otlp_err *);

/* Shared by the decoders (model.c). */
/* Hex of n bytes into out (2n+1 bytes). */
void		 otlp_hex(const uint8_t *, size_t, char *);
/* Parse 2n hex digits (either case) into n bytes: 0 or -1. */
int		 otlp_unhex(const char *, size_t, uint8_t *, size_t n);
/* The value of one hex digit (either case), or -1. */
int		 otlp_hexval(int);
/* Whether n bytes are all zero. */
int		 otlp_all_zero(const uint8_t *, size_t);
/* Whose trace/span ids are checked: the reasons name the field. */
enum otlp_ids { IDS_RECORD, IDS_LINK, IDS_EXEMPLAR };
/* Check a trace/span id pair and set the hex fields; the reason or NULL.
 * Required (spans, links): both.  Else (logs, exemplars) none, a trace
 * id, or both. */
const char	*otlp_set_ids(enum otlp_ids, const uint8_t *tid, size_t tlen,
		    const uint8_t *sid, size_t slen, int required,
		    char tid_hex[33], char sid_hex[17]);
/* The reason for an id that is not hex (OTLP/JSON). */
const char	*otlp_id_not_hex(enum otlp_ids, int trace);
/* The string attribute key of attrs, or NULL. */
const struct anyvalue *otlp_attr(const struct attrs *, const char *key);
const char	*otlp_attr_str(const struct attrs *, const char *key);
/* Whether a value (recursively) breaks LF_OTLP_MAX_VALUE or MAX_ATTRS. */
const char	*otlp_check_attrs(const struct attrs *);

#endif
