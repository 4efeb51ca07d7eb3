#!/usr/bin/env python3
"""OTLP ingest throughput, for `make bench`.

Starts ./llmflow on free ports with a fresh DATA_DIR (MAX_TRACES=0, so
retention does not interfere), then posts pre-built exports of
BENCH_BATCH spans (default 1000; GenAI chat spans with model and token
attributes, every span id unique) to /v1/traces as OTLP/JSON and as
protobuf, from 1 and from 8 parallel senders, for BENCH_INGEST_SECONDS
(default 5) each.  Spans/s counts spans the server accepted (from the
database), over the time from the first export until the last span was
moved out of the ingest queue into traces.  BENCH_INGEST_RUNS=N (default
1) takes the whole table N times, one pass after the other, and gives
each row's median, range and every run: the machine's speed drifts, so
one pass says little.  The table also gives the CPU time llmflow-otlp
spent per stored span, all threads and the ingest queue's mover thread
alone: a figure the machine's drift moves less than spans/s.
"""
import http.client
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
import otlp_encode as oe  # noqa: E402

BATCH = int(os.environ.get("BENCH_BATCH", "1000"))
SECONDS = float(os.environ.get("BENCH_INGEST_SECONDS", "5"))
POOL = int(os.environ.get("BENCH_INGEST_BODIES", "700"))
RUNS = max(1, int(os.environ.get("BENCH_INGEST_RUNS", "1")))


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def make_export(rng, t0):
    tid = "%032x" % rng.getrandbits(128)
    root = "%016x" % rng.getrandbits(64)
    spans = []
    for i in range(BATCH):
        sid = root if i == 0 else "%016x" % rng.getrandbits(64)
        if i % 10 == 0:
            tid = "%032x" % rng.getrandbits(128)
        spans.append({
            "trace_id": tid, "span_id": sid, "parent_id": None if i % 10 == 0 else root,
            "name": "chat gpt-4o-mini", "kind": 3,
            "start": t0 + i * 1000, "end": t0 + i * 1000 + 500000000,
            "attrs": {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o-mini",
                      "gen_ai.provider.name": "openai", "gen_ai.usage.input_tokens": 812,
                      "gen_ai.usage.output_tokens": 96, "session.id": "bench"},
            "events": [], "status": {"code": 1, "message": ""}})
    return [{"attrs": {"service.name": "bench"}, "scopes": [{"name": "bench", "spans": spans}]}]


def run(port, bodies, ctype, senders):
    stop = time.time() + SECONDS
    sent = [0] * senders
    errors = []
    lock = threading.Lock()
    it = iter(bodies)

    def worker(k):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while time.time() < stop:
            with lock:
                b = next(it, None)
            if b is None:
                return
            c.request("POST", "/v1/traces", b, {"Content-Type": ctype})
            r = c.getresponse()
            r.read()
            if r.status != 200:
                errors.append(r.status)
                return
            sent[k] += 1
        c.close()

    t0 = time.time()
    ths = [threading.Thread(target=worker, args=(k,)) for k in range(senders)]
    for t in ths:
        t.start()
    for t in ths:
        t.join()
    return sum(sent), time.time() - t0, errors


def start(tmp):
    """./llmflow on free ports with its own DATA_DIR under tmp."""
    data = os.path.join(tmp, "data")
    pp, dp = free_port(), free_port()
    env = dict(os.environ, PROXY_PORT=str(pp), DASHBOARD_PORT=str(dp), DATA_DIR=data,
               MAX_TRACES="0", LLMFLOW_CGI_BIN=os.path.join(REPO, os.environ.get("BIN", "cgi-bin")))
    log = open(os.path.join(tmp, "llmflow.log"), "ab")
    proc = subprocess.Popen([os.path.join(REPO, "llmflow")], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", dp, timeout=2)
            c.request("GET", "/api/health")
            if c.getresponse().status == 200:
                break
        except OSError:
            pass
        time.sleep(0.1)
    return proc, dp, os.path.join(data, "data.db")


def stop(proc):
    os.killpg(proc.pid, signal.SIGINT)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def under(pid, root):
    """pid is root or one of its descendants."""
    for _ in range(64):
        if pid == root:
            return True
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            return False
        if pid <= 1:
            return False
    return False


def otlp_pids(proc):
    """The llmflow-otlp processes lighttpd started for proc."""
    out = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/comm" % pid) as f:
                if f.read().strip() != "llmflow-otlp":
                    continue
        except OSError:
            continue
        if under(int(pid), proc.pid):
            out.append(int(pid))
    return out


def otlp_cpu_s(proc):
    """CPU seconds (user + system) so far of llmflow-otlp, all threads,
    and of its ingest queue's mover thread alone."""
    tick = os.sysconf("SC_CLK_TCK")
    total = mover = 0.0
    for pid in otlp_pids(proc):
        for tid in os.listdir("/proc/%d/task" % pid):
            try:
                with open("/proc/%d/task/%s/stat" % (pid, tid)) as f:
                    st = f.read()
            except OSError:
                continue
            comm = st[st.index("(") + 1:st.rindex(")")]
            f = st.rsplit(")", 1)[1].split()
            s = (int(f[11]) + int(f[12])) / tick
            total += s
            if comm == "otlp-mover":
                mover += s
    return total, mover


def otlp_peak_kib(proc):
    """Peak resident memory (VmHWM) of the llmflow-otlp process."""
    for pid in otlp_pids(proc):
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1])
        except OSError:
            continue
    return 0


