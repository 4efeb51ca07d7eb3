"""Every provider route of the proxy port against fake_native (native APIs):
OpenAI-compatible routes, translated Anthropic/Gemini/Cohere, byte-exact
passthrough, the X-LLMFlow-Provider override, keys, token semantics and
cost per provider, /health, /providers and /api/health/providers.

Run: python3 tests/integration/run_all.py providers
"""

import json
import socket
import threading

import fake_native as fn
import fake_upstream as fu
from harness import Instance, TestFailure, check, close, eq, marker

# ------------------------------------------------------------------ setup

ENV_KEYS = {
    "ANTHROPIC_API_KEY": "sk-ant-ENVanthropic0001",
    "GOOGLE_API_KEY": "",
    "GEMINI_API_KEY": "AIzaENVgemini0002",
    "COHERE_API_KEY": "co-ENVcohere0003",
    "GROQ_API_KEY": "gsk_ENVgroq0004",
    "MISTRAL_API_KEY": "mi-ENVmistral0005",
    "TOGETHER_API_KEY": "tg-ENVtogether0006",
    "OPENROUTER_API_KEY": "sk-or-ENVopenrouter0007",
    "PERPLEXITY_API_KEY": "pplx-ENVperplexity0008",
    "AZURE_OPENAI_API_KEY": "az-ENVazure0009",
    "HELICONE_API_KEY": "sk-helicone-ENV0010",
}
UPSTREAMS = ("ANTHROPIC GEMINI COHERE OLLAMA GROQ MISTRAL TOGETHER OPENROUTER "
             "PERPLEXITY AZURE HELICONE").split()
PROVIDERS = ("openai anthropic gemini cohere ollama groq mistral together openrouter "
             "perplexity azure").split()

_lock = threading.Lock()
_state = {}


def native():
    with _lock:
        if "fake" not in _state:
            _state["fake"] = fn.start_fake_native()
        return _state["fake"]


def base_env(origin, keys):
    e = {"LLMFLOW_UPSTREAM_" + p: origin for p in UPSTREAMS}
    e.update(keys)
    e.update({"AZURE_OPENAI_API_VERSION": "", "AZURE_OPENAI_RESOURCE": "", "OLLAMA_HOST": "",
              "LLMFLOW_MAX_BODY": "1048576"})
    return e


def inst():
    """The instance every provider test shares: all upstreams at fake_native,
    a key in the environment for every provider."""
    origin = native().origin
    with _lock:
        if "main" not in _state:
            env = base_env(origin, ENV_KEYS)
            env["AZURE_DEPLOYMENT_GPT_4O"] = "prod-4o"
            _state["main"] = Instance("providers", upstream=origin, env=env)
        return _state["main"]


HEALTH_KEYS = {
    "OPENAI_API_KEY": "sk-openai-health8",
    "ANTHROPIC_API_KEY": "sk-ant-health1",
    "GOOGLE_API_KEY": "AIza-health2",
    "GEMINI_API_KEY": "",
    "COHERE_API_KEY": "co-health3",
    "GROQ_API_KEY": "gsk-health4",
    "MISTRAL_API_KEY": "sk-bad-mistral-health",     # the fake answers 401
    "TOGETHER_API_KEY": "",                         # unconfigured
    "OPENROUTER_API_KEY": "sk-or-health5",
    "PERPLEXITY_API_KEY": "pplx-health6",
    "AZURE_OPENAI_API_KEY": "az-health7",
    "HELICONE_API_KEY": "",
}


def health_inst():
    origin = native().origin
    with _lock:
        if "health" not in _state:
            _state["health"] = Instance("providers-health", upstream=origin,
                                        env=base_env(origin, HEALTH_KEYS))
        return _state["health"]


# ------------------------------------------------------------------ helpers

