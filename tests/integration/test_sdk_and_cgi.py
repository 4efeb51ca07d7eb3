"""The official OpenAI SDK through LLMFlow, and the programs as plain CGI."""

import json
import os
import random
import shutil
import sqlite3
import subprocess
import tempfile

import fake_upstream as fu
from harness import BIN, PRICES, REPO, Instance, queue_spans, TestFailure, check, eq, fake, marker

SDK_DIR = os.path.join(REPO, "tests", "sdk")
_inst = None


def _instance():
    global _inst
    if _inst is None:
        _inst = Instance("sdk")
    return _inst


def test_official_openai_sdk_calls_are_recorded():
    node = shutil.which("node") or shutil.which("nodejs")
    check(node is not None, "node is not installed (make deps-test installs it)")
    check(os.path.isdir(os.path.join(SDK_DIR, "node_modules", "openai")),
          "the OpenAI SDK is not installed in tests/sdk (make deps-test runs npm ci)")
    inst = _instance()
    mk = marker()
    env = dict(os.environ, LLMFLOW_PROXY_URL="http://127.0.0.1:%d" % inst.proxy_port, MARKER=mk)
    p = subprocess.run([node, "openai-sdk.mjs"], cwd=SDK_DIR, env=env, capture_output=True, timeout=60)
    if p.returncode != 0:
        raise TestFailure("SDK script failed (%d): %s" % (p.returncode, p.stderr.decode(errors="replace")[-800:]))
    out = json.loads(p.stdout.decode().strip().splitlines()[-1])
    eq(out["nonstream"]["content"], fu.full_content(fu.Params().chunks), "non-stream content seen by the SDK")
    eq(out["nonstream"]["usage"]["total_tokens"], 1500, "non-stream usage seen by the SDK")
    eq(out["stream"]["text"], fu.full_content(fu.Params().chunks), "streamed text seen by the SDK")
    eq(out["stream"]["usageSeen"], False, "SDK saw a usage chunk it did not ask for")
    eq(out["stream"]["finish"], "stop", "stream finish_reason")
    eq(out["embeddings"]["n"], 1, "embeddings returned")
    eq(out["error"]["status"], 429, "SDK saw the upstream's 429")

    ns = inst.find_trace(mk + "-ns")
    eq((ns["prompt_tokens"], ns["completion_tokens"]), (1000, 500), "non-stream trace tokens")
    st = inst.find_trace(mk + "-st")
    eq((st["prompt_tokens"], st["completion_tokens"], st["total_tokens"]), (1000, 500, 1500),
       "stream trace has exact tokens")
    check(isinstance(st["ttft_ms"], int), "stream trace ttft_ms %r", st["ttft_ms"])
    em = inst.find_trace(mk + "-em")
    check(em["prompt_tokens"] is not None and em["prompt_tokens"] > 0, "embeddings tokens %r", em["prompt_tokens"])
    er = inst.find_trace(mk + "-er")
    eq(er["status"], 429, "error trace status")
    check(er["error"], "error trace has no error text")
    d = inst.detail(st["id"])
    eq(d["request"]["headers"].get("authorization"), "[redacted]", "stored authorization")


def _cgi(prog, env, body=b""):
    p = subprocess.run([os.path.join(BIN, prog)], input=body, env=env, capture_output=True, timeout=30)
    head, _, rest = p.stdout.partition(b"\r\n\r\n")
    status = None
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"status:"):
            status = int(line.split()[1])
    return p.returncode, status, rest, p.stderr


