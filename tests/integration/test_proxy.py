"""The proxy port: forwarding, streaming, usage, cost, errors, recording."""

import json
import threading
import time
import uuid

import fake_upstream as fu
from harness import (ENV_KEY, HEX16, HEX32, Instance, TestFailure, check, close, eq,
                     fake, free_port, marker, now_ms, price, raw_stream_then_close,
                     raw_post_early_reply, request, shared, strip_pings)


def slow(f):
    f.slow = True
    return f


def ctrl(**kw):
    """X-Fake-* headers from keyword arguments (chunk_delay_ms -> X-Fake-Chunk-Delay-Ms)."""
    names = {"cached": "Cached-Tokens", "prompt": "Prompt-Tokens",
             "completion": "Completion-Tokens", "reasoning": "Reasoning-Tokens"}
    out = {}
    for k, v in kw.items():
        name = names.get(k) or "-".join(p.capitalize() for p in k.split("_"))
        out["X-Fake-" + name] = str(v)
    return out


def stream_body(mk, model="gpt-4o-mini", include_usage=None, api="chat"):
    if api == "responses":
        return {"model": model, "input": "say hi " + mk, "stream": True}
    b = {"model": model, "messages": [{"role": "user", "content": "say hi " + mk}], "stream": True}
    if include_usage is not None:
        b["stream_options"] = {"include_usage": include_usage}
    return b


def check_common(row, status=200):
    eq(row.get("provider"), "openai", "provider")
    eq(row.get("span_type"), "llm", "span_type")
    eq(row.get("status"), status, "status")
    check(isinstance(row.get("duration_ms"), int) and row["duration_ms"] >= 0,
          "duration_ms %r", row.get("duration_ms"))
    check(HEX16.match(str(row.get("id"))), "id %r is not 16 hex digits", row.get("id"))
    check(isinstance(row.get("tags"), list), "tags %r is not an array", row.get("tags"))


# ------------------------------------------------------------------ non-stream

def test_nonstream_chat_recorded_with_model_tokens_cost_latency():
    inst = shared()
    mk = marker()
    t0 = now_ms()
    body, r = inst.chat(mk, headers=ctrl(delay_ms=200))
    t1 = now_ms()
    eq(r.status, 200, "status")
    want = fu.render_chat_json(body, fu.Params(ctrl(delay_ms=200)))
    eq(r.body, want, "client body")
    check((r.header("Content-Type") or "").startswith("application/json"), "content-type %r", r.header("Content-Type"))
    eq(r.header("X-Fake-Upstream"), "1", "upstream header passed back")
    rec = fake().by_header("X-Test-Id", mk)
    check(rec is not None, "upstream never got the request")
    eq(rec.method, "POST", "upstream method")
    eq(rec.path, "/v1/chat/completions", "upstream path")
    eq(rec.body, json.dumps(body).encode(), "upstream body bytes")
    row = inst.find_trace(mk)
    check_common(row)
    check(row["model"] in ("gpt-4o-mini", "gpt-4o-mini-2024-07-18"), "model %r", row["model"])
    eq((row["prompt_tokens"], row["completion_tokens"], row["total_tokens"]), (1000, 500, 1500), "tokens")
    check(close(row["estimated_cost"], 0.00045), "estimated_cost %r, want 0.00045", row["estimated_cost"])
    eq(row["cost_source"], "computed", "cost_source")
    check(row["error"] in (None, ""), "error %r on a success", row["error"])
    up_ms = int(rec.received_at * 1000)
    check(t0 - 5 <= row["timestamp"] <= up_ms + 5,
          "timestamp %r is not the start (client sent at %d, upstream got it at %d, answered 200 ms later)",
          row["timestamp"], t0, up_ms)
    check(row["timestamp"] + row["duration_ms"] <= t1 + 5, "timestamp + duration_ms %r is after the client had "
          "its response (%d)", row["timestamp"] + row["duration_ms"], t1)
    check(200 <= row["duration_ms"] <= t1 - t0 + 5, "duration_ms %r (upstream took >=200, client saw %d)",
          row["duration_ms"], t1 - t0)
    eq(row["request_method"], "POST", "request_method")
    eq(row["request_path"], "/v1/chat/completions", "request_path")


def test_cached_and_reasoning_tokens_recorded_and_priced():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, headers=ctrl(cached=200, reasoning=100))
    eq(r.status, 200, "status")
    row = inst.find_trace(mk)
    eq(row["cached_tokens"], 200, "cached_tokens")
    eq(row["reasoning_tokens"], 100, "reasoning_tokens")
    eq(row["prompt_tokens"], 1000, "prompt_tokens (cached tokens are part of it)")
    # 800 * 0.15/M + 200 * 0.075/M + 500 * 0.60/M
    check(close(row["estimated_cost"], 0.000435), "estimated_cost %r, want 0.000435", row["estimated_cost"])