PARAMS = {"type": "object",
          "properties": {"city": {"type": "string"},
                         "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}},
          "required": ["city"], "additionalProperties": False}
TOOLS = [{"type": "function", "function": {"name": "get_weather", "description": "Weather for a city",
                                            "parameters": PARAMS}}]


def client_body(mk, model, stream=False, include_usage=None, tools=False):
    b = {"model": model,
         "messages": [{"role": "system", "content": "Be brief."},
                      {"role": "user", "content": "say hi " + mk}],
         "max_tokens": 100, "temperature": 0.5}
    if stream:
        b["stream"] = True
    if include_usage is not None:
        b["stream_options"] = {"include_usage": include_usage}
    if tools:
        b["tools"] = TOOLS
    return b


def call(path, body, mk, key=None, headers=None, method="POST", inst_=None):
    h = {"X-Test-Id": mk}
    if key:
        h["Authorization"] = "Bearer " + key
    h.update(headers or {})
    if isinstance(body, (bytes, str)) and "Content-Type" not in h:
        h["Content-Type"] = "application/json"
    return (inst_ or inst()).proxy(method, path, body, h)


def upstream(mk):
    rec = native().by_header("X-Test-Id", mk)
    check(rec is not None, "the upstream never got the request %s", mk)
    return rec


def no_header(rec, *names):
    for n in names:
        check(rec.header(n) is None, "upstream got a %s header: %r", n, rec.header(n))


def one_header(rec, name, want):
    eq(rec.header_all(name), [want], "upstream %s header(s)" % name)


def count_ok(got, want, what):
    """want 0 also accepts NULL (a kind the provider did not report)."""
    if want == 0 and got is None:
        return
    eq(got, want, what)


def check_trace(mk, provider, model, prompt, completion, cached=0, cache_creation=0,
                reasoning=0, cost=None, source="computed", status=200, inst_=None):
    row = (inst_ or inst()).find_trace(mk)
    eq(row.get("provider"), provider, "trace provider")
    eq(row.get("model"), model, "trace model")
    eq(row.get("status"), status, "trace status")
    eq(row.get("prompt_tokens"), prompt, "trace prompt_tokens")
    eq(row.get("completion_tokens"), completion, "trace completion_tokens")
    eq(row.get("total_tokens"), prompt + completion, "trace total_tokens")
    count_ok(row.get("cached_tokens"), cached, "trace cached_tokens")
    count_ok(row.get("cache_creation_tokens"), cache_creation, "trace cache_creation_tokens")
    count_ok(row.get("reasoning_tokens"), reasoning, "trace reasoning_tokens")
    if cost is not None:
        check(close(row.get("estimated_cost"), cost), "trace estimated_cost %r, want %r",
              row.get("estimated_cost"), cost)
        eq(row.get("cost_source"), source, "trace cost_source")
    if status < 400:
        check(row.get("error") in (None, ""), "trace error %r on a success", row.get("error"))
    return row


def sse_payloads(data):
    """The data of each SSE event of a client stream (bytes)."""
    out = []
    for ev in data.replace(b"\r\n", b"\n").split(b"\n\n"):
        if not ev.strip():
            continue
        lines = [ln for ln in ev.split(b"\n") if not ln.startswith(b":")]
        datas = [ln[5:].lstrip(b" ") if ln.startswith(b"data:") else None for ln in lines]
        check(lines and all(d is not None for d in datas),
              "stream event with a line that is not data: %r", ev[:200])
        out.append(b"\n".join(datas))
    return out


class ChatStream:
    """An OpenAI chat.completion.chunk stream as the client received it."""

    def __init__(self, data):
        check(data.endswith(b"data: [DONE]\n\n"), "stream does not end with data: [DONE]: %r",
              data[-200:])
        self.chunks, self.text, self.finish, self.usage_chunks = [], "", [], []
        self.tools = {}
        self.roles = []
        payloads = sse_payloads(data)
        eq(payloads.count(b"[DONE]"), 1, "[DONE] events")
        for pl in payloads[:-1]:
            try:
                c = json.loads(pl.decode())
            except ValueError:
                raise TestFailure("stream chunk is not JSON: %r" % pl[:200])
            check("error" not in c, "error chunk in stream: %r", c)
            eq(c.get("object"), "chat.completion.chunk", "chunk object")
            check(isinstance(c.get("id"), str) and c["id"], "chunk id %r", c.get("id"))
            check(isinstance(c.get("created"), int), "chunk created %r", c.get("created"))
            check(isinstance(c.get("model"), str) and c["model"], "chunk model %r", c.get("model"))
            self.chunks.append(c)
            if c.get("choices") == []:
                check(isinstance(c.get("usage"), dict), "chunk without choices and usage: %r", c)
                self.usage_chunks.append(c["usage"])
                continue
            check(c.get("usage") is None, "usage on a content chunk: %r", c)
            eq(len(c.get("choices") or []), 1, "choices per chunk")
            ch = c["choices"][0]
            d = ch.get("delta") or {}
            if d.get("role"):
                self.roles.append(d["role"])
            if d.get("content"):
                self.text += d["content"]
            for tc in d.get("tool_calls") or []:
                t = self.tools.setdefault(tc["index"], {"id": None, "name": None, "args": ""})
                if tc.get("id"):
                    t["id"] = tc["id"]
                fnc = tc.get("function") or {}
                if fnc.get("name"):
                    t["name"] = fnc["name"]
                t["args"] += fnc.get("arguments") or ""
            if ch.get("finish_reason"):
                self.finish.append(ch["finish_reason"])
        check(self.chunks, "stream had no chunks")
        eq(((self.chunks[0]["choices"] or [{}])[0].get("delta") or {}).get("role"), "assistant",
           "role of the first chunk")
        eq(self.roles, ["assistant"], "role deltas")

    def check_usage(self, include_usage, prompt=None, completion=None, cached=None):
        if not include_usage:
            eq(len(self.usage_chunks), 0, "usage chunks without include_usage")
            return
        eq(len(self.usage_chunks), 1, "usage chunks with include_usage")
        check(self.chunks[-1]["choices"] == [], "the usage chunk is not the last chunk")
        u = self.usage_chunks[0]
        eq((u.get("prompt_tokens"), u.get("completion_tokens"), u.get("total_tokens")),
           (prompt, completion, prompt + completion), "usage chunk tokens")
        if cached:
            eq((u.get("prompt_tokens_details") or {}).get("cached_tokens"), cached,
               "usage chunk cached_tokens")


def check_chat_json(r, text, finish, prompt, completion, tools=None, cached=None):
    eq(r.status, 200, "client status (%r)" % r.body[:300])
    check((r.header("Content-Type") or "").startswith("application/json"),
          "client content-type %r", r.header("Content-Type"))
    d = r.json()
    eq(d.get("object"), "chat.completion", "object")
    check(isinstance(d.get("id"), str) and d["id"], "id %r", d.get("id"))
    check(isinstance(d.get("created"), int), "created %r", d.get("created"))
    eq(len(d.get("choices") or []), 1, "choices")
    ch = d["choices"][0]
    eq(ch.get("index"), 0, "choice index")
    msg = ch.get("message") or {}
    eq(msg.get("role"), "assistant", "message role")
    eq(msg.get("content"), text, "message content")
    eq(ch.get("finish_reason"), finish, "finish_reason")
    if tools is None:
        check(not msg.get("tool_calls"), "unexpected tool_calls %r", msg.get("tool_calls"))
    else:
        got = [(t.get("id"), t.get("type"), t["function"].get("name"),
                json.loads(t["function"].get("arguments"))) for t in msg.get("tool_calls") or []]
        eq(got, tools, "tool_calls")
    u = d.get("usage") or {}
    eq((u.get("prompt_tokens"), u.get("completion_tokens"), u.get("total_tokens")),
       (prompt, completion, prompt + completion), "usage")
    if cached:
        eq((u.get("prompt_tokens_details") or {}).get("cached_tokens"), cached, "usage cached_tokens")
    return d


def ctrl(**kw):
    return {"X-Fake-" + "-".join(p.capitalize() for p in k.split("_")): str(v) for k, v in kw.items()}


# ------------------------------------------------------------------ Anthropic (translated)

ANTH_MODEL = "claude-sonnet-4-5"   # $3 / $15 per Mtok, cache read $0.30, cache write $3.75
ANTH_TEXT = "".join(fn.ANTH_TEXT)


def anth_expected_body(mk, stream=False, tools=False):
    b = {"model": ANTH_MODEL, "max_tokens": 100, "system": "Be brief.",
         "messages": [{"role": "user", "content": [{"type": "text", "text": "say hi " + mk}]}],
         "temperature": 0.5}
    if tools:
        b["tools"] = [{"name": "get_weather", "description": "Weather for a city", "input_schema": PARAMS}]
    if stream:
        b["stream"] = True
    return b


def check_anth_upstream(rec, mk, key, stream=False, tools=False):
    eq(rec.method, "POST", "upstream method")
    eq(rec.path, "/v1/messages", "upstream path")
    one_header(rec, "x-api-key", key)
    one_header(rec, "anthropic-version", "2023-06-01")
    no_header(rec, "Authorization", "X-LLMFlow-Provider")
    check((rec.header("Content-Type") or "").startswith("application/json"),
          "upstream content-type %r", rec.header("Content-Type"))
    eq(rec.json(), anth_expected_body(mk, stream, tools), "upstream (Messages) body")


def test_providers_anthropic_translated_nonstream():
    mk = marker()
    h = ctrl(input_tokens=100, cache_read_tokens=2000, cache_creation_tokens=500, output_tokens=300)
    r = call("/anthropic/v1/chat/completions", client_body(mk, ANTH_MODEL), mk,
             key="sk-ant-client-1", headers=h)
    d = check_chat_json(r, ANTH_TEXT, "stop", 2600, 300, cached=2000)
    eq(d.get("model"), ANTH_MODEL, "model")
    check_anth_upstream(upstream(mk), mk, "sk-ant-client-1")
    # 100 x 3e-6 + 2000 x 3e-7 + 500 x 3.75e-6 + 300 x 1.5e-5
    check_trace(mk, "anthropic", ANTH_MODEL, 2600, 300, cached=2000, cache_creation=500,
                cost=0.0003 + 0.0006 + 0.001875 + 0.0045)


def test_providers_anthropic_cached_call_cost_exact():
    mk = marker()
    h = ctrl(input_tokens=1234, cache_read_tokens=56789, cache_creation_tokens=4321, output_tokens=987)
    r = call("/anthropic/v1/chat/completions", client_body(mk, ANTH_MODEL), mk, headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:200])
    # prompt = 1234 + 56789 + 4321 = 62344
    # cost = 1234 x $3/M = 0.003702; 56789 x $0.30/M = 0.0170367;
    #        4321 x $3.75/M = 0.01620375; 987 x $15/M = 0.014805
    #      = 0.05174745
    row = check_trace(mk, "anthropic", ANTH_MODEL, 62344, 987, cached=56789, cache_creation=4321)
    check(close(row.get("estimated_cost"), 0.05174745, 1e-12),
          "cost of the cached Anthropic call %r, want 0.05174745", row.get("estimated_cost"))
    eq(row.get("cost_source"), "computed", "cost_source")


