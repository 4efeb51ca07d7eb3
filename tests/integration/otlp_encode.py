"""A minimal OTLP encoder for the tests, written by hand from the
opentelemetry-proto v1 field numbers (the same numbers otlp/otlp.proto
decodes).  Python 3 stdlib only.

One neutral description of an export is turned into either encoding:

  spans:   resource_spans(resources) where a resource is
           {"attrs": {...}, "scopes": [{"name": ..., "version": ...,
             "attrs": {...}, "spans": [span, ...]}]}
           span = {"trace_id": hex32, "span_id": hex16, "parent_id": hex16|None,
                   "name": str, "kind": int, "start": ns, "end": ns,
                   "attrs": {...}, "events": [{"time": ns, "name": str,
                   "attrs": {...}}], "status": {"code": int, "message": str},
                   "links": [{"trace_id": hex32, "span_id": hex16,
                   "trace_state": str, "attrs": {...}, "flags": int}],
                   "dropped": {"attrs": n, "events": n, "links": n}}
           (events, links and log records take "dropped_attrs": n)
  logs:    the same with "logs": [log, ...] in scopes;
           log = {"time": ns, "observed": ns, "severity": int, "severity_text": str,
                  "body": value, "attrs": {...}, "trace_id": hex, "span_id": hex,
                  "event_name": str, "flags": int}
  metrics: the same with "metrics": [metric, ...] in scopes;
           metric = {"name", "description", "unit", "type": gauge|sum|histogram|
                     exponential_histogram|summary, "temporality": int,
                     "monotonic": bool, "points": [point, ...]}
           a point may carry "exemplars": [{"time": ns, "value": int|float,
           "trace_id": hex32, "span_id": hex16, "attrs": {...}}]

Attribute values are Python values mapped to AnyValue: str -> stringValue,
bool -> boolValue, int -> intValue, float -> doubleValue, list ->
arrayValue, dict -> kvlistValue, bytes -> bytesValue.  Wrap a value in
Raw(kind, v) to force a kind (e.g. Raw("int", "12") for an intValue given
as a JSON string).  Ids are hex strings; Bytes-wise they may be any
length (wrong lengths are for the bad-input tests).

encode_*() return protobuf bytes; json_*() return the OTLP/JSON dict (ids
as hex, 64-bit integers as decimal strings, bytes as base64).
"""

import base64
import gzip
import json
import struct


# ------------------------------------------------------------------ wire

def varint(n):
    if n < 0:
        n &= (1 << 64) - 1      # int32/int64 negatives: ten-byte two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def zigzag32(n):
    return (n << 1) ^ (n >> 31)


def key(field, wire):
    return varint((field << 3) | wire)


def f_varint(field, n):
    return key(field, 0) + varint(n)


def f_bytes(field, b):
    if isinstance(b, str):
        b = b.encode()
    return key(field, 2) + varint(len(b)) + b


def f_fixed64(field, n):
    return key(field, 1) + struct.pack("<Q", n & ((1 << 64) - 1))


def f_sfixed64(field, n):
    return key(field, 1) + struct.pack("<q", n)


def f_fixed32(field, n):
    return key(field, 5) + struct.pack("<I", n)


def f_double(field, d):
    return key(field, 1) + struct.pack("<d", d)


def packed_fixed64(field, vals):
    return f_bytes(field, b"".join(struct.pack("<Q", v) for v in vals))


def packed_double(field, vals):
    return f_bytes(field, b"".join(struct.pack("<d", v) for v in vals))


def packed_varint(field, vals):
    return f_bytes(field, b"".join(varint(v) for v in vals))


# ------------------------------------------------------------------ values

class Raw:
    """A value of a forced AnyValue kind: string bool int double array kvlist bytes."""

    def __init__(self, kind, v):
        self.kind = kind
        self.v = v


