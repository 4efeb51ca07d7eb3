"""The query API over a known data set (issue 5): stats, models, sessions,
timeline, analytics, metrics tokens, /api/traces filters and paging,
export, POST /api/spans, retention, and parameter checking.

The seeded instance holds proxied calls (fake upstream, known tokens) and
OTLP spans/logs/metrics with known costs; every expected figure below is
worked out by hand from those."""

import csv
import io
import json
import os
import sqlite3
import threading
import time
import urllib.parse

import otlp_encode as oe
from harness import Instance, TestFailure, check, close, eq, marker, price, request
from test_otlp import (api_get, as_obj, db_dicts, db_find_call, hexid, now_ns, one_scope, post, span,
                       walk)


def slow(f):
    f.slow = True
    return f


MS = 10 ** 6
DAY_MS = 86400000
HOUR_MS = 3600000

_seed = {}
_seed_lock = threading.Lock()


def seeded():
    """The shared seeded instance and what was put in it (built once)."""
    with _seed_lock:
        if "s" not in _seed:
            _seed["s"] = _build_seed()
        return _seed["s"]


class Seed:
    pass


def _build_seed():
    inst = Instance("query")
    S = Seed()
    S.inst = inst
    S.empty_stats = inst.api("/api/stats")     # checked by the stats test
    # OTLP first, dated a minute ago, so proxied calls are newer.
    t0 = now_ns() - 60 * 10 ** 9
    S.t0_ms = t0 // MS
    S.T1, S.T2, S.T3 = hexid(16), hexid(16), hexid(16)
    S.S = [hexid(8) for _ in range(5)]
    s1, s2, s3, s4, s5 = S.S
    sess_a = {"session.id": "sess-A"}
    spans = [
        span(S.T1, s1, None, "research run", start=t0, dur_ms=4000,
             attrs=dict(sess_a, **{"openinference.span.kind": "AGENT", "gen_ai.agent.name": "researcher"})),
        span(S.T1, s2, s1, "chat alpha", start=t0 + 100 * MS, dur_ms=1000,
             attrs=dict(sess_a, **{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                                   "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 100,
                                   "gen_ai.usage.output_tokens": 50, "gen_ai.usage.cost": 0.01,
                                   "gen_ai.conversation.id": "conv-1", "input.value": "alpha question"})),
        span(S.T1, s3, s1, "search tool", start=t0 + 1200 * MS, dur_ms=300,
             attrs=dict(sess_a, **{"gen_ai.tool.name": "search"}), status={"code": 2, "message": "tool broke"}),
        span(S.T2, s4, None, "haiku call", start=t0 + 5000 * MS, dur_ms=700,
             attrs=dict(sess_a, **{"gen_ai.operation.name": "chat", "gen_ai.provider.name": "anthropic",
                                   "gen_ai.request.model": "claude-3-haiku-20240307",
                                   "gen_ai.usage.input_tokens": 10, "gen_ai.usage.output_tokens": 10,
                                   "gen_ai.usage.cost": 0.02})),
        span(S.T3, s5, None, "big prompt", start=t0 + 8000 * MS, dur_ms=2000,
             attrs={"session.id": "sess-B", "gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai",
                    "gen_ai.request.model": "gpt-4o", "gen_ai.usage.input_tokens": 1000,
                    "gen_ai.usage.output_tokens": 0}),
    ]
    post(inst, "traces", one_scope({"service.name": "svc-q"}, spans=spans))
    S.logs = [{"time": t0 + 200 * MS, "severity": 9, "body": "log one", "trace_id": S.T1, "span_id": s2},
              {"time": t0 + 1300 * MS, "severity": 17, "body": "log two", "trace_id": S.T1, "span_id": s3},
              {"time": t0 + 9000 * MS, "severity": 5, "body": "log three"}]
    post(inst, "logs", one_scope({"service.name": "svc-q"}, logs=S.logs))
    tok = "gen_ai.client.token.usage"
    post(inst, "metrics", one_scope({"service.name": "svc-q"}, metrics=[
        {"name": tok, "type": "sum", "temporality": 1, "monotonic": True, "points": [
            {"time": t0, "value": 300, "attrs": {"model": "gpt-4o-mini", "type": "input"}},
            {"time": t0, "value": 120, "attrs": {"model": "gpt-4o-mini", "type": "output"}},
            {"time": t0, "value": 50, "attrs": {"model": "gpt-4o", "type": "input"}}]},
        {"name": "cpu.load", "type": "gauge", "points": [{"time": t0, "value": 1}]}]))
    # Proxied calls.
    S.mk = [marker() for _ in range(4)]
    inst.chat(S.mk[0], headers={"X-LLMFlow-Tag": "env:prod"})
    inst.chat(S.mk[1], headers={"X-LLMFlow-Tag": "env:production, team:a"})
    inst.chat(S.mk[2], model="gpt-4o", headers={"X-Fake-Prompt-Tokens": "100", "X-Fake-Completion-Tokens": "50"})
    inst.chat(S.mk[3], model="local-llama", headers={"X-Fake-Prompt-Tokens": "10",
                                                     "X-Fake-Completion-Tokens": "5"})
    S.P = [db_find_call(inst, m) for m in S.mk]
    S.pids = [p["id"] for p in S.P]
    S.all_ids = set(S.pids) | set(S.S)
    return S


def rows_of(d):
    if isinstance(d, list):
        return d
    for k in ("traces", "rows", "data"):
        if isinstance(d, dict) and isinstance(d.get(k), list):
            return d[k]
    raise TestFailure("not a list of rows: %r" % (d,))


def ids_of(path, S):
    return sorted(r["id"] for r in rows_of(api_get(S.inst, path)))


def err_names(r, param):
    check(r.status == 400, "status %d, want 400: %r", r.status, r.body[:200])
    d = r.json()
    check(param in (d.get("parameter") or "") or param in (d.get("error") or ""),
          "400 answer does not name %r: %r", param, d)


