#!/bin/sh
# Build every tests/fuzz/fuzz-*.c as a libFuzzer target (clang, ASan +
# UBSan) against lib/, proxy/, api/ and otlp/ (without their main.c) and run each
# for FUZZ_SECONDS (default 60), starting from tests/fuzz/corpus/NAME/.
# New inputs go to build/fuzz/corpus/NAME/ (the seed corpus is not
# touched); crashes to build/fuzz/crash-NAME-*.  Exit 1 if any target
# failed to build or found a crash.
#   FUZZ_SECONDS=300 sh tests/fuzz/run.sh [fuzz-sse ...]
set -u
cd "$(dirname "$0")/../.." || exit 1
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-60}
OUT=build/fuzz
mkdir -p "$OUT/obj" "$OUT/corpus"

if ! command -v "$CC" >/dev/null 2>&1; then
	echo "fuzz: $CC not found; install clang" >&2
	exit 1
fi
PKGS="json-c libcurl sqlite3 zlib libprotobuf-c"
FLAGS="-std=c11 -D_GNU_SOURCE -pthread -g -O1 -fno-omit-frame-pointer \
 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 -DLF_VERSION=\"fuzz\" -iquote lib -Iproxy -Iapi -Iotlp -I$OUT/otlp \
 $(pkg-config --cflags $PKGS)"
LIBS="-lfcgi $(pkg-config --libs $PKGS) -lm -pthread"

# schema.sql is compiled in, as the Makefile does.
srcs=""
if [ -f schema.sql ]; then
	{ echo '/* generated from schema.sql */'
	  echo 'extern const char schema_sql[];'
	  echo 'const char schema_sql[] = {'
	  od -An -v -tx1 schema.sql | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'
	  echo '0x00 };'; } > "$OUT/schema_sql.c"
	srcs="$OUT/schema_sql.c"
fi
# OTLP protobuf code, generated as the Makefile does.
mkdir -p "$OUT/otlp"
for p in otlp/*.proto; do
	[ -f "$p" ] || continue
	protoc-c --c_out="$OUT/otlp" --proto_path=otlp "$p" || exit 1
	srcs="$srcs $OUT/otlp/$(basename "$p" .proto).pb-c.c"
done
for f in lib/*.c proxy/*.c api/*.c otlp/*.c; do
	case "$f" in */main.c) continue ;; esac
	srcs="$srcs $f"
done

# Objects without -fsanitize=fuzzer's main, once.
objs=""
for f in $srcs; do
	o="$OUT/obj/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')"
	# shellcheck disable=SC2086
	$CC $(echo "$FLAGS" | sed 's/-fsanitize=fuzzer,/-fsanitize=fuzzer-no-link,/') \
	    -c -o "$o" "$f" || { echo "fuzz: cannot build $f" >&2; exit 1; }
	objs="$objs $o"
done

if [ $# -gt 0 ]; then
	targets="$*"
else
	targets=$(cd tests/fuzz && ls fuzz-*.c | sed 's/\.c$//')
fi
rc=0
for t in $targets; do
	# shellcheck disable=SC2086
	if ! $CC $FLAGS -o "$OUT/$t" "tests/fuzz/$t.c" $objs $LIBS; then
		echo "not ok - fuzz $t (build)"
		rc=1
		continue
	fi
	mkdir -p "$OUT/corpus/$t"
	seeds=""
	[ -d "tests/fuzz/corpus/$t" ] && seeds="tests/fuzz/corpus/$t"
	echo "fuzz: $t for ${SECONDS_EACH}s"
	# shellcheck disable=SC2086
	if "$OUT/$t" -max_total_time="$SECONDS_EACH" -max_len=65536 \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix="$OUT/crash-$t-" "$OUT/corpus/$t" $seeds \
	    > "$OUT/$t.log" 2>&1; then
		echo "ok - fuzz $t ($(grep -c . "$OUT/$t.log") log lines)"
	else
		echo "not ok - fuzz $t (see $OUT/$t.log)"
		tail -40 "$OUT/$t.log"
		rc=1
	fi
done
exit $rc