def _kind(v):
    if isinstance(v, Raw):
        return v.kind, v.v
    if isinstance(v, bool):
        return "bool", v
    if isinstance(v, int):
        return "int", v
    if isinstance(v, float):
        return "double", v
    if isinstance(v, str):
        return "string", v
    if isinstance(v, (bytes, bytearray)):
        return "bytes", bytes(v)
    if isinstance(v, (list, tuple)):
        return "array", list(v)
    if isinstance(v, dict):
        return "kvlist", v
    raise TypeError("no AnyValue for %r" % (v,))


def pb_anyvalue(v):
    k, x = _kind(v)
    if k == "string":
        return f_bytes(1, x)
    if k == "bool":
        return f_varint(2, 1 if x else 0)
    if k == "int":
        return f_varint(3, int(x))
    if k == "double":
        return f_double(4, float(x))
    if k == "array":
        return f_bytes(5, b"".join(f_bytes(1, pb_anyvalue(e)) for e in x))
    if k == "kvlist":
        return f_bytes(6, pb_kvs(x))
    if k == "bytes":
        return f_bytes(7, x)
    raise ValueError(k)


def pb_kv(k, v):
    return f_bytes(1, k) + f_bytes(2, pb_anyvalue(v))


def _items(attrs):
    if attrs is None:
        return []
    if isinstance(attrs, dict):
        return list(attrs.items())
    return list(attrs)          # a list of pairs (repeated keys allowed)


def pb_kvs(attrs, field=1):
    return b"".join(f_bytes(field, pb_kv(k, v)) for k, v in _items(attrs))


def json_anyvalue(v):
    k, x = _kind(v)
    if k == "string":
        return {"stringValue": x}
    if k == "bool":
        return {"boolValue": bool(x)}
    if k == "int":
        return {"intValue": str(x)}
    if k == "double":
        return {"doubleValue": x}
    if k == "array":
        return {"arrayValue": {"values": [json_anyvalue(e) for e in x]}}
    if k == "kvlist":
        return {"kvlistValue": {"values": json_kvs(x)}}
    if k == "bytes":
        return {"bytesValue": base64.b64encode(x).decode()}
    raise ValueError(k)


def json_kvs(attrs):
    return [{"key": k, "value": json_anyvalue(v)} for k, v in _items(attrs)]


def _hex(h):
    return bytes.fromhex(h) if h else b""


# ------------------------------------------------------------------ resource / scope

def pb_resource(res):
    out = pb_kvs(res.get("attrs"))
    if res.get("dropped_attrs"):
        out += f_varint(2, res["dropped_attrs"])
    return out


def json_resource(r):
    d = {"attributes": json_kvs(r.get("attrs"))}
    if r.get("dropped_attrs"):
        d["droppedAttributesCount"] = r["dropped_attrs"]
    return d


def pb_scope(sc):
    out = b""
    if sc.get("name"):
        out += f_bytes(1, sc["name"])
    if sc.get("version"):
        out += f_bytes(2, sc["version"])
    out += pb_kvs(sc.get("attrs"), 3)
    return out


def json_scope(sc):
    d = {}
    if sc.get("name"):
        d["name"] = sc["name"]
    if sc.get("version"):
        d["version"] = sc["version"]
    if sc.get("attrs"):
        d["attributes"] = json_kvs(sc["attrs"])
    return d


# ------------------------------------------------------------------ traces