def test_providers_anthropic_translated_nonstream_tool_calls():
    mk = marker()
    r = call("/anthropic/v1/chat/completions", client_body(mk, ANTH_MODEL, tools=True), mk,
             key="sk-ant-client-2")
    check_chat_json(r, ANTH_TEXT, "tool_calls", 25, 12,
                    tools=[(fn.ANTH_TOOL_ID, "function", "get_weather", fn.TOOL_INPUT)])
    check_anth_upstream(upstream(mk), mk, "sk-ant-client-2", tools=True)
    check_trace(mk, "anthropic", ANTH_MODEL, 25, 12, cost=25 * 3e-6 + 12 * 1.5e-5)


def test_providers_anthropic_translated_stream_tools_and_usage():
    mk = marker()
    # message_delta repeats the input side (newer API versions): counted once.
    h = ctrl(input_tokens=40, cache_read_tokens=1000, cache_creation_tokens=200, output_tokens=77,
             delta_usage="full")
    r = call("/anthropic/v1/chat/completions",
             client_body(mk, ANTH_MODEL, stream=True, include_usage=True, tools=True), mk, headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:200])
    check((r.header("Content-Type") or "").startswith("text/event-stream"),
          "content-type %r", r.header("Content-Type"))
    s = ChatStream(r.body)
    eq(s.text, ANTH_TEXT, "streamed text")
    eq(s.tools, {0: {"id": fn.ANTH_TOOL_ID, "name": "get_weather", "args": "".join(fn.ANTH_TOOL_ARGS)}},
       "streamed tool calls")
    eq(json.loads(s.tools[0]["args"]), fn.TOOL_INPUT, "tool arguments")
    eq(s.finish, ["tool_calls"], "finish_reason(s)")
    s.check_usage(True, 1240, 77, cached=1000)
    rec = upstream(mk)
    # No key from the client: the environment's, as x-api-key.
    check_anth_upstream(rec, mk, ENV_KEYS["ANTHROPIC_API_KEY"], stream=True, tools=True)
    check_trace(mk, "anthropic", ANTH_MODEL, 1240, 77, cached=1000, cache_creation=200,
                cost=40 * 3e-6 + 1000 * 3e-7 + 200 * 3.75e-6 + 77 * 1.5e-5)


def test_providers_anthropic_translated_stream_without_include_usage():
    mk = marker()
    r = call("/anthropic/v1/chat/completions", client_body(mk, ANTH_MODEL, stream=True), mk,
             key="sk-ant-client-3")
    eq(r.status, 200, "status (%r)" % r.body[:200])
    s = ChatStream(r.body)
    eq(s.text, ANTH_TEXT, "streamed text")
    eq(s.tools, {}, "tool calls")
    eq(s.finish, ["stop"], "finish_reason(s)")
    s.check_usage(False)
    check_anth_upstream(upstream(mk), mk, "sk-ant-client-3", stream=True)
    check_trace(mk, "anthropic", ANTH_MODEL, 25, 12, cost=25 * 3e-6 + 12 * 1.5e-5)


def _anth_error(stream):
    mk = marker()
    r = call("/anthropic/v1/chat/completions", client_body(mk, ANTH_MODEL, stream=stream), mk,
             key="sk-ant-client-4", headers={"X-Fake-Status": "429"})
    eq(r.status, 429, "client status (%r)" % r.body[:300])
    check((r.header("Content-Type") or "").startswith("application/json"),
          "content-type %r", r.header("Content-Type"))
    e = r.json().get("error")
    check(isinstance(e, dict), "no OpenAI error object: %r", r.body[:300])
    eq(e.get("message"), fn.error_message("anthropic", 429), "error.message")
    eq(e.get("type"), "rate_limit_error", "error.type")
    check("code" in e, "error.code missing: %r", e)
    eq(r.header("retry-after"), "7", "retry-after passed back")
    row = inst().find_trace(mk)
    eq(row.get("provider"), "anthropic", "trace provider")
    eq(row.get("status"), 429, "trace status")
    check(fn.error_message("anthropic", 429) in (row.get("error") or ""),
          "trace error %r lacks the upstream's message", row.get("error"))


def test_providers_anthropic_upstream_429_becomes_openai_error():
    _anth_error(False)


def test_providers_anthropic_upstream_429_on_stream_request():
    _anth_error(True)


# ------------------------------------------------------------------ Gemini (translated)

def gem_expected_body(mk, tools=False):
    b = {"contents": [{"role": "user", "parts": [{"text": "say hi " + mk}]}],
         "systemInstruction": {"parts": [{"text": "Be brief."}]},
         "generationConfig": {"maxOutputTokens": 100, "temperature": 0.5}}
    if tools:
        p = dict(PARAMS)
        del p["additionalProperties"]
        b["tools"] = [{"functionDeclarations": [{"name": "get_weather", "description": "Weather for a city",
                                                 "parameters": p}]}]
    return b


def check_gem_upstream(rec, mk, model, key, stream=False, tools=False):
    eq(rec.method, "POST", "upstream method")
    eq(rec.path, "/v1beta/models/%s:%s" % (model, "streamGenerateContent?alt=sse" if stream
                                           else "generateContent"), "upstream path")
    one_header(rec, "x-goog-api-key", key)
    no_header(rec, "Authorization", "x-api-key")
    check("key=" not in rec.path, "key in the upstream URL %r", rec.path)
    eq(rec.json(), gem_expected_body(mk, tools), "upstream (generateContent) body")


def test_providers_gemini_translated_nonstream():
    mk = marker()
    h = ctrl(input_tokens=2000, cache_read_tokens=500, output_tokens=300)
    r = call("/gemini/v1/chat/completions", client_body(mk, "gemini-2.0-flash"), mk,
             key="AIzaCLIENTgem1", headers=h)
    d = check_chat_json(r, "".join(fn.GEM_TEXT), "stop", 2000, 300, cached=500)
    eq(d.get("model"), "gemini-2.0-flash", "model")
    check_gem_upstream(upstream(mk), mk, "gemini-2.0-flash", "AIzaCLIENTgem1")
    # 1500 x $0.10/M + 500 x $0.025/M + 300 x $0.40/M
    check_trace(mk, "gemini", "gemini-2.0-flash", 2000, 300, cached=500,
                cost=1500 * 1e-7 + 500 * 2.5e-8 + 300 * 4e-7)


def test_providers_gemini_translated_nonstream_tools_thoughts():
    mk = marker()
    h = ctrl(input_tokens=1200, cache_read_tokens=1000, output_tokens=100, thoughts_tokens=400)
    r = call("/gemini/v1/chat/completions", client_body(mk, "gemini-2.5-flash", tools=True), mk,
             headers=h)
    check_chat_json(r, "".join(fn.GEM_TEXT), "tool_calls", 1200, 500,
                    tools=[("call_0", "function", "get_weather", fn.TOOL_INPUT)], cached=1000)
    check_gem_upstream(upstream(mk), mk, "gemini-2.5-flash", ENV_KEYS["GEMINI_API_KEY"], tools=True)
    # completion = 100 candidates + 400 thoughts; 200 x $0.30/M + 1000 x $0.03/M + 500 x $2.50/M
    check_trace(mk, "gemini", "gemini-2.5-flash", 1200, 500, cached=1000, reasoning=400,
                cost=200 * 3e-7 + 1000 * 3e-8 + 500 * 2.5e-6)


