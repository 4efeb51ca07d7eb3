"""Harness for the integration tests: start the fake upstream and real
LLMFlow instances (./llmflow under lighttpd), talk HTTP to them, find the
traces they record, and stop them cleanly.

Environment:
  BIN            directory with llmflow-proxy and llmflow-api (default cgi-bin;
                 build/san/cgi-bin for a sanitizer build), relative to the repo
  ASAN_LOG_DIR   when set, sanitizer reports go there and any report fails the run
  LLMFLOW_TEST_KEEP=1  keep the temporary directories
"""

import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import fake_upstream  # noqa: E402

BIN = os.path.join(REPO, os.environ.get("BIN") or "cgi-bin")
PRICES = os.path.join(REPO, "data", "prices.json")
ENV_KEY = "sk-env-KEYfromENV0123456789abcdef"
# How long a trace may take to appear after the client has its response.
TRACE_WAIT = float(os.environ.get("LLMFLOW_TEST_TRACE_WAIT", "4"))
PROGRAMS = ("llmflow-proxy", "llmflow-api")


class TestFailure(AssertionError):
    pass


def check(cond, msg, *args):
    if not cond:
        raise TestFailure(msg % args if args else msg)


def eq(got, want, what):
    if got != want:
        raise TestFailure("%s: got %r, want %r" % (what, got, want))


def marker():
    return "mk" + uuid.uuid4().hex[:20]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def now_ms():
    return int(time.time() * 1000)


# ------------------------------------------------------------------ HTTP

class Response:
    def __init__(self, status, headers, body, elapsed):
        self.status = status
        self.headers = headers          # list of (name, value)
        self.body = body
        self.elapsed = elapsed

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        try:
            return json.loads(self.body.decode())
        except ValueError:
            raise TestFailure("not JSON (status %d): %r" % (self.status, self.body[:300]))

    def __repr__(self):
        return "<%d %r>" % (self.status, self.body[:200])


def request(port, method, path, body=None, headers=None, timeout=30):
    """One HTTP/1.1 request to 127.0.0.1:port; body may be bytes, str or a
    dict (sent as JSON)."""
    h = {}
    if isinstance(body, (dict, list)):
        body = json.dumps(body).encode()
        h["Content-Type"] = "application/json"
    elif isinstance(body, str):
        body = body.encode()
    h.update(headers or {})
    t0 = time.time()
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        data = r.read()
        return Response(r.status, r.getheaders(), data, time.time() - t0)
    finally:
        c.close()


def get_json(port, path, timeout=15):
    r = request(port, "GET", path, timeout=timeout)
    return r.status, r.json()


def strip_pings(data):
    return data.replace(b": ping\n\n", b"")


def raw_stream_then_close(port, path, body, headers, until, timeout=15):
    """Send a request over a raw socket, read until the (raw, possibly
    chunk-framed) bytes received contain `until`, then close abruptly.
    Returns the bytes received."""
    body = json.dumps(body).encode() if isinstance(body, dict) else body
    lines = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % port,
             "Content-Type: application/json", "Content-Length: %d" % len(body)]
    lines += ["%s: %s" % kv for kv in headers.items()]
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    got = b""
    end = time.time() + timeout
    while until not in got and time.time() < end:
        d = s.recv(65536)
        if not d:
            break
        got += d
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    s.close()
    return got


def raw_post_early_reply(port, path, body, headers, timeout=20):
    """POST over a raw socket, coping with a server that answers (e.g. 413)
    before or while the body is sent.  Returns (status, body bytes)."""
    import select as _select
    lines = ["POST %s HTTP/1.1" % path, "Host: 127.0.0.1:%d" % port,
             "Content-Length: %d" % len(body), "Connection: close"]
    lines += ["%s: %s" % kv for kv in headers.items()]
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    got = b""
    r, _, _ = _select.select([s], [], [], 1.0)
    if not r:
        try:
            s.sendall(body)
        except OSError:
            pass
    try:
        while True:
            d = s.recv(65536)
            if not d:
                break
            got += d
            if b"\r\n\r\n" in got:
                head, rest = got.split(b"\r\n\r\n", 1)
                m = re.search(rb"(?i)content-length:\s*(\d+)", head)
                if m and len(rest) >= int(m.group(1)):
                    break
    except OSError:
        pass
    s.close()
    if not got.startswith(b"HTTP/1."):
        raise TestFailure("no HTTP response: %r" % got[:200])
    head, _, rest = got.partition(b"\r\n\r\n")
    status = int(head.split()[1])
    if re.search(rb"(?i)transfer-encoding:\s*chunked", head):
        out = b""
        while rest:
            size_line, _, rest = rest.partition(b"\r\n")
            n = int(size_line.split(b";")[0] or b"0", 16)
            if n == 0:
                break
            out += rest[:n]
            rest = rest[n + 2:]
        rest = out
    return status, rest