def pb_span(s):
    out = f_bytes(1, _hex(s["trace_id"])) + f_bytes(2, _hex(s["span_id"]))
    if s.get("parent_id"):
        out += f_bytes(4, _hex(s["parent_id"]))
    if s.get("name") is not None:
        out += f_bytes(5, s["name"])
    if s.get("kind"):
        out += f_varint(6, s["kind"])
    if s.get("start"):
        out += f_fixed64(7, s["start"])
    if s.get("end"):
        out += f_fixed64(8, s["end"])
    out += pb_kvs(s.get("attrs"), 9)
    dropped = s.get("dropped") or {}
    if dropped.get("attrs"):
        out += f_varint(10, dropped["attrs"])
    if dropped.get("events"):
        out += f_varint(12, dropped["events"])
    if dropped.get("links"):
        out += f_varint(14, dropped["links"])
    for e in s.get("events") or []:
        ev = b""
        if e.get("time"):
            ev += f_fixed64(1, e["time"])
        ev += f_bytes(2, e.get("name", ""))
        ev += pb_kvs(e.get("attrs"), 3)
        if e.get("dropped_attrs"):
            ev += f_varint(4, e["dropped_attrs"])
        out += f_bytes(11, ev)
    for ln in s.get("links") or []:
        lb = f_bytes(1, _hex(ln["trace_id"])) + f_bytes(2, _hex(ln["span_id"]))
        if ln.get("trace_state"):
            lb += f_bytes(3, ln["trace_state"])
        lb += pb_kvs(ln.get("attrs"), 4)
        if ln.get("dropped_attrs"):
            lb += f_varint(5, ln["dropped_attrs"])
        if ln.get("flags"):
            lb += f_fixed32(6, ln["flags"])
        out += f_bytes(13, lb)
    st = s.get("status")
    if st:
        sb = b""
        if st.get("message"):
            sb += f_bytes(2, st["message"])
        if st.get("code"):
            sb += f_varint(3, st["code"])
        out += f_bytes(15, sb)
    if s.get("flags"):
        out += f_fixed32(16, s["flags"])
    return out


def json_span(s):
    d = {"traceId": s["trace_id"], "spanId": s["span_id"]}
    if s.get("parent_id"):
        d["parentSpanId"] = s["parent_id"]
    if s.get("name") is not None:
        d["name"] = s["name"]
    if s.get("kind"):
        d["kind"] = s["kind"]
    if s.get("start"):
        d["startTimeUnixNano"] = str(s["start"])
    if s.get("end"):
        d["endTimeUnixNano"] = str(s["end"])
    if s.get("attrs"):
        d["attributes"] = json_kvs(s["attrs"])
    for k, name in (("attrs", "droppedAttributesCount"), ("events", "droppedEventsCount"),
                    ("links", "droppedLinksCount")):
        if (s.get("dropped") or {}).get(k):
            d[name] = s["dropped"][k]
    if s.get("events"):
        d["events"] = []
        for e in s["events"]:
            ev = {"name": e.get("name", "")}
            if e.get("time"):
                ev["timeUnixNano"] = str(e["time"])
            if e.get("attrs"):
                ev["attributes"] = json_kvs(e["attrs"])
            if e.get("dropped_attrs"):
                ev["droppedAttributesCount"] = e["dropped_attrs"]
            d["events"].append(ev)
    if s.get("links"):
        d["links"] = []
        for ln in s["links"]:
            ld = {"traceId": ln["trace_id"], "spanId": ln["span_id"]}
            if ln.get("trace_state"):
                ld["traceState"] = ln["trace_state"]
            if ln.get("attrs"):
                ld["attributes"] = json_kvs(ln["attrs"])
            if ln.get("dropped_attrs"):
                ld["droppedAttributesCount"] = ln["dropped_attrs"]
            if ln.get("flags"):
                ld["flags"] = ln["flags"]
            d["links"].append(ld)
    st = s.get("status")
    if st:
        sd = {}
        if st.get("code"):
            sd["code"] = st["code"]
        if st.get("message"):
            sd["message"] = st["message"]
        d["status"] = sd
    if s.get("flags"):
        d["flags"] = s["flags"]
    return d


def encode_traces(resources):
    out = b""
    for r in resources:
        rb = f_bytes(1, pb_resource(r))
        for sc in r.get("scopes", []):
            sb = f_bytes(1, pb_scope(sc)) + b"".join(f_bytes(2, pb_span(s)) for s in sc.get("spans", []))
            rb += f_bytes(2, sb)
        out += f_bytes(1, rb)
    return out