def test_providers_gemini_translated_stream_tools_and_usage():
    mk = marker()
    h = ctrl(input_tokens=1200, cache_read_tokens=1000, output_tokens=100, thoughts_tokens=400)
    r = call("/gemini/v1/chat/completions",
             client_body(mk, "gemini-2.5-flash", stream=True, include_usage=True, tools=True), mk,
             key="AIzaCLIENTgem2", headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:200])
    s = ChatStream(r.body)
    eq(s.text, "".join(fn.GEM_TEXT), "streamed text")
    eq(len(s.tools), 1, "tool calls %r" % s.tools)
    eq((s.tools[0]["id"], s.tools[0]["name"]), ("call_0", "get_weather"), "tool call id/name")
    eq(json.loads(s.tools[0]["args"]), fn.TOOL_INPUT, "tool arguments")
    eq(s.finish, ["tool_calls"], "finish_reason(s)")
    s.check_usage(True, 1200, 500, cached=1000)
    check_gem_upstream(upstream(mk), mk, "gemini-2.5-flash", "AIzaCLIENTgem2", stream=True, tools=True)
    check_trace(mk, "gemini", "gemini-2.5-flash", 1200, 500, cached=1000, reasoning=400,
                cost=200 * 3e-7 + 1000 * 3e-8 + 500 * 2.5e-6)


def test_providers_gemini_translated_stream_without_include_usage():
    mk = marker()
    r = call("/gemini/v1/chat/completions", client_body(mk, "gemini-2.0-flash", stream=True), mk)
    eq(r.status, 200, "status (%r)" % r.body[:200])
    s = ChatStream(r.body)
    eq(s.text, "".join(fn.GEM_TEXT), "streamed text")
    eq(s.finish, ["stop"], "finish_reason(s)")
    s.check_usage(False)
    check_gem_upstream(upstream(mk), mk, "gemini-2.0-flash", ENV_KEYS["GEMINI_API_KEY"], stream=True)
    check_trace(mk, "gemini", "gemini-2.0-flash", 40, 10, cost=40 * 1e-7 + 10 * 4e-7)


def test_providers_gemini_upstream_error_becomes_openai_error():
    mk = marker()
    r = call("/gemini/v1/chat/completions", client_body(mk, "gemini-2.0-flash"), mk,
             headers={"X-Fake-Status": "429"})
    eq(r.status, 429, "client status (%r)" % r.body[:300])
    e = r.json().get("error")
    check(isinstance(e, dict), "no OpenAI error object: %r", r.body[:300])
    eq(e.get("message"), fn.error_message("gemini", 429), "error.message")
    row = inst().find_trace(mk)
    eq((row.get("provider"), row.get("status")), ("gemini", 429), "trace provider, status")
    check(fn.error_message("gemini", 429) in (row.get("error") or ""), "trace error %r", row.get("error"))


# ------------------------------------------------------------------ Cohere (translated)

def coh_expected_body(mk, stream=False, tools=False):
    b = {"model": "command-r",
         "messages": [{"role": "system", "content": "Be brief."},
                      {"role": "user", "content": "say hi " + mk}],
         "max_tokens": 100, "temperature": 0.5}
    if tools:
        b["tools"] = TOOLS
    if stream:
        b["stream"] = True
    return b


def check_coh_upstream(rec, mk, key, stream=False, tools=False):
    eq(rec.method, "POST", "upstream method")
    eq(rec.path, "/v2/chat", "upstream path")
    one_header(rec, "Authorization", "Bearer " + key)
    no_header(rec, "x-api-key")
    eq(rec.json(), coh_expected_body(mk, stream, tools), "upstream (v2 chat) body")


# command-r: $0.15 / $0.60 per Mtok; prompt = tokens.input_tokens (not billed_units)
COH_COST = 100 * 1.5e-7 + 50 * 6e-7


def test_providers_cohere_translated_nonstream():
    mk = marker()
    r = call("/cohere/v1/chat/completions", client_body(mk, "command-r"), mk, key="co-client-1")
    d = check_chat_json(r, "".join(fn.COH_TEXT), "stop", 100, 50)
    eq(d.get("model"), "command-r", "model")
    check_coh_upstream(upstream(mk), mk, "co-client-1")
    check_trace(mk, "cohere", "command-r", 100, 50, cost=COH_COST)


def test_providers_cohere_translated_nonstream_tool_calls():
    mk = marker()
    r = call("/cohere/v1/chat/completions", client_body(mk, "command-r", tools=True), mk)
    check_chat_json(r, fn.COH_PLAN, "tool_calls", 100, 50,
                    tools=[(fn.COH_TOOL_ID, "function", "get_weather", fn.TOOL_INPUT)])
    check_coh_upstream(upstream(mk), mk, ENV_KEYS["COHERE_API_KEY"], tools=True)
    check_trace(mk, "cohere", "command-r", 100, 50, cost=COH_COST)


def test_providers_cohere_translated_stream_and_usage():
    mk = marker()
    r = call("/cohere/v1/chat/completions",
             client_body(mk, "command-r", stream=True, include_usage=True), mk, key="co-client-2")
    eq(r.status, 200, "status (%r)" % r.body[:200])
    s = ChatStream(r.body)
    eq(s.text, "".join(fn.COH_TEXT), "streamed text")
    eq(s.finish, ["stop"], "finish_reason(s)")
    s.check_usage(True, 100, 50)
    check_coh_upstream(upstream(mk), mk, "co-client-2", stream=True)
    check_trace(mk, "cohere", "command-r", 100, 50, cost=COH_COST)


def test_providers_cohere_translated_stream_tool_calls():
    mk = marker()
    r = call("/cohere/v1/chat/completions", client_body(mk, "command-r", stream=True, tools=True), mk)
    eq(r.status, 200, "status (%r)" % r.body[:200])
    s = ChatStream(r.body)
    eq(s.tools, {0: {"id": fn.COH_TOOL_ID, "name": "get_weather", "args": "".join(fn.COH_TOOL_ARGS)}},
       "streamed tool calls")
    eq(s.finish, ["tool_calls"], "finish_reason(s)")
    s.check_usage(False)
    check_coh_upstream(upstream(mk), mk, ENV_KEYS["COHERE_API_KEY"], stream=True, tools=True)
    check_trace(mk, "cohere", "command-r", 100, 50, cost=COH_COST)


# ------------------------------------------------------------------ OpenAI-compatible routes

