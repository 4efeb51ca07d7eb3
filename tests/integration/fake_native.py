"""A fake upstream speaking the providers' native APIs, for the provider tests.

Runs in a thread of the test process (start_fake_native()), speaks HTTP/1.1
(keep-alive, chunked streams flushed per event) and records every request
(method, path with query, headers, raw body bytes) as fake_upstream.Record
objects, so a test can look at exactly what the proxy sent.

One server answers for every provider; the path says which API is spoken:

  Anthropic   POST /v1/messages (JSON, or SSE with `event:` lines: message_start,
              content_block_start/delta/stop (text, then a tool_use block with
              input_json_delta pieces when the request has tools), message_delta,
              message_stop); GET /v1/models (x-api-key + anthropic-version)
  Gemini      POST /v1beta/models/M:generateContent (JSON),
              :streamGenerateContent?alt=sse (SSE, "\\r\\n\\r\\n" between events),
              :streamGenerateContent without alt (a JSON array sent in several
              chunks cut at arbitrary bytes); usageMetadata with
              cachedContentTokenCount and thoughtsTokenCount; functionCall parts
              when tools are given; GET /v1beta/models (x-goog-api-key or ?key=)
  Cohere v2   POST /v2/chat (JSON, or SSE events message-start, content-*,
              tool-plan-delta, tool-call-start/delta/end, message-end with usage);
              GET /v1/models?page_size=N
  OpenAI-compatible chat (bodies from fake_upstream's renderers, its
  X-Fake-Prompt-Tokens / -Completion-Tokens / -Cached-Tokens / -Reasoning-Tokens /
  -Chunks controls apply):
              /v1/chat/completions (OpenAI, Ollama, Mistral, Together, Helicone),
              /openai/v1/chat/completions (Groq), /api/v1/chat/completions
              (OpenRouter: usage.cost), /chat/completions (Perplexity: usage in
              every stream chunk; a body without messages -> 400, as the real
              one does for the health check), /openai/deployments/D/chat/completions
              (Azure; api-version required)
  Listings    GET /v1/models, /openai/v1/models, /openai/models?api-version=..,
              /api/v1/key (OpenRouter), /api/tags (Ollama)

Any key (Authorization Bearer, x-api-key, x-goog-api-key, api-key, ?key=)
starting with "sk-bad" gets a 401 in the provider's error shape; the listing
paths answer 401 without a key in the provider's form.

Test controls (request headers; they pass through the proxy):
  X-Fake-Status: N             answer N with the provider's error body
  X-Fake-Delay-Ms: N           wait before answering
  X-Fake-Chunk-Delay-Ms: N     delay between stream events
  X-Fake-Hold-After: TEXT      after the first stream event holding TEXT,
                               send the rest only once the test sets the
                               request's record.release (at most 8 s: under
                               the proxy's 10 s heartbeat, whose ping would
                               flush a stream the proxy held back)
  X-Fake-Input-Tokens          Anthropic input_tokens (uncached) / Gemini
                               promptTokenCount (includes cached) / Cohere
                               tokens.input_tokens
  X-Fake-Output-Tokens         output_tokens / candidatesTokenCount / output_tokens
  X-Fake-Cache-Read-Tokens     cache_read_input_tokens / cachedContentTokenCount
  X-Fake-Cache-Creation-Tokens cache_creation_input_tokens
  X-Fake-Thoughts-Tokens       Gemini thoughtsTokenCount
  X-Fake-Delta-Usage: full     Anthropic message_delta repeats the input side
  X-Fake-Usage-Style: asked|final|every
                               OpenAI-compatible streams: usage only when
                               include_usage is asked (default; Perplexity's
                               path defaults to every), on the finish chunk
                               (Mistral), or in every chunk (Perplexity)
  X-Fake-Cost: X               usage.cost (OpenRouter's path defaults to 0.0042)

Every render_* function is pure: tests call them to know the exact bytes.
"""

import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

import fake_upstream as fu

compact = fu.compact

TOOL_INPUT = {"city": "Paris", "unit": "celsius"}