def json_traces(resources):
    return {"resourceSpans": [
        {"resource": json_resource(r),
         "scopeSpans": [{"scope": json_scope(sc), "spans": [json_span(s) for s in sc.get("spans", [])]}
                        for sc in r.get("scopes", [])]}
        for r in resources]}


# ------------------------------------------------------------------ logs

def pb_log(l):
    out = b""
    if l.get("time"):
        out += f_fixed64(1, l["time"])
    if l.get("severity"):
        out += f_varint(2, l["severity"])
    if l.get("severity_text"):
        out += f_bytes(3, l["severity_text"])
    if "body" in l:
        out += f_bytes(5, pb_anyvalue(l["body"]))
    out += pb_kvs(l.get("attrs"), 6)
    if l.get("dropped_attrs"):
        out += f_varint(7, l["dropped_attrs"])
    if l.get("flags"):
        out += f_fixed32(8, l["flags"])
    if l.get("trace_id"):
        out += f_bytes(9, _hex(l["trace_id"]))
    if l.get("span_id"):
        out += f_bytes(10, _hex(l["span_id"]))
    if l.get("observed"):
        out += f_fixed64(11, l["observed"])
    if l.get("event_name"):
        out += f_bytes(12, l["event_name"])
    return out


def json_log(l):
    d = {}
    if l.get("time"):
        d["timeUnixNano"] = str(l["time"])
    if l.get("observed"):
        d["observedTimeUnixNano"] = str(l["observed"])
    if l.get("severity"):
        d["severityNumber"] = l["severity"]
    if l.get("severity_text"):
        d["severityText"] = l["severity_text"]
    if "body" in l:
        d["body"] = json_anyvalue(l["body"])
    if l.get("attrs"):
        d["attributes"] = json_kvs(l["attrs"])
    if l.get("dropped_attrs"):
        d["droppedAttributesCount"] = l["dropped_attrs"]
    if l.get("flags"):
        d["flags"] = l["flags"]
    if l.get("trace_id"):
        d["traceId"] = l["trace_id"]
    if l.get("span_id"):
        d["spanId"] = l["span_id"]
    if l.get("event_name"):
        d["eventName"] = l["event_name"]
    return d


def encode_logs(resources):
    out = b""
    for r in resources:
        rb = f_bytes(1, pb_resource(r))
        for sc in r.get("scopes", []):
            sb = f_bytes(1, pb_scope(sc)) + b"".join(f_bytes(2, pb_log(l)) for l in sc.get("logs", []))
            rb += f_bytes(2, sb)
        out += f_bytes(1, rb)
    return out


def json_logs(resources):
    return {"resourceLogs": [
        {"resource": json_resource(r),
         "scopeLogs": [{"scope": json_scope(sc), "logRecords": [json_log(l) for l in sc.get("logs", [])]}
                       for sc in r.get("scopes", [])]}
        for r in resources]}


# ------------------------------------------------------------------ metrics

def pb_exemplars(p, field):
    out = b""
    for e in p.get("exemplars") or []:
        b = pb_kvs(e.get("attrs"), 7)
        if e.get("time"):
            b += f_fixed64(2, e["time"])
        v = e.get("value")
        if isinstance(v, float):
            b += f_double(3, v)
        elif isinstance(v, int):
            b += f_sfixed64(6, v)
        if e.get("span_id") is not None:
            b += f_bytes(4, _hex(e["span_id"]))
        if e.get("trace_id") is not None:
            b += f_bytes(5, _hex(e["trace_id"]))
        out += f_bytes(field, b)
    return out