# name: (route path, upstream path, model, auth form, env key, usage injected on streams,
#        fake usage style, model the trace names, expected cost, cost source)
COMPAT = {
    "ollama": ("/ollama/v1/chat/completions", "/v1/chat/completions", "llama3.1", "bearer",
               None, True, "asked", "llama3.1", 0.0, "computed"),
    "groq": ("/groq/v1/chat/completions", "/openai/v1/chat/completions", "llama-3.1-8b-instant",
             "bearer", ENV_KEYS["GROQ_API_KEY"], True, "asked", "llama-3.1-8b-instant",
             1000 * 5e-8 + 500 * 8e-8, "computed"),
    "mistral": ("/mistral/v1/chat/completions", "/v1/chat/completions", "mistral-small-latest",
                "bearer", ENV_KEYS["MISTRAL_API_KEY"], False, "final", "mistral-small-latest",
                1000 * 6e-8 + 500 * 1.8e-7, "computed"),
    "together": ("/together/v1/chat/completions", "/v1/chat/completions",
                 "meta-llama/Llama-3.3-70B-Instruct-Turbo", "bearer", ENV_KEYS["TOGETHER_API_KEY"],
                 True, "asked", "meta-llama/Llama-3.3-70B-Instruct-Turbo", 1500 * 8.8e-7, "computed"),
    "openrouter": ("/openrouter/v1/chat/completions", "/api/v1/chat/completions",
                   "openai/gpt-4o-mini", "bearer", ENV_KEYS["OPENROUTER_API_KEY"], True, "asked",
                   "openai/gpt-4o-mini", fn.OPENROUTER_COST, "reported"),
    "perplexity": ("/perplexity/v1/chat/completions", "/chat/completions", "sonar", "bearer",
                   ENV_KEYS["PERPLEXITY_API_KEY"], False, "every", "sonar", 1500 * 1e-6, "computed"),
    "azure": ("/azure/v1/chat/completions",
              "/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-10-21",
              "gpt-4o-mini", "azure", ENV_KEYS["AZURE_OPENAI_API_KEY"], True, "asked",
              "gpt-4o-mini-2024-07-18", 1000 * 1.65e-7 + 500 * 6.6e-7, "computed"),
}


def check_key(rec, form, key):
    if form == "azure":
        one_header(rec, "api-key", key)
        no_header(rec, "Authorization")
    elif key is None:
        no_header(rec, "Authorization", "api-key")
    else:
        one_header(rec, "Authorization", "Bearer " + key)
        no_header(rec, "api-key")
    no_header(rec, "x-api-key", "x-goog-api-key", "X-LLMFlow-Provider")


def compat_nonstream(name):
    path, up_path, model, form, _envkey, _inj, _style, tmodel, cost, source = COMPAT[name]
    mk = marker()
    body = client_body(mk, model)
    raw = json.dumps(body, indent=1).encode()      # odd formatting: must arrive unchanged
    key = "sk-client-%s-1" % name
    r = call(path, raw, mk, key=key)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    want = fn.render_compat_json(body, fu.Params(), fn.OPENROUTER_COST if name == "openrouter" else None)
    eq(r.body, want, "client body (the upstream's bytes)")
    rec = upstream(mk)
    eq(rec.path, up_path, "upstream path")
    eq(rec.body, raw, "upstream body bytes")
    check_key(rec, form, key)
    check_trace(mk, name, tmodel, 1000, 500, cost=cost, source=source)


def compat_stream(name):
    path, up_path, model, form, envkey, injected, style, tmodel, cost, source = COMPAT[name]
    mk = marker()
    body = client_body(mk, model, stream=True)
    headers = {"X-Fake-Usage-Style": style} if style != "asked" else {}
    r = call(path, body, mk, headers=headers)    # no key: the environment's is added
    eq(r.status, 200, "status (%r)" % r.body[:300])
    check((r.header("Content-Type") or "").startswith("text/event-stream"),
          "content-type %r", r.header("Content-Type"))
    rec = upstream(mk)
    eq(rec.path, up_path, "upstream path")
    check_key(rec, form, envkey)
    if injected:
        eq(rec.json(), dict(body, stream_options={"include_usage": True}),
           "upstream body (stream_options.include_usage added)")
        want = fu.render_chat_stream(body, False, fu.Params())
        eq(r.body, want, "client stream (the usage the proxy asked for taken out again)")
    else:
        eq(rec.body, json.dumps(body).encode(), "upstream body bytes")
        want = b"".join(fn.render_compat_stream_events(body, fu.Params(), style))
        eq(r.body, want, "client stream (the upstream's bytes)")
    check_trace(mk, name, tmodel, 1000, 500, cost=cost, source=source)


def test_providers_ollama_nonstream():
    compat_nonstream("ollama")


def test_providers_ollama_stream():
    compat_stream("ollama")


def test_providers_groq_nonstream():
    compat_nonstream("groq")


def test_providers_groq_stream():
    compat_stream("groq")


def test_providers_mistral_nonstream():
    compat_nonstream("mistral")


def test_providers_mistral_stream():
    compat_stream("mistral")


def test_providers_together_nonstream():
    compat_nonstream("together")


def test_providers_together_stream():
    compat_stream("together")


def test_providers_openrouter_nonstream_reported_cost():
    compat_nonstream("openrouter")


def test_providers_openrouter_stream_reported_cost():
    compat_stream("openrouter")


def test_providers_perplexity_nonstream():
    compat_nonstream("perplexity")


def test_providers_perplexity_stream():
    compat_stream("perplexity")


def test_providers_azure_nonstream():
    compat_nonstream("azure")


def test_providers_azure_stream():
    compat_stream("azure")


def test_providers_azure_deployment_from_env_and_model_without_dots():
    for model, dep in (("gpt-4o", "prod-4o"), ("gpt-4.1-mini", "gpt-41-mini")):
        mk = marker()
        r = call("/azure/v1/chat/completions", client_body(mk, model), mk, key="az-client-2")
        eq(r.status, 200, "status (%r)" % r.body[:300])
        rec = upstream(mk)
        eq(rec.path, "/openai/deployments/%s/chat/completions?api-version=2024-10-21" % dep,
           "upstream path for model %s" % model)
        check_key(rec, "azure", "az-client-2")
        eq(inst().find_trace(mk).get("provider"), "azure", "trace provider")


def test_providers_route_query_string_and_other_paths_kept():
    mk = marker()
    r = call("/groq/v1/chat/completions?trace=%s&x=1" % mk, client_body(mk, "llama-3.1-8b-instant"), mk)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(upstream(mk).path, "/openai/v1/chat/completions?trace=%s&x=1" % mk, "groq upstream path+query")
    mk2 = marker()
    r = call("/openrouter/v1/models?m=" + mk2, None, mk2, method="GET")
    eq(r.status, 200, "status (%r)" % r.body[:300])
    rec = upstream(mk2)
    eq(rec.path, "/api/v1/models?m=" + mk2, "openrouter upstream path for /v1/models")
    one_header(rec, "Authorization", "Bearer " + ENV_KEYS["OPENROUTER_API_KEY"])
    eq(r.body, fu.render_models_json(), "models list passed back")