ANTH_TEXT = ["Hello", " from", " Claude", "!"]
ANTH_TOOL_ARGS = ['{"city": ', '"Paris", "unit"', ': "celsius"}']
ANTH_ID = "msg_fake01"
ANTH_TOOL_ID = "toolu_fake01"

GEM_TEXT = ["Hello", " from", " Gemini", "!"]
GEM_RESPONSE_ID = "gfake-resp-1"

COH_TEXT = ["Hello", " from", " Cohere", "!"]
COH_TOOL_ARGS = ['{"city":', ' "Paris", "unit": ', '"celsius"}']
COH_ID = "cohere-fake-1"
COH_TOOL_ID = "get_weather_fake1"
COH_PLAN = "I will look up the weather."

OPENROUTER_COST = 0.0042

DEFAULTS = {
    "anthropic": {"input": 25, "output": 12, "cache_read": 0, "cache_creation": 0, "thoughts": 0},
    "gemini": {"input": 40, "output": 10, "cache_read": 0, "cache_creation": 0, "thoughts": 0},
    "cohere": {"input": 100, "output": 50, "cache_read": 0, "cache_creation": 0, "thoughts": 0},
}


class NParams:
    """The native-API test controls of one request, parsed from headers."""

    def __init__(self, headers=None, provider="anthropic"):
        h = {k.lower(): v for k, v in (headers or {}).items()}
        d = DEFAULTS.get(provider, DEFAULTS["anthropic"])

        def num(name, default, conv=int):
            v = h.get(name.lower())
            return conv(v) if v not in (None, "") else default

        self.status = num("X-Fake-Status", None)
        self.delay_ms = num("X-Fake-Delay-Ms", 0)
        self.chunk_delay_ms = num("X-Fake-Chunk-Delay-Ms", 0)
        self.hold_after = (h.get("x-fake-hold-after") or "").encode() or None
        self.input = num("X-Fake-Input-Tokens", d["input"])
        self.output = num("X-Fake-Output-Tokens", d["output"])
        self.cache_read = num("X-Fake-Cache-Read-Tokens", d["cache_read"])
        self.cache_creation = num("X-Fake-Cache-Creation-Tokens", d["cache_creation"])
        self.thoughts = num("X-Fake-Thoughts-Tokens", d["thoughts"])
        self.delta_usage = h.get("x-fake-delta-usage")
        self.usage_style = h.get("x-fake-usage-style")
        self.cost = num("X-Fake-Cost", None, float)


def _tool_name_openai_style(body):
    tools = body.get("tools") if isinstance(body, dict) else None
    if isinstance(tools, list) and tools:
        t = tools[0]
        if isinstance(t, dict):
            if isinstance(t.get("function"), dict):   # Cohere v2 / OpenAI
                return t["function"].get("name")
            return t.get("name")                      # Anthropic
    return None


def _tool_name_gemini(body):
    tools = body.get("tools") if isinstance(body, dict) else None
    if isinstance(tools, list):
        for t in tools:
            for fd in (t or {}).get("functionDeclarations") or []:
                if fd.get("name"):
                    return fd["name"]
    return None


# ---------------------------------------------------------------- errors

ANTH_ERR_TYPES = {400: "invalid_request_error", 401: "authentication_error",
                  403: "permission_error", 404: "not_found_error",
                  413: "request_too_large", 429: "rate_limit_error",
                  500: "api_error", 529: "overloaded_error"}
GEM_ERR_STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED",
                  404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED", 500: "INTERNAL",
                  503: "UNAVAILABLE"}


def error_message(kind, status):
    return "fake %s error %d" % (kind, status)


def render_error(kind, status):
    """The error body a provider of `kind` answers with (pure)."""
    msg = error_message(kind, status)
    if kind == "anthropic":
        d = {"type": "error", "error": {"type": ANTH_ERR_TYPES.get(status, "api_error"),
                                        "message": msg},
             "request_id": "req_fake_anthropic"}
    elif kind == "gemini":
        d = {"error": {"code": status, "message": msg,
                       "status": GEM_ERR_STATUS.get(status, "UNKNOWN")}}
    elif kind == "cohere":
        d = {"id": "cohere-err-1", "message": msg}
    else:
        d = {"error": {"message": msg, "type": "invalid_request_error" if status < 500 else "server_error",
                       "param": None, "code": "fake_%d" % status}}
    return compact(d).encode()