def keep_log(d):
    """Append the llmflow.log files under d to BENCH_KEEP_LOG, if set."""
    if not os.environ.get("BENCH_KEEP_LOG"):
        return
    with open(os.environ["BENCH_KEEP_LOG"], "ab") as out:
        for root, _, files in os.walk(d):
            if "llmflow.log" in files:
                with open(os.path.join(root, "llmflow.log"), "rb") as f:
                    out.write(f.read())


def main():
    rng = random.Random(7)
    if os.environ.get("BENCH_KEEP_LOG"):
        open(os.environ["BENCH_KEEP_LOG"], "wb").close()
    t0 = time.time_ns() - 3600 * 10 ** 9
    fresh = os.environ.get("BENCH_INGEST_FRESH", "1") != "0"
    tmp = tempfile.mkdtemp(prefix="llmflow-bench-ingest-")
    rows = []
    problems = []
    inst = None
    formats = os.environ.get("BENCH_INGEST_FORMATS", "json,protobuf").split(",")
    plan = [(fmt, ctype, senders)
            for fmt, ctype in (("json", "application/json"), ("protobuf", "application/x-protobuf"))
            if fmt in formats
            for senders in [int(x) for x in os.environ.get("BENCH_INGEST_SENDERS", "1,8").split(",")]]
    try:
        for _pass in range(RUNS):
            for fmt, ctype, senders in plan:
                bodies = []
                for _ in range(POOL):
                    res = make_export(rng, t0)
                    if fmt == "json":
                        bodies.append(json.dumps(oe.json_traces(res)).encode())
                    else:
                        bodies.append(oe.encode_traces(res))
                if inst is None:
                    inst_dir = tempfile.mkdtemp(dir=tmp)
                    inst = start(inst_dir)
                proc, dp, db = inst
                before = sqlite3.connect(db).execute("SELECT count(*) FROM traces").fetchone()[0]
                cpu0 = otlp_cpu_s(proc)
                t_start = time.time()
                n, dt, errs = run(dp, bodies, ctype, senders)
                # Spans count once they are in traces: wait for the ingest
                # queue to be moved, and count that time too.
                while time.time() - t_start < SECONDS + 60:
                    c = http.client.HTTPConnection("127.0.0.1", dp, timeout=10)
                    c.request("GET", "/api/health")
                    if json.loads(c.getresponse().read()).get("queued_spans", 0) == 0:
                        break
                    time.sleep(0.01)
                dt = time.time() - t_start
                after = sqlite3.connect(db).execute("SELECT count(*) FROM traces").fetchone()[0]
                peak = otlp_peak_kib(proc)
                cpu1 = otlp_cpu_s(proc)
                per = [(b - a) * 1e6 / max(1, after - before) for a, b in zip(cpu0, cpu1)]
                if errs:
                    problems.append("%s x%d: HTTP %s" % (fmt, senders, errs[:3]))
                if n >= POOL:
                    problems.append("%s x%d: ran out of pre-built bodies; raise BENCH_INGEST_BODIES" % (fmt, senders))
                kib = sum(len(b) for b in bodies) / len(bodies) / 1024.0
                rows.append((fmt, senders, before, after - before, dt, (after - before) / dt, kib, peak,
                             per[0], per[1]))
                if fresh:
                    stop(proc)
                    inst = None
                    # Its files go now: the kernel would otherwise write
                    # their dirty pages out during the next row.
                    keep_log(inst_dir)
                    shutil.rmtree(inst_dir, ignore_errors=True)
    finally:
        if inst is not None:
            stop(inst[0])
        keep_log(tmp)
        shutil.rmtree(tmp, ignore_errors=True)
    print()
    print("### OTLP ingest throughput")
    print()
    print("%s · %d CPU · exports of %d GenAI spans to /v1/traces through lighttpd, "
          "%.0f s per row, %s" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                  os.cpu_count(), BATCH, SECONDS,
                                  "each row on a new database" if fresh else "all rows on one database"))
    print()
    if RUNS == 1:
        print("| encoding | senders | export size KiB | spans before | spans stored | spans/s "
              "| llmflow-otlp CPU µs/span | mover CPU µs/span | llmflow-otlp peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
        for fmt, s, b, n, dt, rate, kib, peak, cpu, mcpu in rows:
            print("| %s | %d | %.0f | %d | %d | %.0f | %.1f | %.1f | %.0f |" % (
                fmt, s, kib, b, n, rate, cpu, mcpu, peak / 1024.0))
    else:
        print("%d passes of the table, one after the other; spans/s of each pass in its order" % RUNS)
        print()
        print("| encoding | senders | export size KiB | spans/s median | lowest – highest | every pass "
              "| mover CPU µs/span, median | llmflow-otlp peak RSS MiB |")
        print("|---|---:|---:|---:|---:|---|---:|---:|")
        for fmt, ctype, senders in plan:
            mine = [r for r in rows if r[0] == fmt and r[1] == senders]
            rates = [r[5] for r in mine]
            mid = statistics.median(rates)
            print("| %s | %d | %.0f | %.0f | %.0f – %.0f | %s | %.1f | %.0f |" % (
                fmt, senders, mine[0][6], mid, min(rates), max(rates),
                ", ".join("%.0f" % x for x in rates), statistics.median(r[9] for r in mine),
                max(r[7] for r in mine) / 1024.0))
    if problems:
        print("\nPROBLEMS:\n" + "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