def test_unknown_model_has_null_cost_and_unknown_source():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, model="my-local-model", headers=ctrl(prompt=10, completion=5))
    eq(r.status, 200, "status")
    row = inst.find_trace(mk)
    eq(row["model"], "my-local-model", "model")
    eq(row["total_tokens"], 15, "total_tokens")
    eq(row["estimated_cost"], None, "estimated_cost")
    eq(row["cost_source"], "unknown", "cost_source")


def test_trace_detail_has_request_and_response():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, headers={"X-Custom-Header": "hello"})
    row = inst.find_trace(mk)
    d = inst.detail(row["id"])
    for k in ("trace", "request", "response"):
        check(k in d, "detail lacks %r: %r", k, list(d))
    eq(d["trace"]["id"], row["id"], "trace.id")
    req, resp = d["request"], d["response"]
    eq(req.get("method"), "POST", "request.method")
    eq(req.get("path"), "/v1/chat/completions", "request.path")
    check(isinstance(req.get("headers"), dict), "request.headers %r", req.get("headers"))
    hdrs = {k.lower(): v for k, v in req["headers"].items()}
    eq(hdrs.get("x-custom-header"), "hello", "stored request header")
    stored = req.get("body")
    if isinstance(stored, str):
        stored = json.loads(stored)
    eq(stored, body, "stored request body")
    eq(req.get("body_truncated"), False, "request.body_truncated")
    eq(resp.get("status"), 200, "response.status")
    check(isinstance(resp.get("headers"), dict), "response.headers %r", resp.get("headers"))
    rb = resp.get("body")
    if isinstance(rb, str):
        rb = json.loads(rb)
    eq(rb, json.loads(r.body), "stored response body")
    eq(resp.get("body_truncated"), False, "response.body_truncated")


def test_client_headers_forwarded_hop_by_hop_removed():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, headers={"X-Custom-Header": "hello", "OpenAI-Organization": "org-x",
                                     "Keep-Alive": "timeout=5", "TE": "trailers",
                                     "Proxy-Authorization": "Basic cHJveHk6cHc=",
                                     "Proxy-Connection": "keep-alive"})
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.header("X-Custom-Header"), "hello", "custom header at upstream")
    eq(rec.header("OpenAI-Organization"), "org-x", "OpenAI-Organization at upstream")
    for h in ("Keep-Alive", "TE", "Proxy-Authorization", "Proxy-Connection"):
        eq(rec.header(h), None, "hop-by-hop %s at upstream" % h)
    # The upstream must see its own name in Host (a CDN in front of a real
    # API rejects a foreign Host), and one Host only.
    eq(rec.header_all("Host"), ["127.0.0.1:%d" % fake().port], "Host at upstream")
    eq(len(rec.header_all("Content-Length")), 1, "Content-Length headers at upstream")


def test_upstream_hop_by_hop_response_headers_removed():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, headers={"X-Fake-Hop-Headers": "1"})
    eq(r.status, 200, "status")
    eq(r.header("X-Keep-Me"), "yes", "end-to-end response header")
    eq(r.header("X-Request-Id") is not None, True, "X-Request-Id passed back")
    for h in ("Keep-Alive", "Proxy-Authenticate"):
        eq(r.header(h), None, "hop-by-hop response header %s" % h)
    eq(r.body, fu.render_chat_json(body), "body")


# ------------------------------------------------------------------ streams

def read_stream(inst, body, headers, timeout=30):
    return inst.proxy("POST", "/v1/chat/completions", body, headers, timeout)


def test_stream_with_client_include_usage_passes_bytes_unchanged():
    inst = shared()
    mk = marker()
    body = stream_body(mk, include_usage=True)
    c = ctrl(chunks=6, chunk_delay_ms=20, prompt=21, completion=6, cached=4)
    h = dict(c, **{"X-Test-Id": mk, "Authorization": "Bearer sk-client-abc"})
    r = read_stream(inst, body, h)
    eq(r.status, 200, "status")
    check((r.header("Content-Type") or "").startswith("text/event-stream"), "content-type %r", r.header("Content-Type"))
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.body, json.dumps(body).encode(), "upstream body bytes (client already asked for usage)")
    want = fu.render_chat_stream(body, True, fu.Params(c))
    eq(strip_pings(r.body), want, "client bytes")
    row = inst.find_trace(mk)
    check_common(row)
    eq((row["prompt_tokens"], row["completion_tokens"], row["total_tokens"], row["cached_tokens"]),
       (21, 6, 27, 4), "tokens")
    check(row["ttft_ms"] is not None, "ttft_ms not set on a stream")


