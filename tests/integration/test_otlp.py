"""OTLP ingest on the dashboard port (/v1/traces, /v1/logs, /v1/metrics):
protobuf and JSON, gzip, every GenAI dialect, and what the query API shows
of it (/api/traces/:id/tree, /api/logs, /api/metrics).

Each test checks the stored rows first (db_query: what llmflow-otlp wrote),
then the API, so a failure says which side is wrong."""

import gzip
import json
import os
import sqlite3
import threading
import time
import urllib.parse

import otlp_encode as oe
from harness import (Instance, queue_spans, TestFailure, check, close, eq, fake, marker, price,
                     raw_post_early_reply, request)


def slow(f):
    f.slow = True
    return f


# ------------------------------------------------------------------ helpers

def hexid(n):
    """n random bytes as lowercase hex (never all zero)."""
    while True:
        b = os.urandom(n)
        if any(b):
            return b.hex()


def now_ns():
    return time.time_ns()


def post(inst, signal, resources, fmt="pb", want=200):
    """Send an export; returns (response, rejected, error_message)."""
    body, h = oe.body_for(signal, resources, fmt)
    r = request(inst.dashboard_port, "POST", oe.PATHS[signal], body, h, timeout=60)
    if want is not None and r.status != want:
        raise TestFailure("POST %s (%s): status %d, want %d: %r"
                          % (oe.PATHS[signal], fmt, r.status, want, r.body[:300]))
    rej, msg = 0, ""
    if r.status == 200:
        rej, msg = export_answer(r, signal, fmt)
        if signal == "traces":
            wait_queue(inst)
    return r, rej, msg


def wait_queue(inst, timeout=20):
    """Wait until the ingest queue has moved every answered span into traces
    (GET /api/health says how many wait)."""
    end = time.time() + timeout
    while True:
        q = inst.api_json("/api/health").get("queued_spans")
        if q == 0:
            return
        if time.time() > end:
            raise TestFailure("ingest queue still holds %r spans after %d s" % (q, timeout))
        time.sleep(0.02)


REJECTED_KEY = {"traces": "rejectedSpans", "logs": "rejectedLogRecords",
                "metrics": "rejectedDataPoints"}


def export_answer(r, signal, fmt):
    """(rejected, errorMessage) from a 200 answer in the request's encoding."""
    ct = (r.header("Content-Type") or "").split(";")[0].strip()
    if fmt.startswith("pb"):
        eq(ct, "application/x-protobuf", "answer Content-Type to a protobuf export")
        return oe.decode_export_response(r.body)
    eq(ct, "application/json", "answer Content-Type to a JSON export")
    d = r.json()
    ps = d.get("partialSuccess")
    if not ps:
        eq(d, {}, "JSON export answer without partialSuccess")
        return 0, ""
    return int(ps.get(REJECTED_KEY[signal], 0)), ps.get("errorMessage", "")


def one_scope(attrs, spans=None, logs=None, metrics=None, scope="test-scope"):
    sc = {"name": scope, "version": "1.0"}
    if spans is not None:
        sc["spans"] = spans
    if logs is not None:
        sc["logs"] = logs
    if metrics is not None:
        sc["metrics"] = metrics
    return [{"attrs": attrs, "scopes": [sc]}]


def span(tid, sid, parent=None, name="span", attrs=None, start=None, dur_ms=10, kind=1,
         events=None, status=None, links=None, dropped=None):
    start = start or now_ns() - 5 * 10 ** 9
    s = {"trace_id": tid, "span_id": sid, "parent_id": parent, "name": name, "kind": kind,
         "start": start, "end": start + dur_ms * 10 ** 6, "attrs": attrs or {}}
    if events:
        s["events"] = events
    if status:
        s["status"] = status
    if links:
        s["links"] = links
    if dropped:
        s["dropped"] = dropped
    return s


def api_get(inst, path, want=200):
    r = inst.api(path)
    if want is not None and r.status != want:
        raise TestFailure("GET %s: status %d, want %d: %r" % (path, r.status, want, r.body[:300]))
    return r.json()


def as_obj(v):
    """A JSON column the API may give parsed or as text."""
    if isinstance(v, str):
        try:
            return json.loads(v)
        except ValueError:
            return v
    return v


def tree(inst, span_id):
    return api_get(inst, "/api/traces/%s/tree" % urllib.parse.quote(span_id, safe=""))


def walk(nodes, parent=None, depth=0, out=None):
    """{id: (node, parent id in the tree, depth)} over a tree answer's spans."""
    out = {} if out is None else out
    for n in nodes:
        check(n.get("id") not in out, "span %r appears twice in the tree", n.get("id"))
        out[n["id"]] = (n, parent, depth)
        kids = n.get("children")
        check(isinstance(kids, list), "span %r: children %r is not a list", n.get("id"), kids)
        walk(kids, n["id"], depth + 1, out)
    return out


def db_find_call(inst, mk, timeout=5.0):
    """The stored row (dict) of the proxied call whose request body has mk,
    polling the database (not the API, so an API bug cannot hide it)."""
    end = time.time() + timeout
    while True:
        rows = db_dicts(inst, "traces", "request_body LIKE ?", ("%" + mk + "%",))
        if rows:
            return rows[0]
        if time.time() > end:
            raise TestFailure("no stored row for %s after %.0fs" % (mk, timeout))
        time.sleep(0.05)


def db_row(inst, table, where, args=()):
    cur_rows = inst.db_query("SELECT * FROM %s WHERE %s" % (table, where), args)
    return cur_rows


def db_cols(inst, table):
    return [r[1] for r in inst.db_query("PRAGMA table_info(%s)" % table)]


def db_dicts(inst, table, where, args=()):
    cols = db_cols(inst, table)
    return [dict(zip(cols, r)) for r in inst.db_query("SELECT * FROM %s WHERE %s" % (table, where), args)]


def counts(inst):
    return tuple(inst.db_query("SELECT count(*) FROM %s" % t)[0][0] for t in ("traces", "logs", "metrics"))


_shared = {}
_shared_lock = threading.Lock()


def otlp_inst():
    """An instance shared by the OTLP tests that only add rows with their own ids."""
    with _shared_lock:
        if "otlp" not in _shared:
            _shared["otlp"] = Instance("otlp")
        return _shared["otlp"]


def mini_cost(p, c, cached=0):
    pr = price("gpt-4o-mini")
    return (p - cached) * pr["input_cost_per_token"] + cached * pr["cache_read_input_token_cost"] + \
        c * pr["output_cost_per_token"]


# ------------------------------------------------------------------ encodings

EX_TRACE, EX_SPAN = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


