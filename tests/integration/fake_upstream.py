"""A fake OpenAI upstream for the integration tests.

Runs in a thread of the test process (start_fake()), speaks HTTP/1.1 and
enough of the OpenAI API, and records every request it receives so a test
can look at exactly what the proxy forwarded.

Everything it sends is deterministic: the render_* functions below are pure
and the tests call them to compute the bytes a client must receive.

Test controls (request headers; they pass through the proxy):
  X-Fake-Status: N            answer N with an OpenAI-style error JSON body
  X-Fake-Body-Type: text|html answer a non-JSON body (status from X-Fake-Status or 200)
  X-Fake-Delay-Ms: N          wait before sending the response headers
  X-Fake-Chunk-Delay-Ms: N    delay between stream events
  X-Fake-Pause-S: N           pause this long after the first content chunk
  X-Fake-Chunks: N            number of content chunks (default 5)
  X-Fake-Prompt-Tokens / X-Fake-Completion-Tokens / X-Fake-Cached-Tokens /
  X-Fake-Reasoning-Tokens     usage figures (defaults 1000 / 500 / 0 / 0)
  X-Fake-Usage-Each-Chunk: 1  with include_usage, every content chunk carries the
                              running usage (vLLM "continuous usage stats" style)
  X-Fake-Pad: N               non-stream chat: content padded to N extra bytes
  X-Fake-Split: N             send each stream event in N-byte pieces, each its
                              own HTTP chunk, flushed apart (events split across reads)
  X-Fake-Hop-Headers: 1       add hop-by-hop headers (Keep-Alive, Proxy-Authenticate)
                              and X-Keep-Me to a non-stream response
"""

import base64
import json
import select
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CREATED = 1700000000
WORDS = ["Hel", "lo", "!", " How", " can", " I", " help", " you", " today", "?"]