def json_exemplars(d, p):
    if not p.get("exemplars"):
        return
    d["exemplars"] = []
    for e in p["exemplars"]:
        x = {}
        if e.get("attrs"):
            x["filteredAttributes"] = json_kvs(e["attrs"])
        _ns(x, e, "timeUnixNano", "time")
        v = e.get("value")
        if isinstance(v, float):
            x["asDouble"] = v
        elif isinstance(v, int):
            x["asInt"] = str(v)
        if e.get("span_id") is not None:
            x["spanId"] = e["span_id"]
        if e.get("trace_id") is not None:
            x["traceId"] = e["trace_id"]
        d["exemplars"].append(x)


def pb_number_point(p):
    out = pb_kvs(p.get("attrs"), 7)
    if p.get("start"):
        out += f_fixed64(2, p["start"])
    if p.get("time"):
        out += f_fixed64(3, p["time"])
    v = p.get("value")
    if isinstance(v, float):
        out += f_double(4, v)
    elif isinstance(v, int):
        out += f_sfixed64(6, v)
    out += pb_exemplars(p, 5)
    if p.get("flags"):
        out += f_varint(8, p["flags"])
    return out


def pb_hist_point(p):
    out = pb_kvs(p.get("attrs"), 9)
    if p.get("start"):
        out += f_fixed64(2, p["start"])
    if p.get("time"):
        out += f_fixed64(3, p["time"])
    out += f_fixed64(4, p.get("count", 0))
    if p.get("sum") is not None:
        out += f_double(5, p["sum"])
    if p.get("bucket_counts"):
        out += packed_fixed64(6, p["bucket_counts"])
    if p.get("bounds"):
        out += packed_double(7, p["bounds"])
    out += pb_exemplars(p, 8)
    if p.get("min") is not None:
        out += f_double(11, p["min"])
    if p.get("max") is not None:
        out += f_double(12, p["max"])
    return out


def pb_buckets(b):
    out = b""
    if b.get("offset"):
        out += f_varint(1, zigzag32(b["offset"]))
    if b.get("counts"):
        out += packed_varint(2, b["counts"])
    return out


def pb_exp_point(p):
    out = pb_kvs(p.get("attrs"), 1)
    if p.get("start"):
        out += f_fixed64(2, p["start"])
    if p.get("time"):
        out += f_fixed64(3, p["time"])
    out += f_fixed64(4, p.get("count", 0))
    if p.get("sum") is not None:
        out += f_double(5, p["sum"])
    if p.get("scale"):
        out += f_varint(6, zigzag32(p["scale"]))
    if p.get("zero_count"):
        out += f_fixed64(7, p["zero_count"])
    if p.get("positive"):
        out += f_bytes(8, pb_buckets(p["positive"]))
    if p.get("negative"):
        out += f_bytes(9, pb_buckets(p["negative"]))
    out += pb_exemplars(p, 11)
    if p.get("min") is not None:
        out += f_double(12, p["min"])
    if p.get("max") is not None:
        out += f_double(13, p["max"])
    if p.get("zero_threshold"):
        out += f_double(14, p["zero_threshold"])
    return out


def pb_summary_point(p):
    out = pb_kvs(p.get("attrs"), 7)
    if p.get("start"):
        out += f_fixed64(2, p["start"])
    if p.get("time"):
        out += f_fixed64(3, p["time"])
    out += f_fixed64(4, p.get("count", 0))
    out += f_double(5, p.get("sum", 0.0))
    for q, v in p.get("quantiles", []):
        out += f_bytes(6, f_double(1, q) + f_double(2, v))
    return out


