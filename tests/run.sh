#!/bin/sh
# Runs every test: unit tests, fuzz-corpus replays, then the integration
# suite against a real lighttpd.  Each prints "ok - NAME" / "not ok - NAME"
# lines; this script counts them.  The last line is "N passed, M failed".
#
# Environment: O (object dir, build/out), BIN (program dir, cgi-bin),
# SANITIZE (1: the programs were built with ASan+UBSan).
O=${O:-build/out}
BIN=${BIN:-cgi-bin}
SANITIZE=${SANITIZE:-0}
logs=$O/test-logs
rm -rf "$logs"
mkdir -p "$logs"
pass=0
fail=0

if [ "$SANITIZE" = 1 ]; then
	mkdir -p "$logs/asan"
	ASAN_OPTIONS="abort_on_error=1:detect_leaks=1:log_path=$PWD/$logs/asan/report"
	UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$PWD/$logs/asan/report"
	ASAN_LOG_DIR=$PWD/$logs/asan
	# Instrumented programs run two to three times slower: a trace stored
	# after its answer may take longer to appear (the checks are the same).
	LLMFLOW_TEST_TRACE_WAIT=${LLMFLOW_TEST_TRACE_WAIT:-10}
	export ASAN_OPTIONS UBSAN_OPTIONS ASAN_LOG_DIR LLMFLOW_TEST_TRACE_WAIT
fi

# run NAME COMMAND...: count its lines; a crash or a non-zero exit with no
# failed line counts as one failure.
run() {
	name=$1
	shift
	out="$logs/$name.out"
	"$@" > "$out" 2>&1
	rc=$?
	p=$(grep -c '^ok ' "$out")
	f=$(grep -c '^not ok ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok - $name exited with status $rc" >> "$out"
		f=1
	fi
	pass=$((pass + p))
	fail=$((fail + f))
	if [ "$f" -gt 0 ]; then
		echo "FAIL $name ($p passed, $f failed)"
		grep '^not ok ' "$out" | sed 's/^/  /'
		tail -n 15 "$out" | grep -v '^ok ' | sed 's/^/  | /'
	else
		echo "ok   $name ($p passed)"
	fi
}

for t in "$O"/tests/test-*; do
	[ -x "$t" ] || continue
	run "${t##*/}" "$t"
done

for r in "$O"/tests/replay-fuzz-*; do
	[ -x "$r" ] || continue
	name=${r##*/replay-}
	if [ -d "tests/fuzz/corpus/$name" ]; then
		run "replay-$name" "$r" "tests/fuzz/corpus/$name"
	else
		echo "not ok - replay-$name has no corpus in tests/fuzz/corpus/$name" \
		    > "$logs/replay-$name.out"
		fail=$((fail + 1))
		echo "FAIL replay-$name: no corpus"
	fi
done

BIN=$BIN run integration python3 tests/integration/run_all.py
BIN=$BIN run browser node tests/browser/run.mjs

if [ "$SANITIZE" = 1 ] && [ -n "$(ls "$logs/asan" 2>/dev/null)" ]; then
	echo "FAIL sanitizer reports:"
	for f in "$logs"/asan/*; do sed 's/^/  | /' "$f" | head -n 40; done
	fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
