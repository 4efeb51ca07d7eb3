#!/bin/sh
# tests/bench.sh: throughput and latency of LLMFlow's proxy, `make bench`.
#
# Runs wrk against a fast fake OpenAI upstream (tests/bench/fakeup.c) on
# loopback, DIRECT and THROUGH the proxy (lighttpd -> llmflow-proxy ->
# fakeup), at several connection counts, then checks that every proxied
# call was stored as a trace and reports the peak memory of the processes.
# Prints a markdown table for the README.  See tests/bench/README.md.
#
# Environment:
#   BENCH_SECONDS  seconds per wrk run (10)
#   BENCH_CONNS    connection counts for non-stream calls ("1 16 64")
#   BENCH_STREAM_CONNS  connection counts for streaming calls ("16"; "" for none)
#   BENCH_PAD      filler bytes in each request's user message (2000)
#   BENCH_KEEP     1: keep the temporary directory (database, logs)
#   LLMFLOW_PROXY_PROCS, LLMFLOW_THREADS  passed on to ./llmflow
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u

cd "$(dirname "$0")/.." || exit 1
ROOT=$(pwd)

SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-"1 16 64"}
STREAM_CONNS=${BENCH_STREAM_CONNS-16}
export BENCH_PAD=${BENCH_PAD:-2000}
export LLMFLOW_PROXY_PROCS=${LLMFLOW_PROXY_PROCS:-2}
export LLMFLOW_THREADS=${LLMFLOW_THREADS:-32}
case "$SECS" in ''|*[!0-9]*|0) echo "bench: BENCH_SECONDS must be a positive number" >&2; exit 2 ;; esac

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

# ---- Tools -------------------------------------------------------------

PATH=$PATH:/usr/sbin:/sbin
if ! command -v wrk >/dev/null 2>&1; then
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		say "installing wrk"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends wrk >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends wrk >/dev/null 2>&1; } ||
		die "could not install wrk"
	else
		die "wrk is missing: sudo apt-get install wrk (or make deps-test)"
	fi
fi
for t in curl lighttpd cc; do
	command -v $t >/dev/null 2>&1 || die "$t is missing (make deps-test)"
done
for b in cgi-bin/llmflow-proxy cgi-bin/llmflow-api; do
	[ -x "$b" ] || die "$b is missing: run make first"
done

mkdir -p build/bench || exit 1
FAKEUP=build/bench/fakeup
if [ ! -x $FAKEUP ] || [ tests/bench/fakeup.c -nt $FAKEUP ]; then
	cc -O2 -pthread -Wall -Wextra -o $FAKEUP tests/bench/fakeup.c ||
		die "cannot build $FAKEUP"
fi

# ---- Processes and clean-up ---------------------------------------------

TMP=$(mktemp -d "${TMPDIR:-/tmp}/llmflow-bench.XXXXXX") || exit 1
FAKE_PID=""
LF_PID=""