def pb_metric(m):
    out = f_bytes(1, m["name"])
    if m.get("description"):
        out += f_bytes(2, m["description"])
    if m.get("unit"):
        out += f_bytes(3, m["unit"])
    t = m["type"]
    pts = m.get("points", [])
    if t == "gauge":
        out += f_bytes(5, b"".join(f_bytes(1, pb_number_point(p)) for p in pts))
    elif t == "sum":
        body = b"".join(f_bytes(1, pb_number_point(p)) for p in pts)
        if m.get("temporality"):
            body += f_varint(2, m["temporality"])
        if m.get("monotonic"):
            body += f_varint(3, 1)
        out += f_bytes(7, body)
    elif t == "histogram":
        body = b"".join(f_bytes(1, pb_hist_point(p)) for p in pts)
        if m.get("temporality"):
            body += f_varint(2, m["temporality"])
        out += f_bytes(9, body)
    elif t == "exponential_histogram":
        body = b"".join(f_bytes(1, pb_exp_point(p)) for p in pts)
        if m.get("temporality"):
            body += f_varint(2, m["temporality"])
        out += f_bytes(10, body)
    elif t == "summary":
        out += f_bytes(11, b"".join(f_bytes(1, pb_summary_point(p)) for p in pts))
    elif t is not None:
        raise ValueError(t)
    return out


def _ns(d, p, name, key_):
    if p.get(key_):
        d[name] = str(p[key_])


def json_point(t, p):
    d = {}
    if p.get("attrs"):
        d["attributes"] = json_kvs(p["attrs"])
    _ns(d, p, "startTimeUnixNano", "start")
    _ns(d, p, "timeUnixNano", "time")
    if p.get("flags"):
        d["flags"] = p["flags"]
    if t != "summary":
        json_exemplars(d, p)
    if t in ("gauge", "sum"):
        v = p.get("value")
        if isinstance(v, float):
            d["asDouble"] = v
        elif isinstance(v, int):
            d["asInt"] = str(v)
        return d
    d["count"] = str(p.get("count", 0))
    if t == "summary":
        d["sum"] = p.get("sum", 0.0)
        d["quantileValues"] = [{"quantile": q, "value": v} for q, v in p.get("quantiles", [])]
        return d
    if p.get("sum") is not None:
        d["sum"] = p["sum"]
    if p.get("min") is not None:
        d["min"] = p["min"]
    if p.get("max") is not None:
        d["max"] = p["max"]
    if t == "histogram":
        d["bucketCounts"] = [str(c) for c in p.get("bucket_counts", [])]
        d["explicitBounds"] = list(p.get("bounds", []))
    else:
        if p.get("scale"):
            d["scale"] = p["scale"]
        if p.get("zero_count"):
            d["zeroCount"] = str(p["zero_count"])
        if p.get("zero_threshold"):
            d["zeroThreshold"] = p["zero_threshold"]
        for side in ("positive", "negative"):
            b = p.get(side)
            if b:
                d[side] = {"offset": b.get("offset", 0),
                           "bucketCounts": [str(c) for c in b.get("counts", [])]}
    return d


JSON_METRIC_KEYS = {"gauge": "gauge", "sum": "sum", "histogram": "histogram",
                    "exponential_histogram": "exponentialHistogram", "summary": "summary"}


def json_metric(m):
    d = {"name": m["name"]}
    if m.get("description"):
        d["description"] = m["description"]
    if m.get("unit"):
        d["unit"] = m["unit"]
    t = m["type"]
    if t is None:
        return d
    body = {"dataPoints": [json_point(t, p) for p in m.get("points", [])]}
    if t in ("sum", "histogram", "exponential_histogram") and m.get("temporality"):
        body["aggregationTemporality"] = m["temporality"]
    if t == "sum" and m.get("monotonic"):
        body["isMonotonic"] = True
    d[JSON_METRIC_KEYS[t]] = body
    return d


def encode_metrics(resources):
    out = b""
    for r in resources:
        rb = f_bytes(1, pb_resource(r))
        for sc in r.get("scopes", []):
            sb = f_bytes(1, pb_scope(sc)) + b"".join(f_bytes(2, pb_metric(m)) for m in sc.get("metrics", []))
            rb += f_bytes(2, sb)
        out += f_bytes(1, rb)
    return out


