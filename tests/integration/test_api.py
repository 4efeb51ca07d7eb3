"""The query API on the dashboard port: /api/traces, /api/traces/:id, /api/stats."""

import time
import urllib.parse

from harness import (HEX16, SUMMARY_KEYS, Instance, check, close, eq, marker, shared)


def test_health_answers_200_json():
    inst = shared()
    r = inst.api("/api/health")
    eq(r.status, 200, "status")
    r.json()


def test_stats_empty_database_then_known_calls():
    with Instance("stats") as inst:
        s = inst.api_json("/api/stats")
        for k in ("total_requests", "total_tokens", "total_cost", "total_duration", "error_count",
                  "avg_duration", "unpriced_requests", "models"):
            check(k in s, "stats lacks %r: %r", k, s)
        eq(s["total_requests"], 0, "total_requests on an empty database")
        eq(s["error_count"], 0, "error_count on an empty database")
        eq(s["total_tokens"], 0, "total_tokens on an empty database")
        check(s["total_cost"] in (0, 0.0), "total_cost %r on an empty database", s["total_cost"])
        eq(s["models"], [], "models on an empty database")

        mks = [marker() for _ in range(3)]
        inst.chat(mks[0])
        inst.chat(mks[1])
        inst.chat(mks[2], model="my-local-model", headers={"X-Fake-Prompt-Tokens": "10",
                                                          "X-Fake-Completion-Tokens": "5"})
        rows = [inst.find_trace(m) for m in mks]
        s = inst.api_json("/api/stats")
        eq(s["total_requests"], 3, "total_requests")
        eq(s["total_tokens"], 3015, "total_tokens")
        check(close(s["total_cost"], 0.0009), "total_cost %r, want 0.0009", s["total_cost"])
        eq(s["error_count"], 0, "error_count")
        eq(s["unpriced_requests"], 1, "unpriced_requests")
        dur = sum(r["duration_ms"] for r in rows)
        eq(s["total_duration"], dur, "total_duration (sum of the rows' duration_ms)")
        check(close(s["avg_duration"], dur / 3.0, 0.01), "avg_duration %r, want %r", s["avg_duration"], dur / 3.0)
        models = {m["model"]: m for m in s["models"]}
        eq(len(models), 2, "model groups %r" % list(models))
        mini = [m for k, m in models.items() if k and k.startswith("gpt-4o-mini")]
        check(mini, "no gpt-4o-mini group in %r", list(models))
        mini = mini[0]
        eq((mini["count"], mini["tokens"], mini["unpriced"]), (2, 3000, 0), "gpt-4o-mini group")
        check(close(mini["cost"], 0.0009), "gpt-4o-mini cost %r", mini["cost"])
        local = models.get("my-local-model")
        check(local, "no my-local-model group")
        eq((local["count"], local["tokens"], local["unpriced"]), (1, 15, 1), "my-local-model group")
        check(local["cost"] in (0, 0.0, None), "my-local-model cost %r", local["cost"])

        mk = marker()
        inst.chat(mk, headers={"X-Fake-Status": "500"})
        inst.find_trace(mk)
        s = inst.api_json("/api/stats")
        eq(s["total_requests"], 4, "total_requests after an error")
        eq(s["error_count"], 1, "error_count after an error")
        eq(s["total_tokens"], 3015, "total_tokens after an error")


def _make_filter_set(inst):
    """Three calls of a model no other test uses: ok, error, ok; returns
    (model, markers, rows newest first)."""
    model = "filt-" + marker()
    mks = [marker() for _ in range(3)]
    inst.chat(mks[0], model=model)
    time.sleep(0.03)
    inst.chat(mks[1], model=model, headers={"X-Fake-Status": "400"})
    time.sleep(0.03)
    inst.chat(mks[2], model=model)
    rows = [inst.find_trace(m) for m in mks]
    return model, mks, rows


def ids(rows):
    return [r["id"] for r in rows]