def test_stream_without_include_usage_adds_it_and_strips_it_back():
    inst = shared()
    mk = marker()
    body = stream_body(mk)
    body["temperature"] = 0.5
    c = ctrl(chunks=5, chunk_delay_ms=30, delay_ms=150, prompt=33, completion=5, reasoning=2)
    h = dict(c, **{"X-Test-Id": mk, "Authorization": "Bearer sk-client-abc"})
    t0 = now_ms()
    r = read_stream(inst, body, h)
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    up = rec.json()
    eq((up.get("stream_options") or {}).get("include_usage"), True, "upstream stream_options.include_usage")
    rest = dict(up)
    rest.pop("stream_options", None)
    eq(rest, body, "rest of the upstream body")
    want = fu.render_chat_stream(body, False, fu.Params(c))
    got = strip_pings(r.body)
    if got != want:
        raise TestFailure("client bytes differ from the upstream's rendering without include_usage: "
                          "got %r ... want %r" % (got[:400], want[:400]))
    row = inst.find_trace(mk)
    check_common(row)
    eq((row["prompt_tokens"], row["completion_tokens"], row["total_tokens"], row["reasoning_tokens"]),
       (33, 5, 38, 2), "tokens")
    check(close(row["estimated_cost"], 33 * 0.15e-6 + 5 * 0.6e-6), "estimated_cost %r", row["estimated_cost"])
    tt = row["ttft_ms"]
    check(isinstance(tt, int), "ttft_ms %r", tt)
    check(150 <= tt <= row["duration_ms"], "ttft_ms %r (upstream waited 150 ms; duration %r)", tt, row["duration_ms"])
    check(row["duration_ms"] >= 150 + 6 * 30 - 20, "duration_ms %r too short for the stream", row["duration_ms"])
    check(t0 - 5 <= row["timestamp"] <= int(rec.received_at * 1000) + 5,
          "timestamp %r is not the start (sent at %d, upstream got it at %d)",
          row["timestamp"], t0, int(rec.received_at * 1000))


def test_stream_include_usage_false_by_client_is_also_stripped():
    inst = shared()
    mk = marker()
    body = stream_body(mk, include_usage=False)
    c = ctrl(chunks=3, prompt=9, completion=3)
    r = read_stream(inst, body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.json()["stream_options"].get("include_usage"), True, "upstream include_usage")
    eq(strip_pings(r.body), fu.render_chat_stream(body, False, fu.Params(c)), "client bytes")
    row = inst.find_trace(mk)
    eq((row["prompt_tokens"], row["completion_tokens"]), (9, 3), "tokens")


def test_stream_events_split_across_reads():
    inst = shared()
    mk = marker()
    body = stream_body(mk)
    c = ctrl(chunks=4, split=7, prompt=18, completion=4)
    r = read_stream(inst, body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    eq(strip_pings(r.body), fu.render_chat_stream(body, False, fu.Params(c)), "client bytes")
    row = inst.find_trace(mk)
    eq((row["prompt_tokens"], row["completion_tokens"]), (18, 4), "tokens")


def test_responses_api_stream_usage():
    inst = shared()
    mk = marker()
    body = stream_body(mk, api="responses")
    c = ctrl(chunks=4, chunk_delay_ms=10, prompt=40, completion=4, cached=8, reasoning=1)
    r = inst.proxy("POST", "/v1/responses", body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    eq(strip_pings(r.body), fu.render_responses_stream(body, fu.Params(c)), "client bytes")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.body, json.dumps(body).encode(), "upstream body bytes (Responses API needs no include_usage)")
    row = inst.find_trace(mk)
    check_common(row)
    eq(row["request_path"], "/v1/responses", "request_path")
    eq((row["prompt_tokens"], row["completion_tokens"], row["total_tokens"],
        row["cached_tokens"], row["reasoning_tokens"]), (40, 4, 44, 8, 1), "tokens")
    check(row["ttft_ms"] is not None, "ttft_ms not set")


def test_responses_api_nonstream_usage():
    inst = shared()
    mk = marker()
    body = {"model": "gpt-4o-mini", "input": "hi " + mk}
    c = ctrl(prompt=100, completion=20)
    r = inst.proxy("POST", "/v1/responses", body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    eq(r.body, fu.render_responses_json(body, fu.Params(c)), "client bytes")
    row = inst.find_trace(mk)
    eq((row["prompt_tokens"], row["completion_tokens"], row["total_tokens"]), (100, 20, 120), "tokens")
    check(close(row["estimated_cost"], 100 * 0.15e-6 + 20 * 0.6e-6), "estimated_cost %r", row["estimated_cost"])


def test_embeddings_recorded():
    inst = shared()
    mk = marker()
    body = {"model": "text-embedding-3-small", "input": ["hello " + mk, "world"]}
    c = ctrl(prompt=8)
    r = inst.proxy("POST", "/v1/embeddings", body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    eq(r.body, fu.render_embeddings_json(body, fu.Params(c)), "client bytes")
    row = inst.find_trace(mk)
    check_common(row)
    eq(row["model"], "text-embedding-3-small", "model")
    eq(row["prompt_tokens"], 8, "prompt_tokens")
    eq(row["total_tokens"], 8, "total_tokens")
    check(row["completion_tokens"] in (0, None), "completion_tokens %r", row["completion_tokens"])
    check(close(row["estimated_cost"], 8 * price("text-embedding-3-small")["input_cost_per_token"]),
          "estimated_cost %r", row["estimated_cost"])


def test_completions_recorded():
    inst = shared()
    mk = marker()
    body = {"model": "gpt-3.5-turbo-instruct", "prompt": "Say this is a test " + mk, "max_tokens": 7}
    c = ctrl(prompt=10, completion=7)
    r = inst.proxy("POST", "/v1/completions", body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    eq(r.body, fu.render_completion_json(body, fu.Params(c)), "client bytes")
    row = inst.find_trace(mk)
    check_common(row)
    eq((row["prompt_tokens"], row["completion_tokens"], row["total_tokens"]), (10, 7, 17), "tokens")
    p = price("gpt-3.5-turbo-instruct")
    check(close(row["estimated_cost"], 10 * p["input_cost_per_token"] + 7 * p["output_cost_per_token"]),
          "estimated_cost %r", row["estimated_cost"])


def test_models_list_passthrough():
    inst = shared()
    mk = marker()
    r = inst.proxy("GET", "/v1/models?llmflow_test=" + mk, headers={"X-Test-Id": mk})
    eq(r.status, 200, "status")
    eq(r.body, fu.render_models_json(), "client bytes")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.method, "GET", "upstream method")
    eq(rec.path, "/v1/models?llmflow_test=" + mk, "upstream path")
    row = inst.find_trace(mk)
    eq(row["request_method"], "GET", "request_method")
    eq(row["status"], 200, "status")


def test_chunked_request_body_forwarded_whole():
    import http.client
    inst = shared()
    mk = marker()
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk}]}).encode()
    c = http.client.HTTPConnection("127.0.0.1", inst.proxy_port, timeout=30)
    try:
        c.request("POST", "/v1/chat/completions", body=iter([body[:10], body[10:]]),
                  headers={"Content-Type": "application/json", "X-Test-Id": mk}, encode_chunked=True)
        r = c.getresponse()
        data = r.read()
    finally:
        c.close()
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.body, body, "upstream body")
    eq(data, fu.render_chat_json(json.loads(body)), "client body")
    inst.find_trace(mk)