stop_pid() {	# pid signal: signal, wait up to 5 s, then KILL
	local pid=$1 sig=$2 i
	[ -n "$pid" ] || return 0
	kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null; return 0; }
	kill -"$sig" "$pid" 2>/dev/null
	for i in $(seq 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

cleanup() {
	stop_pid "$LF_PID" INT
	LF_PID=""
	stop_pid "$FAKE_PID" TERM
	FAKE_PID=""
	if [ "${BENCH_KEEP:-0}" = 1 ]; then
		say "kept $TMP"
	else
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- Start the fake upstream and LLMFlow --------------------------------

$FAKEUP -b 127.0.0.1 -p 0 -f "$TMP/fakeup.port" 2>"$TMP/fakeup.log" &
FAKE_PID=$!
for i in $(seq 50); do [ -s "$TMP/fakeup.port" ] && break; sleep 0.1; done
[ -s "$TMP/fakeup.port" ] || die "fakeup did not start: $(cat "$TMP/fakeup.log")"
UP_PORT=$(cat "$TMP/fakeup.port")

set -- $($FAKEUP --free-port 2)
PROXY_PORT=$1
DASHBOARD_PORT=$2
[ -n "$PROXY_PORT" ] && [ -n "$DASHBOARD_PORT" ] || die "no free ports"

DIRECT=http://127.0.0.1:$UP_PORT
PROXY=http://127.0.0.1:$PROXY_PORT
API=http://127.0.0.1:$DASHBOARD_PORT/api

env -u OPENAI_API_KEY -u DB_PATH -u LLMFLOW_VERBOSE \
    PROXY_PORT=$PROXY_PORT DASHBOARD_PORT=$DASHBOARD_PORT \
    LLMFLOW_BIND=127.0.0.1 DATA_DIR="$TMP/data" \
    LLMFLOW_UPSTREAM_OPENAI=$DIRECT \
    ./llmflow >"$TMP/llmflow.log" 2>&1 &
LF_PID=$!	# ./llmflow execs lighttpd: this is lighttpd's pid

BODY='{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
ready=0
for i in $(seq 100); do
	kill -0 $LF_PID 2>/dev/null || break
	if curl -sf -o /dev/null "$API/stats" &&
	   curl -sf -o /dev/null -H 'Content-Type: application/json' \
	       -d "$BODY" "$PROXY/v1/chat/completions"; then
		ready=1
		break
	fi
	sleep 0.1
done
[ $ready = 1 ] || die "LLMFlow did not start; log:
$(tail -n 20 "$TMP/llmflow.log")"

# ---- Helpers --------------------------------------------------------------

stat_field() {	# field of /api/stats, or empty
	curl -sf --max-time 5 "$API/stats" |
	    sed -n "s/.*\"$1\":\([0-9][0-9]*\).*/\1/p"
}

# Wait until the trace count stops moving and reaches at least $1.
settle() {
	local want=$1 prev="" cur i
	for i in $(seq 100); do		# at most ~10 s
		cur=$(stat_field total_requests)
		if [ -n "$cur" ] && [ "$cur" = "$prev" ] && [ "$cur" -ge "$want" ]; then
			break
		fi
		prev=$cur
		sleep 0.1
	done
	echo "${cur:-0}"
}

# Children of lighttpd named $1 (Name: in /proc is cut at 15 characters).
children() {
	local s
	for s in /proc/[0-9]*/status; do
		awk -v ppid="$LF_PID" -v name="$1" '
		    $1 == "Name:" { n = $2 }
		    $1 == "Pid:" { p = $2 }
		    $1 == "PPid:" { if ($2 == ppid && n == name) print p; exit }
		' "$s" 2>/dev/null
	done | sort -n | tr '\n' ' '
}

hwm_kb() {	# VmHWM of a pid in KiB
	awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

ms() {	# microseconds -> milliseconds, 3 decimals below 1 ms
	awk -v us="$1" 'BEGIN { a = us < 0 ? -us : us
	    printf (a < 1000 ? "%.3f" : "%.2f"), us / 1000 }'
}

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
cpu_ticks() {	# utime + stime of the pids given, in clock ticks
	local p t=0 v
	for p in "$@"; do
		# Fields after the ")" that ends comm: utime is the 12th, stime 13th.
		v=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null |
		    awk '{ print $12 + $13 }')
		t=$((t + ${v:-0}))
	done
	echo $t
}

# run NAME URL CONNS STREAM: wrk; sets R_REQ R_RPS R_P50 R_P99 R_ERR R_LINE
run() {
	local name=$1 url=$2 c=$3 stream=$4 t out
	t=$(nproc)
	[ "$t" -gt 4 ] && t=4
	[ "$t" -gt "$c" ] && t=$c
	out=$(BENCH_STREAM=$stream wrk -t"$t" -c"$c" -d"${SECS}s" --timeout 10s \
	    -s tests/bench/post.lua "$url" 2>&1)
	R_LINE=$(printf '%s\n' "$out" | grep '^BENCH ')
	[ -n "$R_LINE" ] || die "wrk failed ($name): $out"
	printf '%s %s c=%s stream=%s %s\n' "$(date +%T)" "$name" "$c" "$stream" \
	    "$R_LINE" >>"$TMP/wrk.log"
	# shellcheck disable=SC2046
	eval $(printf '%s\n' "$R_LINE" | tr ' ' '\n' | grep '=' | sed 's/^/W_/')
	R_REQ=$W_requests
	R_RPS=$(awk -v n="$W_requests" -v d="$W_duration_us" \
	    'BEGIN { printf "%.0f", n * 1e6 / d }')
	R_P50=$W_p50_us
	R_P99=$W_p99_us
	R_ERR=$((W_connect + W_read + W_write + W_status + W_timeout))
	R_NON2XX=$W_status
	R_SOCKERR=$((W_connect + W_read + W_write + W_timeout))
}

# ---- Runs -------------------------------------------------------------------

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
PIDS_BEFORE=$(children llmflow-proxy)
say "fakeup :$UP_PORT  proxy :$PROXY_PORT  dashboard :$DASHBOARD_PORT  data $TMP/data"
say "proxy processes: $PIDS_BEFORE(LLMFLOW_PROXY_PROCS=$LLMFLOW_PROXY_PROCS, LLMFLOW_THREADS=$LLMFLOW_THREADS)"
say "warming up (2 s each way)"
SECS_SAVED=$SECS
SECS=2
run warmup-direct "$DIRECT" 16 0
run warmup-proxy "$PROXY" 16 0
SECS=$SECS_SAVED
settle 0 >/dev/null

ROWS=""
TOTAL_COMPLETED=0
TOTAL_STORED=0
TOTAL_LOST=0
PROBLEMS=""

bench_row() {	# conns stream
	local c=$1 stream=$2 kind before after stored lost extra
	[ "$stream" = 1 ] && kind=stream || kind=non-stream
	say "$kind, $c connection(s): direct"
	run direct "$DIRECT" "$c" "$stream"
	local d_rps=$R_RPS d_p50=$R_P50 d_p99=$R_P99 d_err=$R_ERR
	before=$(settle 0)
	say "$kind, $c connection(s): through the proxy"
	local px=$(children llmflow-proxy) t0p t0l
	t0p=$(cpu_ticks $px)
	t0l=$(cpu_ticks "$LF_PID")
	run proxy "$PROXY" "$c" "$stream"
	local p_rps=$R_RPS p_p50=$R_P50 p_p99=$R_P99 p_err=$R_ERR p_req=$R_REQ
	after=$(settle $((before + p_req)))
	stored=$((after - before))
	# CPU per stored call (in-flight ones at the end included), in µs.
	local cpu_p cpu_l
	cpu_p=$(awk -v t=$(( $(cpu_ticks $px) - t0p )) -v n=$stored -v hz=$CLK_TCK \
	    'BEGIN { printf "%.0f", n ? t * 1e6 / hz / n : 0 }')
	cpu_l=$(awk -v t=$(( $(cpu_ticks "$LF_PID") - t0l )) -v n=$stored -v hz=$CLK_TCK \
	    'BEGIN { printf "%.0f", n ? t * 1e6 / hz / n : 0 }')
	lost=$((p_req > stored ? p_req - stored : 0))
	extra=$((stored > p_req ? stored - p_req : 0))
	TOTAL_COMPLETED=$((TOTAL_COMPLETED + p_req))
	TOTAL_STORED=$((TOTAL_STORED + stored))
	TOTAL_LOST=$((TOTAL_LOST + lost))
	[ "$d_err" -gt 0 ] && PROBLEMS="$PROBLEMS
- $kind c=$c direct: $d_err wrk errors (non-2xx or socket)"
	[ "$p_err" -gt 0 ] && PROBLEMS="$PROBLEMS
- $kind c=$c proxy: $p_err wrk errors ($R_NON2XX non-2xx, $R_SOCKERR socket errors/timeouts)"
	[ "$lost" -gt 0 ] && PROBLEMS="$PROBLEMS
- $kind c=$c proxy: $lost traces lost ($p_req completed, $stored stored)"
	# Calls still in flight when wrk stops are stored too: at most one
	# per connection.
	[ "$extra" -gt "$c" ] && PROBLEMS="$PROBLEMS
- $kind c=$c proxy: $extra more traces than completed calls (more than $c in flight?)"
	ROWS="$ROWS
| $kind | $c | $d_rps | $(ms "$d_p50") | $(ms "$d_p99") | $p_rps | $(ms "$p_p50") | $(ms "$p_p99") | $(ms $((p_p50 - d_p50))) | $cpu_p + $cpu_l | $p_err | $stored / $p_req |"
}

for c in $CONNS; do
	bench_row "$c" 0
done
for c in $STREAM_CONNS; do
	bench_row "$c" 1
done

# ---- Memory, crashes, log ---------------------------------------------------

PIDS_AFTER=$(children llmflow-proxy)
HWM_SUM=0
HWM_MAX=0
NPROC=0
for p in $PIDS_AFTER; do
	h=$(hwm_kb "$p")
	[ -n "$h" ] || continue
	HWM_SUM=$((HWM_SUM + h))
	[ "$h" -gt "$HWM_MAX" ] && HWM_MAX=$h
	NPROC=$((NPROC + 1))
done
LT_HWM=$(hwm_kb "$LF_PID")
API_PIDS=$(children llmflow-api)
API_HWM=0
for p in $API_PIDS; do h=$(hwm_kb "$p"); API_HWM=$((API_HWM + ${h:-0})); done
FAKE_HWM=$(hwm_kb "$FAKE_PID")
fsize_kb() { [ -f "$1" ] && du -k --apparent-size "$1" | awk '{ print $1 }' || echo 0; }
DB_KB=$(fsize_kb "$TMP/data/data.db")
WAL_KB=$(fsize_kb "$TMP/data/data.db-wal")
ERRS=$(stat_field error_count)

[ "$PIDS_BEFORE" = "$PIDS_AFTER" ] || PROBLEMS="$PROBLEMS
- proxy processes changed during the run (a crash?): before $PIDS_BEFORE, after $PIDS_AFTER"
kill -0 "$LF_PID" 2>/dev/null || PROBLEMS="$PROBLEMS
- lighttpd died during the run"
NWARN=$(grep -ciE 'warn|error|fatal|abort|segv|signal' "$TMP/llmflow.log")
[ "$NWARN" -gt 0 ] && PROBLEMS="$PROBLEMS
- $NWARN warning/error lines in the LLMFlow log; first ones:
$(grep -iE 'warn|error|fatal|abort|segv|signal' "$TMP/llmflow.log" | head -n 5 | sed 's/^/    /')"

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# ---- Report -----------------------------------------------------------------

CPU=$(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)
[ -n "$CPU" ] || CPU=$(uname -m)
REV=$(git rev-parse --short HEAD 2>/dev/null || echo "?")
LTV=$(lighttpd -v 2>/dev/null | awk '{ print $1; exit }')

cat <<EOF

### LLMFlow proxy benchmark

$(date -u '+%Y-%m-%d %H:%M UTC') · $(nproc) CPU ($CPU) · $(uname -sr) · $LTV · commit $REV
Load average before the runs: $LOAD_BEFORE (wrk, fakeup, lighttpd and the proxy all share these CPUs).
wrk ${SECS} s per run, loopback, fake upstream answering at once; proxy: $LLMFLOW_PROXY_PROCS processes × $LLMFLOW_THREADS threads, traces stored (default settings); request body $((BENCH_PAD + 200)) B approx.

| Calls | Conns | Direct req/s | Direct p50 ms | Direct p99 ms | Proxy req/s | Proxy p50 ms | Proxy p99 ms | Added p50 ms | CPU µs/call proxy + lighttpd | Proxy errors | Traces stored / completed |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|$ROWS

Peak memory (VmHWM): llmflow-proxy $(mib $HWM_SUM) MiB in $NPROC processes (largest $(mib $HWM_MAX) MiB) · lighttpd $(mib "${LT_HWM:-0}") MiB · llmflow-api $(mib $API_HWM) MiB · fakeup $(mib "${FAKE_HWM:-0}") MiB.
Disk: data.db $(mib "$DB_KB") MiB, data.db-wal $(mib "$WAL_KB") MiB (the WAL file keeps its largest size).
Traces: $TOTAL_STORED stored for $TOTAL_COMPLETED calls wrk completed through the proxy ($TOTAL_LOST lost; calls still in flight when wrk stops are stored too); error_count in /api/stats: ${ERRS:-?}.
EOF

if [ "$WAL_KB" -gt $((256 * 1024)) ]; then
	printf '\nNOTE: the SQLite WAL reached %s MiB for %s traces: under concurrent\nload its checkpoints never catch up, so it is never restarted.\n' \
	    "$(mib "$WAL_KB")" "$TOTAL_STORED"
fi
if [ -n "$PROBLEMS" ]; then
	printf '\nPROBLEMS:%s\n' "$PROBLEMS"
	cp "$TMP/llmflow.log" build/bench/llmflow.log 2>/dev/null &&
		say "LLMFlow log copied to build/bench/llmflow.log"
	exit 1
fi
printf '\nNo errors, no lost traces, no crashes.\n'
exit 0
