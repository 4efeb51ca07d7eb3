#!/usr/bin/env python3
"""Query latency at scale, for `make bench`.

Seeds BENCH_TRACES traces (default 1,000,000) straight into a fresh
database with build/bench/seed, starts ./llmflow on free ports with that
DATA_DIR, and measures the dashboard's queries through lighttpd: each is
asked BENCH_REPS times (default 40) after one warm-up, and p50/p95 are
printed as a markdown table.  Usage: python3 tests/bench/query.py
"""
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
N = int(os.environ.get("BENCH_TRACES", "1000000"))
REPS = int(os.environ.get("BENCH_REPS", "40"))

QUERIES = [
    ("first page of /api/traces", "/api/traces?limit=50"),
    ("filtered page (model + status)", "/api/traces?model=gpt-4o&status=error&limit=50"),
    ("page 2 by cursor", None),
    ("search, rare word (q=needle)", "/api/traces?q=needle&limit=50"),
    ("search, common word (q=refund)", "/api/traces?q=refund&limit=50"),
    ("tag filter (tag=env:prod)", "/api/traces?tag=env:prod&limit=50"),
    ("/api/stats", "/api/stats"),
    ("/api/models", "/api/models"),
    ("token trends, 30 days by day", "/api/analytics/token-trends?interval=day&days=30"),
    ("token trends, 7 days by hour", "/api/analytics/token-trends?interval=hour&days=7"),
    ("/tree of a 1,000-span trace", "/api/traces/bench-tree/tree"),
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    t0 = time.perf_counter()
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    dt = (time.perf_counter() - t0) * 1000
    hdr = dict((k.lower(), v) for k, v in r.getheaders())
    c.close()
    return r.status, body, dt, hdr


def pct(xs, p):
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def main():
    tmp = tempfile.mkdtemp(prefix="llmflow-bench-q-")
    data = os.path.join(tmp, "data")
    os.makedirs(data)
    seed = os.path.join(REPO, "build", "bench", "seed")
    t0 = time.time()
    subprocess.run([seed, os.path.join(data, "data.db"), str(N)], check=True,
                   stderr=subprocess.DEVNULL)
    seeded = time.time() - t0
    size = os.path.getsize(os.path.join(data, "data.db"))
    pp, dp = free_port(), free_port()
    env = dict(os.environ, PROXY_PORT=str(pp), DASHBOARD_PORT=str(dp), DATA_DIR=data,
               MAX_TRACES="0", LLMFLOW_CGI_BIN=os.path.join(REPO, os.environ.get("BIN", "cgi-bin")))
    log = open(os.path.join(tmp, "llmflow.log"), "wb")
    proc = subprocess.Popen([os.path.join(REPO, "llmflow")], env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    rows = []
    problems = []
    try:
        for _ in range(200):
            try:
                if get(dp, "/api/health")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        cursor = None
        for label, path in QUERIES:
            if path is None:
                if cursor is None:
                    rows.append((label, None, None, "no cursor"))
                    continue
                path = "/api/traces?limit=50&cursor=" + cursor
            st, body, _, hdr = get(dp, path)          # warm-up
            if label.startswith("first page"):
                cursor = hdr.get("x-next-cursor")
            if st != 200:
                rows.append((label, None, None, "HTTP %d" % st))
                problems.append("%s: HTTP %d %r" % (path, st, body[:120]))
                continue
            times = [get(dp, path)[2] for _ in range(REPS)]
            rows.append((label, pct(times, 50), pct(times, 95), ""))
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(tmp, ignore_errors=True)

    print()
    print("### Query latency at %s traces" % format(N, ","))
    print()
    print("%s · %d CPU · seeded in %.0f s · database %.0f MiB · %d requests per query, "
          "sequential, through lighttpd" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                           os.cpu_count(), seeded, size / 1048576.0, REPS))
    print()
    print("| query | p50 ms | p95 ms |")
    print("|---|---:|---:|")
    for label, p50, p95, note in rows:
        if p50 is None:
            print("| %s | %s | |" % (label, note))
        else:
            print("| %s | %.1f | %.1f |" % (label, p50, p95))
    if problems:
        print("\nPROBLEMS:\n" + "\n".join(problems))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