def test_query_string_forwarded_unchanged():
    inst = shared()
    mk = marker()
    qs = "?api-version=2024-02-01&after=a%20b%2Fc&flag&x=" + mk
    r = inst.proxy("POST", "/v1/chat/completions" + qs,
                   {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk}]},
                   {"X-Test-Id": mk})
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.path, "/v1/chat/completions" + qs, "upstream path and query")
    row = inst.find_trace(mk)
    check(row["request_path"].startswith("/v1/chat/completions"), "request_path %r", row["request_path"])


# ------------------------------------------------------------------ errors

def _upstream_error(status, mk):
    inst = shared()
    body, r = inst.chat(mk, headers={"X-Fake-Status": str(status)})
    eq(r.status, status, "client status")
    eq(r.body, fu.render_error_json(status), "client body bytes")
    check((r.header("Content-Type") or "").startswith("application/json"), "content-type %r", r.header("Content-Type"))
    row = inst.find_trace(mk)
    eq(row["status"], status, "trace status")
    check(row["error"], "trace error is empty: %r", row["error"])
    rows = inst.api_json("/api/traces?status=error&limit=1000")
    check(any(x["id"] == row["id"] for x in rows), "status=error does not list it")
    return r


def test_upstream_4xx_passed_through_and_recorded_as_error():
    r = _upstream_error(429, marker())
    eq(r.header("Retry-After"), "7", "Retry-After header")
    _upstream_error(400, marker())


def test_upstream_5xx_passed_through_and_recorded_as_error():
    _upstream_error(500, marker())
    _upstream_error(503, marker())


def test_non_json_upstream_body_passed_through():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, headers={"X-Fake-Body-Type": "text"})
    eq(r.status, 200, "status")
    eq(r.body, fu.TEXT_BODY, "text body")
    eq(r.header("Content-Type"), "text/plain; charset=utf-8", "content-type")
    row = inst.find_trace(mk)
    eq(row["status"], 200, "trace status")
    mk2 = marker()
    body, r = inst.chat(mk2, headers={"X-Fake-Body-Type": "html", "X-Fake-Status": "502"})
    eq(r.status, 502, "status of an upstream HTML 502")
    eq(r.body, fu.HTML_BODY, "HTML body")
    eq(r.header("Content-Type"), "text/html", "content-type")
    row = inst.find_trace(mk2)
    eq(row["status"], 502, "trace status")


def test_upstream_unreachable_gives_502_json_and_error_trace():
    dead = free_port()  # nothing listens there
    with Instance("down", upstream="http://127.0.0.1:%d" % dead) as inst:
        mk = marker()
        body, r = inst.chat(mk)
        eq(r.status, 502, "status")
        j = r.json()
        err = j.get("error") if isinstance(j, dict) else None
        check(isinstance(err, dict), "body %r has no error object", j)
        eq(err.get("type"), "llmflow_error", "error.type")
        check(err.get("message"), "error.message empty")
        check("code" in err, "error.code missing")
        check(ENV_KEY not in r.body.decode() and "sk-client-abc" not in r.body.decode(), "key in the error body")
        row = inst.find_trace(mk)
        eq(row["status"], 502, "trace status")
        check(row["error"], "trace error empty")
        s = inst.api_json("/api/stats")
        eq(s.get("error_count"), 1, "stats error_count")