MINI = price("gpt-4o-mini")
G4O = price("gpt-4o")
P_MINI = 1000 * MINI["input_cost_per_token"] + 500 * MINI["output_cost_per_token"]     # 0.00045
P_4O = 100 * G4O["input_cost_per_token"] + 50 * G4O["output_cost_per_token"]           # 0.00075
S5_COST = 1000 * G4O["input_cost_per_token"]                                          # 0.0025
TOTAL_COST = 2 * P_MINI + P_4O + 0.01 + 0.02 + S5_COST
TOTAL_TOKENS = 1500 + 1500 + 150 + 15 + 150 + 20 + 1000
PROMPT = 1000 + 1000 + 100 + 10 + 100 + 10 + 1000
COMPLETION = 500 + 500 + 50 + 5 + 50 + 10 + 0


# ------------------------------------------------------------------ stats, models

def test_query_stats_and_models_hand_computed():
    S = seeded()
    eq(S.empty_stats.status, 200, "/api/stats on the empty database: %r" % S.empty_stats.body[:200])
    e = S.empty_stats.json()
    eq((e.get("total_requests"), e.get("error_count"), e.get("total_tokens")), (0, 0, 0),
       "stats of the empty database (error_count 0, not null)")
    # The stored rows say what the figures below assume (ingest side).
    db = S.inst.db_query("SELECT count(*), sum(prompt_tokens), sum(completion_tokens), sum(total_tokens), "
                         "sum(estimated_cost), sum(status >= 400), "
                         "sum(model IS NOT NULL AND estimated_cost IS NULL) FROM traces")[0]
    eq(db[:4] + db[5:], (9, PROMPT, COMPLETION, TOTAL_TOKENS, 1, 1), "stored rows (count, tokens, errors, unpriced)")
    check(close(db[4], TOTAL_COST), "stored cost %r, want %r", db[4], TOTAL_COST)
    s = api_get(S.inst, "/api/stats")
    eq(s["total_requests"], 9, "total_requests")
    eq(s["total_tokens"], TOTAL_TOKENS, "total_tokens")
    check(close(s["total_cost"], TOTAL_COST), "total_cost %r, want %r", s["total_cost"], TOTAL_COST)
    eq(s["error_count"], 1, "error_count (the failed tool span)")
    eq(s["unpriced_requests"], 1, "unpriced_requests (local-llama)")
    durs = [r[0] for r in S.inst.db_query("SELECT duration_ms FROM traces")]
    eq(s["total_duration"], sum(durs), "total_duration")
    models = api_get(S.inst, "/api/models")
    models = models if isinstance(models, list) else models.get("models")
    by = {m["model"]: m for m in models}
    mini_resp = S.P[0]["model"]
    want = {
        mini_resp: (2, 2000, 1000, 3000, 2 * P_MINI),
        "gpt-4o-mini": (1, 100, 50, 150, 0.01),
        "gpt-4o": (2, 1100, 50, 1150, P_4O + S5_COST),
        "claude-3-haiku-20240307": (1, 10, 10, 20, 0.02),
        "local-llama": (1, 10, 5, 15, None),
    }
    eq(sorted(k for k in by if k is not None), sorted(want), "/api/models groups")
    for m, w in want.items():
        g = by[m]
        eq((g.get("request_count"), g.get("prompt_tokens"), g.get("completion_tokens"), g.get("total_tokens")),
           w[:4], "/api/models %s (count, prompt, completion, total) -- real sums, not 70/30" % m)
        if w[4] is None:
            check(g.get("total_cost") in (None, 0, 0.0), "%s total_cost %r", m, g.get("total_cost"))
            eq(g.get("unpriced"), 1, "%s counted as unpriced" % m)
        else:
            check(close(g.get("total_cost"), w[4]), "%s total_cost %r, want %r", m, g.get("total_cost"), w[4])
        rows = S.inst.db_query("SELECT avg(duration_ms) FROM traces WHERE model = ?", (m,))
        check(close(g.get("avg_latency"), rows[0][0], 0.51), "%s avg_latency %r, want %r",
              m, g.get("avg_latency"), rows[0][0])


# ------------------------------------------------------------------ sessions, timeline, trace logs

def test_query_sessions_and_session_detail():
    S = seeded()
    d = api_get(S.inst, "/api/sessions")
    sess = {x["session_id"]: x for x in d["sessions"]}
    eq(sorted(sess), ["sess-A", "sess-B"], "sessions")
    eq(d.get("total"), 2, "sessions total")
    eq([x["session_id"] for x in d["sessions"]], ["sess-B", "sess-A"], "ordered by last_seen, newest first")
    a = sess["sess-A"]
    eq((a["trace_count"], a["total_tokens"]), (2, 170), "sess-A trace_count, total_tokens")
    check(close(a["total_cost"], 0.03), "sess-A total_cost %r", a["total_cost"])
    eq(a["first_seen"], S.t0_ms, "sess-A first_seen")
    check(a["last_seen"] in (S.t0_ms + 5000, S.t0_ms + 5700), "sess-A last_seen %r", a["last_seen"])
    eq(a.get("agent_name"), "researcher", "sess-A agent_name")
    eq(a.get("service_name"), "svc-q", "sess-A service_name")
    b = sess["sess-B"]
    eq((b["trace_count"], b["total_tokens"]), (1, 1000), "sess-B")
    check(close(b["total_cost"], S5_COST), "sess-B total_cost %r", b["total_cost"])
    d = api_get(S.inst, "/api/sessions?limit=1&offset=1")
    eq([x["session_id"] for x in d["sessions"]], ["sess-A"], "sessions page 2")
    eq(d.get("total"), 2, "total with paging")
    d = api_get(S.inst, "/api/sessions/sess-A")
    eq(d.get("session_id"), "sess-A", "session_id")
    tr = d["traces"]
    eq([t["trace_id"] for t in tr], [S.T1, S.T2], "session traces, oldest first")
    eq((tr[0]["span_count"], tr[0]["tokens"], tr[0]["has_error"]), (3, 150, 1), "T1 figures")
    check(close(tr[0]["cost"], 0.01), "T1 cost %r", tr[0]["cost"])
    eq((tr[0]["started_at"], tr[0]["ended_at"]), (S.t0_ms, S.t0_ms + 4000), "T1 started/ended")
    eq((tr[1]["span_count"], tr[1]["tokens"], tr[1]["has_error"]), (1, 20, 0), "T2 figures")
    sm = d["summary"]
    eq((sm["tokens"], sm["spans"], sm["errors"]), (170, 4, 1), "session summary")
    check(close(sm["cost"], 0.03), "summary cost %r", sm["cost"])
    eq(S.inst.api("/api/sessions/no-such-session").status, 404, "unknown session")
    d = api_get(S.inst, "/api/sessions/" + urllib.parse.quote("sess-B"))
    eq([t["trace_id"] for t in d["traces"]], [S.T3], "sess-B traces")


