#!/usr/bin/env python3
"""Run every test_* function of tests/integration/test_*.py.

Prints one line per test, `ok - <name>` or `not ok - <name>: <reason>`,
plus one line for the final shutdown / sanitizer check, and exits 1 if any
failed.  Tests run concurrently (LLMFLOW_TEST_JOBS, default 8); tests
marked slow start first.  Diagnostics go to stderr.

Usage: python3 tests/integration/run_all.py [name-substring ...]
"""

import concurrent.futures
import glob
import importlib
import os
import sys
import threading
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402

DEADLINE = float(os.environ.get("LLMFLOW_TEST_DEADLINE", "170"))


def discover(filters):
    tests = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        mod = importlib.import_module(os.path.basename(path)[:-3])
        funcs = [v for k, v in vars(mod).items()
                 if k.startswith("test_") and callable(v) and getattr(v, "__module__", "") == mod.__name__]
        funcs.sort(key=lambda f: f.__code__.co_firstlineno)
        for f in funcs:
            if not filters or any(s in f.__name__ for s in filters):
                tests.append(f)
    # Slow ones first, so they overlap with everything else.
    tests.sort(key=lambda f: not getattr(f, "slow", False))
    return tests


def one_line(s):
    return " | ".join(x.strip() for x in str(s).splitlines() if x.strip())[:1500]


def main():
    tests = discover(sys.argv[1:])
    out_lock = threading.Lock()
    failed = []

    def report(name, err):
        with out_lock:
            if err is None:
                print("ok - %s" % name, flush=True)
            else:
                failed.append(name)
                print("not ok - %s: %s" % (name, one_line(err)), flush=True)

    def run(f):
        t0 = time.time()
        try:
            f()
            err = None
        except harness.TestFailure as e:
            err = str(e) or "assertion failed"
        except AssertionError as e:
            tb = traceback.extract_tb(e.__traceback__)[-1]
            err = "%s (line %d)" % (e or "assertion failed", tb.lineno)
        except Exception as e:  # noqa: BLE001
            tb = traceback.extract_tb(e.__traceback__)[-1]
            err = "%s: %s (%s line %d)" % (type(e).__name__, e, os.path.basename(tb.filename), tb.lineno)
        if os.environ.get("LLMFLOW_TEST_VERBOSE"):
            sys.stderr.write("# %s took %.1fs\n" % (f.__name__, time.time() - t0))
        report(f.__name__, err)

    jobs = int(os.environ.get("LLMFLOW_TEST_JOBS", "8"))
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    futs = {pool.submit(run, f): f for f in tests}
    done, pending = concurrent.futures.wait(futs, timeout=DEADLINE)
    for fut in pending:
        report(futs[fut].__name__, "still running after the suite deadline of %ds" % DEADLINE)
    problems = harness.teardown(keep=bool(failed))
    report("shutdown_clean_and_no_sanitizer_reports", "; ".join(problems) if problems else None)
    sys.stdout.flush()
    if failed:
        sys.stderr.write("# %d of %d failed; instance logs are kept in /tmp/llmflow-it-*\n"
                         % (len(failed), len(tests) + 1))
    # Threads stuck in a hung test must not keep us alive.
    os._exit(1 if failed else 0)


if __name__ == "__main__":
    main()