def test_upstream_timeout_gives_504_json_and_error_trace():
    # LLMFLOW_UPSTREAM_TIMEOUT (lib/config.h) caps the whole transfer.
    with Instance("timeout", env={"LLMFLOW_UPSTREAM_TIMEOUT": "2"}) as inst:
        mk = marker()
        t0 = time.time()
        body, r = inst.chat(mk, headers={"X-Fake-Delay-Ms": "6000"}, timeout=20)
        eq(r.status, 504, "status")
        check(time.time() - t0 < 5.5, "took %.1fs with a 2 s upstream timeout", time.time() - t0)
        err = r.json().get("error")
        check(isinstance(err, dict) and err.get("type") == "llmflow_error", "body %r", r.body[:200])
        row = inst.find_trace(mk)
        eq(row["status"], 504, "trace status")
        check(row["error"], "trace error empty")


def test_body_over_max_body_gets_413_json():
    inst = shared()  # LLMFLOW_MAX_BODY=1048576
    mk = marker()
    pad = "x" * (1048576 + 100 - 200)
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk + pad}]})
    body = body.encode()
    body += b" " * (1048576 + 100 - len(body))
    eq(len(body), 1048676, "test body size")
    status, resp = raw_post_early_reply(inst.proxy_port, "/v1/chat/completions", body,
                                        {"Content-Type": "application/json", "X-Test-Id": mk})
    eq(status, 413, "status")
    try:
        j = json.loads(resp)
    except ValueError:
        raise TestFailure("413 body is not JSON: %r" % resp[:200])
    check(isinstance(j, dict) and "error" in j, "413 body %r has no error", j)
    check(fake().by_header("X-Test-Id", mk, timeout=0.5) is None, "the upstream got the oversized body")
    # Exactly LLMFLOW_MAX_BODY bytes is still accepted and forwarded whole.
    mk2 = marker()
    body2 = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk2 + pad}]}).encode()
    body2 += b" " * (1048576 - len(body2))
    eq(len(body2), 1048576, "test body size")
    r = inst.proxy("POST", "/v1/chat/completions", body2, {"Content-Type": "application/json", "X-Test-Id": mk2})
    eq(r.status, 200, "status of a body of exactly LLMFLOW_MAX_BODY bytes")
    rec = fake().by_header("X-Test-Id", mk2)
    check(rec is not None and rec.body == body2, "the upstream did not get the 1 MiB body unchanged")


# ------------------------------------------------------------------ stored bodies

def test_stored_body_over_max_stored_body_is_cut_and_marked():
    inst = shared()  # LLMFLOW_MAX_STORED_BODY default 256 KiB
    mk = marker()
    big = "y" * (300 * 1024)
    body, r = inst.chat(mk, extra={"messages": [{"role": "user", "content": mk + big}]},
                        headers={"X-Fake-Pad": str(300 * 1024)})
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.body, json.dumps(body).encode(), "upstream got the whole body")
    eq(len(r.body), len(fu.render_chat_json(body, fu.Params({"X-Fake-Pad": str(300 * 1024)}))),
       "client got the whole response")
    row = inst.find_trace(mk)
    d = inst.detail(row["id"])
    eq(d["request"].get("body_truncated"), True, "request.body_truncated")
    eq(d["response"].get("body_truncated"), True, "response.body_truncated")
    sent = {"request": json.dumps(body), "response": r.body.decode()}
    for side in ("request", "response"):
        b = d[side].get("body")
        check(isinstance(b, str), "truncated %s body stored as %r, not a string", side, type(b).__name__)
        n = len(b.encode())
        check(256 * 1024 - 16 <= n <= 256 * 1024 + 64, "%s body stored is %d bytes (limit 262144)", side, n)
        check(sent[side].startswith(b[:4096]), "stored %s body is not the start of the real one", side)
    eq(row["prompt_tokens"], 1000, "usage still read from the whole response")


# ------------------------------------------------------------------ keys and secrets

def test_env_api_key_added_when_client_sends_none():
    inst = shared()
    mk = marker()
    r = inst.proxy("POST", "/v1/chat/completions",
                   {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk}]},
                   {"X-Test-Id": mk})
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.header_all("Authorization"), ["Bearer " + ENV_KEY], "upstream Authorization")


def test_client_api_key_forwarded_unchanged():
    inst = shared()
    mk = marker()
    r = inst.proxy("POST", "/v1/chat/completions",
                   {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk}]},
                   {"X-Test-Id": mk, "Authorization": "Bearer sk-proj-ClientOwnKey42"})
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.header_all("Authorization"), ["Bearer sk-proj-ClientOwnKey42"], "upstream Authorization")