def test_query_timeline_and_trace_logs():
    S = seeded()
    items = api_get(S.inst, "/api/timeline?limit=100")
    items = items if isinstance(items, list) else items.get("items") or items.get("timeline")
    traces = [i for i in items if i.get("type") == "trace"]
    logs = [i for i in items if i.get("type") == "log"]
    eq(sorted(i["id"] for i in traces), sorted(S.all_ids), "timeline traces")
    eq(len(logs), 3, "timeline logs")
    ts = [i["timestamp"] for i in items]
    eq(ts, sorted(ts, reverse=True), "timeline newest first")
    eq(len(items), 12, "timeline items")
    items = api_get(S.inst, "/api/timeline?limit=5")
    items = items if isinstance(items, list) else items.get("items") or items.get("timeline")
    eq(len(items), 5, "timeline limit")
    items = api_get(S.inst, "/api/timeline?type=log&limit=100")
    items = items if isinstance(items, list) else items.get("items") or items.get("timeline")
    eq(sorted(i["type"] for i in items), ["log"] * 3, "timeline type=log")
    # Logs of a trace, asked by any of its spans' ids.
    r = S.inst.api("/api/traces/%s/logs" % S.S[0])
    eq(r.status, 200, "/api/traces/:id/logs status (%r)" % r.body[:200])
    d = r.json()
    got = d if isinstance(d, list) else d.get("logs")
    eq(sorted(l["body"] for l in got), ["log one", "log two"], "logs of T1")
    eq(S.inst.api("/api/traces/%s/logs" % hexid(8)).status, 404, "logs of an unknown span")


# ------------------------------------------------------------------ analytics

def _norm(v):
    return None if v in (None, "", "unknown") else v