def compact(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


class Params:
    """The test controls of one request, parsed from its headers."""

    def __init__(self, headers=None):
        h = {k.lower(): v for k, v in (headers or {}).items()}

        def num(name, default, conv=int):
            v = h.get(name.lower())
            return conv(v) if v not in (None, "") else default

        self.status = num("X-Fake-Status", None)
        self.body_type = h.get("x-fake-body-type")
        self.delay_ms = num("X-Fake-Delay-Ms", 0)
        self.chunk_delay_ms = num("X-Fake-Chunk-Delay-Ms", 0)
        self.pause_s = num("X-Fake-Pause-S", 0.0, float)
        self.chunks = num("X-Fake-Chunks", 5)
        self.prompt = num("X-Fake-Prompt-Tokens", 1000)
        self.completion = num("X-Fake-Completion-Tokens", 500)
        self.cached = num("X-Fake-Cached-Tokens", 0)
        self.reasoning = num("X-Fake-Reasoning-Tokens", 0)
        self.usage_each_chunk = h.get("x-fake-usage-each-chunk") == "1"
        self.pad = num("X-Fake-Pad", 0)
        self.split = num("X-Fake-Split", 0)


def response_model(body):
    m = (body or {}).get("model") if isinstance(body, dict) else None
    if not m or m == "gpt-4o-mini":
        return "gpt-4o-mini-2024-07-18"
    return m


def content_piece(i):
    return WORDS[i % len(WORDS)]


def full_content(n):
    return "".join(content_piece(i) for i in range(n))


def chat_usage(p, prompt=None, completion=None):
    prompt = p.prompt if prompt is None else prompt
    completion = p.completion if completion is None else completion
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": p.cached, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": p.reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def wants_usage(body):
    so = body.get("stream_options") if isinstance(body, dict) else None
    return isinstance(so, dict) and so.get("include_usage") is True


# ---------------------------------------------------------------- renderers

def render_chat_stream_events(body, include_usage, params=None):
    """The SSE events (bytes, each ending in a blank line) the fake sends for
    a streaming chat completion request `body` (a dict), with or without
    stream_options.include_usage.  Pure function."""
    p = params or Params()
    model = response_model(body)

    def chunk(choices, usage_member=None, has_usage=True):
        d = {"id": "chatcmpl-x", "object": "chat.completion.chunk",
             "created": CREATED, "model": model,
             "system_fingerprint": "fp_x", "choices": choices}
        if include_usage and has_usage:
            d["usage"] = usage_member
        return b"data: " + compact(d).encode() + b"\n\n"

    events = [chunk([{"index": 0, "delta": {"role": "assistant", "content": "", "refusal": None},
                      "logprobs": None, "finish_reason": None}])]
    n = p.chunks
    for i in range(n):
        usage = None
        if include_usage and p.usage_each_chunk:
            usage = {"prompt_tokens": p.prompt,
                     "completion_tokens": (i + 1) * p.completion // max(n, 1),
                     "total_tokens": p.prompt + (i + 1) * p.completion // max(n, 1)}
        events.append(chunk([{"index": 0, "delta": {"content": content_piece(i)},
                              "logprobs": None, "finish_reason": None}], usage))
    events.append(chunk([{"index": 0, "delta": {}, "logprobs": None, "finish_reason": "stop"}]))
    if include_usage:
        events.append(chunk([], chat_usage(p)))
    events.append(b"data: [DONE]\n\n")
    return events


def render_chat_stream(body, include_usage, params=None):
    return b"".join(render_chat_stream_events(body, include_usage, params))


def render_chat_json(body, params=None):
    p = params or Params()
    content = full_content(p.chunks) + ("x" * p.pad)
    d = {"id": "chatcmpl-x", "object": "chat.completion", "created": CREATED,
         "model": response_model(body),
         "choices": [{"index": 0,
                      "message": {"role": "assistant", "content": content,
                                  "refusal": None, "annotations": []},
                      "logprobs": None, "finish_reason": "stop"}],
         "usage": chat_usage(p), "service_tier": "default",
         "system_fingerprint": "fp_x"}
    return compact(d).encode()


def render_completion_json(body, params=None):
    p = params or Params()
    d = {"id": "cmpl-x", "object": "text_completion", "created": CREATED,
         "model": response_model(body),
         "choices": [{"text": full_content(p.chunks), "index": 0,
                      "logprobs": None, "finish_reason": "stop"}],
         "usage": {"prompt_tokens": p.prompt, "completion_tokens": p.completion,
                   "total_tokens": p.prompt + p.completion}}
    return compact(d).encode()


def render_embeddings_json(body, params=None):
    p = params or Params()
    inputs = body.get("input") if isinstance(body, dict) else None
    n = len(inputs) if isinstance(inputs, list) else 1
    d = {"object": "list",
         "data": [{"object": "embedding", "index": i,
                   "embedding": [0.0023064255, -0.009327292, 0.015797347, -0.0077780345]}
                  for i in range(n)],
         "model": (body or {}).get("model", "text-embedding-3-small"),
         "usage": {"prompt_tokens": p.prompt, "total_tokens": p.prompt}}
    return compact(d).encode()


def render_models_json():
    d = {"object": "list", "data": [
        {"id": m, "object": "model", "created": CREATED, "owned_by": "system"}
        for m in ("gpt-4o-mini", "gpt-4o", "text-embedding-3-small")]}
    return compact(d).encode()


def responses_usage(p):
    return {"input_tokens": p.prompt,
            "input_tokens_details": {"cached_tokens": p.cached},
            "output_tokens": p.completion,
            "output_tokens_details": {"reasoning_tokens": p.reasoning},
            "total_tokens": p.prompt + p.completion}


def responses_object(body, p, status, with_output, usage):
    text = full_content(p.chunks)
    out = []
    if with_output:
        out = [{"id": "msg_x", "type": "message", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "annotations": [], "text": text}]}]
    return {"id": "resp_x", "object": "response", "created_at": CREATED,
            "status": status, "model": response_model(body), "output": out,
            "usage": usage}


def render_responses_json(body, params=None):
    p = params or Params()
    return compact(responses_object(body, p, "completed", True, responses_usage(p))).encode()


def render_responses_stream_events(body, params=None):
    p = params or Params()
    seq = [0]

    def ev(kind, data):
        data = dict(type=kind, **data)
        data["sequence_number"] = seq[0]
        seq[0] += 1
        return ("event: %s\ndata: %s\n\n" % (kind, compact(data))).encode()

    events = [ev("response.created",
                 {"response": responses_object(body, p, "in_progress", False, None)})]
    for i in range(p.chunks):
        events.append(ev("response.output_text.delta",
                         {"item_id": "msg_x", "output_index": 0, "content_index": 0,
                          "delta": content_piece(i)}))
    events.append(ev("response.output_text.done",
                     {"item_id": "msg_x", "output_index": 0, "content_index": 0,
                      "text": full_content(p.chunks)}))
    events.append(ev("response.completed",
                     {"response": responses_object(body, p, "completed", True,
                                                   responses_usage(p))}))
    return events


def render_responses_stream(body, params=None):
    return b"".join(render_responses_stream_events(body, params))


def render_error_json(status):
    kind = "invalid_request_error" if status < 500 else "server_error"
    if status == 429:
        kind = "rate_limit_error"
    d = {"error": {"message": "fake upstream error %d" % status, "type": kind,
                   "param": None, "code": "fake_%d" % status}}
    return compact(d).encode()