SECRETS = {
    "Authorization": "Bearer sk-test-SECRET123abcdefAUTH",
    "x-api-key": "xak-SECRET456XAPIKEY",
    "api-key": "azk-SECRET789AZUREKEY",
    "x-goog-api-key": "goog-SECRET000GOOGKEY",
    "Cookie": "session=cookie-SECRET111COOKIE; other=cookie2-SECRET222",
}
QUERY_SECRET = "qk-SECRET333QUERYKEY"


def test_no_secret_stored_anywhere():
    inst = shared()
    mk = marker()
    path = "/v1/chat/completions?key=%s&foo=bar" % QUERY_SECRET
    h = dict(SECRETS, **{"X-Test-Id": mk})
    r = inst.proxy("POST", path, {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk}]}, h)
    eq(r.status, 200, "status")
    rec = fake().by_header("X-Test-Id", mk)
    eq(rec.path, path, "upstream path (the key must still be forwarded)")
    eq(rec.header("Authorization"), SECRETS["Authorization"], "upstream Authorization")
    eq(rec.header("x-api-key"), SECRETS["x-api-key"], "upstream x-api-key")
    # Also a call where the proxy adds the environment's key.
    mk2 = marker()
    inst.proxy("POST", "/v1/chat/completions",
               {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk2}]}, {"X-Test-Id": mk2})
    row = inst.find_trace(mk)
    inst.find_trace(mk2)
    d = inst.detail(row["id"])
    hdrs = {k.lower(): v for k, v in d["request"]["headers"].items()}
    for name in ("authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"):
        check(name in hdrs, "stored headers lack %s: %r", name, sorted(hdrs))
        check("SECRET" not in hdrs[name] and "[redacted]" in hdrs[name],
              "stored %s is %r", name, hdrs[name])
    check(QUERY_SECRET not in d["request"]["path"] and "key=" in d["request"]["path"],
          "stored path %r", d["request"]["path"])
    check(QUERY_SECRET not in row["request_path"], "summary request_path %r", row["request_path"])
    secrets = [v.split(" ", 1)[-1] for v in SECRETS.values()] + [
        QUERY_SECRET, "cookie-SECRET111COOKIE", "cookie2-SECRET222", ENV_KEY]
    time.sleep(0.3)
    blob = inst.db_bytes()
    check(mk.encode() in blob, "the call's own marker is not in data.db/data.db-wal: wrong files?")
    leaks = [s for s in secrets if s.encode() in blob]
    check(not leaks, "secrets found in data.db/data.db-wal: %r", leaks)
    api_text = b"".join(inst.api(p).body for p in (
        "/api/traces?limit=1000", "/api/traces/" + row["id"], "/api/stats", "/api/traces?q=SECRET"))
    leaks = [s for s in secrets if s.encode() in api_text]
    check(not leaks, "secrets in /api responses: %r", leaks)


# ------------------------------------------------------------------ ids and tags

def test_tags_header_parsed():
    inst = shared()
    mk = marker()
    body, r = inst.chat(mk, headers={"X-LLMFlow-Tags": " user:alice, env:prod, ,"})
    row = inst.find_trace(mk)
    eq(row["tags"], ["user:alice", "env:prod"], "tags")
    mk = marker()
    body, r = inst.chat(mk, headers={"X-LLMFlow-Tag": "team:search"})
    eq(inst.find_trace(mk)["tags"], ["team:search"], "tags from X-LLMFlow-Tag")
    mk = marker()
    body, r = inst.chat(mk)
    eq(inst.find_trace(mk)["tags"], [], "tags without the header")


def test_traceparent_joins_calls_into_one_trace():
    inst = shared()
    tid = uuid.uuid4().hex
    p1, p2 = "00f067aa0ba902b7", "1111222233334444"
    mk1, mk2 = marker(), marker()
    inst.chat(mk1, headers={"traceparent": "00-%s-%s-01" % (tid, p1)})
    inst.chat(mk2, headers={"traceparent": "00-%s-%s-01" % (tid, p2)})
    a, b = inst.find_trace(mk1), inst.find_trace(mk2)
    eq((a["trace_id"], b["trace_id"]), (tid, tid), "trace_ids")
    eq((a["parent_id"], b["parent_id"]), (p1, p2), "parent_ids")
    check(a["id"] != b["id"], "both calls got id %r", a["id"])
    for x in (a, b):
        check(HEX16.match(x["id"]), "id %r not 16 hex", x["id"])
        check(x["id"] not in (p1, p2), "id %r reuses the parent span id", x["id"])


def test_malformed_traceparent_ignored():
    inst = shared()
    bad = ["00-%s-00f067aa0ba902b7-01" % ("0" * 32),            # all-zero trace id
           "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01",  # short
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",  # no flags
           "garbage"]
    for tp in bad:
        mk = marker()
        inst.chat(mk, headers={"traceparent": tp})
        row = inst.find_trace(mk)
        check(HEX32.match(str(row["trace_id"])) and row["trace_id"] != "0" * 32
              and row["trace_id"] not in tp and row["trace_id"] not in tp.lower(),
              "traceparent %r gave trace_id %r", tp, row["trace_id"])