# ------------------------------------------------------------------ processes

def _proc_children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                st = f.read()
            ppid = int(st[st.rindex(")") + 2:].split()[1])
            kids.setdefault(ppid, []).append(int(d))
        except (OSError, ValueError):
            pass
    return kids


def descendants(pid):
    kids = _proc_children_map()
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        for c in kids.get(p, []):
            out.append(c)
            todo.append(c)
    return out


def proc_name(pid):
    try:
        with open("/proc/%d/comm" % pid) as f:
            return f.read().strip()
    except OSError:
        return None


def proc_alive(pid):
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
        return st[st.rindex(")") + 2] != "Z"
    except OSError:
        return False


def programs_using(data_dir):
    """Live llmflow-proxy/llmflow-api processes whose environment names
    this DATA_DIR."""
    out = []
    needle = ("DATA_DIR=%s" % data_dir).encode()
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        pid = int(d)
        name = proc_name(pid) or ""
        if not any(name.startswith(p[:15]) for p in PROGRAMS):
            continue
        try:
            with open("/proc/%d/environ" % pid, "rb") as f:
                env = f.read().split(b"\0")
        except OSError:
            continue
        if needle in env and proc_alive(pid):
            out.append(pid)
    return out


def sanitizer_env():
    d = os.environ.get("ASAN_LOG_DIR")
    if not d:
        return {}
    os.makedirs(d, exist_ok=True)
    return {"ASAN_OPTIONS": "log_path=%s/asan:halt_on_error=1" % d,
            "UBSAN_OPTIONS": "log_path=%s/ubsan:halt_on_error=1:print_stacktrace=1" % d}


def sanitizer_reports():
    d = os.environ.get("ASAN_LOG_DIR")
    if not d:
        return []
    return sorted(glob.glob(os.path.join(d, "asan*")) + glob.glob(os.path.join(d, "ubsan*")))


# ------------------------------------------------------------------ instances

_fake = None
_fake_lock = threading.Lock()


# The values of a queued span, in the order lib/db.c packs them (put_span).
QUEUE_COLS = ("id trace_id parent_id timestamp duration_ms provider model prompt_tokens "
              "completion_tokens total_tokens cached_tokens cache_creation_tokens "
              "reasoning_tokens estimated_cost cost_source status error tags span_type "
              "span_name service_name session_id conversation_id agent_name input output "
              "attributes span_kind scope_name user_id events resource_attributes "
              "links").split()


def queue_batch(spans, fmt=2):
    """Spans (dicts of column values) packed as LLMFlow queues them: the
    format's byte (QUEUE_FORMAT, 2), then per value a tag byte ('n' NULL,
    'i' integer, 'r' double, 't' text) and, little-endian, 8 bytes or a
    4-byte length and the text; with the defaults put_span fills.  Format 1
    (earlier versions) packs the same values without links."""
    out = bytearray([fmt])
    cols = QUEUE_COLS if fmt == 2 else QUEUE_COLS[:-1]
    for sp in spans:
        sp = dict({"cost_source": "unknown", "span_type": "custom"}, **sp)
        sp.setdefault("trace_id", sp.get("id"))
        for c in cols:
            v = sp.get(c)
            if v is None:
                out += b"n"
            elif isinstance(v, float):
                out += b"r" + struct.pack("<d", v)
            elif isinstance(v, int):
                out += b"i" + struct.pack("<q", v)
            else:
                t = v.encode()
                out += b"t" + struct.pack("<I", len(t)) + t
    return bytes(out)


def queue_spans(con, spans, fmt=2):
    """Queue spans as one batch on a sqlite3 connection to the queue file."""
    con.execute("INSERT INTO otlp_queue_batch (spans, data) VALUES (?, ?)",
                (len(spans), queue_batch(spans, fmt)))


def fake():
    """The fake upstream shared by all tests (started once)."""
    global _fake
    with _fake_lock:
        if _fake is None:
            _fake = fake_upstream.start_fake()
        return _fake


_all_instances = []
_all_lock = threading.Lock()


