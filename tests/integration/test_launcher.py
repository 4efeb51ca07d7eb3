"""The ./llmflow launcher: --version, --help, busy ports, Ctrl-C."""

import os
import re
import socket
import subprocess
import time

from harness import REPO, Instance, check, eq, marker, proc_alive


def _run(args, env=None, timeout=15):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(["./llmflow"] + args, cwd=REPO, env=e, capture_output=True, timeout=timeout)
    return p.returncode, p.stdout.decode(errors="replace"), p.stderr.decode(errors="replace")


def test_launcher_version_and_help_exit_0():
    rc, out, err = _run(["--version"])
    eq(rc, 0, "--version exit status (stderr %r)" % err[-200:])
    check(re.search(r"\d+\.\d+", out + err), "--version printed no version: %r", (out + err)[:200])
    rc, out, err = _run(["--help"])
    eq(rc, 0, "--help exit status (stderr %r)" % err[-200:])
    check(len((out + err).strip()) > 20, "--help printed almost nothing: %r", out + err)


def _busy(which):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(1)
    port = s.getsockname()[1]
    inst = Instance("busy-" + which, start=False)
    if which == "proxy":
        inst.proxy_port = port
    else:
        inst.dashboard_port = port
    try:
        p = subprocess.Popen(["./llmflow"], cwd=REPO, env=inst.env(), stdin=subprocess.DEVNULL,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            out, err = p.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 9)
            p.communicate()
            raise AssertionError("./llmflow kept running with %s port %d busy" % (which, port))
        err = err.decode(errors="replace")
        check(p.returncode != 0, "exit status 0 with the %s port busy", which)
        check(str(port) in err, "stderr does not name the busy port %d: %r", port, err[-300:])
        time.sleep(0.3)
        from harness import programs_using
        left = programs_using(inst.data_dir)
        check(not left, "processes left behind: %r", left)
    finally:
        s.close()
        inst.cleanup()


def test_busy_proxy_port_fails_naming_the_port():
    _busy("proxy")


def test_busy_dashboard_port_fails_naming_the_port():
    _busy("dashboard")


def test_sigint_stops_cleanly_with_no_processes_left():
    inst = Instance("sigint")
    mk = marker()
    body, r = inst.chat(mk)
    eq(r.status, 200, "a call before stopping")
    inst.find_trace(mk)
    pids = inst.program_pids()
    check(pids, "no llmflow-proxy/llmflow-api processes under the launcher")
    problems = inst.stop()
    check(not problems, "%s", "; ".join(problems))
    eq(inst.rc, 0, "exit status after SIGINT")
    # A program that lighttpd's exit reparented may still be tearing down
    # its threads when stop() looks (its files and environment already
    # gone): the same 5 s stop() gives the others.
    end = time.time() + 5
    while [p for p in pids if proc_alive(p)] and time.time() < end:
        time.sleep(0.05)
    check(not [p for p in pids if proc_alive(p)], "programs still alive: %s",
          [p for p in pids if proc_alive(p)])
    for port in (inst.proxy_port, inst.dashboard_port):
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise AssertionError("port %d still in use after exit" % port)
        finally:
            s.close()
    n = inst.db_query("select count(*) from traces")[0][0]
    check(n >= 1, "traces table has %d rows", n)
    inst.cleanup()


ROUNDS = 12


def test_ctrl_c_right_after_calls_leaves_no_processes():
    # Ctrl-C reaches lighttpd and the programs at once (same process
    # group).  Repeated, because what goes wrong here is a race.
    failures = []
    for i in range(ROUNDS):
        inst = Instance("ctrl-c-%d" % i)
        inst.chat(marker())
        inst.chat(marker(), stream=True)
        inst.api("/api/traces?limit=5")
        problems = inst.stop()
        if problems:
            failures.append("round %d: %s" % (i + 1, problems[0]))
        inst.cleanup(keep=bool(problems))
    check(not failures, "%d of %d Ctrl-C stops were not clean: %s", len(failures), ROUNDS, "; ".join(failures))


def test_sigint_to_launcher_pid_only_leaves_no_processes():
    # `kill -INT <pid>` reaches lighttpd alone; it must stop the FastCGI
    # programs itself (libfcgi swallows the SIGTERM lighttpd sends them
    # unless the program restores it).
    inst = Instance("sigint-pid")
    for _ in range(3):
        mk = marker()
        inst.chat(mk, stream=True)
    inst.find_trace(mk)
    pids = inst.program_pids()
    check(pids, "no llmflow-proxy/llmflow-api processes under the launcher")
    problems = inst.stop(group=False)
    check(not problems, "%s", "; ".join(problems))
    eq(inst.rc, 0, "exit status after SIGINT")
    inst.cleanup()