def test_traces_filters_model_status_paging_dates_q():
    inst = shared()
    model, mks, rows = _make_filter_set(inst)
    qm = urllib.parse.quote(model)
    got = inst.api_json("/api/traces?model=" + qm)
    check(isinstance(got, list), "not a bare array: %r", got)
    eq(ids(got), ids(rows[::-1]), "model filter, newest first")
    for r in got:
        eq(r["model"], model, "model of a filtered row")
    got = inst.api_json("/api/traces?model=%s&status=error" % qm)
    eq(ids(got), [rows[1]["id"]], "status=error")
    got = inst.api_json("/api/traces?model=%s&status=success" % qm)
    eq(ids(got), [rows[2]["id"], rows[0]["id"]], "status=success")
    got = inst.api_json("/api/traces?model=%s&limit=1" % qm)
    eq(ids(got), [rows[2]["id"]], "limit=1")
    got = inst.api_json("/api/traces?model=%s&limit=1&offset=1" % qm)
    eq(ids(got), [rows[1]["id"]], "limit=1&offset=1")
    got = inst.api_json("/api/traces?model=%s&offset=3" % qm)
    eq(got, [], "offset past the end")
    ts = [r["timestamp"] for r in rows]
    check(ts[0] < ts[1] < ts[2], "timestamps %r not increasing with 30 ms gaps", ts)
    got = inst.api_json("/api/traces?model=%s&date_from=%d" % (qm, ts[1]))
    eq(ids(got), [rows[2]["id"], rows[1]["id"]], "date_from (inclusive)")
    got = inst.api_json("/api/traces?model=%s&date_to=%d" % (qm, ts[1]))
    eq(ids(got), [rows[1]["id"], rows[0]["id"]], "date_to (inclusive)")
    got = inst.api_json("/api/traces?model=%s&date_from=%d&date_to=%d" % (qm, ts[1], ts[1]))
    eq(ids(got), [rows[1]["id"]], "date_from=date_to")
    got = inst.api_json("/api/traces?q=" + mks[1])
    eq(ids(got), [rows[1]["id"]], "q search of a request body")
    wild = mks[1][:8] + "%25" + mks[1][10:]   # '%' in the middle: literal text, not a pattern
    got = inst.api_json("/api/traces?q=" + wild)
    eq(ids(got), [], "q with a %% in it (must not act as a wildcard)")
    wild = mks[1][:8] + "_" + mks[1][9:]
    got = inst.api_json("/api/traces?q=" + wild)
    eq(ids(got), [], "q with a _ in it (must not act as a wildcard)")
    got = inst.api_json("/api/traces?limit=5")
    check(len(got) <= 5, "limit=5 gave %d rows", len(got))
    stamps = [r["timestamp"] for r in got]
    eq(stamps, sorted(stamps, reverse=True), "newest first")


def test_traces_bad_parameters_give_400_naming_it():
    inst = shared()
    cases = [("limit=abc", "limit"), ("limit=0", "limit"), ("limit=5000", "limit"),
             ("limit=-1", "limit"), ("limit=10x", "limit"), ("offset=-1", "offset"),
             ("offset=abc", "offset"), ("status=bogus", "status"), ("date_from=yesterday", "date_from"),
             ("date_to=1e3", "date_to")]
    bad = []
    for qs, param in cases:
        r = inst.api("/api/traces?" + qs)
        try:
            j = r.json()
        except AssertionError:
            j = None
        if r.status != 400 or not isinstance(j, dict) or j.get("parameter") != param or not j.get("error"):
            bad.append("%s -> %d %r" % (qs, r.status, r.body[:120]))
    check(not bad, "bad parameters not answered 400 naming them: %s", "; ".join(bad))


def test_trace_detail_shape_and_404():
    inst = shared()
    mk = marker()
    inst.chat(mk, headers={"X-LLMFlow-Tags": "k:v"})
    row = inst.find_trace(mk)
    d = inst.detail(row["id"])
    t = d["trace"]
    for k in SUMMARY_KEYS:
        check(k in t, "detail trace lacks %r", k)
    eq(t["id"], row["id"], "trace.id")
    eq(t["tags"], ["k:v"], "trace.tags")
    for side in ("request", "response"):
        for k in ("headers", "body", "body_truncated") + (("method", "path") if side == "request" else ("status",)):
            check(k in d[side], "%s lacks %r", side, k)
    r = inst.api("/api/traces/0123456789abcdef")
    eq(r.status, 404, "unknown id status")
    check("error" in r.json(), "404 body %r", r.body[:200])
    r = inst.api("/api/traces/%27%20OR%201%3D1--")
    eq(r.status, 404, "injection-looking id status")


def test_traces_summary_rows_have_every_field():
    inst = shared()
    mk = marker()
    inst.chat(mk)
    row = inst.find_trace(mk)
    missing = [k for k in SUMMARY_KEYS if k not in row]
    check(not missing, "summary row lacks %r", missing)
    check(HEX16.match(row["id"]), "id %r", row["id"])
    check(row["cost_source"] in ("computed", "reported", "unknown"), "cost_source %r", row["cost_source"])
    for k in ("request", "response", "request_body", "response_body", "request_headers"):
        check(k not in row, "summary row carries %r (bodies belong to /api/traces/:id)", k)