TEXT_BODY = b"upstream says: plain text, not JSON\n"
HTML_BODY = (b"<html><head><title>502 Bad Gateway</title></head>"
             b"<body><h1>Bad Gateway</h1></body></html>\n")


# ---------------------------------------------------------------- server

class Record:
    """One request as the fake received it."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path                # with the query string
        self.headers = headers          # list of (name, value) as received
        self.body = body                # raw bytes
        self.body_b64 = base64.b64encode(body).decode()
        self.received_at = time.time()
        self.events_sent = 0
        self.events_total = None
        self.client_closed = False      # the proxy went away mid-response
        self.closed_at = None
        self.finished = threading.Event()
        self.release = threading.Event()  # fake_native: X-Fake-Hold-After

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def header_all(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def json(self):
        return json.loads(self.body.decode())


class ClientGone(Exception):
    pass


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeOpenAI/1.0"

    def log_message(self, *a):
        pass

    # -- helpers
    def read_body(self):
        te = (self.headers.get("Transfer-Encoding") or "").lower()
        if "chunked" in te:
            out = b""
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def peer_closed(self):
        try:
            r, _, _ = select.select([self.connection], [], [], 0)
            if r:
                return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True
        return False

    def sleep_watching(self, seconds):
        end = time.time() + seconds
        while True:
            left = end - time.time()
            if left <= 0:
                return
            if self.peer_closed():
                raise ClientGone()
            time.sleep(min(0.02, left))

    def send_plain(self, status, ctype, body, extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Request-Id", "req_fake_%d" % self.rec_index)
        self.send_header("X-Fake-Upstream", "1")
        for k, v in extra:
            self.send_header(k, v)
        if self.headers.get("X-Fake-Hop-Headers") == "1":
            self.send_header("Keep-Alive", "timeout=5, max=100")
            self.send_header("Proxy-Authenticate", "Basic realm=fake")
            self.send_header("X-Keep-Me", "yes")
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def send_stream(self, events, p, ctype="text/event-stream; charset=utf-8"):
        rec = self.rec
        rec.events_total = len(events)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Request-Id", "req_fake_%d" % self.rec_index)
        self.send_header("X-Fake-Upstream", "1")
        self.end_headers()
        self.wfile.flush()
        try:
            for i, ev in enumerate(events):
                if i > 0 and p.chunk_delay_ms:
                    self.sleep_watching(p.chunk_delay_ms / 1000.0)
                if i == 2 and p.pause_s:
                    self.sleep_watching(p.pause_s)
                if self.peer_closed():
                    raise ClientGone()
                step = p.split or len(ev)
                for k in range(0, len(ev), step):
                    piece = ev[k:k + step]
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.flush()
                    if p.split:
                        time.sleep(0.002)
                rec.events_sent += 1
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (ClientGone, OSError):
            rec.client_closed = True
            rec.closed_at = time.time()
            self.close_connection = True

    # -- dispatch
    def handle_any(self):
        body = self.read_body()
        rec = Record(self.command, self.path, list(self.headers.items()), body)
        self.rec = rec
        self.rec_index = self.server.fake.add(rec)
        try:
            self.respond(rec, body)
        except (OSError, ClientGone):
            rec.client_closed = True
            rec.closed_at = time.time()
            self.close_connection = True
        finally:
            rec.finished.set()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def respond(self, rec, raw):
        p = Params(dict(rec.headers))
        if p.delay_ms:
            self.sleep_watching(p.delay_ms / 1000.0)
        status = p.status or 200
        if p.body_type in ("text", "html"):
            if p.body_type == "text":
                return self.send_plain(status, "text/plain; charset=utf-8", TEXT_BODY)
            return self.send_plain(status, "text/html", HTML_BODY)
        if p.status:
            extra = [("Retry-After", "7")] if p.status == 429 else []
            return self.send_plain(p.status, "application/json", render_error_json(p.status), extra)
        path = rec.path.split("?", 1)[0]
        try:
            body = json.loads(raw.decode()) if raw else {}
        except ValueError:
            return self.send_plain(400, "application/json", render_error_json(400))
        if self.command == "GET" and path == "/v1/models":
            return self.send_plain(200, "application/json", render_models_json())
        if self.command != "POST":
            return self.send_plain(404, "application/json", render_error_json(404))
        stream = isinstance(body, dict) and body.get("stream") is True
        if path == "/v1/chat/completions":
            if stream:
                return self.send_stream(render_chat_stream_events(body, wants_usage(body), p), p)
            return self.send_plain(200, "application/json", render_chat_json(body, p))
        if path == "/v1/completions":
            return self.send_plain(200, "application/json", render_completion_json(body, p))
        if path == "/v1/embeddings":
            return self.send_plain(200, "application/json", render_embeddings_json(body, p))
        if path == "/v1/responses":
            if stream:
                return self.send_stream(render_responses_stream_events(body, p), p)
            return self.send_plain(200, "application/json", render_responses_json(body, p))
        return self.send_plain(404, "application/json", render_error_json(404))


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a proxy closing a kept-alive connection is not news


class FakeUpstream:
    def __init__(self):
        self.records = []
        self.lock = threading.Lock()
        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.fake = self
        self.port = self.httpd.server_address[1]
        self.origin = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def add(self, rec):
        with self.lock:
            self.records.append(rec)
            return len(self.records)

    def find(self, pred):
        with self.lock:
            return [r for r in self.records if pred(r)]

    def wait_for(self, pred, timeout=5.0):
        """The first record matching pred, waiting up to timeout; None if none."""
        end = time.time() + timeout
        while True:
            found = self.find(pred)
            if found:
                return found[0]
            if time.time() > end:
                return None
            time.sleep(0.02)

    def by_header(self, name, value, timeout=5.0):
        return self.wait_for(lambda r: r.header(name) == value, timeout)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def start_fake():
    return FakeUpstream()


# ---------------------------------------------------------------- self-check

def _self_check():
    body = {"model": "gpt-4o-mini", "stream": True,
            "messages": [{"role": "user", "content": "hi"}]}
    p = Params({"X-Fake-Chunks": "3", "X-Fake-Prompt-Tokens": "12",
                "X-Fake-Completion-Tokens": "3"})
    with_u = render_chat_stream_events(body, True, p)
    without = render_chat_stream_events(body, False, p)
    assert len(with_u) == len(without) + 1, (len(with_u), len(without))
    assert with_u[-1] == without[-1] == b"data: [DONE]\n\n"
    # Removing the include_usage additions from with_u gives exactly without.
    stripped = [e.replace(b',"usage":null', b"") for e in with_u
                if b'"choices":[]' not in e]
    assert stripped == without, (stripped, without)
    assert b'"usage"' not in b"".join(without)
    first = with_u[1].decode()
    assert first == ('data: {"id":"chatcmpl-x","object":"chat.completion.chunk","created":1700000000,'
                     '"model":"gpt-4o-mini-2024-07-18","system_fingerprint":"fp_x","choices":[{"index":0,'
                     '"delta":{"content":"Hel"},"logprobs":null,"finish_reason":null}],"usage":null}\n\n'), first
    last = json.loads(with_u[-2][6:])
    assert last["choices"] == [] and last["usage"]["prompt_tokens"] == 12
    assert last["usage"]["total_tokens"] == 15
    for e in with_u[:-1]:
        assert e.startswith(b"data: {") and e.endswith(b"}\n\n")
        json.loads(e[6:])
    assert render_chat_stream(body, False, p) == b"".join(without)
    # Deterministic.
    assert render_chat_stream(body, True, p) == render_chat_stream(dict(body), True, Params(
        {"X-Fake-Chunks": "3", "X-Fake-Prompt-Tokens": "12", "X-Fake-Completion-Tokens": "3"}))
    r = render_responses_stream_events({"model": "gpt-4o-mini", "stream": True}, p)
    done = json.loads(r[-1].split(b"data: ", 1)[1])
    assert done["type"] == "response.completed"
    assert done["response"]["usage"]["input_tokens"] == 12
    # Live round trip over HTTP/1.1 chunked.
    import http.client
    f = start_fake()
    try:
        c = http.client.HTTPConnection("127.0.0.1", f.port, timeout=5)
        c.request("POST", "/v1/chat/completions?x=1", json.dumps(body),
                  {"Content-Type": "application/json", "X-Fake-Chunks": "3",
                   "X-Fake-Prompt-Tokens": "12", "X-Fake-Completion-Tokens": "3"})
        resp = c.getresponse()
        got = resp.read()
        assert resp.status == 200 and got == b"".join(without), got
        rec = f.records[-1]
        assert rec.path == "/v1/chat/completions?x=1" and rec.json() == body
        c.request("GET", "/v1/models")
        resp = c.getresponse()
        assert resp.read() == render_models_json()
        c.request("POST", "/v1/chat/completions", "{}", {"X-Fake-Status": "429"})
        resp = c.getresponse()
        assert resp.status == 429 and resp.getheader("Retry-After") == "7"
        assert resp.read() == render_error_json(429)
    finally:
        f.stop()
    print("fake_upstream self-check ok")


if __name__ == "__main__":
    _self_check()