def _rich_export(tid, ids, lt, base):
    """A trace of 3 spans with most kinds of content, plus logs and metrics."""
    a, b, c = ids
    spans = [
        span(tid, a, None, "invoke_agent planner", start=base, dur_ms=900,
             attrs={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner",
                    "session.id": "sess-enc", "user.id": "u-enc"}),
        span(tid, b, a, "chat gpt-4o-mini", start=base + 10 ** 6, dur_ms=400, kind=3,
             attrs={"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 1000,
                    "gen_ai.usage.output_tokens": 500, "gen_ai.input.messages":
                    '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
                    "flt": 1.25, "flag": True, "arr": ["x", 2, False], "kv": {"k": "v", "n": 3},
                    "raw": b"\x00\x01\xfe"},
             events=[{"time": base + 2 * 10 ** 6, "name": "gen_ai.choice", "dropped_attrs": 1,
                      "attrs": {"index": 0, "message": '{"role":"assistant","content":"hello"}'}}],
             dropped={"attrs": 3, "events": 2, "links": 1}),
        span(tid, c, a, "execute_tool search", start=base + 5 * 10 ** 8, dur_ms=50, kind=1,
             attrs={"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "search"},
             status={"code": 2, "message": "tool failed"},
             links=[{"trace_id": "0af7651916cd43dd8448eb211c80319c", "span_id": "b7ad6b7169203331",
                     "trace_state": "rojo=00f067aa0ba902b7", "attrs": {"link.kind": "follows", "n": 2},
                     "flags": 1, "dropped_attrs": 4}]),
    ]
    logs = [{"time": base + 3 * 10 ** 6, "observed": base + 4 * 10 ** 6, "severity": 17,
             "severity_text": "ERROR", "body": {"msg": "boom", "n": [1, 2.5]},
             "attrs": {"k": "v"}, "trace_id": tid, "span_id": c, "event_name": "tool.error", "dropped_attrs": 5},
            {"time": base + 5 * 10 ** 6, "severity": 9, "body": "plain " + lt}]
    metrics = [{"name": "enc.requests", "description": "d", "unit": "1", "type": "sum",
                "temporality": 2, "monotonic": True,
                "points": [{"start": base, "time": base + 10 ** 9, "value": 7, "attrs": {"lt": lt},
                            "exemplars": [{"time": base + 5 * 10 ** 8, "value": 2,
                                           "trace_id": EX_TRACE, "span_id": EX_SPAN}]}]},
               {"name": "enc.latency", "unit": "ms", "type": "histogram", "temporality": 1,
                "points": [{"time": base + 10 ** 9, "count": 3, "sum": 12.5, "min": 1.0, "max": 9.0,
                            "bucket_counts": [1, 1, 1], "bounds": [2.0, 5.0], "attrs": {"lt": lt},
                            "exemplars": [{"time": base + 6 * 10 ** 8, "value": 8.5, "trace_id": EX_TRACE,
                                           "span_id": EX_SPAN, "attrs": {"route": "/chat"}},
                                          {"value": 1.5}]}]}]
    res_attrs = {"service.name": "enc-svc", "deployment.environment": "test"}
    out = (one_scope(res_attrs, spans=spans), one_scope(res_attrs, logs=logs),
           one_scope(res_attrs, metrics=metrics))
    for resources in out:
        resources[0]["dropped_attrs"] = 6     # by the sender's resource limits
    return out


def test_otlp_same_export_as_protobuf_json_and_gzip_gives_identical_rows():
    with Instance("otlp-enc") as inst:
        base = now_ns() - 30 * 10 ** 9
        got = {}
        for fmt in ("pb", "json", "pb-gzip", "json-gzip"):
            tid = hexid(16)
            ids = [hexid(8) for _ in range(3)]
            lt = "lt" + fmt
            tr, lg, mt = _rich_export(tid, ids, lt, base)
            last = {t: inst.db_query("SELECT coalesce(max(rowid), 0) FROM %s" % t)[0][0]
                    for t in ("traces", "logs", "metrics")}
            for sig, res, n in (("traces", tr, 3), ("logs", lg, 2), ("metrics", mt, 2)):
                r, rej, msg = post(inst, sig, res, fmt)
                eq(rej, 0, "%s %s rejected (%s)" % (fmt, sig, msg))
                if fmt.startswith("pb"):
                    eq(r.body, b"", "%s: protobuf answer to a clean %s export" % (fmt, sig))
            idmap = {tid: "T", ids[0]: "A", ids[1]: "B", ids[2]: "C"}
            rows = {}
            for t in ("traces", "logs", "metrics"):
                cols = db_cols(inst, t)
                out = []
                for r in inst.db_query("SELECT * FROM %s WHERE rowid > ? ORDER BY rowid" % t, (last[t],)):
                    d = dict(zip(cols, r))
                    d.pop("seq", None)
                    if t != "traces":
                        d.pop("id")
                    for k in ("id", "trace_id", "parent_id", "span_id"):
                        if k in d and d[k] is not None:
                            d[k] = idmap.get(d[k], "?" + d[k])
                    for k in ("body", "attributes"):
                        if isinstance(d.get(k), str):
                            d[k] = d[k].replace(lt, "LT")
                    out.append(d)
                rows[t] = out
            eq((len(rows["traces"]), len(rows["logs"]), len(rows["metrics"])), (3, 2, 2),
               "%s: rows stored (traces, logs, metrics)" % fmt)
            got[fmt] = rows
        for fmt in ("json", "pb-gzip", "json-gzip"):
            for t in ("traces", "logs", "metrics"):
                for i, (x, y) in enumerate(zip(got["pb"][t], got[fmt][t])):
                    diff = {k: (x[k], y.get(k)) for k in x if x[k] != y.get(k)}
                    check(not diff, "%s row %d from %s differs from protobuf's: %r", t, i, fmt, diff)
        # A sanity check that the rows say what was sent.
        b = [r for r in got["pb"]["traces"] if r["id"] == "B"][0]
        eq((b["span_type"], b["model"], b["provider"], b["prompt_tokens"], b["completion_tokens"]),
           ("llm", "gpt-4o-mini", "openai", 1000, 500), "llm span columns")
        eq(b["parent_id"], "A", "llm span parent")
        check(close(b["estimated_cost"], mini_cost(1000, 500)), "cost %r", b["estimated_cost"])
        eq(b["span_kind"], "client", "span_kind")
        c = [r for r in got["pb"]["traces"] if r["id"] == "C"][0]
        eq((c["span_type"], c["status"], c["error"]), ("tool", 500, "tool failed"), "tool span status")
        eq(json.loads(c["links"]), [{"trace_id": "0af7651916cd43dd8448eb211c80319c",
                                     "span_id": "b7ad6b7169203331", "trace_state": "rojo=00f067aa0ba902b7",
                                     "attributes": {"link.kind": "follows", "n": 2,
                                                    "otel.dropped_attributes_count": 4}}], "tool span links")
        # What the sender's limits dropped, as the OTel spec's non-OTLP keys.
        ba = json.loads(b["attributes"])
        eq((ba.get("otel.dropped_attributes_count"), ba.get("otel.dropped_events_count"),
            ba.get("otel.dropped_links_count")), (3, 2, 1), "llm span dropped counts")
        eq(json.loads(b["events"])[0]["attributes"].get("otel.dropped_attributes_count"), 1,
           "event dropped attributes")
        check("otel.dropped_attributes_count" not in json.loads(c["attributes"]), "no dropped count when none")
        lg = [r for r in got["pb"]["logs"] if r["event_name"] == "tool.error"][0]
        eq(json.loads(lg["attributes"]), {"k": "v", "otel.dropped_attributes_count": 5}, "log dropped attributes")
        for t in ("traces", "logs", "metrics"):
            eq(json.loads(got["pb"][t][0]["resource_attributes"]),
               {"service.name": "enc-svc", "deployment.environment": "test", "otel.dropped_attributes_count": 6},
               "%s: resource dropped attributes" % t)
        eq(b["links"], None, "a span without links")
        m = {r["name"]: json.loads(r["histogram_data"]) for r in got["pb"]["metrics"]}
        eq(m["enc.requests"].get("exemplars"),
           [{"time": (base + 5 * 10 ** 8) // 10 ** 6, "value": 2, "trace_id": EX_TRACE, "span_id": EX_SPAN,
             "attributes": {}}], "sum point exemplars")
        eq(m["enc.latency"].get("exemplars"),
           [{"time": (base + 6 * 10 ** 8) // 10 ** 6, "value": 8.5, "trace_id": EX_TRACE, "span_id": EX_SPAN,
             "attributes": {"route": "/chat"}}, {"value": 1.5, "attributes": {}}], "histogram point exemplars")


# ------------------------------------------------------------------ tree

def test_otlp_nested_tree_with_orphan_types_tokens_cost_totals():
    inst = otlp_inst()
    tid = hexid(16)
    agent, chain, llm1, tool, retr, emb, llm2, orphan = [hexid(8) for _ in range(8)]
    missing = hexid(8)
    t0 = now_ns() - 60 * 10 ** 9
    ms = 10 ** 6
    spans = [
        span(tid, agent, None, "research run", start=t0, dur_ms=5000,
             attrs={"openinference.span.kind": "AGENT", "gen_ai.agent.name": "researcher"}),
        span(tid, chain, agent, "plan", start=t0 + 100 * ms, dur_ms=3000,
             attrs={"traceloop.span.kind": "task"}),
        span(tid, llm1, chain, "chat", start=t0 + 200 * ms, dur_ms=800,
             attrs={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 1200, "gen_ai.usage.output_tokens": 300}),
        span(tid, tool, chain, "lookup", start=t0 + 1100 * ms, dur_ms=1500,
             attrs={"gen_ai.tool.name": "lookup"}),
        span(tid, retr, tool, "query index", start=t0 + 1200 * ms, dur_ms=600,
             attrs={"db.system": "pinecone"}),
        span(tid, emb, retr, "embed query", start=t0 + 1250 * ms, dur_ms=100,
             attrs={"gen_ai.operation.name": "embeddings", "gen_ai.request.model": "text-embedding-3-small",
                    "gen_ai.usage.input_tokens": 40}),
        span(tid, llm2, agent, "answer", start=t0 + 3200 * ms, dur_ms=1000,
             attrs={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o",
                    "gen_ai.usage.input_tokens": 2000, "gen_ai.usage.output_tokens": 100}),
        span(tid, orphan, missing, "late chat", start=t0 + 6000 * ms, dur_ms=500,
             attrs={"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
                    "gen_ai.usage.input_tokens": 100, "gen_ai.usage.output_tokens": 10}),
    ]
    _, rej, msg = post(inst, "traces", one_scope({"service.name": "tree-svc"}, spans=spans))
    eq(rej, 0, "rejected (%s)" % msg)
    p4, pe = price("gpt-4o"), price("text-embedding-3-small")
    want = {
        agent: ("agent", None, None, None, 0),
        chain: ("chain", None, None, None, 1),
        llm1: ("llm", 1200, 300, mini_cost(1200, 300), 2),
        tool: ("tool", None, None, None, 2),
        retr: ("retrieval", None, None, None, 3),
        emb: ("embedding", 40, None, 40 * pe["input_cost_per_token"], 4),
        llm2: ("llm", 2000, 100, 2000 * p4["input_cost_per_token"] + 100 * p4["output_cost_per_token"], 1),
        orphan: ("llm", 100, 10, mini_cost(100, 10), 0),
    }
    parents = {agent: None, chain: agent, llm1: chain, tool: chain, retr: tool, emb: retr,
               llm2: agent, orphan: None}
    # Stored rows.
    for r in db_dicts(inst, "traces", "trace_id = ?", (tid,)):
        w = want[r["id"]]
        eq(r["span_type"], w[0], "stored span_type of %s" % r["span_name"])
        eq((r["prompt_tokens"], r["completion_tokens"]), (w[1], w[2]), "stored tokens of %s" % r["span_name"])
        if w[3] is None:
            eq(r["estimated_cost"], None, "stored cost of %s" % r["span_name"])
        else:
            check(close(r["estimated_cost"], w[3]), "stored cost of %s: %r, want %r",
                  r["span_name"], r["estimated_cost"], w[3])
    eq(db_row(inst, "traces", "id = ?", (orphan,))[0][0] is not None, True, "orphan stored")
    total_cost = sum(w[3] for w in want.values() if w[3] is not None)
    total_tokens = 1500 + 40 + 2100 + 110
    db_tot = inst.db_query("SELECT sum(total_tokens), sum(estimated_cost), count(*) FROM traces "
                           "WHERE trace_id = ?", (tid,))[0]
    eq(db_tot[0], total_tokens, "stored total_tokens of the trace")
    check(close(db_tot[1], total_cost), "stored cost of the trace %r, want %r", db_tot[1], total_cost)
    for start_at in (emb, agent, orphan):
        d = tree(inst, start_at)
        t = d.get("trace") or {}
        eq(t.get("trace_id"), tid, "tree trace_id (asked with %s)" % start_at)
        eq(t.get("span_count"), 8, "span_count")
        eq(t.get("total_tokens"), total_tokens, "total_tokens")
        check(close(t.get("total_cost"), total_cost), "total_cost %r, want %r", t.get("total_cost"), total_cost)
        eq(t.get("start_time"), t0 // ms, "start_time")
        eq(t.get("end_time"), t0 // ms + 6500, "end_time")
        eq(t.get("duration_ms"), 6500, "duration_ms")
        roots = d.get("spans")
        check(isinstance(roots, list), "spans %r", roots)
        eq(sorted(n["id"] for n in roots), sorted([agent, orphan]), "roots (the orphan is a root)")
        eq([n["id"] for n in roots], [agent, orphan], "roots in start order")
        nodes = walk(roots)
        eq(sorted(nodes), sorted(want), "every span in the tree")
        for sid, (n, par, depth) in nodes.items():
            w = want[sid]
            eq(par, parents[sid], "tree parent of %s" % n.get("span_name"))
            eq(depth, w[4], "depth of %s" % n.get("span_name"))
            eq(n.get("span_type"), w[0], "span_type of %s" % n.get("span_name"))
            eq((n.get("prompt_tokens"), n.get("completion_tokens")), (w[1], w[2]),
               "tokens of %s" % n.get("span_name"))
            if w[3] is not None:
                check(close(n.get("estimated_cost"), w[3]), "cost of %s: %r, want %r",
                      n.get("span_name"), n.get("estimated_cost"), w[3])
            else:
                eq(n.get("estimated_cost"), None, "cost of %s" % n.get("span_name"))
        eq(nodes[orphan][0].get("parent_id"), missing, "orphan keeps its parent_id")
        kids = [c["id"] for c in nodes[chain][0]["children"]]
        eq(kids, [llm1, tool], "chain's children in start order")
    r = inst.api("/api/traces/%s/tree" % hexid(8))
    eq(r.status, 404, "tree of an unknown span")


# ------------------------------------------------------------------ dialects

def test_otlp_genai_dialects_tokens_cost_ids():
    inst = otlp_inst()
    tid = hexid(16)
    ids = {k: hexid(8) for k in ("cur", "old", "oi", "tl", "vercel", "cost")}
    spans = [
        span(tid, ids["cur"], None, "chat gpt-4o-mini", kind=3, attrs={
            "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
            "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 1000,
            "gen_ai.usage.output_tokens": 500, "gen_ai.usage.cache_read.input_tokens": 200,
            "gen_ai.usage.reasoning.output_tokens": 100, "session.id": "sess-dialect",
            "gen_ai.conversation.id": "conv-dialect", "user.id": "user-dialect",
            "gen_ai.agent.name": "agent-dialect"}),
        span(tid, ids["old"], ids["cur"], "openai.chat", attrs={
            "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o",
            "gen_ai.usage.prompt_tokens": 100, "gen_ai.usage.completion_tokens": 20}),
        span(tid, ids["oi"], ids["cur"], "ChatOpenAI", attrs={
            "openinference.span.kind": "LLM", "llm.model_name": "gpt-4o-mini", "llm.provider": "openai",
            "llm.token_count.prompt": 10, "llm.token_count.completion": 5, "llm.cost.total": 0.123,
            "input.value": "what is 2+2", "output.value": "4"}),
        span(tid, ids["tl"], ids["cur"], "anthropic.chat", attrs={
            "traceloop.span.kind": "llm", "llm.request.type": "chat", "gen_ai.system": "anthropic",
            "gen_ai.request.model": "claude-3-haiku-20240307", "gen_ai.usage.prompt_tokens": 400,
            "gen_ai.usage.completion_tokens": 80, "gen_ai.prompt.0.role": "user",
            "gen_ai.prompt.0.content": "tell me a joke", "gen_ai.completion.0.role": "assistant",
            "gen_ai.completion.0.content": "no",
            "traceloop.association.properties.session_id": "sess-tl"}),
        span(tid, ids["vercel"], ids["cur"], "ai.generateText.doGenerate", attrs={
            "ai.operationId": "ai.generateText.doGenerate", "ai.model.id": "gpt-4o-mini",
            "ai.model.provider": "openai.chat", "ai.usage.promptTokens": 30,
            "ai.usage.completionTokens": 10, "ai.response.text": "vercel says hi",
            "ai.telemetry.metadata.userId": "user-vercel"}),
        span(tid, ids["cost"], ids["cur"], "chat", attrs={
            "gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
            "gen_ai.usage.input_tokens": 1000, "gen_ai.usage.output_tokens": 500,
            "gen_ai.usage.cost": 0.5, "llm.cost.total": 0.9}),
    ]
    _, rej, msg = post(inst, "traces", one_scope({"service.name": "dialects"}, spans=spans))
    eq(rej, 0, "rejected (%s)" % msg)
    rows = {r["id"]: r for r in db_dicts(inst, "traces", "trace_id = ?", (tid,))}
    eq(len(rows), 6, "rows stored")
    p4, ph = price("gpt-4o"), price("claude-3-haiku-20240307")
    want = {
        # type, provider, model, prompt, completion, total, cached, reasoning, cost, source
        "cur": ("llm", "openai", "gpt-4o-mini", 1000, 500, 1500, 200, 100, mini_cost(1000, 500, 200), "computed"),
        "old": ("llm", "openai", "gpt-4o", 100, 20, 120, None, None,
                100 * p4["input_cost_per_token"] + 20 * p4["output_cost_per_token"], "computed"),
        "oi": ("llm", "openai", "gpt-4o-mini", 10, 5, 15, None, None, 0.123, "reported"),
        "tl": ("llm", "anthropic", "claude-3-haiku-20240307", 400, 80, 480, None, None,
               400 * ph["input_cost_per_token"] + 80 * ph["output_cost_per_token"], "computed"),
        "vercel": ("llm", "openai", "gpt-4o-mini", 30, 10, 40, None, None, mini_cost(30, 10), "computed"),
        "cost": ("llm", None, "gpt-4o-mini", 1000, 500, 1500, None, None, 0.5, "reported"),
    }
    for k, w in want.items():
        r = rows[ids[k]]
        got = (r["span_type"], r["provider"], r["model"], r["prompt_tokens"], r["completion_tokens"],
               r["total_tokens"], r["cached_tokens"], r["reasoning_tokens"])
        eq(got, w[:8], "%s dialect: stored (type, provider, model, prompt, completion, total, cached, "
           "reasoning)" % k)
        check(close(r["estimated_cost"], w[8]), "%s dialect: cost %r, want %r", k, r["estimated_cost"], w[8])
        eq(r["cost_source"], w[9], "%s dialect: cost_source" % k)
    cur = rows[ids["cur"]]
    eq((cur["session_id"], cur["conversation_id"], cur["user_id"], cur["agent_name"]),
       ("sess-dialect", "conv-dialect", "user-dialect", "agent-dialect"), "ids picked up")
    eq(rows[ids["tl"]]["session_id"], "sess-tl", "OpenLLMetry association session id")
    eq(rows[ids["vercel"]]["user_id"], "user-vercel", "Vercel telemetry userId")
    eq(json.loads(rows[ids["tl"]]["input"]), [{"role": "user", "content": "tell me a joke"}],
       "OpenLLMetry indexed prompt -> input")
    eq(json.loads(rows[ids["tl"]]["output"]), [{"role": "assistant", "content": "no"}],
       "OpenLLMetry indexed completion -> output")
    eq(json.loads(rows[ids["oi"]]["input"]), "what is 2+2", "OpenInference input.value")
    eq(json.loads(rows[ids["vercel"]]["output"]), "vercel says hi", "Vercel ai.response.text")
    # The API shows the same.
    nodes = walk(tree(inst, ids["cur"]).get("spans") or [])
    for k, w in want.items():
        n = nodes[ids[k]][0]
        eq((n.get("span_type"), n.get("provider"), n.get("model"), n.get("prompt_tokens"),
            n.get("completion_tokens"), n.get("total_tokens")), w[:3] + w[3:6], "%s dialect in the tree" % k)
        check(close(n.get("estimated_cost"), w[8]), "%s dialect tree cost %r", k, n.get("estimated_cost"))
    n = nodes[ids["cur"]][0]
    eq((n.get("session_id"), n.get("conversation_id"), n.get("agent_name")),
       ("sess-dialect", "conv-dialect", "agent-dialect"), "ids in the tree")
    eq(as_obj(nodes[ids["tl"]][0].get("input")), [{"role": "user", "content": "tell me a joke"}],
       "tree input of the OpenLLMetry span")
    rows_api = api_get(inst, "/api/traces?session_id=sess-dialect")
    eq([r["id"] for r in rows_api], [ids["cur"]], "/api/traces?session_id")
    rows_api = api_get(inst, "/api/traces?conversation_id=conv-dialect")
    eq([r["id"] for r in rows_api], [ids["cur"]], "/api/traces?conversation_id")


# ------------------------------------------------------------------ attribute types

def test_otlp_attribute_value_types_and_events_round_trip():
    inst = otlp_inst()
    tid, sid = hexid(16), hexid(8)
    big = 12345678901234567      # beyond 2^53: must not go through a double
    attrs = [("s", "text \"quoted\" \u00e9\u4e2d"), ("b", True), ("bf", False), ("i", oe.Raw("int", big)),
             ("neg", -42), ("d", 3.25), ("arr", ["a", 1, 2.5, True, ["nested"], {"k": "v"}]),
             ("kv", {"x": 1, "y": {"z": [False]}}), ("bytes", b"\x00\x01\x02\xff"), ("empty", "")]
    want = {"s": "text \"quoted\" \u00e9\u4e2d", "b": True, "bf": False, "i": big, "neg": -42, "d": 3.25,
            "arr": ["a", 1, 2.5, True, ["nested"], {"k": "v"}], "kv": {"x": 1, "y": {"z": [False]}},
            "bytes": "AAEC/w==", "empty": ""}
    base = now_ns() - 10 * 10 ** 9
    ev = [{"time": base + 10 ** 6, "name": "step.one", "attrs": {"n": 1, "ok": True}},
          {"time": base + 2 * 10 ** 6, "name": "exception",
           "attrs": {"exception.type": "ValueError", "exception.message": "bad"}}]
    res = one_scope({"service.name": "types"}, spans=[span(tid, sid, None, "typed", attrs=attrs, start=base,
                                                           events=ev)])
    sent = []
    for fmt, t in (("pb", tid), ("json", hexid(16))):
        s2 = hexid(8) if fmt == "json" else sid
        res[0]["scopes"][0]["spans"][0].update(trace_id=t, span_id=s2)
        _, rej, msg = post(inst, "traces", res, fmt)
        eq(rej, 0, "rejected (%s)" % msg)
        sent.append((fmt, s2))
    # Stored rows first (both encodings), then the API.
    for fmt, s2 in sent:
        row = db_dicts(inst, "traces", "id = ?", (s2,))
        check(row, "%s: span not stored", fmt)
        eq(json.loads(row[0]["attributes"]), want, "%s: stored attributes" % fmt)
        evs = json.loads(row[0]["events"])
        eq([(e["name"], e["attributes"]) for e in evs],
           [("step.one", {"n": 1, "ok": True}),
            ("exception", {"exception.type": "ValueError", "exception.message": "bad"})],
           "%s: stored events" % fmt)
        eq([e["time"] for e in evs], [(base + 10 ** 6) // 10 ** 6, (base + 2 * 10 ** 6) // 10 ** 6],
           "%s: event times (ms)" % fmt)
        eq(json.loads(row[0]["resource_attributes"]), {"service.name": "types"}, "resource attributes")
        check('12345678901234567' in row[0]["attributes"], "%s: 64-bit int not exact in the stored JSON", fmt)
    for fmt, s2 in sent:
        n = walk(tree(inst, s2).get("spans") or [])[s2][0]
        eq(as_obj(n.get("attributes")), want, "%s: attributes in /tree" % fmt)
        evs = as_obj(n.get("events"))
        check(isinstance(evs, list) and [e.get("name") for e in evs] == ["step.one", "exception"],
              "%s: events in /tree %r", fmt, evs)
        # The big integer is written as a JSON integer, not rounded.
        r = inst.api("/api/traces/%s/tree" % s2)
        check(b"12345678901234567" in r.body, "%s: 64-bit int not exact in /tree: %r", fmt, r.body[:400])


def test_otlp_span_links_stored_and_shown_by_the_api():
    """Span links (the spans a span points at, in its trace or another):
    stored with their attributes, given by /api/traces/:id and /tree; a
    link with a bad id rejects its span with a message naming the link."""
    inst = otlp_inst()
    base = now_ns() - 10 * 10 ** 9
    # The producer: a span in a trace of its own.
    ptid, psid = hexid(16), hexid(8)
    _, rej, msg = post(inst, "traces", one_scope({"service.name": "links"}, spans=[
        span(ptid, psid, None, "enqueue job", start=base, kind=4)]))
    eq(rej, 0, "producer rejected (%s)" % msg)
    for fmt in ("pb", "json"):
        tid, sid = hexid(16), hexid(8)
        other = (hexid(16), hexid(8))
        links = [{"trace_id": ptid, "span_id": psid, "attrs": {"messaging.operation": "receive"}},
                 {"trace_id": other[0], "span_id": other[1], "trace_state": "vendor=x"}]
        _, rej, msg = post(inst, "traces", one_scope({"service.name": "links"}, spans=[
            span(tid, sid, None, "process batch", start=base + 10 ** 6, kind=5, links=links)]), fmt)
        eq(rej, 0, "%s: consumer rejected (%s)" % (fmt, msg))
        want = [{"trace_id": ptid, "span_id": psid, "attributes": {"messaging.operation": "receive"}},
                {"trace_id": other[0], "span_id": other[1], "trace_state": "vendor=x", "attributes": {}}]
        row = db_dicts(inst, "traces", "id = ?", (sid,))
        check(row, "%s: consumer span not stored", fmt)
        eq(json.loads(row[0]["links"]), want, "%s: stored links" % fmt)
        eq(as_obj((api_get(inst, "/api/traces/%s" % sid).get("span") or {}).get("links")), want, "%s: links in /api/traces/:id" % fmt)
        n = walk(tree(inst, sid).get("spans") or [])[sid][0]
        eq(as_obj(n.get("links")), want, "%s: links in /tree" % fmt)
        # The linked span's own trace is found by the id the link names.
        eq([s["id"] for s in (tree(inst, psid).get("spans") or [])], [psid], "%s: the linked span's tree" % fmt)
    # Bad links: the span is rejected, the message names the link's field.
    # (The instance is shared with tests running meanwhile: what is
    # checked is that these spans are not stored.)
    bad_ids = []
    for fmt, ln, why in (("pb", {"trace_id": hexid(16), "span_id": "abcd"}, "links.spanId is not 8 bytes"),
                         ("pb", {"trace_id": "00" * 16, "span_id": hexid(8)}, "links.traceId is all zero"),
                         ("json", {"trace_id": "zz" * 16, "span_id": hexid(8)}, "links.traceId is not 32 hex digits"),
                         ("json", {"trace_id": hexid(16), "span_id": "12"}, "links.spanId is not 16 hex digits")):
        bad_ids.append(hexid(8))
        _, rej, msg = post(inst, "traces", one_scope({"service.name": "links"}, spans=[
            span(hexid(16), bad_ids[-1], None, "bad link", links=[ln])]), fmt)
        eq(rej, 1, "%s: span with a bad link rejected" % fmt)
        check(why in msg, "%s: message %r does not say %r", fmt, msg, why)
    # Over the limits (LF_OTLP_MAX_LINKS, LF_OTLP_MAX_EVENTS): the span is
    # rejected, not cut.
    many = [{"trace_id": ptid, "span_id": psid}] * 1025
    bad_ids.append(hexid(8))
    _, rej, msg = post(inst, "traces", one_scope({"service.name": "links"}, spans=[
        span(hexid(16), bad_ids[-1], None, "many links", links=many)]))
    eq(rej, 1, "1,025 links rejected")
    check("too many links" in msg, "message %r", msg)
    bad_ids.append(hexid(8))
    _, rej, msg = post(inst, "traces", one_scope({"service.name": "links"}, spans=[
        span(hexid(16), bad_ids[-1], None, "many events", events=[{"time": base, "name": "e"}] * 1025)]),
        "json")
    eq(rej, 1, "1,025 events rejected")
    check("too many events" in msg, "message %r", msg)
    # A dropped count the span's attributes already carry is kept as sent,
    # not written twice.
    sid2 = hexid(8)
    _, rej, msg = post(inst, "traces", one_scope({"service.name": "links"}, spans=[
        span(hexid(16), sid2, None, "own count", attrs={"otel.dropped_attributes_count": 9},
             dropped={"attrs": 3, "links": 2})]))
    eq(rej, 0, "own count rejected (%s)" % msg)
    raw = inst.db_query("SELECT attributes FROM traces WHERE id = ?", (sid2,))[0][0]
    eq(raw.count("otel.dropped_attributes_count"), 1, "the key once in %r" % raw)
    eq(json.loads(raw), {"otel.dropped_attributes_count": 9, "otel.dropped_links_count": 2},
       "the sender's own count kept")
    # JSON links that are not an array of objects: 400, nothing stored.
    bad_ids.append(hexid(8))
    bad = {"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": hexid(16), "spanId": bad_ids[-1],
                                                          "name": "x", "links": {"traceId": "a"}}]}]}]}
    r = request(inst.dashboard_port, "POST", "/v1/traces", json.dumps(bad).encode(),
                {"Content-Type": "application/json"})
    eq(r.status, 400, "links as an object")
    check(b"links" in r.body, "the 400 names links: %r", r.body[:200])
    wait_queue(inst)
    eq(inst.db_query("SELECT count(*) FROM traces WHERE id IN (%s)" % ",".join("?" * len(bad_ids)), bad_ids),
       [(0,)], "nothing stored from the bad links")