def test_providers_openai_cached_call_cost_exact():
    mk = marker()
    h = {"X-Fake-Prompt-Tokens": "12345", "X-Fake-Cached-Tokens": "10000",
         "X-Fake-Completion-Tokens": "678", "X-Fake-Reasoning-Tokens": "300"}
    r = call("/v1/chat/completions", client_body(mk, "gpt-4o"), mk, key="sk-client-openai-1", headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    rec = upstream(mk)
    eq(rec.path, "/v1/chat/completions", "upstream path")
    one_header(rec, "Authorization", "Bearer sk-client-openai-1")
    # gpt-4o: $2.50 / $10 per Mtok, cached $1.25, no reasoning price (output's).
    # Cached tokens are part of prompt, reasoning part of completion:
    # 2345 x 2.5e-6 = 0.0058625; 10000 x 1.25e-6 = 0.0125; 678 x 1e-5 = 0.00678
    #   = 0.0251425
    row = check_trace(mk, "openai", "gpt-4o", 12345, 678, cached=10000, reasoning=300)
    check(close(row.get("estimated_cost"), 0.0251425, 1e-12),
          "cost of the cached OpenAI call %r, want 0.0251425", row.get("estimated_cost"))
    eq(row.get("cost_source"), "computed", "cost_source")


# ------------------------------------------------------------------ translated streams are streamed

def dechunk(data):
    out = b""
    while data:
        line, _, data = data.partition(b"\r\n")
        n = int(line.split(b";")[0] or b"0", 16)
        if n == 0:
            break
        out += data[:n]
        data = data[n + 2:]
    return out


def translated_stream_arrives_early(path, model, first_text):
    """The client has the first translated text while the upstream is still
    sending, then the whole stream.  The fake upstream holds back the rest
    of its stream after the event with the first text until the client has
    that text (X-Fake-Hold-After, at most 8 s), so a stall of a loaded
    machine only delays the test; through a proxy that buffers the stream
    the first text comes only after that hold, with the rest, and the test
    fails."""
    mk = marker()
    body = json.dumps(client_body(mk, model, stream=True)).encode()
    lines = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1", "Content-Type: application/json",
             "Content-Length: %d" % len(body), "Connection: close", "X-Test-Id: " + mk,
             "X-Fake-Hold-After: " + first_text]
    s = socket.create_connection(("127.0.0.1", inst().proxy_port), timeout=40)
    try:
        s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        got = b""
        want = ('"content":"%s"' % first_text).encode()
        while want not in got:
            d = s.recv(65536)
            check(d, "connection closed before the first text came: %r", got[-300:])
            got += d
        rec = upstream(mk)
        check(not rec.finished.is_set() and rec.events_sent < rec.events_total,
              "the first text reached the client only after the upstream had sent all %r events "
              "(sent %r): the translated stream is not streamed", rec.events_total, rec.events_sent)
        rec.release.set()
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
    finally:
        held = native().by_header("X-Test-Id", mk)  # never left holding
        if held is not None:
            held.release.set()
        s.close()
    head, _, rest = got.partition(b"\r\n\r\n")
    check(head.startswith(b"HTTP/1.1 200"), "status line %r", head[:100])
    data = dechunk(rest) if b"chunked" in head.lower() else rest
    return ChatStream(data)


def test_providers_anthropic_translated_stream_is_incremental():
    st = translated_stream_arrives_early("/anthropic/v1/chat/completions", ANTH_MODEL, "Hello")
    eq(st.text, ANTH_TEXT, "streamed text")


def test_providers_gemini_translated_stream_is_incremental():
    st = translated_stream_arrives_early("/gemini/v1/chat/completions", "gemini-2.0-flash", "Hello")
    eq(st.text, "".join(fn.GEM_TEXT), "streamed text")


def test_providers_cohere_translated_stream_is_incremental():
    st = translated_stream_arrives_early("/cohere/v1/chat/completions", "command-r", "Hello")
    eq(st.text, "".join(fn.COH_TEXT), "streamed text")


# ------------------------------------------------------------------ X-LLMFlow-Provider

def test_providers_header_override_openai_compatible():
    mk = marker()
    r = call("/v1/chat/completions", client_body(mk, "llama-3.1-8b-instant"), mk,
             headers={"X-LLMFlow-Provider": "groq"})
    eq(r.status, 200, "status (%r)" % r.body[:300])
    rec = upstream(mk)
    eq(rec.path, "/openai/v1/chat/completions", "upstream path (groq's, the path kept whole)")
    check_key(rec, "bearer", ENV_KEYS["GROQ_API_KEY"])
    check_trace(mk, "groq", "llama-3.1-8b-instant", 1000, 500, cost=1000 * 5e-8 + 500 * 8e-8)


def test_providers_header_override_translated_anthropic():
    mk = marker()
    r = call("/v1/chat/completions", client_body(mk, ANTH_MODEL), mk, key="sk-ant-client-5",
             headers={"X-LLMFlow-Provider": "Anthropic"})
    check_chat_json(r, ANTH_TEXT, "stop", 25, 12)
    check_anth_upstream(upstream(mk), mk, "sk-ant-client-5")
    check_trace(mk, "anthropic", ANTH_MODEL, 25, 12, cost=25 * 3e-6 + 12 * 1.5e-5)


# ------------------------------------------------------------------ passthrough

CC_BODY = (b'{"model":"claude-sonnet-4-5-20250929","max_tokens":32000,"stream":true,'
           b'"system":[{"type":"text","text":"You are Claude Code.","cache_control":{"type":"ephemeral"}}],'
           b'"messages":[{"role":"user","content":[{"type":"text","text":"fix the bug MARK \\u00e9 \xc3\xa9",'
           b'"cache_control":{"type":"ephemeral"}}]}],'
           b'"tools":[{"name":"Bash","description":"Run a command","input_schema":{"type":"object",'
           b'"properties":{"command":{"type":"string"}},"required":["command"]}}],'
           b'"metadata":{"user_id":"user_abc"}}')