class Instance:
    """One ./llmflow (lighttpd + the two FastCGI programs) on free ports."""

    def __init__(self, name, upstream=None, env=None, start=True):
        self.name = name
        self.upstream = upstream if upstream is not None else fake().origin
        self.extra_env = env or {}
        self.tmp = tempfile.mkdtemp(prefix="llmflow-it-%s-" % name)
        self.data_dir = os.path.join(self.tmp, "data")
        self.log_path = os.path.join(self.tmp, "llmflow.log")
        self.proxy_port = free_port()
        self.dashboard_port = free_port()
        self.proc = None
        self.stopped = False
        self.rc = None
        self._detail_cache = {}
        with _all_lock:
            _all_instances.append(self)
        if start:
            self.start()

    def env(self):
        e = dict(os.environ)
        for k in list(e):
            if k.startswith("LLMFLOW_") or k in ("PROXY_PORT", "DASHBOARD_PORT", "DATA_DIR",
                                                "DB_PATH", "OPENAI_API_KEY", "PRICING_FILE"):
                del e[k]
        e.update({
            "PROXY_PORT": str(self.proxy_port),
            "DASHBOARD_PORT": str(self.dashboard_port),
            "LLMFLOW_BIND": "127.0.0.1",
            "DATA_DIR": self.data_dir,
            "LLMFLOW_CGI_BIN": BIN,
            "LLMFLOW_UPSTREAM_OPENAI": self.upstream,
            "OPENAI_API_KEY": ENV_KEY,
            "LLMFLOW_PRICES": PRICES,
        })
        e.update(sanitizer_env())
        e.update(self.extra_env)
        return e

    def start(self, wait=True):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen(["./llmflow"], cwd=REPO, env=self.env(),
                                     stdin=subprocess.DEVNULL, stdout=self.logf,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        if os.environ.get("LLMFLOW_TEST_VERBOSE"):
            sys.stderr.write("# instance %s: launcher pid %d, proxy port %d, dashboard port %d\n"
                             % (self.name, self.proc.pid, self.proxy_port, self.dashboard_port))
        if wait:
            self.wait_ready()
        return self

    def wait_ready(self, timeout=20):
        end = time.time() + timeout
        last = None
        while time.time() < end:
            if self.proc.poll() is not None:
                raise TestFailure("%s: ./llmflow exited with %s before it was ready; log: %s"
                                  % (self.name, self.proc.returncode, self.log_tail()))
            try:
                r = request(self.dashboard_port, "GET", "/api/health", timeout=2)
                if r.status == 200:
                    return
                last = r
            except OSError as e:
                last = e
            time.sleep(0.1)
        raise TestFailure("%s: /api/health not 200 after %ds (last: %r); log: %s"
                          % (self.name, timeout, last, self.log_tail()))

    def log_tail(self, n=15):
        try:
            with open(self.log_path, "rb") as f:
                lines = f.read().decode("utf-8", "replace").splitlines()
            return " | ".join(lines[-n:])
        except OSError:
            return "(no log)"

    # -- HTTP
    def proxy(self, method, path, body=None, headers=None, timeout=30):
        return request(self.proxy_port, method, path, body, headers, timeout)

    def chat(self, mk, model="gpt-4o-mini", stream=False, headers=None, extra=None,
             path="/v1/chat/completions", timeout=30):
        body = {"model": model, "messages": [{"role": "user", "content": "say hi " + mk}]}
        if stream:
            body["stream"] = True
        body.update(extra or {})
        h = {"Authorization": "Bearer sk-client-abc", "X-Test-Id": mk}
        h.update(headers or {})
        return body, self.proxy("POST", path, body, h, timeout)

    def api(self, path, timeout=15):
        return request(self.dashboard_port, "GET", path, timeout=timeout)

    def api_json(self, path, want_status=200):
        r = self.api(path)
        if want_status is not None and r.status != want_status:
            raise TestFailure("GET %s: status %d, want %d: %r" % (path, r.status, want_status, r.body[:300]))
        return r.json()

    def detail(self, trace_id):
        r = self.api("/api/traces/" + urllib.parse.quote(trace_id, safe=""))
        if r.status != 200:
            raise TestFailure("GET /api/traces/%s: %d %r" % (trace_id, r.status, r.body[:200]))
        return r.json()

    def find_trace(self, mk, timeout=None, since_ms=None):
        """The summary row of the trace whose request (body or path)
        contains mk, polling up to TRACE_WAIT seconds.  Tries the q search
        first, then scans recent rows' details (so that a broken q does not
        fail every test)."""
        timeout = TRACE_WAIT if timeout is None else timeout
        end = time.time() + timeout
        seen = {}
        while True:
            r = self.api("/api/traces?q=" + mk)
            seen[r.status] = seen.get(r.status, 0) + 1
            if r.status == 200:
                rows = r.json()
                if isinstance(rows, list) and len(rows) == 1:
                    return rows[0]
            r = self.api("/api/traces?limit=1000")
            seen[r.status] = seen.get(r.status, 0) + 1
            if r.status == 200 and isinstance(r.json(), list):
                for row in r.json():
                    if since_ms is not None and (row.get("timestamp") or 0) < since_ms - 5000:
                        continue
                    rid = row.get("id")
                    text = self._detail_cache.get(rid)
                    if text is None:
                        d = self.api("/api/traces/" + urllib.parse.quote(str(rid), safe=""))
                        if d.status != 200:
                            continue
                        text = d.body.decode("utf-8", "replace")
                        self._detail_cache[rid] = text
                    if mk in text:
                        return row
            if time.time() > end:
                raise TestFailure("%s: no trace containing %s after %.0fs (/api/traces statuses seen: %r)"
                                  % (self.name, mk, timeout, seen))
            time.sleep(0.15)

    # -- database
    def db_bytes(self):
        out = b""
        for suffix in ("", "-wal"):
            p = os.path.join(self.data_dir, "data.db" + suffix)
            if os.path.exists(p):
                with open(p, "rb") as f:
                    out += f.read()
        return out

    def db_query(self, sql, args=()):
        path = os.path.join(self.data_dir, "data.db")
        con = sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=5)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    # -- stopping
    def program_pids(self):
        if not self.proc:
            return []
        return [p for p in descendants(self.proc.pid)
                if any((proc_name(p) or "").startswith(n[:15]) for n in PROGRAMS)]

    def stop(self, timeout=20, group=True):
        """Ctrl-C (SIGINT to the process group, as a terminal does; with
        group=False to the launcher's pid only, as `kill -INT` does); returns
        a list of problems (empty when it stopped cleanly)."""
        if self.stopped or self.proc is None:
            return []
        self.stopped = True
        problems = []
        try:
            if group:
                os.killpg(self.proc.pid, signal.SIGINT)
            else:
                os.kill(self.proc.pid, signal.SIGINT)
        except ProcessLookupError:
            pass
        # Taken after the signal (walking /proc first would delay it);
        # programs_using() below catches any that escaped this list.
        kids = descendants(self.proc.pid)
        try:
            self.rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            problems.append("did not exit within %ds of SIGINT" % timeout)
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.rc = self.proc.wait(5)
        if self.rc != 0 and not problems:
            problems.append("exit status %s after SIGINT" % self.rc)
        # Children get a few seconds to finish exiting (a sanitizer build
        # runs its leak check at exit); an orphan stays for good.
        end = time.time() + 5
        while True:
            left = sorted(set([p for p in kids if proc_alive(p)] + programs_using(self.data_dir)))
            if not left or time.time() > end:
                break
            time.sleep(0.1)
        if left:
            problems.append("processes left behind: %s" %
                            ", ".join("%d(%s)" % (p, proc_name(p)) for p in left))
            for p in left:
                try:
                    os.kill(p, signal.SIGKILL)
                except OSError:
                    pass
        self.logf.close()
        if problems:
            problems.append("log: " + self.log_tail())
        return problems

    def cleanup(self, keep=False):
        if not keep and not os.environ.get("LLMFLOW_TEST_KEEP"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, et, ev, tb):
        problems = self.stop()
        self.cleanup(keep=bool(et or problems))
        if problems and et is None:
            raise TestFailure("%s: %s" % (self.name, "; ".join(problems)))
        return False