def test_x_trace_id_header():
    inst = shared()
    mk = marker()
    tid = "trace-" + mk
    inst.chat(mk, headers={"X-Trace-Id": tid, "X-Parent-Id": "parent-" + mk})
    row = inst.find_trace(mk)
    eq(row["trace_id"], tid, "trace_id")
    eq(row["parent_id"], "parent-" + mk, "parent_id")
    check(HEX16.match(row["id"]), "id %r", row["id"])
    mk2 = marker()
    inst.chat(mk2, headers={"X-Trace-Id": tid})
    row2 = inst.find_trace(mk2)
    eq(row2["trace_id"], tid, "second call trace_id")
    check(row2["id"] != row["id"], "same id twice")


def test_fresh_trace_id_without_headers():
    inst = shared()
    mk1, mk2 = marker(), marker()
    inst.chat(mk1)
    inst.chat(mk2)
    a, b = inst.find_trace(mk1), inst.find_trace(mk2)
    for x in (a, b):
        check(HEX32.match(str(x["trace_id"])), "trace_id %r not 32 hex", x["trace_id"])
        check(x["parent_id"] in (None, ""), "parent_id %r", x["parent_id"])
    check(a["trace_id"] != b["trace_id"], "two unrelated calls share trace_id %r", a["trace_id"])


# ------------------------------------------------------------------ disconnects, pauses, load

def test_client_disconnect_mid_stream_aborts_upstream_and_records_499():
    inst = shared()
    mk = marker()
    body = stream_body(mk)
    c = ctrl(chunks=200, chunk_delay_ms=50, prompt=77, completion=200)
    got = raw_stream_then_close(inst.proxy_port, "/v1/chat/completions", body,
                                dict(c, **{"X-Test-Id": mk}), until=b'"content":"lo"')
    check(b'"content":"lo"' in got, "never saw the second content chunk: %r", got[:300])
    t_close = time.time()
    rec = fake().by_header("X-Test-Id", mk)
    check(rec is not None, "upstream never got the request")
    rec.finished.wait(8)
    check(rec.client_closed, "the upstream transfer was not aborted (sent %d of %s events)",
          rec.events_sent, rec.events_total)
    check(rec.closed_at - t_close < 5, "upstream aborted only %.1fs after the client left", rec.closed_at - t_close)
    row = inst.find_trace(mk)
    eq(row["status"], 499, "trace status")
    # No usage was reported before the disconnect: nothing may be made up.
    check(row["completion_tokens"] in (None, 0), "completion_tokens %r invented", row["completion_tokens"])


def test_client_disconnect_keeps_usage_seen_so_far():
    inst = shared()
    mk = marker()
    body = stream_body(mk, include_usage=True)
    c = ctrl(chunks=100, chunk_delay_ms=50, prompt=55, completion=100, usage_each_chunk=1)
    got = raw_stream_then_close(inst.proxy_port, "/v1/chat/completions", body,
                                dict(c, **{"X-Test-Id": mk}), until=b'"completion_tokens":3,')
    check(b'"completion_tokens":3,' in got, "never saw the third chunk: %r", got[-300:])
    rec = fake().by_header("X-Test-Id", mk)
    rec.finished.wait(8)
    check(rec.client_closed, "upstream transfer not aborted (sent %d of %s events)", rec.events_sent, rec.events_total)
    sent_chunks = rec.events_sent - 1  # minus the role chunk
    row = inst.find_trace(mk)
    eq(row["status"], 499, "trace status")
    eq(row["prompt_tokens"], 55, "prompt_tokens seen so far")
    ct = row["completion_tokens"]
    check(isinstance(ct, int) and 3 <= ct <= sent_chunks, "completion_tokens %r (client saw 3, upstream sent %d)",
          ct, sent_chunks)


@slow
def test_stream_pausing_61s_completes_with_all_bytes():
    inst = shared()
    mk = marker()
    body = stream_body(mk)
    c = ctrl(chunks=4, pause_s=61, prompt=12, completion=4)
    r = inst.proxy("POST", "/v1/chat/completions", body, dict(c, **{"X-Test-Id": mk}), timeout=120)
    eq(r.status, 200, "status")
    eq(strip_pings(r.body), fu.render_chat_stream(body, False, fu.Params(c)), "client bytes")
    pings = r.body.count(b": ping\n\n")
    check(pings >= 4, "%d heartbeats in 61 s of silence (default LLMFLOW_HEARTBEAT is 10 s)", pings)
    row = inst.find_trace(mk)
    eq(row["status"], 200, "trace status")
    eq((row["prompt_tokens"], row["completion_tokens"]), (12, 4), "tokens")
    check(row["duration_ms"] >= 61000, "duration_ms %r", row["duration_ms"])