def test_programs_serve_one_request_as_plain_cgi():
    tmp = tempfile.mkdtemp(prefix="llmflow-cgi-")
    mk = marker()
    body = json.dumps({"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "cgi " + mk}]}).encode()
    base = {"PATH": "/usr/bin:/bin", "DATA_DIR": tmp, "LLMFLOW_PRICES": PRICES,
            "GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1"}
    env = dict(base, REQUEST_METHOD="POST", REQUEST_URI="/v1/chat/completions",
               CONTENT_TYPE="application/json", CONTENT_LENGTH=str(len(body)),
               HTTP_AUTHORIZATION="Bearer sk-cgi-secret", HTTP_X_TEST_ID=mk,
               LLMFLOW_UPSTREAM_OPENAI=fake().origin)
    env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
    rc, status, out, err = _cgi("llmflow-proxy", env, body)
    eq(rc, 0, "proxy CGI exit status (stderr %r)" % err[-300:])
    eq(status, 200, "proxy CGI status")
    eq(json.loads(out)["usage"]["total_tokens"], 1500, "proxy CGI body usage")
    rec = fake().by_header("X-Test-Id", mk)
    check(rec is not None and rec.body == body, "upstream did not get the CGI body unchanged")

    env = dict(base, REQUEST_METHOD="GET", REQUEST_URI="/api/traces?q=" + mk)
    env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
    rc, status, out, err = _cgi("llmflow-api", env)
    eq(rc, 0, "api CGI exit status (stderr %r)" % err[-300:])
    eq(status, 200, "api CGI status")
    rows = json.loads(out)
    eq(len(rows), 1, "traces found through the CGI API")
    eq(rows[0]["total_tokens"], 1500, "CGI trace tokens")
    with open(os.path.join(tmp, "data.db"), "rb") as f:
        check(b"sk-cgi-secret" not in f.read(), "the key reached the database")

    # OTLP ingest as CGI: no mover outlives the request, so spans are
    # stored at once, and spans a FastCGI run left queued are moved too.
    qdb = sqlite3.connect(os.path.join(tmp, "data.db-queue"))
    queue_spans(qdb, [{"id": "00000000000000aa", "trace_id": "000000000000000000000000000000aa",
                       "timestamp": 1, "span_name": "left queued"}])
    qdb.commit()
    db = sqlite3.connect(os.path.join(tmp, "data.db"))
    tid, sid = "%032x" % random.getrandbits(128), "%016x" % random.getrandbits(64)
    body = json.dumps({"resourceSpans": [{"resource": {"attributes": [
        {"key": "service.name", "value": {"stringValue": "cgi-svc"}}]},
        "scopeSpans": [{"spans": [{"traceId": tid, "spanId": sid, "name": "cgi span " + mk,
                                   "startTimeUnixNano": "1700000000000000000",
                                   "endTimeUnixNano": "1700000000500000000"}]}]}]}).encode()
    env = dict(base, REQUEST_METHOD="POST", REQUEST_URI="/v1/traces", CONTENT_TYPE="application/json",
               CONTENT_LENGTH=str(len(body)))
    env.update({k: v for k, v in os.environ.items() if k.endswith("SAN_OPTIONS")})
    rc, status, out, err = _cgi("llmflow-otlp", env, body)
    eq(rc, 0, "otlp CGI exit status (stderr %r)" % err[-300:])
    eq(status, 200, "otlp CGI status")
    eq(json.loads(out), {}, "otlp CGI answer")
    eq(db.execute("SELECT span_name, service_name, duration_ms FROM traces WHERE id = ?", (sid,)).fetchall(),
       [("cgi span " + mk, "cgi-svc", 500)], "span stored by the CGI export")
    eq(db.execute("SELECT span_name FROM traces WHERE id = '00000000000000aa'").fetchall(),
       [("left queued",)], "queued span moved by the CGI export")
    eq(qdb.execute("SELECT count(*) FROM otlp_queue_batch").fetchone(), (0,), "queue empty")
    qdb.close()
    db.close()
    shutil.rmtree(tmp, ignore_errors=True)


def test_installed_tree_starts_from_its_launcher():
    import signal
    import time
    from harness import free_port, request
    dest = tempfile.mkdtemp(prefix="llmflow-install-")
    san = os.environ.get("SANITIZE", "0")
    p = subprocess.run(["make", "-s", "install", "DESTDIR=" + dest, "PREFIX=/opt/lf", "SANITIZE=" + san],
                       cwd=REPO, capture_output=True, timeout=300)
    eq(p.returncode, 0, "make install (stderr %r)" % p.stderr.decode(errors="replace")[-400:])
    launcher = os.path.join(dest, "opt/lf/bin/llmflow")
    check(os.path.islink(launcher), "bin/llmflow is not installed as a link")
    v = subprocess.run([launcher, "--version"], capture_output=True, timeout=10)
    eq(v.returncode, 0, "installed --version exit status")
    pp, dp = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LLMFLOW_")}
    env.update(PROXY_PORT=str(pp), DASHBOARD_PORT=str(dp), DATA_DIR=os.path.join(dest, "data"),
               LLMFLOW_UPSTREAM_OPENAI=fake().origin)
    proc = subprocess.Popen([launcher], env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.time() + 20
        while True:
            try:
                if request(dp, "GET", "/api/health", timeout=2).status == 200:
                    break
            except OSError:
                pass
            check(time.time() < end and proc.poll() is None, "installed LLMFlow did not start")
            time.sleep(0.1)
        page = request(dp, "GET", "/", timeout=5)
        eq(page.status, 200, "installed dashboard page")
        mk = marker()
        body = {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": mk}]}
        r = request(pp, "POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
        eq(r.status, 200, "call through the installed proxy")
        end = time.time() + 5
        while True:
            rows = json.loads(request(dp, "GET", "/api/traces?q=" + mk).body)
            if rows:
                break
            check(time.time() < end, "no trace from the installed proxy")
            time.sleep(0.1)
        eq(rows[0]["cost_source"], "computed", "installed price list was found")
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(dest, ignore_errors=True)
    eq(proc.returncode, 0, "installed LLMFlow exit status after Ctrl-C")