_shared = {}
_shared_lock = threading.Lock()


def shared():
    """The instance most tests share: fake upstream, LLMFLOW_MAX_BODY=1 MiB,
    the other settings at their defaults."""
    with _shared_lock:
        if "main" not in _shared:
            _shared["main"] = Instance("main", env={"LLMFLOW_MAX_BODY": "1048576"})
        return _shared["main"]


def teardown(keep=False):
    """Stop every instance still running; returns a list of problems,
    including sanitizer reports.  keep: leave the temp dirs (logs) behind."""
    problems = []
    with _all_lock:
        insts = list(_all_instances)
    for inst in insts:
        if inst.proc is not None and not inst.stopped:
            p = inst.stop()
            if p:
                problems.append("%s: %s" % (inst.name, "; ".join(p)))
            if keep or p:
                sys.stderr.write("# instance %s: log %s, last lines:\n#   %s\n" % (
                    inst.name, inst.log_path, inst.log_tail(10).replace(" | ", "\n#   ")))
            inst.cleanup(keep=keep or bool(p))
    for rep in sanitizer_reports():
        try:
            with open(rep, errors="replace") as f:
                head = " | ".join(f.read().splitlines()[:6])
        except OSError:
            head = ""
        problems.append("sanitizer report %s: %s" % (rep, head))
    if _fake is not None:
        _fake.stop()
    return problems


# ------------------------------------------------------------------ checks

HEX16 = re.compile(r"^[0-9a-f]{16}$")
HEX32 = re.compile(r"^[0-9a-f]{32}$")

SUMMARY_KEYS = ("id timestamp duration_ms provider model prompt_tokens completion_tokens "
                "total_tokens estimated_cost status error trace_id parent_id span_type "
                "span_name service_name session_id conversation_id agent_name ttft_ms "
                "cached_tokens cache_creation_tokens reasoning_tokens cost_source tags "
                "request_method request_path").split()


def close(a, b, tol=1e-12):
    return a is not None and abs(a - b) <= tol + 1e-9 * abs(b)


def price(model):
    with open(PRICES) as f:
        return json.load(f)[model]