def json_metrics(resources):
    return {"resourceMetrics": [
        {"resource": json_resource(r),
         "scopeMetrics": [{"scope": json_scope(sc), "metrics": [json_metric(m) for m in sc.get("metrics", [])]}
                          for sc in r.get("scopes", [])]}
        for r in resources]}


# ------------------------------------------------------------------ answers

def _read_varint(b, i):
    shift = v = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        if not c & 0x80:
            return v, i
        shift += 7


def decode_fields(b):
    """Top-level fields of a protobuf message: [(field, wire, value)], value an
    int for varint/fixed, bytes for length-delimited."""
    out, i = [], 0
    while i < len(b):
        k, i = _read_varint(b, i)
        f, w = k >> 3, k & 7
        if w == 0:
            v, i = _read_varint(b, i)
        elif w == 1:
            v = struct.unpack("<Q", b[i:i + 8])[0]
            i += 8
        elif w == 5:
            v = struct.unpack("<I", b[i:i + 4])[0]
            i += 4
        elif w == 2:
            n, i = _read_varint(b, i)
            v = b[i:i + n]
            i += n
        else:
            raise ValueError("wire type %d" % w)
        out.append((f, w, v))
    return out


def decode_export_response(b):
    """An Export*ServiceResponse: (rejected, error_message), (0, "") if empty."""
    for f, w, v in decode_fields(b):
        if f == 1 and w == 2:
            rej, msg = 0, ""
            for f2, w2, v2 in decode_fields(v):
                if f2 == 1 and w2 == 0:
                    rej = v2 - (1 << 64) if v2 >= 1 << 63 else v2
                elif f2 == 2 and w2 == 2:
                    msg = v2.decode()
            return rej, msg
    return 0, ""


def decode_rpc_status(b):
    code, msg = 0, ""
    for f, w, v in decode_fields(b):
        if f == 1 and w == 0:
            code = v
        elif f == 2 and w == 2:
            msg = v.decode()
    return code, msg


# ------------------------------------------------------------------ sending

PATHS = {"traces": "/v1/traces", "logs": "/v1/logs", "metrics": "/v1/metrics"}
ENCODERS = {"traces": (encode_traces, json_traces), "logs": (encode_logs, json_logs),
            "metrics": (encode_metrics, json_metrics)}


def body_for(signal, resources, fmt):
    """(bytes, headers) for fmt: pb, json, pb-gzip, json-gzip."""
    pb, js = ENCODERS[signal]
    if fmt.startswith("pb"):
        data, ct = pb(resources), "application/x-protobuf"
    else:
        data, ct = json.dumps(js(resources)).encode(), "application/json"
    h = {"Content-Type": ct}
    if fmt.endswith("gzip"):
        data = gzip.compress(data)
        h["Content-Encoding"] = "gzip"
    return data, h


def _self_check():
    # Known encodings from the protobuf documentation.
    assert varint(150) == b"\x96\x01"
    assert varint(-1) == b"\xff" * 9 + b"\x01"
    assert zigzag32(-1) == 1 and zigzag32(1) == 2
    s = {"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331",
         "name": "x", "kind": 2, "start": 1, "end": 2, "attrs": {"a": 1, "b": "s"},
         "status": {"code": 2, "message": "m"}}
    b = encode_traces([{"attrs": {"service.name": "svc"}, "scopes": [{"name": "sc", "spans": [s]}]}])
    (f, w, rs), = decode_fields(b)
    assert (f, w) == (1, 2)
    fields = decode_fields(rs)
    assert [x[0] for x in fields] == [1, 2]
    sc = decode_fields(fields[1][2])
    span = dict((x[0], x[2]) for x in decode_fields(sc[1][2]))
    assert span[1] == bytes.fromhex(s["trace_id"]) and span[6] == 2 and span[7] == 1
    assert decode_export_response(f_bytes(1, f_varint(1, 3) + f_bytes(2, "why"))) == (3, "why")
    print("otlp_encode self-check ok")


if __name__ == "__main__":
    _self_check()