def test_query_analytics_daily_trends_by_tool_by_model():
    S = seeded()
    inst = S.inst
    now = int(time.time() * 1000)
    d = api_get(inst, "/api/analytics/daily?days=7")
    daily = d["daily"]
    eq(d.get("days"), 7, "days echoed")
    b = [x["bucket"] for x in daily]
    check(len(daily) in (7, 8), "7 days gap-filled: %d buckets", len(daily))
    eq(b, [b[0] + i * DAY_MS for i in range(len(b))], "daily buckets contiguous, ascending")
    eq(b[-1], now // DAY_MS * DAY_MS, "last bucket is today (UTC)")
    for x in daily:
        eq(x["date"], time.strftime("%Y-%m-%d", time.gmtime(x["bucket"] / 1000)), "date label of %r" % x)
    eq(sum(x["requests"] for x in daily), 9, "daily requests")
    eq(sum(x["tokens"] for x in daily), TOTAL_TOKENS, "daily tokens")
    check(close(sum(x["cost"] for x in daily), TOTAL_COST), "daily cost")
    eq(sum(1 for x in daily if x["requests"]), 1 if S.t0_ms // DAY_MS == now // DAY_MS else 2,
       "days with data (the rest are zero-filled)")
    for interval, step in (("hour", HOUR_MS), ("day", DAY_MS)):
        d = api_get(inst, "/api/analytics/token-trends?interval=%s&days=2" % interval)
        tr = d["trends"]
        eq(d.get("interval"), interval, "interval echoed")
        b = [x["bucket"] for x in tr]
        eq(b, [b[0] + i * step for i in range(len(b))], "%s buckets contiguous" % interval)
        check(len(b) >= (48 if interval == "hour" else 2), "%s: %d buckets for 2 days", interval, len(b))
        eq(b[-1], now // step * step, "%s: last bucket is the current one" % interval)
        fmt = "%Y-%m-%d %H:00" if interval == "hour" else "%Y-%m-%d"
        eq(tr[-1]["label"], time.strftime(fmt, time.gmtime(b[-1] / 1000)), "%s label" % interval)
        eq((sum(x["prompt_tokens"] for x in tr), sum(x["completion_tokens"] for x in tr),
            sum(x["total_tokens"] for x in tr), sum(x["request_count"] for x in tr)),
           (PROMPT, COMPLETION, TOTAL_TOKENS, 9), "%s trend sums" % interval)
        check(close(sum(x["total_cost"] for x in tr), TOTAL_COST), "%s trend cost", interval)
    d = api_get(inst, "/api/analytics/cost-by-model?days=30")
    bm = {x["model"]: x for x in d["by_model"]}
    mini_resp = S.P[0]["model"]
    want = {mini_resp: (2, 3000, 2 * P_MINI), "gpt-4o-mini": (1, 150, 0.01),
            "gpt-4o": (2, 1150, P_4O + S5_COST), "claude-3-haiku-20240307": (1, 20, 0.02),
            "local-llama": (1, 15, None)}
    eq(sorted(k for k in bm if _norm(k)), sorted(want), "cost-by-model groups")
    for m, w in want.items():
        eq((bm[m]["request_count"], bm[m]["total_tokens"]), w[:2], "cost-by-model %s" % m)
        if w[2] is not None:
            check(close(bm[m]["total_cost"], w[2]), "cost-by-model %s cost %r", m, bm[m]["total_cost"])
        else:
            eq(bm[m].get("unpriced"), 1, "cost-by-model: local-llama counted as unpriced")
    costs = [x["total_cost"] or 0 for x in d["by_model"]]
    eq(costs, sorted(costs, reverse=True), "cost-by-model ordered by cost")
    d = api_get(inst, "/api/analytics/cost-by-tool?days=30")
    bt = {(_norm(x["provider"]), _norm(x["service_name"])): x for x in d["by_tool"]}
    want = {("openai", None): (4, 3165, 2 * P_MINI + P_4O), (None, "svc-q"): (2, 0, 0.0),
            ("openai", "svc-q"): (2, 1150, 0.01 + S5_COST), ("anthropic", "svc-q"): (1, 20, 0.02)}
    eq(sorted(bt, key=str), sorted(want, key=str), "cost-by-tool groups")
    for k, w in want.items():
        eq((bt[k]["request_count"], bt[k]["total_tokens"]), w[:2], "cost-by-tool %r" % (k,))
        check(close(bt[k]["total_cost"] or 0.0, w[2]), "cost-by-tool %r cost %r", k, bt[k]["total_cost"])
    d = api_get(inst, "/api/analytics?days=7")
    for k in ("daily", "by_tool", "by_model"):
        check(isinstance(d.get(k), list), "/api/analytics lacks %s: %r", k, list(d))
    eq(d.get("days"), 7, "/api/analytics days")
    eq(sum(x["requests"] for x in d["daily"]), 9, "/api/analytics daily requests")


def test_query_metrics_tokens_and_token_usage():
    S = seeded()
    d = api_get(S.inst, "/api/metrics/tokens")
    got = sorted((u.get("model"), u.get("token_type"), u.get("total_tokens")) for u in d["usage"])
    eq(got, [("gpt-4o", "input", 50), ("gpt-4o-mini", "input", 300), ("gpt-4o-mini", "output", 120)],
       "/api/metrics/tokens")
    for u in d["usage"]:
        eq(u.get("service_name"), "svc-q", "service_name")
    bare = api_get(S.inst, "/api/token-usage")
    check(isinstance(bare, list), "/api/token-usage is not a bare array: %r", bare)
    eq(sorted((u.get("model"), u.get("token_type"), u.get("total_tokens")) for u in bare), got,
       "/api/token-usage rows")


# ------------------------------------------------------------------ /api/traces filters

def test_query_traces_every_filter():
    S = seeded()
    s1, s2, s3, s4, s5 = S.S
    p1, p2, p3, p4 = S.pids
    cases = [
        ("model=gpt-4o", [p3, s5]),
        ("model=" + urllib.parse.quote(S.P[0]["model"]), [p1, p2]),
        ("provider=anthropic", [s4]),
        ("status=error", [s3]),
        ("status=success", [s1, s2, s4, s5, p1, p2, p3, p4]),
        ("span_type=tool", [s3]),
        ("span_type=agent", [s1]),
        ("service_name=svc-q", S.S),
        ("session_id=sess-A", [s1, s2, s3, s4]),
        ("conversation_id=conv-1", [s2]),
        ("tag=env:prod", [p1]),
        ("tag=" + urllib.parse.quote("env:production"), [p2]),
        ("tag=team:a", [p2]),
        ("tag=env", []),
        ("cost_min=0.005", [s2, s4]),
        ("cost_max=0.0005", [p1, p2]),
        ("cost_min=0.0004&cost_max=0.001", [p1, p2, p3]),
        ("date_from=%d&date_to=%d" % (S.t0_ms + 100, S.t0_ms + 5000), [s2, s3, s4]),
        ("date_to=%d" % (S.t0_ms + 60000 - 1), S.S),
        ("q=alpha", [s2]),
        ("q=research", [s1]),
        ("q=" + S.mk[0], [p1]),
        ("q=" + urllib.parse.quote('"%s"' % S.mk[1]), [p2]),
        ("q=" + urllib.parse.quote("(%s)" % S.mk[2]), [p3]),
        ("session_id=sess-A&span_type=llm", [s2, s4]),
        ("provider=openai&service_name=svc-q&cost_min=0.003", [s2]),
    ]
    for qs, want in cases:
        eq(ids_of("/api/traces?limit=1000&" + qs, S), sorted(want), "/api/traces?%s" % qs)
    allrows = rows_of(api_get(S.inst, "/api/traces?limit=1000"))
    eq(sorted(r["id"] for r in allrows), sorted(S.all_ids), "unfiltered")
    order = [(r["timestamp"], r["id"]) for r in allrows]
    eq(order, sorted(order, reverse=True), "newest first")
    page = rows_of(api_get(S.inst, "/api/traces?limit=3&offset=2"))
    eq([r["id"] for r in page], [r["id"] for r in allrows[2:5]], "limit=3&offset=2")
    eq(rows_of(api_get(S.inst, "/api/traces?limit=1000&offset=9")), [], "offset past the end")
    # Search syntax is text, never an error.
    for q in ('"', "((", "a AND", "OR", "NEAR(a b)", "*", "alp*", "-x", "x:y", "'; DROP TABLE traces; --",
              "\u00e9\u4e2d", "a\"b(c)d*", "^", "NOT alpha", "{a}", "alpha + beta"):
        r = S.inst.api("/api/traces?q=" + urllib.parse.quote(q))
        eq(r.status, 200, "q=%r status" % q)
        check(isinstance(rows_of(r.json()), list), "q=%r answer", q)
    eq(len(S.inst.db_query("SELECT id FROM traces")), 9, "rows still there after hostile q")
    for bad in ("limit=0", "limit=1001", "limit=abc", "limit=-1"):
        err_names(S.inst.api("/api/traces?" + bad), "limit")
    eq(len(rows_of(api_get(S.inst, "/api/traces?limit=1"))), 1, "limit=1")
    eq(S.inst.api("/api/traces?limit=1000").status, 200, "limit=1000")


# ------------------------------------------------------------------ paging, export, POST /api/spans

_page = {}
_page_lock = threading.Lock()


def paged():
    """An instance with 25 spans (some sharing a timestamp) and one whose
    name needs CSV quoting."""
    with _page_lock:
        if "p" not in _page:
            inst = Instance("query-page")
            tid = hexid(16)
            t0 = now_ns() - 100 * 10 ** 9
            spans = []
            for i in range(25):
                # Groups of 3 share a start time: paging must break ties.
                spans.append(span(tid, hexid(8), None, "page span %d" % i, start=t0 + (i // 3) * 10 ** 9,
                                  attrs={"gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": i,
                                         "gen_ai.usage.output_tokens": 1}))
            spans[7]["name"] = 'needs, "quoting"\nand a newline'
            post(inst, "traces", one_scope({"service.name": "pager"}, spans=spans))
            _page["p"] = (inst, tid, spans)
        return _page["p"]


def test_query_cursor_paging_walks_every_row_once():
    inst, tid, spans = paged()
    want = sorted(s["span_id"] for s in spans)
    for limit in (1, 4, 7, 25, 100):
        seen, cursor, pages = [], None, 0
        while True:
            path = "/api/traces?service_name=pager&limit=%d" % limit
            if cursor:
                path += "&cursor=" + urllib.parse.quote(cursor, safe="")
            r = inst.api(path)
            eq(r.status, 200, "page %d (limit %d): %r" % (pages, limit, r.body[:200]))
            rows = rows_of(r.json())
            seen += [x["id"] for x in rows]
            pages += 1
            cursor = r.header("X-Next-Cursor")
            check(pages < 100, "cursor paging does not end")
            if not cursor:
                break
            check(rows, "an empty page with a next cursor")
        eq(len(seen), len(set(seen)), "limit %d: a row came twice" % limit)
        eq(sorted(seen), want, "limit %d: every row once" % limit)
        check(pages >= -(-25 // limit), "limit %d: %d pages", limit, pages)
    err_names(inst.api("/api/traces?cursor=not-a-cursor"), "cursor")


def test_query_export_csv_jsonl_json():
    inst, tid, spans = paged()
    want = sorted(s["span_id"] for s in spans)
    r = inst.api("/api/traces/export?format=csv&service_name=pager")
    eq(r.status, 200, "csv export: %r" % r.body[:200])
    check((r.header("Content-Type") or "").startswith("text/csv"), "csv Content-Type %r", r.header("Content-Type"))
    cd = r.header("Content-Disposition") or ""
    check(cd.startswith("attachment") and "filename=" in cd and ".csv" in cd, "Content-Disposition %r", cd)
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
    head = rows[0]
    for col in ("id", "timestamp", "duration_ms", "provider", "model", "prompt_tokens", "completion_tokens",
                "total_tokens", "estimated_cost", "status", "error", "trace_id", "parent_id", "span_type",
                "span_name", "service_name"):
        check(col in head, "csv header lacks %s: %r", col, head)
    body = [dict(zip(head, x)) for x in rows[1:]]
    eq(sorted(x["id"] for x in body), want, "csv rows")
    odd = [x for x in body if x["id"] == spans[7]["span_id"]][0]
    eq(odd["span_name"], 'needs, "quoting"\nand a newline', "csv quoting of comma, quote and newline")
    check(b'"needs, ""quoting""\nand a newline"' in r.body or b'"needs, ""quoting""\r\nand a newline"' in r.body,
          "raw csv quoting: %r", r.body[:600])
    eq(odd["parent_id"], "", "null is empty in csv")
    r = inst.api("/api/traces/export?format=jsonl&service_name=pager")
    eq(r.status, 200, "jsonl export")
    check("ndjson" in (r.header("Content-Type") or "") or "jsonl" in (r.header("Content-Type") or ""),
          "jsonl Content-Type %r", r.header("Content-Type"))
    lines = [json.loads(x) for x in r.body.decode().splitlines() if x.strip()]
    eq(sorted(x["id"] for x in lines), want, "jsonl rows")
    r = inst.api("/api/traces/export?format=json&service_name=pager&model=gpt-4o-mini")
    eq(r.status, 200, "json export")
    d = r.json()
    eq(d.get("count"), 25, "json export count")
    eq(sorted(x["id"] for x in d["traces"]), want, "json export rows")
    check("exported_at" in d and isinstance(d.get("filters"), dict), "json export envelope %r", list(d))
    r = inst.api("/api/traces/export?format=csv&service_name=pager&date_to=%d" % (
        (spans[2]["start"]) // MS))
    rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
    eq(sorted(x[rows[0].index("id")] for x in rows[1:]), sorted(s["span_id"] for s in spans[:3]),
       "csv export with date_to")
    err_names(inst.api("/api/traces/export?format=xml"), "format")


@slow
def test_query_export_20000_rows_every_row_arrives():
    with Instance("query-export", env={"MAX_TRACES": "100000"}) as inst:
        t0 = now_ns() - 3600 * 10 ** 9
        want = set()
        for b in range(4):
            tid = hexid(16)
            spans = []
            for i in range(5000):
                sid = "%04x%012x" % (b + 1, i)
                want.add(sid)
                spans.append({"trace_id": tid, "span_id": sid, "name": "bulk %d" % i, "kind": 1,
                              "start": t0 + (b * 5000 + i) * MS, "end": t0 + (b * 5000 + i + 3) * MS,
                              "attrs": {"gen_ai.request.model": "gpt-4o-mini"}})
            _, rej, msg = post(inst, "traces", one_scope({"service.name": "bulk"}, spans=spans))
            eq(rej, 0, "batch %d rejected (%s)" % (b, msg))
        eq(inst.db_query("SELECT count(*) FROM traces")[0][0], 20000, "rows stored")
        r = inst.api("/api/traces/export?format=csv", timeout=120)
        eq(r.status, 200, "csv export of 20,000 rows")
        rows = list(csv.reader(io.StringIO(r.body.decode("utf-8"), newline="")))
        i = rows[0].index("id")
        got = [x[i] for x in rows[1:]]
        eq(len(got), 20000, "csv rows")
        eq(set(got), want, "every row once in the csv")
        r = inst.api("/api/traces/export?format=jsonl&service_name=bulk", timeout=120)
        eq(r.status, 200, "jsonl export of 20,000 rows")
        got = [json.loads(x)["id"] for x in r.body.decode().splitlines() if x.strip()]
        eq((len(got), set(got) == want), (20000, True), "every row once in the jsonl")


def test_query_post_spans_sdk_format():
    inst, tid, spans = paged()
    sid = "sdk-" + marker()
    now = int(time.time() * 1000)
    body = {"id": sid, "trace_id": "sdk-trace-" + sid, "span_type": "tool", "span_name": "sdk tool",
            "start_time": now - 500, "end_time": now, "status": 200, "attributes": {"k": "v"},
            "input": {"q": 1}, "output": "done", "tags": ["sdk"], "service_name": "sdk-svc",
            "model": "gpt-4o-mini", "prompt_tokens": 10, "completion_tokens": 2}
    r = request(inst.dashboard_port, "POST", "/api/spans", body)
    eq(r.status, 201, "POST /api/spans: %r" % r.body[:200])
    eq(r.json(), {"id": sid, "trace_id": "sdk-trace-" + sid}, "answer")
    row = db_dicts(inst, "traces", "id = ?", (sid,))
    check(row, "span not stored")
    eq((row[0]["span_type"], row[0]["span_name"], row[0]["service_name"], row[0]["duration_ms"],
        row[0]["timestamp"], row[0]["prompt_tokens"]),
       ("tool", "sdk tool", "sdk-svc", 500, now - 500, 10), "stored columns")
    eq(ids_of("/api/traces?service_name=sdk-svc", type("X", (), {"inst": inst})), [sid], "in /api/traces")
    r = request(inst.dashboard_port, "POST", "/api/spans", body)
    eq(r.status, 409, "duplicate id: %r" % r.body[:200])
    r = request(inst.dashboard_port, "POST", "/api/spans", json.dumps(dict(body, id=sid + "x")),
                {"Content-Type": "text/plain"})
    eq(r.status, 415, "text/plain body")
    r = request(inst.dashboard_port, "POST", "/api/spans", b"{not json", {"Content-Type": "application/json"})
    eq(r.status, 400, "bad JSON")
    r = request(inst.dashboard_port, "POST", "/api/spans", {"span_name": "no id"})
    eq(r.status, 201, "no id: one is made: %r" % r.body[:200])
    made = r.json()
    check(made.get("id") and made.get("trace_id") == made.get("id"), "made ids %r", made)
    eq(len(db_dicts(inst, "traces", "id = ?", (made["id"],))), 1, "span with a made id stored")


# ------------------------------------------------------------------ retention

def _wait(pred, timeout=8.0):
    end = time.time() + timeout
    while True:
        v = pred()
        if v or time.time() > end:
            return v
        time.sleep(0.1)


def test_query_retention_max_traces_whole_traces_newest_kept():
    with Instance("query-ret", env={"MAX_TRACES": "50"}) as inst:
        e = api_get(inst, "/api/stats")
        eq(e.get("error_count"), 0, "empty database error_count")
        t0 = now_ns() - 1000 * 10 ** 9
        tids = []
        for batch in range(10):
            spans = []
            for k in range(10):
                n = batch * 10 + k
                tid = hexid(16)
                tids.append(tid)
                root = hexid(8)
                for j in range(3):
                    spans.append(span(tid, root if j == 0 else hexid(8), None if j == 0 else root,
                                      "t%d s%d" % (n, j), start=t0 + (n * 3 + j) * 10 ** 9,
                                      attrs={"gen_ai.request.model": "gpt-4o-mini",
                                             "gen_ai.usage.input_tokens": 1, "gen_ai.usage.output_tokens": 1}))
            post(inst, "traces", one_scope({"service.name": "ret"}, spans=spans))
        ok = _wait(lambda: inst.db_query("SELECT count(*) FROM traces")[0][0] <= 51)
        n = inst.db_query("SELECT count(*) FROM traces")[0][0]
        check(ok, "%d rows remain with MAX_TRACES=50 (want <= 50, +1 slack)", n)
        check(n >= 45, "pruned too far: %d rows", n)
        per = inst.db_query("SELECT trace_id, count(*) FROM traces GROUP BY trace_id")
        partial = [(t, c) for t, c in per if c != 3]
        eq(partial, [], "traces partly deleted")
        kept = set(t for t, _ in per)
        eq(kept, set(tids[-len(kept):]), "the newest traces remain")
        s = api_get(inst, "/api/stats")
        eq(s["total_requests"], 300, "stats count every span ever stored (rollups)")
        eq(s["total_tokens"], 600, "stats tokens of every span")
        # Space comes back: the file is in incremental auto-vacuum mode
        # and pruning gives the freed pages back.
        eq(inst.db_query("PRAGMA auto_vacuum")[0][0], 2, "auto_vacuum mode (2 = incremental)")
        check(inst.db_query("PRAGMA freelist_count")[0][0] < 50,
              "free pages left after pruning: %d", inst.db_query("PRAGMA freelist_count")[0][0])


def test_query_retention_max_logs_and_max_age():
    with Instance("query-ret2", env={"MAX_LOGS": "40", "MAX_AGE_DAYS": "1"}) as inst:
        base = now_ns() - 200 * 10 ** 9
        for b in range(5):
            post(inst, "logs", one_scope({"service.name": "ret"}, logs=[
                {"time": base + (b * 20 + i) * 10 ** 9, "body": "log %d" % (b * 20 + i)} for i in range(20)]))
        ok = _wait(lambda: inst.db_query("SELECT count(*) FROM logs")[0][0] <= 40)
        bodies = sorted(int(r[0].split()[1]) for r in inst.db_query("SELECT body FROM logs"))
        check(ok and len(bodies) >= 35, "%d logs remain with MAX_LOGS=40", len(bodies))
        eq(bodies, list(range(100 - len(bodies), 100)), "the newest logs remain")
        old = now_ns() - 3 * 86400 * 10 ** 9
        tid_old, tid_new = hexid(16), hexid(16)
        post(inst, "traces", one_scope({"service.name": "age"}, spans=[
            span(tid_old, hexid(8), None, "old %d" % i, start=old + i * 10 ** 9) for i in range(5)]))
        post(inst, "logs", one_scope({"service.name": "age"}, logs=[{"time": old, "body": "old log"}]))
        post(inst, "metrics", one_scope({"service.name": "age"}, metrics=[
            {"name": "old.metric", "type": "gauge", "points": [{"time": old, "value": 1}]}]))
        post(inst, "traces", one_scope({"service.name": "age"}, spans=[
            span(tid_new, hexid(8), None, "new %d" % i) for i in range(3)]))
        ok = _wait(lambda: inst.db_query("SELECT count(*) FROM traces WHERE trace_id = ?", (tid_old,))[0][0] == 0)
        check(ok, "spans dated 3 days ago not pruned with MAX_AGE_DAYS=1")
        eq(inst.db_query("SELECT count(*) FROM traces WHERE trace_id = ?", (tid_new,))[0][0], 3, "new spans kept")
        # Pruning runs after each export's answer: wait for it.
        _wait(lambda: inst.db_query("SELECT count(*) FROM logs WHERE body = 'old log'")[0][0] == 0 and
              inst.db_query("SELECT count(*) FROM metrics WHERE name = 'old.metric'")[0][0] == 0)
        eq(inst.db_query("SELECT count(*) FROM logs WHERE body = 'old log'")[0][0], 0, "old log pruned")
        eq(inst.db_query("SELECT count(*) FROM metrics WHERE name = 'old.metric'")[0][0], 0, "old metric pruned")
        n = inst.db_query("SELECT count(*) FROM logs")[0][0]
        d = api_get(inst, "/api/logs?limit=100")
        eq(d.get("total"), n, "/api/logs total after pruning")


# ------------------------------------------------------------------ bad parameters

def test_query_bad_parameters_name_the_parameter():
    S = seeded()
    cases = [
        ("/api/traces?offset=-1", "offset"), ("/api/traces?status=bogus", "status"),
        ("/api/traces?cost_min=abc", "cost_min"), ("/api/traces?cost_max=1e999x", "cost_max"),
        ("/api/traces?date_from=notadate", "date_from"), ("/api/traces?date_to=12x", "date_to"),
        ("/api/traces?span_type=" + "x" * 2000, "span_type"),
        ("/api/traces/export?format=xml", "format"), ("/api/traces/export?limit=abc", "limit"),
        ("/api/logs?limit=0", "limit"), ("/api/logs?severity_min=x", "severity_min"),
        ("/api/logs?offset=abc", "offset"),
        ("/api/metrics?limit=5000", "limit"), ("/api/metrics?metric_type=bogus", "metric_type"),
        ("/api/metrics?aggregation=bogus", "aggregation"),
        ("/api/metrics/summary?date_from=x", "date_from"),
        ("/api/sessions?limit=0", "limit"), ("/api/sessions?offset=x", "offset"),
        ("/api/timeline?limit=abc", "limit"), ("/api/timeline?type=bogus", "type"),
        ("/api/analytics?days=abc", "days"), ("/api/analytics/daily?days=x", "days"),
        ("/api/analytics/daily?days=10000000", "days"),
        ("/api/analytics/token-trends?interval=week", "interval"),
        ("/api/analytics/token-trends?days=-3", "days"),
        ("/api/analytics/cost-by-tool?days=abc", "days"), ("/api/analytics/cost-by-model?days=abc", "days"),
    ]
    bad = []
    for path, param in cases:
        r = S.inst.api(path)
        try:
            err_names(r, param)
        except TestFailure as e:
            bad.append("%s: %s" % (path, e))
    check(not bad, "%d of %d: %s", len(bad), len(cases), " || ".join(bad))


def old_database(name, version):
    """An instance, not started, whose database an earlier release made:
    schema.sql's blocks up to version applied with plain SQL.  Returns it,
    a connection to that database, and schema.sql's blocks."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "schema.sql")) as f:
        blocks = f.read().split("\n-- version ")[1:]
    inst = Instance(name, start=False)
    os.makedirs(inst.data_dir)
    con = sqlite3.connect(os.path.join(inst.data_dir, "data.db"), isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    for b in blocks:
        if int(b.split("\n", 1)[0]) <= version:
            con.executescript(b.split("\n", 1)[1])
    con.execute("PRAGMA user_version = %d" % version)
    return inst, con, blocks


def test_query_programs_opening_while_another_migrates():
    """Programs that open the database while another connection holds it
    for the migration to version 8 (which rebuilds traces) wait, then
    work: a proxied call and an OTLP export are stored, and no statement
    fails with "no such table" (a schema read before the migration
    committed was used to prepare them)."""
    inst, con, blocks = old_database("migrating", 7)
    con.execute("INSERT INTO traces (id, trace_id, timestamp) VALUES ('00000000000000aa', ?, ?)",
                ("ab" * 16, now_ns() // MS))
    # The rest of the migration, statement by statement, left uncommitted.
    con.execute("BEGIN IMMEDIATE")
    stmt = ""
    for b in blocks:
        if int(b.split("\n", 1)[0]) <= 7:
            continue
        for line in b.split("\n", 1)[1].splitlines(True):
            stmt += line
            if sqlite3.complete_statement(stmt):
                con.execute(stmt)
                stmt = ""
    con.execute("PRAGMA user_version = %d" % len(blocks))
    inst.start(wait=False)
    try:
        time.sleep(2)      # the programs open, read the old schema and wait
        con.execute("COMMIT")
        con.close()
        inst.wait_ready()
        mk = marker()
        _, r = inst.chat(mk)
        eq(r.status, 200, "proxied call")
        check(db_find_call(inst, mk), "proxied call stored")
        tid, sid = hexid(16), hexid(8)
        post(inst, "traces", one_scope({"service.name": "migrating-svc"},
                                       spans=[span(tid, sid, name="after the wait")]))
        end = time.time() + 10
        while time.time() < end and not inst.db_query("SELECT 1 FROM traces WHERE id = ?", (sid,)):
            time.sleep(0.05)
        eq(inst.db_query("SELECT span_name FROM traces WHERE id = ?", (sid,)), [("after the wait",)],
           "exported span stored")
        eq(api_get(inst, "/api/traces/00000000000000aa")["trace"]["trace_id"], "ab" * 16,
           "a span stored before the migration, by its id")
        with open(inst.log_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        check("no such table" not in log, "a program failed on the new schema: %s",
              [x for x in log.splitlines() if "no such table" in x][:2])
    finally:
        inst.stop()
        inst.cleanup()


def test_query_database_of_schema_4_upgraded_in_place():
    """A database an earlier release made (schema version 4, rows stored
    with plain SQL so its triggers kept rollups, counts, tags and the
    search index) opens in the new release: migrated to the latest
    version with its indexes rebuilt ascending, traces rebuilt with span
    ids in span_ids (version 8), each trace's rows listed under its number
    in trace_ids and trace_spans (version 9), every row kept under its row
    number, and lists newest first, rows of the same time in the order stored last
    first; a stored span's id is still refused the second time."""
    inst, con, blocks = old_database("upgrade", 4)
    t = now_ns() // MS - 5000
    rows = [("0000000000000a01", "aa" * 16, t, "first of two at the same time"),
            ("00000000000000ff", "bb" * 16, t, "second of two at the same time"),
            ("0000000000000001", "cc" * 16, t + 1000, "newest"),
            ("0000000000000b02", "dd" * 16, t - 1000, "oldest")]
    for sid, tid, ts, name in rows:
        con.execute("INSERT INTO traces (id, trace_id, timestamp, model, provider, span_name, "
                    "prompt_tokens, completion_tokens, total_tokens, span_type, tags) "
                    "VALUES (?, ?, ?, 'gpt-4o-mini', 'openai', ?, 10, 5, 15, 'llm', ?)",
                    (sid, tid, ts, name, '["upgraded"]' if name == "newest" else None))
    seqs = dict(con.execute("SELECT id, seq FROM traces"))
    con.close()
    inst.start()
    try:
        want = ["0000000000000001", "00000000000000ff", "0000000000000a01", "0000000000000b02"]
        eq([r["id"] for r in rows_of(api_get(inst, "/api/traces"))], want, "list order after the upgrade")
        eq([r["id"] for r in rows_of(api_get(inst, "/api/traces?model=gpt-4o-mini"))], want,
           "list order by model (its index rebuilt)")
        seen, cursor = [], None
        for _ in range(10):
            r = inst.api("/api/traces?limit=1" + ("&cursor=" + urllib.parse.quote(cursor, safe="") if cursor else ""))
            eq(r.status, 200, "cursor page: %r" % r.body[:200])
            seen += [x["id"] for x in rows_of(r.json())]
            cursor = r.header("X-Next-Cursor")
            if not cursor:
                break
        eq(seen, want, "cursor pages, one row each, across rows of the same time")
        eq(api_get(inst, "/api/stats")["total_requests"], 4, "rollups the old triggers kept")
        eq([r["id"] for r in rows_of(api_get(inst, "/api/traces?q=newest"))], ["0000000000000001"],
           "search finds a row stored before the upgrade (the index rebuilt)")
        eq(inst.db_query("PRAGMA user_version")[0][0], len(blocks), "schema version")
        idx = dict(inst.db_query("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'traces'"))
        check("DESC" not in idx.get("idx_traces_timestamp", "DESC") and "id" not in
              idx["idx_traces_timestamp"].split("(", 1)[1], "timestamp index: %r", idx.get("idx_traces_timestamp"))
        check("DESC" not in idx.get("idx_traces_model", "DESC"), "model index: %r", idx.get("idx_traces_model"))
        check("DESC" not in idx.get("idx_traces_service", "DESC"), "service index: %r", idx.get("idx_traces_service"))
        # Version 8: span ids in span_ids, traces without its UNIQUE index.
        eq(dict(inst.db_query("SELECT id, seq FROM span_ids")), seqs, "span_ids: every id, its row number")
        eq(dict(inst.db_query("SELECT id, seq FROM traces")), seqs, "rows kept under their row numbers")
        eq(sorted(idx), ["idx_traces_conversation_id", "idx_traces_model", "idx_traces_service",
                         "idx_traces_session_id", "idx_traces_timestamp",
                         "idx_traces_user_id"], "traces' indexes (no UNIQUE on id, none on trace_id)")
        eq(len(inst.db_query("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'traces'")),
           12, "traces' triggers: 7 made again, 3 for span_ids, 2 for trace_ids")
        # Version 9: each trace numbered by its first row, its rows under it.
        by_trace = {tid: seqs[sid] for sid, tid, _, _ in rows}
        eq(dict(inst.db_query("SELECT trace_id, trace_no FROM trace_ids")), by_trace,
           "trace_ids: every trace, numbered by its first row")
        eq(sorted(inst.db_query("SELECT trace_no, seq FROM trace_spans")),
           sorted((seqs[sid], seqs[sid]) for sid, _, _, _ in rows), "trace_spans: every row under its trace")
        eq(api_get(inst, "/api/traces/0000000000000a01")["trace"]["span_name"], "first of two at the same time",
           "a span stored before the upgrade, by its id")
        eq([r["id"] for r in rows_of(api_get(inst, "/api/traces?tag=upgraded"))], ["0000000000000001"],
           "tags kept")
        tree = api_get(inst, "/api/traces/0000000000000b02/tree")
        eq(tree["trace"]["trace_id"], "dd" * 16, "tree by a span id stored before the upgrade")
        body = {"id": "0000000000000001", "trace_id": "ee" * 16, "span_name": "again",
                "start_time": t, "end_time": t + 1}
        r = request(inst.dashboard_port, "POST", "/api/spans", body)
        eq(r.status, 409, "a span id stored before the upgrade, sent again: %r" % r.body[:200])
        r = request(inst.dashboard_port, "POST", "/api/spans", dict(body, id="0000000000000c03"))
        eq(r.status, 201, "a new span after the upgrade: %r" % r.body[:200])
        eq(inst.db_query("SELECT t.seq = s.seq FROM traces t JOIN span_ids s USING (id) "
                         "WHERE id = '0000000000000c03'"), [(1,)], "its id in span_ids")
        r = request(inst.dashboard_port, "POST", "/api/spans",
                    dict(body, id="0000000000000c04", trace_id="dd" * 16, parent_id="0000000000000b02"))
        eq(r.status, 201, "a span of a trace stored before the upgrade: %r" % r.body[:200])
        tree = api_get(inst, "/api/traces/0000000000000c04/tree")
        eq(sorted(walk(tree["spans"])), ["0000000000000b02", "0000000000000c04"],
           "its trace's tree holds the span stored before the upgrade and the new one")
        eq(api_get(inst, "/api/stats")["total_requests"], 6, "rollups after the upgrade")
    finally:
        inst.stop()
        inst.cleanup()