def test_providers_passthrough_claude_code_stream():
    mk = marker()
    raw = CC_BODY.replace(b"MARK", mk.encode())
    h = {"x-api-key": "sk-ant-client-cc", "anthropic-version": "2023-06-01",
         "anthropic-beta": "claude-code-20250219,interleaved-thinking-2025-05-14",
         "Content-Type": "application/json", "User-Agent": "claude-cli/2.0.0 (external, cli)"}
    h.update(ctrl(input_tokens=3, cache_read_tokens=15000, cache_creation_tokens=1200,
                  output_tokens=250, delta_usage="full"))
    r = call("/passthrough/anthropic/v1/messages?beta=true", raw, mk, headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    p = fn.NParams(h, "anthropic")
    want = b"".join(fn.render_anthropic_stream_events(json.loads(raw.decode()), p))
    eq(r.body, want, "client stream (the upstream's bytes)")
    check((r.header("Content-Type") or "").startswith("text/event-stream"),
          "content-type %r", r.header("Content-Type"))
    rec = upstream(mk)
    eq(rec.path, "/v1/messages?beta=true", "upstream path+query")
    eq(rec.body, raw, "upstream body bytes")
    one_header(rec, "x-api-key", "sk-ant-client-cc")
    one_header(rec, "anthropic-version", "2023-06-01")
    one_header(rec, "anthropic-beta", "claude-code-20250219,interleaved-thinking-2025-05-14")
    no_header(rec, "Authorization")
    # input = 3 + 15000 cache read + 1200 cache write = 16203
    # 3 x 3e-6 + 15000 x 3e-7 + 1200 x 3.75e-6 + 250 x 1.5e-5 = 0.000009 + 0.0045 + 0.0045 + 0.00375
    check_trace(mk, "anthropic", "claude-sonnet-4-5-20250929", 16203, 250, cached=15000,
                cache_creation=1200, cost=0.012759)


def test_providers_passthrough_anthropic_json_and_env_key():
    mk = marker()
    body = {"model": ANTH_MODEL, "max_tokens": 50,
            "messages": [{"role": "user", "content": "hi " + mk}]}
    raw = json.dumps(body, separators=(", ", ": ")).encode()
    h = ctrl(input_tokens=10, cache_read_tokens=20, cache_creation_tokens=30, output_tokens=40)
    r = call("/passthrough/anthropic/v1/messages", raw, mk, headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(r.body, fn.render_anthropic_json(body, fn.NParams(h, "anthropic")), "client body bytes")
    rec = upstream(mk)
    eq(rec.path, "/v1/messages", "upstream path")
    eq(rec.body, raw, "upstream body bytes")
    one_header(rec, "x-api-key", ENV_KEYS["ANTHROPIC_API_KEY"])
    one_header(rec, "anthropic-version", "2023-06-01")
    no_header(rec, "Authorization")
    check_trace(mk, "anthropic", ANTH_MODEL, 60, 40, cached=20, cache_creation=30,
                cost=10 * 3e-6 + 20 * 3e-7 + 30 * 3.75e-6 + 40 * 1.5e-5)


def test_providers_passthrough_anthropic_get_query_kept():
    mk = marker()
    r = call("/passthrough/anthropic/v1/models?limit=5&m=" + mk, None, mk, method="GET",
             headers={"x-api-key": "sk-ant-client-6", "anthropic-version": "2023-06-01"})
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(r.body, fn.render_anthropic_models(), "client body bytes")
    rec = upstream(mk)
    eq(rec.path, "/v1/models?limit=5&m=" + mk, "upstream path+query")
    one_header(rec, "x-api-key", "sk-ant-client-6")
    one_header(rec, "anthropic-version", "2023-06-01")


GEM_NATIVE = (b'{"contents": [{"role": "user", "parts": [{"text": "hello MARK"}]}],\n'
              b' "generationConfig": {"thinkingConfig": {"thinkingBudget": 1024}}}')


def test_providers_passthrough_gemini_sse_key_in_query():
    mk = marker()
    raw = GEM_NATIVE.replace(b"MARK", mk.encode())
    qkey = "AIzaCLIENTquery7"
    path = "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=" + qkey
    h = ctrl(input_tokens=1200, cache_read_tokens=1000, output_tokens=100, thoughts_tokens=400)
    r = call("/passthrough/gemini" + path, raw, mk, headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    want = b"".join(fn.render_gemini_sse_events("gemini-2.5-flash", json.loads(raw.decode()),
                                                fn.NParams(h, "gemini")))
    eq(r.body, want, "client stream (the upstream's bytes)")
    rec = upstream(mk)
    eq(rec.path, path, "upstream path+query")
    eq(rec.body, raw, "upstream body bytes")
    no_header(rec, "x-goog-api-key", "Authorization")   # the client's key= counts as its key
    row = check_trace(mk, "gemini", "gemini-2.5-flash", 1200, 500, cached=1000, reasoning=400,
                      cost=200 * 3e-7 + 1000 * 3e-8 + 500 * 2.5e-6)
    check(qkey not in json.dumps(inst().detail(row["id"])), "the query key is in the stored trace")
    check(qkey.encode() not in inst().db_bytes(), "the query key is in the database")


def test_providers_passthrough_gemini_json_array_stream():
    mk = marker()
    raw = GEM_NATIVE.replace(b"MARK", mk.encode())
    path = "/v1beta/models/gemini-2.0-flash:streamGenerateContent"
    h = ctrl(input_tokens=2000, cache_read_tokens=500, output_tokens=300)
    h["x-goog-api-key"] = "AIzaCLIENTheader8"
    r = call("/passthrough/gemini" + path, raw, mk, headers=h)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    want = fn.render_gemini_array("gemini-2.0-flash", json.loads(raw.decode()), fn.NParams(h, "gemini"))
    eq(r.body, want, "client body (the upstream's JSON array, byte for byte)")
    rec = upstream(mk)
    eq(rec.path, path, "upstream path")
    eq(rec.body, raw, "upstream body bytes")
    one_header(rec, "x-goog-api-key", "AIzaCLIENTheader8")
    check_trace(mk, "gemini", "gemini-2.0-flash", 2000, 300, cached=500,
                cost=1500 * 1e-7 + 500 * 2.5e-8 + 300 * 4e-7)


def test_providers_passthrough_gemini_generate_content_env_key():
    mk = marker()
    raw = GEM_NATIVE.replace(b"MARK", mk.encode())
    path = "/v1beta/models/gemini-2.0-flash:generateContent"
    r = call("/passthrough/gemini" + path, raw, mk)
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(r.body, fn.render_gemini_json("gemini-2.0-flash", json.loads(raw.decode()),
                                     fn.NParams({}, "gemini")), "client body bytes")
    rec = upstream(mk)
    eq(rec.path, path, "upstream path")
    eq(rec.body, raw, "upstream body bytes")
    one_header(rec, "x-goog-api-key", ENV_KEYS["GEMINI_API_KEY"])
    check_trace(mk, "gemini", "gemini-2.0-flash", 40, 10, cost=40 * 1e-7 + 10 * 4e-7)


def test_providers_passthrough_openai_byte_exact():
    mk = marker()
    body = client_body(mk, "gpt-4o-mini")
    raw = json.dumps(body, indent=2, ensure_ascii=False).encode()
    r = call("/passthrough/openai/v1/chat/completions?x=1", raw, mk, key="sk-client-openai-2")
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(r.body, fu.render_chat_json(body), "client body bytes")
    rec = upstream(mk)
    eq(rec.path, "/v1/chat/completions?x=1", "upstream path+query")
    eq(rec.body, raw, "upstream body bytes")
    one_header(rec, "Authorization", "Bearer sk-client-openai-2")
    check_trace(mk, "openai", "gpt-4o-mini-2024-07-18", 1000, 500, cost=1000 * 1.5e-7 + 500 * 6e-7)
    # A stream: nothing added to the request, nothing taken out of the answer.
    mk = marker()
    body = client_body(mk, "gpt-4o-mini", stream=True)
    raw = json.dumps(body).encode()
    r = call("/passthrough/openai/v1/chat/completions", raw, mk, key="sk-client-openai-2")
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(upstream(mk).body, raw, "upstream stream request body bytes")
    eq(r.body, fu.render_chat_stream(body, False), "client stream bytes")


def test_providers_passthrough_helicone_auth_added():
    mk = marker()
    body = client_body(mk, "gpt-4o-mini")
    raw = json.dumps(body, indent=1).encode()
    r = call("/passthrough/helicone/v1/chat/completions", raw, mk, key="sk-client-helicone-1")
    eq(r.status, 200, "status (%r)" % r.body[:300])
    eq(r.body, fu.render_chat_json(body), "client body bytes")
    rec = upstream(mk)
    eq(rec.path, "/v1/chat/completions", "upstream path")
    eq(rec.body, raw, "upstream body bytes")
    one_header(rec, "Authorization", "Bearer sk-client-helicone-1")
    one_header(rec, "Helicone-Auth", "Bearer " + ENV_KEYS["HELICONE_API_KEY"])
    check_trace(mk, "helicone", "gpt-4o-mini-2024-07-18", 1000, 500, cost=1000 * 1.5e-7 + 500 * 6e-7)
    # The client's own Helicone-Auth wins; none is added beside it.
    mk = marker()
    r = call("/passthrough/helicone/v1/chat/completions", client_body(mk, "gpt-4o-mini"), mk,
             key="sk-client-helicone-1", headers={"Helicone-Auth": "Bearer sk-helicone-client-2"})
    eq(r.status, 200, "status (%r)" % r.body[:300])
    one_header(upstream(mk), "Helicone-Auth", "Bearer sk-helicone-client-2")


# ------------------------------------------------------------------ keys

def test_providers_keys_never_stored():
    i = inst()
    calls = [
        ("/anthropic/v1/chat/completions", client_body("", ANTH_MODEL), "sk-ant-client-secret-a1"),
        ("/gemini/v1/chat/completions", client_body("", "gemini-2.0-flash"), "AIzaCLIENTsecretG2"),
        ("/azure/v1/chat/completions", client_body("", "gpt-4o-mini"), "az-client-secret-3"),
        ("/cohere/v1/chat/completions", client_body("", "command-r"), None),
        ("/groq/v1/chat/completions", client_body("", "llama-3.1-8b-instant"), None),
    ]
    mks = []
    for path, body, key in calls:
        mk = marker()
        body["messages"][1]["content"] += mk
        r = call(path, body, mk, key=key)
        eq(r.status, 200, "%s status (%r)" % (path, r.body[:200]))
        mks.append(mk)
    mk = marker()
    r = call("/passthrough/helicone/v1/chat/completions", client_body(mk, "gpt-4o-mini"), mk,
             key="sk-client-secret-h4")
    eq(r.status, 200, "helicone status")
    mks.append(mk)
    for mk in mks:
        row = i.find_trace(mk)
        d = json.dumps(i.detail(row["id"]))
        check("sk-client-secret" not in d and "CLIENTsecret" not in d and "client-secret" not in d,
              "a client key is in the stored trace of %s", row.get("request_path"))
    data = i.db_bytes()
    secrets = [v for v in ENV_KEYS.values() if v] + [
        "sk-ant-client-secret-a1", "AIzaCLIENTsecretG2", "az-client-secret-3", "sk-client-secret-h4"]
    for s in secrets:
        check(s.encode() not in data, "key %s is in the database", s)


# ------------------------------------------------------------------ information endpoints

def test_providers_proxy_health():
    i = inst()
    r = i.proxy("GET", "/health")
    eq(r.status, 200, "status")
    d = r.json()
    eq(d.get("status"), "ok", "status")
    eq(d.get("service"), "proxy", "service")
    eq(d.get("port"), i.proxy_port, "port")
    check(isinstance(d.get("traces"), int), "traces %r", d.get("traces"))
    check(isinstance(d.get("uptime"), (int, float)), "uptime %r", d.get("uptime"))
    eq(sorted(d.get("providers") or []), sorted(PROVIDERS), "providers")


def test_providers_proxy_providers_list():
    r = inst().proxy("GET", "/providers")
    eq(r.status, 200, "status")
    d = r.json()
    provs = d.get("providers")
    check(isinstance(provs, list), "providers %r", provs)
    by = {p.get("name"): p for p in provs}
    eq(sorted(by), sorted(PROVIDERS), "provider names")
    for name, p in by.items():
        for k in ("name", "displayName", "prefix", "default"):
            check(k in p, "%s lacks %s: %r", name, k, p)
        eq(p["default"], name == "openai", "%s default" % name)
        want = "/v1/*" if name == "openai" else "/%s/v1/*" % name
        eq(p["prefix"], want, "%s prefix" % name)
    eq(by["anthropic"]["displayName"], "Anthropic Claude", "anthropic displayName")
    pt = {p.get("name"): p for p in d.get("passthrough") or []}
    eq(sorted(pt), sorted(["anthropic-passthrough", "gemini-passthrough", "openai-passthrough",
                           "helicone-passthrough"]), "passthrough entries")
    for name, p in pt.items():
        eq(p.get("prefix"), "/passthrough/%s/*" % name.split("-")[0], "%s prefix" % name)
        check(p.get("displayName"), "%s displayName %r", name, p.get("displayName"))


def test_providers_api_health_providers_all_ok():
    i = inst()
    d = i.api_json("/api/health/providers")
    provs = d.get("providers") or {}
    eq(sorted(provs), sorted(PROVIDERS), "providers checked")
    bad = []
    for name in PROVIDERS:
        p = provs[name]
        if p.get("status") != "ok" or not isinstance(p.get("latency_ms"), int) or p["latency_ms"] < 0:
            bad.append("%s: %r" % (name, p))
    if d.get("summary") != "11/11 providers healthy":
        bad.append("summary %r, want '11/11 providers healthy'" % d.get("summary"))
    check(not bad, "; ".join(bad))


def test_providers_api_health_providers_ok_error_unconfigured():
    i = health_inst()
    d = i.api_json("/api/health/providers")
    provs = d.get("providers") or {}
    eq(sorted(provs), sorted(PROVIDERS), "providers listed")
    bad = []
    for name in PROVIDERS:
        p = provs[name]
        if name == "mistral":
            if p.get("status") != "error" or "401" not in (p.get("message") or ""):
                bad.append("mistral (its key answered 401): %r, want status error, message HTTP 401" % p)
        elif name == "together":
            if p.get("status") != "unconfigured" or "TOGETHER_API_KEY" not in (p.get("message") or ""):
                bad.append("together (no key): %r, want unconfigured naming TOGETHER_API_KEY" % p)
        elif p.get("status") != "ok" or not isinstance(p.get("latency_ms"), int):
            bad.append("%s: %r, want ok" % (name, p))
    if d.get("summary") != "9/10 providers healthy":
        bad.append("summary %r, want '9/10 providers healthy'" % d.get("summary"))
    # Each check went to the provider's own endpoint with its key in its own form.
    f = native()
    want = [
        ("GET", "/v1/models", "x-api-key", HEALTH_KEYS["ANTHROPIC_API_KEY"]),
        ("GET", "/v1beta/models?pageSize=1", "x-goog-api-key", HEALTH_KEYS["GOOGLE_API_KEY"]),
        ("GET", "/v1/models?page_size=1", "Authorization", "Bearer " + HEALTH_KEYS["COHERE_API_KEY"]),
        ("GET", "/openai/v1/models", "Authorization", "Bearer " + HEALTH_KEYS["GROQ_API_KEY"]),
        ("GET", "/v1/models", "Authorization", "Bearer " + HEALTH_KEYS["MISTRAL_API_KEY"]),
        ("GET", "/api/v1/key", "Authorization", "Bearer " + HEALTH_KEYS["OPENROUTER_API_KEY"]),
        ("POST", "/chat/completions", "Authorization", "Bearer " + HEALTH_KEYS["PERPLEXITY_API_KEY"]),
        ("GET", "/openai/models?api-version=2024-10-21", "api-key", HEALTH_KEYS["AZURE_OPENAI_API_KEY"]),
        ("GET", "/v1/models", "Authorization", "Bearer " + HEALTH_KEYS["OPENAI_API_KEY"]),
    ]
    for method, path, hname, hval in want:
        rec = f.wait_for(lambda r, m=method, p=path, n=hname, v=hval:
                         r.method == m and r.path == p and r.header(n) == v, timeout=1)
        if rec is None:
            bad.append("no %s %s with %s: %s reached the upstream" % (method, path, hname, hval))
    anth = f.wait_for(lambda r: r.header("x-api-key") == HEALTH_KEYS["ANTHROPIC_API_KEY"], timeout=1)
    if anth is not None and anth.header("anthropic-version") != "2023-06-01":
        bad.append("the anthropic check (GET /v1/models) came without anthropic-version: 2023-06-01 "
                   "(headers %r)" % [k for k, _ in anth.headers])
    check(not bad, "; ".join(bad))