def test_heartbeat_during_upstream_silence_and_disconnect_noticed():
    with Instance("heartbeat", env={"LLMFLOW_HEARTBEAT": "1"}) as inst:
        mk = marker()
        body = stream_body(mk)
        c = ctrl(chunks=3, pause_s=3.5, prompt=5, completion=3)
        r = inst.proxy("POST", "/v1/chat/completions", body, dict(c, **{"X-Test-Id": mk}))
        eq(r.status, 200, "status")
        pings = r.body.count(b": ping\n\n")
        check(pings >= 2, "%d heartbeats during 3.5 s of silence with LLMFLOW_HEARTBEAT=1", pings)
        check(b"\n\n: ping" in r.body and r.body.startswith(b"data: "), "ping not at an event boundary")
        eq(strip_pings(r.body), fu.render_chat_stream(body, False, fu.Params(c)), "bytes besides the pings")
        # The client leaves while the upstream is silent: only the heartbeat
        # lets the proxy notice.
        mk = marker()
        body = stream_body(mk)
        c = ctrl(chunks=3, pause_s=30)
        raw_stream_then_close(inst.proxy_port, "/v1/chat/completions", body,
                              dict(c, **{"X-Test-Id": mk}), until=b'"content":"Hel"')
        t = time.time()
        rec = fake().by_header("X-Test-Id", mk)
        rec.finished.wait(10)
        check(rec.client_closed and rec.closed_at - t < 8,
              "upstream not aborted within 8 s of the client leaving a silent stream")
        row = inst.find_trace(mk)
        eq(row["status"], 499, "trace status")


def test_50_concurrent_streams_complete_and_are_recorded():
    inst = shared()
    n = 50
    results = [None] * n
    mks = [marker() for _ in range(n)]
    c = ctrl(chunks=8, chunk_delay_ms=100, prompt=10, completion=8)

    def one(i):
        body = stream_body(mks[i], include_usage=(i % 2 == 0) or None)
        try:
            r = inst.proxy("POST", "/v1/chat/completions", body, dict(c, **{"X-Test-Id": mks[i]}), timeout=60)
            want = fu.render_chat_stream(body, i % 2 == 0, fu.Params(c))
            results[i] = (r.status, strip_pings(r.body) == want, r.elapsed)
        except Exception as e:  # noqa: BLE001
            results[i] = (repr(e), False, 0)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    t0 = time.time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    wall = time.time() - t0
    bad = [(i, results[i]) for i in range(n) if not results[i] or results[i][0] != 200 or not results[i][1]]
    check(not bad, "%d of %d streams failed or had wrong bytes, e.g. %r", len(bad), n, bad[:3])
    check(wall < 15, "50 streams of ~0.9 s took %.1fs: they did not run concurrently", wall)
    missing = []
    for mk in mks:
        try:
            row = inst.find_trace(mk, timeout=6)
            if (row["prompt_tokens"], row["completion_tokens"]) != (10, 8):
                missing.append((mk, "tokens", row["prompt_tokens"], row["completion_tokens"]))
        except TestFailure:
            missing.append(mk)
    check(not missing, "%d of 50 streams not recorded correctly: %r", len(missing), missing[:3])


_limits = {}
_limits_lock = threading.Lock()


def limits_instance():
    """An instance with the heartbeat off and a 1 KiB stored-body limit."""
    with _limits_lock:
        if "i" not in _limits:
            _limits["i"] = Instance("limits", env={"LLMFLOW_HEARTBEAT": "0",
                                                   "LLMFLOW_MAX_STORED_BODY": "1024"})
        return _limits["i"]


def test_heartbeat_0_sends_no_pings():
    inst = limits_instance()
    mk = marker()
    body = stream_body(mk)
    c = ctrl(chunks=3, pause_s=2.5)
    r = inst.proxy("POST", "/v1/chat/completions", body, dict(c, **{"X-Test-Id": mk}))
    eq(r.status, 200, "status")
    eq(r.body, fu.render_chat_stream(body, False, fu.Params(c)), "client bytes (no pings with LLMFLOW_HEARTBEAT=0)")


def test_max_stored_body_setting_honoured():
    inst = limits_instance()
    mk = marker()
    body, r = inst.chat(mk, extra={"messages": [{"role": "user", "content": mk + "z" * 3000}]},
                        headers={"X-Fake-Pad": "3000"})
    eq(r.status, 200, "status")
    row = inst.find_trace(mk)
    d = inst.detail(row["id"])
    for side in ("request", "response"):
        eq(d[side].get("body_truncated"), True, "%s.body_truncated with a 1024-byte limit" % side)
        b = d[side].get("body")
        n = len(b.encode() if isinstance(b, str) else json.dumps(b).encode())
        check(n <= 1024 + 64, "%s body stored is %d bytes with LLMFLOW_MAX_STORED_BODY=1024", side, n)
    mk = marker()
    body, r = inst.chat(mk)
    d = inst.detail(inst.find_trace(mk)["id"])
    eq((d["request"]["body_truncated"], d["response"]["body_truncated"]), (False, False), "small bodies not cut")