# ------------------------------------------------------------------ logs

def test_otlp_logs_every_body_type_and_filters():
    inst = otlp_inst()
    svc = "logs-" + marker()
    tid, sid = hexid(16), hexid(8)
    base = now_ns() - 20 * 10 ** 9
    bodies = [("string", "hello " + svc, "hello " + svc), ("int", 42, 42), ("double", 2.5, 2.5),
              ("bool", True, True), ("kvlist", {"a": 1, "b": ["x"]}, {"a": 1, "b": ["x"]}),
              ("array", [1, "two", 3.0], [1, "two", 3.0]), ("bytes", b"\x01\x02", "AQI=")]
    logs = []
    for i, (kind, v, _) in enumerate(bodies):
        logs.append({"time": base + i * 10 ** 6, "observed": base + i * 10 ** 6 + 500000,
                     "severity": 1 + 4 * (i % 6), "severity_text": "" if i == 3 else "SEV%d" % i,
                     "body": v, "attrs": {"kind": kind, "idx": i},
                     "trace_id": tid if i < 3 else None, "span_id": sid if i < 3 else None,
                     "event_name": "ev.%s" % kind})
    res = one_scope({"service.name": svc, "host.name": "h1"}, logs=logs, scope="log-scope")
    _, rej, msg = post(inst, "logs", res)
    eq(rej, 0, "rejected (%s)" % msg)
    rows = db_dicts(inst, "logs", "service_name = ? ORDER BY timestamp", (svc,))
    eq(len(rows), 7, "log rows stored")
    for i, (kind, v, want) in enumerate(bodies):
        r = rows[i]
        body = r["body"] if kind == "string" else json.loads(r["body"])
        eq(body, want, "stored %s body" % kind)
        eq(r["severity_number"], 1 + 4 * (i % 6), "severity_number %s" % kind)
        want_text = "SEV%d" % i if i != 3 else ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"][i % 6]
        eq(r["severity_text"], want_text, "severity_text %s" % kind)
        eq((r["trace_id"], r["span_id"]), (tid, sid) if i < 3 else (None, None), "ids %s" % kind)
        eq(r["event_name"], "ev.%s" % kind, "event_name")
        eq(r["timestamp"], (base + i * 10 ** 6) // 10 ** 6, "timestamp")
        eq(r["observed_timestamp"], (base + i * 10 ** 6 + 500000) // 10 ** 6, "observed_timestamp")
        eq(r["scope_name"], "log-scope", "scope_name")
        eq(json.loads(r["attributes"]), {"kind": kind, "idx": i}, "attributes")
        eq(json.loads(r["resource_attributes"]), {"service.name": svc, "host.name": "h1"}, "resource attributes")
    # API: list, detail.
    d = api_get(inst, "/api/logs?service_name=%s&limit=100" % svc)
    eq(d.get("total"), 7, "/api/logs total for the service")
    got = d.get("logs")
    eq(len(got), 7, "/api/logs rows")
    eq([g["timestamp"] for g in got], sorted([r["timestamp"] for r in rows], reverse=True), "newest first")
    by_id = {g["id"]: g for g in got}
    for r in rows:
        g = by_id.get(r["id"])
        check(g is not None, "log %s missing from /api/logs", r["id"])
        for k in ("body", "severity_number", "severity_text", "trace_id", "span_id", "event_name",
                  "service_name", "scope_name", "timestamp", "observed_timestamp"):
            eq(g.get(k), r[k], "/api/logs %s of %s" % (k, r["event_name"]))
        eq(as_obj(g.get("attributes")), json.loads(r["attributes"]), "/api/logs attributes")
        one = api_get(inst, "/api/logs/%s" % r["id"])
        eq(one.get("body"), r["body"], "/api/logs/:id body")
        eq(as_obj(one.get("attributes")), json.loads(r["attributes"]), "/api/logs/:id attributes")
        eq(as_obj(one.get("resource_attributes")), json.loads(r["resource_attributes"]),
           "/api/logs/:id resource_attributes")
    eq(inst.api("/api/logs/%s" % hexid(8)).status, 404, "/api/logs/:id unknown")
    # Filters, and total honouring each.
    sev = [r["severity_number"] for r in rows]
    cases = [("severity_min=13", [r for r in rows if r["severity_number"] >= 13]),
             ("trace_id=" + tid, rows[:3]),
             ("q=" + urllib.parse.quote("hello " + svc), [rows[0]]),
             ("event_name=ev.kvlist", [rows[4]])]
    for qs, want_rows in cases:
        d = api_get(inst, "/api/logs?service_name=%s&%s&limit=100" % (svc, qs))
        eq(sorted(g["id"] for g in d["logs"]), sorted(r["id"] for r in want_rows), "/api/logs?%s rows" % qs)
        eq(d.get("total"), len(want_rows), "/api/logs?%s total (sev %r)" % (qs, sev))
    d = api_get(inst, "/api/logs?service_name=%s&limit=2&offset=2" % svc)
    eq(len(d["logs"]), 2, "limit=2 rows")
    eq(d["total"], 7, "total ignores limit/offset")
    f = api_get(inst, "/api/logs/filters")
    check(svc in (f.get("services") or []), "/api/logs/filters services lacks %s: %r", svc, f)
    check("ev.kvlist" in (f.get("event_names") or []), "/api/logs/filters event_names: %r", f)
    eq(inst.api("/api/logs?severity_min=abc").status, 400, "severity_min=abc")


# ------------------------------------------------------------------ metrics

def test_otlp_metric_exemplars_kept_and_bad_ones_rejected():
    """Exemplars (a measurement and the span it was taken in) are kept with
    their data point, for every kind that has them, and given by the API; a
    point whose exemplar has a bad id is rejected with a message naming it."""
    inst = otlp_inst()
    svc = "exm-" + marker()
    base = now_ns() - 15 * 10 ** 9
    tid, sid = hexid(16), hexid(8)
    ex = [{"time": base + 10 ** 6, "value": 3, "trace_id": tid, "span_id": sid, "attrs": {"user": "u1"}}]
    metrics = [
        {"name": svc + ".gauge", "type": "gauge", "points": [{"time": base + 10 ** 9, "value": 1.0, "exemplars": ex}]},
        {"name": svc + ".exp", "type": "exponential_histogram", "temporality": 1,
         "points": [{"time": base + 10 ** 9, "count": 1, "sum": 3.0, "positive": {"offset": 0, "counts": [1]},
                     "exemplars": ex}]},
    ]
    want = [{"time": (base + 10 ** 6) // 10 ** 6, "value": 3, "trace_id": tid, "span_id": sid,
             "attributes": {"user": "u1"}}]
    for fmt in ("pb", "json"):
        for m in metrics:
            m["name"] = m["name"].rsplit("@", 1)[0] + "@" + fmt
        _, rej, msg = post(inst, "metrics", one_scope({"service.name": svc}, metrics=metrics), fmt)
        eq(rej, 0, "%s: rejected (%s)" % (fmt, msg))
        for m in metrics:
            rows = db_dicts(inst, "metrics", "name = ?", (m["name"],))
            eq(len(rows), 1, "%s: %s stored" % (fmt, m["name"]))
            eq(json.loads(rows[0]["histogram_data"]).get("exemplars"), want, "%s: %s exemplars" % (fmt, m["type"]))
            one = api_get(inst, "/api/metrics/%s" % rows[0]["id"])
            eq(as_obj(one.get("histogram_data")).get("exemplars"), want, "%s: exemplars in /api/metrics/:id" % fmt)
    for fmt, e, why in (("pb", {"value": 1, "trace_id": hexid(16), "span_id": "abcd"}, "exemplars.spanId is not 8 bytes"),
                        ("pb", {"value": 1, "span_id": hexid(8)}, "exemplars.traceId is not 16 bytes"),
                        ("pb", {"value": 1, "trace_id": "00" * 16}, "exemplars.traceId is all zero"),
                        ("json", {"value": 1, "trace_id": "xy" * 16}, "exemplars.traceId is not 32 hex digits")):
        _, rej, msg = post(inst, "metrics", one_scope({"service.name": svc}, metrics=[
            {"name": svc + ".bad", "type": "sum", "temporality": 1,
             "points": [{"time": base, "value": 1, "exemplars": [e]}, {"time": base, "value": 2}]}]), fmt)
        eq(rej, 1, "%s: the point with a bad exemplar rejected, the other kept" % fmt)
        check(why in msg, "%s: message %r does not say %r", fmt, msg, why)
    _, rej, msg = post(inst, "metrics", one_scope({"service.name": svc}, metrics=[
        {"name": svc + ".bad", "type": "gauge",
         "points": [{"time": base, "value": 1, "exemplars": [{"value": 1}] * 1025}, {"time": base, "value": 2}]}]))
    eq(rej, 1, "a point with 1,025 exemplars rejected")
    check("too many exemplars" in msg, "message %r", msg)
    eq(inst.db_query("SELECT value_int, count(*) FROM metrics WHERE name = ? GROUP BY 1", (svc + ".bad",)),
       [(2, 5)], "only the good points stored")


def test_otlp_metrics_every_type_one_row_per_point():
    inst = otlp_inst()
    svc = "met-" + marker()
    base = now_ns() - 15 * 10 ** 9
    s = 10 ** 9
    metrics = [
        {"name": svc + ".sum", "unit": "1", "description": "a counter", "type": "sum", "temporality": 2,
         "monotonic": True, "points": [{"start": base, "time": base + s, "value": 5, "attrs": {"p": 1}},
                                       {"start": base, "time": base + 2 * s, "value": 9, "attrs": {"p": 2}}]},
        {"name": svc + ".delta", "type": "sum", "temporality": 1, "monotonic": False,
         "points": [{"time": base + s, "value": -1.5}]},
        {"name": svc + ".gauge", "unit": "By", "type": "gauge",
         "points": [{"time": base + s, "value": 7}, {"time": base + 2 * s, "value": 0.25}]},
        {"name": svc + ".hist", "unit": "ms", "type": "histogram", "temporality": 1,
         "points": [{"start": base, "time": base + s, "count": 6, "sum": 30.5, "min": 0.5, "max": 20.0,
                     "bucket_counts": [1, 2, 3], "bounds": [1.0, 10.0]}]},
        {"name": svc + ".exp", "type": "exponential_histogram", "temporality": 2,
         "points": [{"time": base + s, "count": 5, "sum": 12.0, "scale": -2, "zero_count": 1,
                     "zero_threshold": 0.001, "positive": {"offset": -1, "counts": [1, 2]},
                     "negative": {"offset": 2, "counts": [1]}, "min": -3.0, "max": 8.0}]},
        {"name": svc + ".summary", "type": "summary",
         "points": [{"time": base + s, "count": 10, "sum": 100.0,
                     "quantiles": [(0.5, 9.0), (0.99, 30.0)]}]},
    ]
    _, rej, msg = post(inst, "metrics", one_scope({"service.name": svc}, metrics=metrics, scope="met-scope"))
    eq(rej, 0, "rejected (%s)" % msg)
    rows = db_dicts(inst, "metrics", "service_name = ? ORDER BY name, timestamp", (svc,))
    eq(len(rows), 8, "one row per data point")
    by = {}
    for r in rows:
        by.setdefault(r["name"][len(svc) + 1:], []).append(r)
    eq([(r["metric_type"], r["value_int"]) for r in by["sum"]], [("sum", 5), ("sum", 9)], "sum rows")
    h = json.loads(by["sum"][0]["histogram_data"])
    eq((h.get("temporality"), h.get("monotonic"), h.get("startTime")), ("cumulative", True, base // 10 ** 6),
       "sum temporality/monotonic/startTime")
    eq(json.loads(by["sum"][0]["attributes"]), {"p": 1}, "point attributes")
    h = json.loads(by["delta"][0]["histogram_data"])
    eq((by["delta"][0]["value_double"], h.get("temporality"), h.get("monotonic")), (-1.5, "delta", False),
       "delta sum")
    eq([(r["value_int"], r["value_double"]) for r in by["gauge"]], [(7, None), (None, 0.25)], "gauge int/double")
    eq(by["gauge"][0]["unit"], "By", "unit")
    hr = by["hist"][0]
    eq((hr["metric_type"], hr["value_int"], hr["value_double"]), ("histogram", 6, 30.5), "histogram row")
    h = json.loads(hr["histogram_data"])
    eq((h["count"], h["sum"], h["min"], h["max"], h["bucketCounts"], h["explicitBounds"], h["temporality"]),
       (6, 30.5, 0.5, 20.0, [1, 2, 3], [1.0, 10.0], "delta"), "histogram data")
    er = by["exp"][0]
    eq((er["metric_type"], er["value_int"], er["value_double"]), ("exponential_histogram", 5, 12.0), "exp row")
    h = json.loads(er["histogram_data"])
    eq((h["scale"], h["zeroCount"], h["zeroThreshold"], h["positive"], h["negative"], h["min"], h["max"]),
       (-2, 1, 0.001, {"offset": -1, "bucketCounts": [1, 2]}, {"offset": 2, "bucketCounts": [1]}, -3.0, 8.0),
       "exponential histogram data")
    sr = by["summary"][0]
    eq((sr["metric_type"], sr["value_int"], sr["value_double"]), ("summary", 10, 100.0), "summary row")
    eq(json.loads(sr["histogram_data"])["quantiles"], [{"quantile": 0.5, "value": 9.0},
                                                       {"quantile": 0.99, "value": 30.0}], "quantiles")
    # API.
    d = api_get(inst, "/api/metrics?service_name=%s&limit=100" % svc)
    eq(d.get("total"), 8, "/api/metrics total")
    eq(sorted(m["id"] for m in d["metrics"]), sorted(r["id"] for r in rows), "/api/metrics rows")
    d = api_get(inst, "/api/metrics?service_name=%s&name=%s.gauge" % (svc, svc))
    eq((len(d["metrics"]), d.get("total")), (2, 2), "/api/metrics?name rows and total")
    d = api_get(inst, "/api/metrics?service_name=%s&metric_type=histogram" % svc)
    eq(([m["name"] for m in d["metrics"]], d.get("total")), ([svc + ".hist"], 1), "metric_type filter and total")
    d = api_get(inst, "/api/metrics?service_name=%s&limit=3" % svc)
    eq((len(d["metrics"]), d.get("total")), (3, 8), "limit=3 page and total")
    one = api_get(inst, "/api/metrics/%s" % hr["id"])
    eq(as_obj(one.get("histogram_data")), json.loads(hr["histogram_data"]), "/api/metrics/:id histogram_data")
    eq(as_obj(one.get("resource_attributes")), {"service.name": svc}, "/api/metrics/:id resource_attributes")
    eq(inst.api("/api/metrics/%s" % hexid(8)).status, 404, "/api/metrics/:id unknown")
    f = api_get(inst, "/api/metrics/filters")
    check(svc + ".exp" in (f.get("names") or []) and svc in (f.get("services") or []),
          "/api/metrics/filters %r", f)
    summ = api_get(inst, "/api/metrics/summary")
    summ = summ if isinstance(summ, list) else summ.get("summary")
    mine = {s_["name"]: s_ for s_ in summ if s_.get("service_name") == svc}
    eq(sorted(mine), sorted(svc + "." + k for k in by), "/api/metrics/summary groups")
    eq(mine[svc + ".sum"].get("data_points"), 2, "summary data_points")
    eq(mine[svc + ".sum"].get("sum_int"), 14, "summary sum_int")
    d = api_get(inst, "/api/metrics?aggregation=summary")
    check(isinstance(d.get("summary"), list), "aggregation=summary: %r", d)
    check(any(s_.get("name") == svc + ".gauge" for s_ in d["summary"]), "aggregation=summary lacks gauge")
    eq(inst.api("/api/metrics?metric_type=bogus").status, 400, "metric_type=bogus")


# ------------------------------------------------------------------ proxy + traceparent

def test_otlp_proxied_call_with_traceparent_joins_the_otlp_tree():
    inst = otlp_inst()
    tid, root, child = hexid(16), hexid(8), hexid(8)
    base = now_ns() - 2 * 10 ** 9
    spans = [span(tid, root, None, "workflow run", start=base, dur_ms=10000,
                  attrs={"traceloop.span.kind": "workflow"}),
             span(tid, child, root, "agent step", start=base + 10 ** 6, dur_ms=9000,
                  attrs={"gen_ai.operation.name": "invoke_agent"})]
    post(inst, "traces", one_scope({"service.name": "tp-svc"}, spans=spans))
    mk = marker()
    _, r = inst.chat(mk, headers={"traceparent": "00-%s-%s-01" % (tid, child)})
    eq(r.status, 200, "proxied call")
    row = db_find_call(inst, mk)
    eq((row.get("trace_id"), row.get("parent_id")), (tid, child), "stored proxied row's trace_id and parent_id")
    d = tree(inst, root)
    nodes = walk(d.get("spans") or [])
    check(row["id"] in nodes, "proxied call %s not in the tree of %s", row["id"], tid)
    n, par, depth = nodes[row["id"]]
    eq((par, depth), (child, 2), "proxied call under its parent")
    eq(n.get("span_type"), "llm", "proxied call span_type")
    eq(d["trace"].get("span_count"), 3, "span_count")
    eq(d["trace"].get("total_tokens"), 1500, "tree total tokens include the proxied call")


# ------------------------------------------------------------------ bad input

def _status_body(inst, path, body, headers):
    r = request(inst.dashboard_port, "POST", path, body, headers, timeout=60)
    return r


def test_otlp_bad_input_rejected_and_database_unchanged():
    with Instance("otlp-bad") as inst:
        tid = hexid(16)
        good = [span(tid, hexid(8), None, "seed", attrs={"gen_ai.request.model": "gpt-4o-mini"})]
        post(inst, "traces", one_scope({"service.name": "bad"}, spans=good))
        post(inst, "logs", one_scope({"service.name": "bad"}, logs=[{"time": now_ns(), "body": "seed"}]))
        post(inst, "metrics", one_scope({"service.name": "bad"}, metrics=[
            {"name": "seed", "type": "gauge", "points": [{"time": now_ns(), "value": 1}]}]))
        before = counts(inst)
        eq(before, (1, 1, 1), "seed rows")
        PB = {"Content-Type": "application/x-protobuf"}
        JS = {"Content-Type": "application/json"}
        valid = oe.encode_traces(one_scope({"service.name": "bad"}, spans=[span(hexid(16), hexid(8))]))
        deep = ("[" * 1000 + "]" * 1000)
        deep_json = '{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":%s}]}}]}' % (
            '{"arrayValue":{"values":[' * 1000 + "]}}" * 1000)
        cases = [
            ("truncated protobuf", "/v1/traces", valid[:-5], PB, 400),
            ("truncated varint", "/v1/traces", b"\x0a\xff", PB, 400),
            ("length past the end", "/v1/traces", b"\x0a\x10\x0a\x00", PB, 400),
            ("wrong wire type: resource_spans as varint", "/v1/traces", b"\x08\x01", PB, 400),
            ("wrong wire type: span name as fixed64", "/v1/traces",
             oe.f_bytes(1, oe.f_bytes(2, oe.f_bytes(2, oe.f_fixed64(5, 7)))), PB, 400),
            ("group wire type", "/v1/logs", b"\x0b\x0c", PB, 400),
            ("protobuf nested 1000 deep", "/v1/traces", _deep_pb(1000), PB, 400),
            ("JSON not JSON", "/v1/traces", b"{\"resourceSpans\": [", JS, 400),
            ("JSON arrays nested 1000 deep", "/v1/traces", deep.encode(), JS, 400),
            ("JSON values nested 1000 deep", "/v1/traces", deep_json.encode(), JS, 400),
            ("JSON wrong type", "/v1/traces", b'{"resourceSpans": {"x": 1}}', JS, 400),
            ("gzip garbage", "/v1/traces", b"\x1f\x8b\x08\x00garbage-not-deflate", dict(PB, **{
                "Content-Encoding": "gzip"}), 400),
            ("gzip truncated", "/v1/logs", gzip.compress(oe.encode_logs(one_scope({}, logs=[
                {"time": now_ns(), "body": "x" * 1000}])))[:-20], dict(PB, **{"Content-Encoding": "gzip"}), 400),
            ("text/plain", "/v1/traces", valid, {"Content-Type": "text/plain"}, 415),
            ("no content type", "/v1/metrics", valid, {}, 415),
            ("brotli", "/v1/traces", valid, dict(PB, **{"Content-Encoding": "br"}), 415),
        ]
        for what, path, body, headers, want in cases:
            r = _status_body(inst, path, body, headers)
            eq(r.status, want, what)
            if headers.get("Content-Type") == "application/x-protobuf":
                eq((r.header("Content-Type") or "").split(";")[0], "application/x-protobuf",
                   "%s: error answer in protobuf" % what)
                code, msg = oe.decode_rpc_status(r.body)
                check(code != 0 and msg, "%s: google.rpc.Status %r %r", what, code, msg)
            elif headers.get("Content-Type") == "application/json":
                check("error" in r.json(), "%s: JSON error %r", what, r.body[:200])
            eq(counts(inst), before, "rows after %s" % what)
        for path in ("/v1/traces", "/v1/logs", "/v1/metrics"):
            r = request(inst.dashboard_port, "GET", path)
            eq(r.status, 405, "GET %s" % path)
            eq(r.header("Allow"), "POST", "Allow on GET %s" % path)
            r = request(inst.dashboard_port, "PUT", path, valid, PB)
            eq(r.status, 405, "PUT %s" % path)
        eq(counts(inst), before, "rows after wrong methods")
        # Over the size limit (16 MiB).  A 20 MB body is sent for real; a
        # gzip body that inflates past the limit is used instead of a 200 MB
        # bomb (17 MiB of zeros is 17 KiB compressed).
        st, _ = raw_post_early_reply(inst.dashboard_port, "/v1/traces", b"\x00" * (20 * 1000 * 1000), PB)
        eq(st, 413, "20 MB body")
        bomb = gzip.compress(b"\x0a\x00" * (17 * 1024 * 1024 // 2))
        r = _status_body(inst, "/v1/traces", bomb, dict(PB, **{"Content-Encoding": "gzip"}))
        eq(r.status, 413, "gzip that inflates past 16 MiB")
        eq(counts(inst), before, "rows after oversized bodies")
        # Ids of the wrong length: that record rejected, the rest kept.
        t2 = hexid(16)
        spans = [span(t2, hexid(8), None, "ok1"), span(t2, hexid(4), None, "short span id"),
                 span(hexid(15), hexid(8), None, "short trace id"), span(t2, hexid(8), hexid(3), "bad parent"),
                 span("00" * 16, hexid(8), None, "zero trace id"), span(t2, hexid(8), None, "ok2")]
        for fmt in ("pb", "json"):
            for s_ in spans:
                if s_["name"].startswith("ok"):
                    s_["span_id"] = hexid(8)
            _, rej, msg = post(inst, "traces", one_scope({"service.name": "bad"}, spans=spans), fmt)
            eq(rej, 4, "%s: rejectedSpans (%s)" % (fmt, msg))
            check("spanId" in msg and "traceId" in msg, "%s: errorMessage %r names the ids", fmt, msg)
        eq(counts(inst)[0], before[0] + 4, "the good spans of both exports kept")
        eq(sorted(r[0] for r in inst.db_query("SELECT span_name FROM traces WHERE trace_id = ?", (t2,))),
           ["ok1", "ok1", "ok2", "ok2"], "kept spans")
        logs = [{"time": now_ns(), "body": "good log"}, {"time": now_ns(), "body": "bad", "trace_id": hexid(8)},
                {"time": now_ns(), "body": "bad2", "trace_id": hexid(16), "span_id": hexid(7)}]
        _, rej, msg = post(inst, "logs", one_scope({"service.name": "bad"}, logs=logs))
        eq(rej, 2, "rejectedLogRecords (%s)" % msg)
        eq(counts(inst)[1], before[1] + 1, "good log kept")
        # A span sent again (an exporter retrying) is stored once: the
        # export succeeds, the first copy stays, nothing is counted twice.
        dup = inst.db_query("SELECT id, trace_id FROM traces WHERE span_name = 'ok2' LIMIT 1")[0]
        svc = "dup-" + hexid(4)
        _, rej, msg = post(inst, "traces", one_scope({"service.name": svc},
                                                     spans=[span(dup[1], dup[0], None, "dup")]), "json")
        eq(rej, 0, "a span sent twice is not an error (%s)" % msg)
        eq(inst.db_query("SELECT span_name, service_name FROM traces WHERE id = ?", (dup[0],)),
           [("ok2", "bad")], "the first copy of a span sent twice is kept")
        eq(inst.db_query("SELECT count(*) FROM rollup_hourly WHERE service_name = ?", (svc,)), [(0,)],
           "the copy is not counted in the rollups")
        # Unknown enum values: numbers are kept (open enums), unknown JSON
        # names reject their record.
        t3 = hexid(16)
        odd = span(t3, hexid(8), None, "odd kind", kind=99, status={"code": 7})
        _, rej, msg = post(inst, "traces", one_scope({}, spans=[odd]))
        eq(rej, 0, "unknown enum numbers (%s)" % msg)
        r = db_dicts(inst, "traces", "id = ?", (odd["span_id"],))
        eq((r[0]["span_kind"], r[0]["status"]), ("99", 200), "unknown kind kept as its number")
        js = oe.json_traces(one_scope({}, spans=[span(t3, hexid(8), None, "named kind"),
                                                  span(t3, hexid(8), None, "bogus kind"),
                                                  span(t3, hexid(8), None, "bogus status")]))
        sp = js["resourceSpans"][0]["scopeSpans"][0]["spans"]
        sp[0]["kind"] = "SPAN_KIND_SERVER"
        sp[1]["kind"] = "SPAN_KIND_BOGUS"
        sp[2]["status"] = {"code": "STATUS_CODE_NOPE"}
        r = request(inst.dashboard_port, "POST", "/v1/traces", json.dumps(js).encode(), JS)
        eq(r.status, 200, "JSON with enum names")
        wait_queue(inst)
        ps = r.json().get("partialSuccess") or {}
        eq(ps.get("rejectedSpans"), 2, "unknown enum names rejected: %r" % r.body)
        eq([x[0] for x in inst.db_query("SELECT span_kind FROM traces WHERE span_name = 'named kind'")],
           ["server"], "SPAN_KIND_SERVER by name")
        _, rej, msg = post(inst, "logs", one_scope({}, logs=[{"time": now_ns(), "severity": 99, "body": "odd"}]))
        eq(rej, 0, "severity 99 (%s)" % msg)
        eq(inst.db_query("SELECT severity_number, severity_text FROM logs WHERE body = 'odd'"), [(99, None)],
           "unknown severity number kept")
        _, rej, msg = post(inst, "metrics", one_scope({}, metrics=[
            {"name": "odd.temp", "type": "sum", "temporality": 9, "points": [{"time": now_ns(), "value": 1}]},
            {"name": "no.data", "type": None}]))
        eq(rej, 1, "metric without data rejected (%s)" % msg)
        h = json.loads(inst.db_query("SELECT histogram_data FROM metrics WHERE name = 'odd.temp'")[0][0])
        eq(h.get("temporality"), 9, "unknown temporality kept as its number")
        # Empty exports are fine.
        for sig in ("traces", "logs", "metrics"):
            for fmt in ("pb", "json"):
                _, rej, _ = post(inst, sig, [], fmt)
                eq(rej, 0, "empty %s export (%s)" % (sig, fmt))


def _deep_pb(n):
    """An AnyValue nested n arrays deep, as a span attribute."""
    v = oe.f_bytes(1, b"x")
    for _ in range(n):
        v = oe.f_bytes(5, oe.f_bytes(1, v))
    kv = oe.f_bytes(1, b"k") + oe.f_bytes(2, v)
    sp = oe.f_bytes(1, bytes(16)) + oe.f_bytes(9, kv)
    return oe.f_bytes(1, oe.f_bytes(2, oe.f_bytes(2, sp)))


def test_otlp_spans_left_queued_by_a_stopped_run_are_stored_at_start():
    """The ingest queue is a file beside the database: spans answered but not
    yet moved when LLMFlow stops are moved into traces when it starts again, with
    their rollups, count and search index; a queued copy of a stored span
    is dropped."""
    with Instance("otlp-queue") as inst:
        tid = hexid(16)
        first = span(tid, hexid(8), None, "first run span")
        _, rej, msg = post(inst, "traces", one_scope({"service.name": "q1"}, spans=[first]))
        eq(rej, 0, "first export (%s)" % msg)
        problems = inst.stop()
        eq(problems, [], "clean stop")
        word = "queuedword" + hexid(4)
        con = sqlite3.connect(os.path.join(inst.data_dir, "data.db-queue"))
        cols = ("id, trace_id, parent_id, timestamp, duration_ms, model, provider, prompt_tokens, "
                "completion_tokens, total_tokens, estimated_cost, cost_source, span_type, "
                "span_name, service_name")
        ts = int(time.time() * 1000)
        rows = [(hexid(8), tid, first["span_id"], ts, 7, "gpt-4o-mini", "openai", 10, 5, 15,
                 0.25, "reported", "llm", "left queued " + word, "q2"),
                (first["span_id"], tid, None, ts, 9, None, None, None, None, None,
                 None, "unknown", "custom", "copy of the first span", "q3")]
        qlink = json.dumps([{"trace_id": tid, "span_id": first["span_id"], "attributes": {"k": "v"}}])
        queue_spans(con, [dict(zip(cols.split(", "), r), **({"links": qlink} if i == 0 else {}))
                          for i, r in enumerate(rows)])
        # A damaged batch (its first text's length runs past its end): logged
        # and skipped, the batches around it still stored.
        con.execute("INSERT INTO otlp_queue_batch (spans, data) VALUES (2, x'0174ffff000061')")
        # After it, a batch of the format before links (1), as an earlier
        # version left it.
        after_id = hexid(8)
        queue_spans(con, [{"id": after_id, "trace_id": tid, "parent_id": first["span_id"],
                           "timestamp": ts, "span_name": "after the damaged batch " + word}], fmt=1)
        # And one left by an earlier version, which queued a span per row
        # (otlp_queue, with its rollups in otlp_queue_rollup).
        word2 = "olderword" + hexid(4)
        old = (hexid(8), tid, first["span_id"], ts, 3, "gpt-4o-mini", "openai", 1, 2, 3,
               0.5, "reported", "llm", "left by the earlier layout " + word2, "q4")
        con.execute("CREATE TABLE otlp_queue (qid INTEGER PRIMARY KEY, id TEXT, trace_id TEXT, "
                    "parent_id TEXT, timestamp INTEGER, duration_ms INTEGER, provider TEXT, "
                    "model TEXT, prompt_tokens INTEGER, completion_tokens INTEGER, "
                    "total_tokens INTEGER, cached_tokens INTEGER, cache_creation_tokens INTEGER, "
                    "reasoning_tokens INTEGER, estimated_cost REAL, cost_source TEXT, "
                    "status INTEGER, error TEXT, tags TEXT, span_type TEXT, span_name TEXT, "
                    "service_name TEXT, session_id TEXT, conversation_id TEXT, agent_name TEXT, "
                    "input TEXT, output TEXT, attributes TEXT, span_kind TEXT, scope_name TEXT, "
                    "user_id TEXT, events TEXT, resource_attributes TEXT)")
        con.execute("CREATE TABLE otlp_queue_rollup (upto INTEGER NOT NULL)")
        con.execute("INSERT INTO otlp_queue (%s) VALUES (%s)" % (cols, ",".join("?" * 15)), old)
        con.commit()
        con.close()
        inst.stopped = False
        inst.start()
        wait_queue(inst)
        con = sqlite3.connect(os.path.join(inst.data_dir, "data.db-queue"))
        eq(con.execute("SELECT count(*) FROM otlp_queue_batch").fetchall(), [(0,)], "queue empty after start")
        with open(inst.log_path, "rb") as f:
            check(b"a batch of 2 spans is damaged: 2 of them could not be read" in f.read(),
                  "the damaged batch is logged")
        eq(con.execute("SELECT name FROM sqlite_master WHERE name IN ('otlp_queue', 'otlp_queue_rollup')"
                       ).fetchall(), [], "the earlier layout's tables dropped")
        con.close()
        eq(inst.db_query("SELECT span_name, estimated_cost FROM traces WHERE id = ?", (old[0],)),
           [("left by the earlier layout " + word2, 0.5)], "the earlier layout's span stored")
        eq(inst.db_query("SELECT span_name, parent_id, estimated_cost, cost_source FROM traces WHERE id = ?",
                         (rows[0][0],)),
           [("left queued " + word, first["span_id"], 0.25, "reported")], "queued span stored")
        eq(inst.db_query("SELECT links FROM traces WHERE id = ?", (rows[0][0],)), [(qlink,)],
           "queued span's links stored")
        eq(inst.db_query("SELECT span_name, links FROM traces WHERE id = ?", (after_id,)),
           [("after the damaged batch " + word, None)], "a batch of the format before links stored")
        eq(inst.db_query("SELECT span_name FROM traces WHERE id = ?", (first["span_id"],)),
           [("first run span",)], "the copy of a stored span dropped")
        eq(inst.db_query("SELECT n FROM row_counts WHERE tbl = 'traces'"),
           inst.db_query("SELECT count(*) FROM traces"), "row count kept")
        eq(inst.db_query("SELECT service_name, requests, total_tokens, cost FROM rollup_hourly "
                         "WHERE service_name IN ('q2', 'q3') ORDER BY 1"),
           [("q2", 1, 15, 0.25)], "rollups of the moved span only")
        eq(inst.db_query("SELECT service_name, requests, total_tokens, cost FROM rollup_hourly "
                         "WHERE service_name = 'q4'"), [("q4", 1, 3, 0.5)],
           "rollups of the earlier layout's span")
        found = inst.api_json("/api/traces?q=%s" % word)
        ids = [t["id"] for t in (found.get("traces") if isinstance(found, dict) else found)]
        eq(sorted(ids), sorted([rows[0][0], after_id]),
           "search finds the moved spans, the one queued after the damaged batch too")
        found = inst.api_json("/api/traces?q=%s" % word2)
        ids = [t["id"] for t in (found.get("traces") if isinstance(found, dict) else found)]
        eq(ids, [old[0]], "search finds the earlier layout's span")
        nodes = walk(tree(inst, rows[0][0]).get("spans") or [])
        eq(nodes.get(rows[0][0], (None, None))[1], first["span_id"],
           "the moved span sits under the first run's span in the tree")


ROLLUPS_DIFFER = (
    "SELECT count(*) FROM (SELECT hour, model, provider, service_name, requests, errors, unpriced, "
    "prompt_tokens, completion_tokens, total_tokens, round(cost, 9), duration_ms, duration_n "
    "FROM rollup_hourly EXCEPT SELECT (timestamp / 3600000) * 3600000, coalesce(model, ''), "
    "coalesce(provider, ''), coalesce(service_name, ''), count(*), "
    "sum(coalesce(status, 0) >= 400 OR error IS NOT NULL), "
    "sum(model IS NOT NULL AND estimated_cost IS NULL), sum(coalesce(prompt_tokens, 0)), "
    "sum(coalesce(completion_tokens, 0)), sum(coalesce(total_tokens, 0)), "
    "round(sum(coalesce(estimated_cost, 0)), 9), sum(coalesce(duration_ms, 0)), count(duration_ms) "
    "FROM traces GROUP BY 1, 2, 3, 4)")


def test_otlp_concurrent_exports_rollups_equal_the_stored_rows():
    """Exports sent at once from several senders, protobuf and JSON, one of
    them twice: the stats rollups (summed by the mover as it stores each
    span, copies not counted) equal the sums of the rows stored, group by
    group, and each span is counted once."""
    with Instance("otlp-rollups") as inst:
        base = now_ns() - 3 * 3600 * 10 ** 9
        models = [("gpt-4o-mini", "openai"), ("claude-3-5-haiku-20241022", "anthropic"),
                  ("no-such-model-x", "acme"), (None, None)]

        def export(k):
            spans = []
            tid = hexid(16)
            for i in range(120):
                model, prov = models[(k + i) % len(models)]
                attrs = {"gen_ai.operation.name": "chat"} if model else {"tool.name": "search"}
                if model:
                    attrs.update({"gen_ai.request.model": model, "gen_ai.provider.name": prov,
                                  "gen_ai.usage.input_tokens": 100 + i, "gen_ai.usage.output_tokens": k})
                spans.append(span(tid, hexid(8), None, "s%d" % i, attrs=attrs,
                                  start=base + ((k * 7 + i) % 3) * 3600 * 10 ** 9 + i,
                                  dur_ms=k + i, status={"code": 2} if i % 17 == 0 else None))
            return one_scope({"service.name": "svc%d" % (k % 3)}, spans=spans)

        exports = [export(k) for k in range(24)]
        exports.append(exports[5])          # sent again: every span a copy
        errors = []

        def sender(ks):
            for k in ks:
                body, h = oe.body_for("traces", exports[k], "json" if k % 2 else "pb")
                r = request(inst.dashboard_port, "POST", "/v1/traces", body, h, timeout=60)
                if r.status != 200:
                    errors.append((k, r.status, r.body[:200]))

        ths = [threading.Thread(target=sender, args=(range(j, 24, 6),)) for j in range(6)]
        for t in ths:
            t.start()
        for t in ths:
            t.join()
        eq(errors, [], "every export answered 200")
        wait_queue(inst)
        sender([24])
        wait_queue(inst)
        eq(inst.db_query("SELECT count(*) FROM traces"), [(24 * 120,)], "every span stored once")
        eq(inst.db_query("SELECT sum(requests) FROM rollup_hourly"), [(24 * 120,)],
           "every span counted once in the rollups")
        eq(inst.db_query(ROLLUPS_DIFFER), [(0,)], "rollup rows that differ from the sums of the stored rows")
        check(inst.db_query("SELECT count(*) FROM rollup_hourly")[0][0] >= 12,
              "rollups of several hours, models and services")
        con = sqlite3.connect(os.path.join(inst.data_dir, "data.db-queue"))
        eq(con.execute("SELECT count(*) FROM otlp_queue_batch").fetchall(), [(0,)],
           "queued batches taken off")
        con.close()