# ---------------------------------------------------------------- Anthropic

def anthropic_usage(p, output=None, full=True):
    u = {"input_tokens": p.input, "cache_creation_input_tokens": p.cache_creation,
         "cache_read_input_tokens": p.cache_read,
         "output_tokens": p.output if output is None else output}
    if full:
        u["service_tier"] = "standard"
    return u


def render_anthropic_json(body, p=None):
    p = p or NParams({}, "anthropic")
    tool = _tool_name_openai_style(body)
    content = [{"type": "text", "text": "".join(ANTH_TEXT)}]
    if tool:
        content.append({"type": "tool_use", "id": ANTH_TOOL_ID, "name": tool, "input": TOOL_INPUT})
    d = {"id": ANTH_ID, "type": "message", "role": "assistant", "model": body.get("model"),
         "content": content, "stop_reason": "tool_use" if tool else "end_turn",
         "stop_sequence": None, "usage": anthropic_usage(p)}
    return compact(d).encode()


def render_anthropic_stream_events(body, p=None):
    p = p or NParams({}, "anthropic")
    tool = _tool_name_openai_style(body)

    def ev(kind, data):
        return ("event: %s\ndata: %s\n\n" % (kind, compact(data))).encode()

    out = [ev("message_start", {"type": "message_start", "message": {
        "id": ANTH_ID, "type": "message", "role": "assistant", "model": body.get("model"),
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": anthropic_usage(p, output=1)}})]
    out.append(ev("content_block_start", {"type": "content_block_start", "index": 0,
                                          "content_block": {"type": "text", "text": ""}}))
    out.append(ev("ping", {"type": "ping"}))
    for piece in ANTH_TEXT:
        out.append(ev("content_block_delta", {"type": "content_block_delta", "index": 0,
                                              "delta": {"type": "text_delta", "text": piece}}))
    out.append(ev("content_block_stop", {"type": "content_block_stop", "index": 0}))
    if tool:
        out.append(ev("content_block_start", {"type": "content_block_start", "index": 1,
                                              "content_block": {"type": "tool_use", "id": ANTH_TOOL_ID,
                                                                "name": tool, "input": {}}}))
        for piece in ANTH_TOOL_ARGS:
            out.append(ev("content_block_delta", {"type": "content_block_delta", "index": 1,
                                                  "delta": {"type": "input_json_delta",
                                                            "partial_json": piece}}))
        out.append(ev("content_block_stop", {"type": "content_block_stop", "index": 1}))
    usage = {"output_tokens": p.output}
    if p.delta_usage == "full":
        usage = anthropic_usage(p, full=False)
    out.append(ev("message_delta", {"type": "message_delta",
                                    "delta": {"stop_reason": "tool_use" if tool else "end_turn",
                                              "stop_sequence": None},
                                    "usage": usage}))
    out.append(ev("message_stop", {"type": "message_stop"}))
    return out


def render_anthropic_models():
    d = {"data": [{"type": "model", "id": "claude-sonnet-4-5-20250929",
                   "display_name": "Claude Sonnet 4.5", "created_at": "2025-09-29T00:00:00Z"}],
         "has_more": False, "first_id": "claude-sonnet-4-5-20250929",
         "last_id": "claude-sonnet-4-5-20250929"}
    return compact(d).encode()


# ---------------------------------------------------------------- Gemini

def gemini_usage(p, partial_candidates=None):
    cand = p.output if partial_candidates is None else partial_candidates
    u = {"promptTokenCount": p.input, "candidatesTokenCount": cand,
         "totalTokenCount": p.input + cand + (p.thoughts if partial_candidates is None else 0)}
    if p.cache_read:
        u["cachedContentTokenCount"] = p.cache_read
    if p.thoughts and partial_candidates is None:
        u["thoughtsTokenCount"] = p.thoughts
    u["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": p.input}]
    return u


def gemini_model_of(path):
    """(model, method) of /v1beta/models/<model>:<method>."""
    rest = path.split("?", 1)[0][len("/v1beta/models/"):]
    model, _, method = rest.rpartition(":")
    return urllib.parse.unquote(model), method


def render_gemini_json(model, body, p=None):
    p = p or NParams({}, "gemini")
    tool = _tool_name_gemini(body)
    parts = [{"text": "".join(GEM_TEXT)}]
    if tool:
        parts.append({"functionCall": {"name": tool, "args": TOOL_INPUT}})
    d = {"candidates": [{"content": {"parts": parts, "role": "model"}, "finishReason": "STOP",
                         "index": 0}],
         "usageMetadata": gemini_usage(p), "modelVersion": model, "responseId": GEM_RESPONSE_ID}
    return compact(d).encode()


def gemini_stream_objects(model, body, p=None):
    p = p or NParams({}, "gemini")
    tool = _tool_name_gemini(body)
    objs = []
    for i, piece in enumerate(GEM_TEXT[:-1]):
        objs.append({"candidates": [{"content": {"parts": [{"text": piece}], "role": "model"},
                                     "index": 0}],
                     "usageMetadata": gemini_usage(p, partial_candidates=i + 1),
                     "modelVersion": model, "responseId": GEM_RESPONSE_ID})
    parts = [{"text": GEM_TEXT[-1]}]
    if tool:
        parts.append({"functionCall": {"name": tool, "args": TOOL_INPUT}})
    objs.append({"candidates": [{"content": {"parts": parts, "role": "model"},
                                 "finishReason": "STOP", "index": 0}],
                 "usageMetadata": gemini_usage(p), "modelVersion": model,
                 "responseId": GEM_RESPONSE_ID})
    return objs


def render_gemini_sse_events(model, body, p=None):
    return [b"data: " + compact(o).encode() + b"\r\n\r\n"
            for o in gemini_stream_objects(model, body, p)]


def render_gemini_array(model, body, p=None):
    """The whole JSON-array stream (as Gemini sends it without alt=sse)."""
    objs = gemini_stream_objects(model, body, p)
    return b"[" + b"\n,\r\n".join(json.dumps(o, indent=2).encode() for o in objs) + b"\n]"


def split_bytes(data, n):
    """data cut into n pieces of about equal size (cuts fall mid-element)."""
    size = max(1, -(-len(data) // n))
    return [data[i:i + size] for i in range(0, len(data), size)]


def render_gemini_models():
    d = {"models": [{"name": "models/gemini-2.0-flash", "displayName": "Gemini 2.0 Flash",
                     "supportedGenerationMethods": ["generateContent"]}],
         "nextPageToken": "fake-next"}
    return compact(d).encode()


# ---------------------------------------------------------------- Cohere

def cohere_usage(p):
    return {"billed_units": {"input_tokens": max(p.input - 10, 0), "output_tokens": p.output},
            "tokens": {"input_tokens": p.input, "output_tokens": p.output}}


def render_cohere_json(body, p=None):
    p = p or NParams({}, "cohere")
    tool = _tool_name_openai_style(body)
    if tool:
        msg = {"role": "assistant", "tool_plan": COH_PLAN,
               "tool_calls": [{"id": COH_TOOL_ID, "type": "function",
                               "function": {"name": tool, "arguments": compact(TOOL_INPUT)}}]}
        fin = "TOOL_CALL"
    else:
        msg = {"role": "assistant", "content": [{"type": "text", "text": "".join(COH_TEXT)}]}
        fin = "COMPLETE"
    d = {"id": COH_ID, "message": msg, "finish_reason": fin, "usage": cohere_usage(p)}
    return compact(d).encode()


def render_cohere_stream_events(body, p=None):
    p = p or NParams({}, "cohere")
    tool = _tool_name_openai_style(body)

    def ev(data):
        return ("event: %s\ndata: %s\n\n" % (data["type"], compact(data))).encode()

    out = [ev({"id": COH_ID, "type": "message-start",
               "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "",
                                     "tool_calls": [], "citations": []}}})]
    if tool:
        out.append(ev({"type": "tool-plan-delta", "delta": {"message": {"tool_plan": COH_PLAN}}}))
        out.append(ev({"type": "tool-call-start", "index": 0,
                       "delta": {"message": {"tool_calls": {
                           "id": COH_TOOL_ID, "type": "function",
                           "function": {"name": tool, "arguments": ""}}}}}))
        for piece in COH_TOOL_ARGS:
            out.append(ev({"type": "tool-call-delta", "index": 0,
                           "delta": {"message": {"tool_calls": {"function": {"arguments": piece}}}}}))
        out.append(ev({"type": "tool-call-end", "index": 0}))
    else:
        out.append(ev({"type": "content-start", "index": 0,
                       "delta": {"message": {"content": {"type": "text", "text": ""}}}}))
        for piece in COH_TEXT:
            out.append(ev({"type": "content-delta", "index": 0,
                           "delta": {"message": {"content": {"text": piece}}}}))
        out.append(ev({"type": "content-end", "index": 0}))
    out.append(ev({"type": "message-end",
                   "delta": {"finish_reason": "TOOL_CALL" if tool else "COMPLETE",
                             "usage": cohere_usage(p)}}))
    return out


def render_cohere_models():
    return compact({"models": [{"name": "command-r", "endpoints": ["chat"]}],
                    "next_page_token": "x"}).encode()


# ---------------------------------------------------------------- OpenAI-compatible

def render_compat_json(body, p=None, cost=None):
    """fake_upstream's chat.completion, with usage.cost when cost is set."""
    raw = fu.render_chat_json(body, p)
    if cost is None:
        return raw
    d = json.loads(raw.decode())
    d["usage"]["cost"] = cost
    return compact(d).encode()


def render_compat_stream_events(body, p=None, style="asked", cost=None):
    """fake_upstream's chat stream; style "asked" (usage chunk only with
    include_usage), "final" (usage on the finish chunk, Mistral) or "every"
    (full usage in every chunk, Perplexity); cost goes into usage."""
    p = p or fu.Params()
    usage = fu.chat_usage(p)
    if cost is not None:
        usage = dict(usage, cost=cost)
    if style == "asked":
        events = fu.render_chat_stream_events(body, fu.wants_usage(body), p)
        if cost is None:
            return events
        out = []
        for e in events:
            if b'"choices":[]' in e:
                d = json.loads(e[6:].decode())
                d["usage"] = usage
                e = b"data: " + compact(d).encode() + b"\n\n"
            out.append(e)
        return out
    events = fu.render_chat_stream_events(body, False, p)
    out = []
    for e in events:
        if e.startswith(b"data: {"):
            d = json.loads(e[6:].decode())
            if style == "every" or d["choices"][0].get("finish_reason"):
                d["usage"] = usage
            e = b"data: " + compact(d).encode() + b"\n\n"
        out.append(e)
    return out


def render_ollama_tags():
    return compact({"models": [{"name": "llama3.1:latest", "model": "llama3.1:latest",
                                "size": 4920753328}]}).encode()


def render_openrouter_key():
    return compact({"data": {"label": "sk-or-v1-fak...", "usage": 0.5, "limit": None,
                             "is_free_tier": False}}).encode()


# ---------------------------------------------------------------- server

def key_of(rec):
    """(style, key) of the credential a request carries, or (None, None)."""
    a = rec.header("Authorization")
    if a and a.lower().startswith("bearer "):
        return "bearer", a[7:]
    for name, style in (("x-api-key", "x-api-key"), ("x-goog-api-key", "goog"),
                        ("api-key", "azure")):
        v = rec.header(name)
        if v:
            return style, v
    q = urllib.parse.parse_qs(rec.path.partition("?")[2])
    if q.get("key"):
        return "query", q["key"][0]
    return None, None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "FakeNative/1.0"

    def log_message(self, *a):
        pass

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

    def send_plain(self, status, body, ctype="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Fake-Native", "1")
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def send_chunks(self, pieces, ctype, delay_ms=0, hold_after=None):
        """A chunked 200 answer, one HTTP chunk per piece, flushed apart;
        with hold_after, the pieces after the first one holding it wait
        for rec.release."""
        rec = self.rec
        rec.events_total = len(pieces)
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Fake-Native", "1")
        self.end_headers()
        self.wfile.flush()
        for i, piece in enumerate(pieces):
            if i and delay_ms:
                time.sleep(delay_ms / 1000.0)
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
            self.wfile.flush()
            rec.events_sent += 1
            if hold_after is not None and hold_after in piece:
                hold_after = None
                rec.release.wait(8)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def handle_any(self):
        body = self.read_body()
        rec = fu.Record(self.command, self.path, list(self.headers.items()), body)
        self.rec = rec
        self.server.fake.add(rec)
        try:
            self.respond(rec, body)
        except OSError:
            rec.client_closed = True
            rec.closed_at = time.time()
            self.close_connection = True
        finally:
            rec.finished.set()

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any

    def error(self, kind, status):
        extra = [("retry-after", "7")] if status == 429 else []
        if kind == "anthropic":
            extra.append(("request-id", "req_fake_anthropic"))
        return self.send_plain(status, render_error(kind, status), extra=extra)

    def respond(self, rec, raw):
        path, _, query = rec.path.partition("?")
        q = urllib.parse.parse_qs(query)
        hdrs = dict(rec.headers)
        if path == "/v1/messages" or (path == "/v1/models" and rec.header("x-api-key")):
            kind = "anthropic"
        elif path.startswith("/v1beta/"):
            kind = "gemini"
        elif path == "/v2/chat" or (path == "/v1/models" and "page_size" in q):
            kind = "cohere"
        else:
            kind = "openai"
        np = NParams(hdrs, kind)
        if np.delay_ms:
            time.sleep(np.delay_ms / 1000.0)
        if np.status:
            return self.error(kind, np.status)
        style, key = key_of(rec)
        if key is not None and key.startswith("sk-bad"):
            return self.error(kind, 401)
        try:
            body = json.loads(raw.decode()) if raw else {}
        except ValueError:
            return self.error(kind, 400)
        if not isinstance(body, dict):
            body = {}
        stream = body.get("stream") is True
        get = self.command == "GET"

        # -- listings (cheap checks): the key must come in the provider's form
        if get and path == "/v1/models":
            if kind == "anthropic":
                if not rec.header("anthropic-version"):
                    return self.error("anthropic", 400)
                return self.send_plain(200, render_anthropic_models())
            if style != "bearer":
                return self.error(kind, 401)
            if kind == "cohere":
                return self.send_plain(200, render_cohere_models())
            return self.send_plain(200, fu.render_models_json())
        if get and path == "/v1beta/models":
            if style not in ("goog", "query"):
                return self.error("gemini", 401)
            return self.send_plain(200, render_gemini_models())
        if get and path in ("/openai/v1/models", "/api/v1/models"):
            if style != "bearer":
                return self.error(kind, 401)
            return self.send_plain(200, fu.render_models_json())
        if get and path == "/api/v1/key":
            if style != "bearer":
                return self.error(kind, 401)
            return self.send_plain(200, render_openrouter_key())
        if get and path == "/openai/models":
            if style != "azure" or "api-version" not in q:
                return self.error(kind, 401 if style != "azure" else 404)
            return self.send_plain(200, fu.render_models_json())
        if get and path == "/api/tags":
            return self.send_plain(200, render_ollama_tags())

        # -- Anthropic
        if path == "/v1/messages" and not get:
            if stream:
                return self.send_chunks(render_anthropic_stream_events(body, np),
                                        "text/event-stream; charset=utf-8", np.chunk_delay_ms,
                                        np.hold_after)
            return self.send_plain(200, render_anthropic_json(body, np))

        # -- Gemini
        if path.startswith("/v1beta/models/") and not get:
            model, method = gemini_model_of(path)
            if method == "generateContent":
                return self.send_plain(200, render_gemini_json(model, body, np),
                                       "application/json; charset=UTF-8")
            if method == "streamGenerateContent":
                if q.get("alt") == ["sse"]:
                    return self.send_chunks(render_gemini_sse_events(model, body, np),
                                            "text/event-stream", np.chunk_delay_ms, np.hold_after)
                return self.send_chunks(split_bytes(render_gemini_array(model, body, np), 7),
                                        "application/json; charset=UTF-8", np.chunk_delay_ms or 3)
            return self.error("gemini", 404)

        # -- Cohere
        if path == "/v2/chat" and not get:
            if stream:
                return self.send_chunks(render_cohere_stream_events(body, np),
                                        "text/event-stream", np.chunk_delay_ms, np.hold_after)
            return self.send_plain(200, render_cohere_json(body, np))

        # -- OpenAI-compatible chat
        chat_paths = ("/v1/chat/completions", "/openai/v1/chat/completions",
                      "/api/v1/chat/completions", "/chat/completions")
        azure = path.startswith("/openai/deployments/") and path.endswith("/chat/completions")
        if (path in chat_paths or azure) and not get:
            if azure and "api-version" not in q:
                return self.error("openai", 404)
            if path == "/chat/completions" and not body.get("messages"):
                return self.error("openai", 400)    # Perplexity's answer to {}
            p = fu.Params(hdrs)
            cost = np.cost
            if cost is None and path == "/api/v1/chat/completions":
                cost = OPENROUTER_COST
            style_ = np.usage_style or ("every" if path == "/chat/completions" else "asked")
            if stream:
                return self.send_chunks(render_compat_stream_events(body, p, style_, cost),
                                        "text/event-stream; charset=utf-8", np.chunk_delay_ms,
                                        np.hold_after)
            return self.send_plain(200, render_compat_json(body, p, cost))
        return self.error(kind, 404)


class Server(fu.QuietServer):
    # The health check opens a connection per provider at once: a backlog
    # of 5 would drop some SYNs and add a second of latency to them.
    request_queue_size = 128


class FakeNative:
    def __init__(self):
        self.records = []
        self.lock = threading.Lock()
        self.httpd = Server(("127.0.0.1", 0), Handler)
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


def start_fake_native():
    return FakeNative()


# ---------------------------------------------------------------- self-check

def _self_check():
    import http.client
    f = start_fake_native()
    try:
        def call(method, path, body=None, headers=None):
            c = http.client.HTTPConnection("127.0.0.1", f.port, timeout=5)
            c.request(method, path, json.dumps(body) if body is not None else None, headers or {})
            r = c.getresponse()
            data = r.read()
            c.close()
            return r.status, data

        b = {"model": "claude-sonnet-4-5", "max_tokens": 10, "stream": True,
             "messages": [{"role": "user", "content": "hi"}],
             "tools": [{"name": "get_weather", "input_schema": {"type": "object"}}]}
        st, data = call("POST", "/v1/messages", b, {"x-api-key": "k"})
        assert st == 200 and data == b"".join(render_anthropic_stream_events(b)), data
        assert b"input_json_delta" in data
        st, data = call("POST", "/v1/messages", dict(b, stream=False), {"X-Fake-Status": "429"})
        assert st == 429 and json.loads(data)["error"]["type"] == "rate_limit_error"
        g = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}
        st, data = call("POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent", g)
        assert st == 200 and json.loads(data.decode())[-1]["candidates"][0]["finishReason"] == "STOP"
        st, data = call("POST", "/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse", g)
        assert data.count(b"\r\n\r\n") == len(GEM_TEXT), data
        st, data = call("POST", "/v2/chat", {"model": "command-r", "stream": True, "messages": []})
        assert b"event: message-end" in data
        st, data = call("POST", "/chat/completions", {}, {"Authorization": "Bearer x"})
        assert st == 400
        st, data = call("GET", "/v1/models", None, {"Authorization": "Bearer sk-bad-1"})
        assert st == 401
        st, data = call("GET", "/api/tags")
        assert st == 200
        assert f.records[0].path == "/v1/messages"
    finally:
        f.stop()
    print("fake_native self-check ok")


if __name__ == "__main__":
    _self_check()
