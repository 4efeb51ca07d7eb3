# LLMFlow: FastCGI programs in C.
#   make run     install missing packages, build, start lighttpd (8080, 3000)
#   make test    build and run every test; ends with "N passed, M failed"
#   make test SANITIZE=1   the same with ASan + UBSan
#   make bench   proxy overhead, OTLP ingest throughput, query latency at 1M traces,
#                dashboard timings
#   make fuzz    run each libFuzzer target for a while (needs clang)

VERSION   := 0.1.0
SANITIZE  ?= 0
PREFIX    ?= /usr/local

ifeq ($(SANITIZE),1)
O         := build/san
BIN       := build/san/cgi-bin
SANFLAGS  := -fsanitize=address,undefined -fno-omit-frame-pointer \
             -fno-sanitize-recover=undefined
OPT       := -O1 -g
else
O         := build/out
BIN       := cgi-bin
SANFLAGS  :=
OPT       := -O2 -g
endif

PKGS      := json-c libcurl sqlite3 zlib libprotobuf-c
CC        ?= cc
WARN      := -Wall -Wextra -Wformat=2 -Wmissing-prototypes -Wshadow \
             -Wno-unused-parameter -Werror
CFLAGS    := -std=c11 -D_GNU_SOURCE -pthread $(OPT) $(WARN) $(SANFLAGS) \
             -DLF_VERSION='"$(VERSION)"' -iquote lib \
             $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS    := -lfcgi $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
LDFLAGS   := $(SANFLAGS)

LIB_SRC   := $(wildcard lib/*.c)
PROXY_SRC := $(wildcard proxy/*.c)
API_SRC   := $(wildcard api/*.c)
OTLP_SRC  := $(wildcard otlp/*.c)
OTLP_PROTO:= $(wildcard otlp/*.proto)
LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o) $(O)/lib/schema_sql.o
PROXY_OBJ := $(PROXY_SRC:%.c=$(O)/%.o)
API_OBJ   := $(API_SRC:%.c=$(O)/%.o)
# protoc-c output is generated into the build tree, never committed.
PB_OBJ    := $(OTLP_PROTO:otlp/%.proto=$(O)/otlp/%.pb-c.o)
OTLP_OBJ  := $(OTLP_SRC:%.c=$(O)/%.o) $(PB_OBJ)
# Everything but the main.c files, for unit tests and fuzz targets.
TESTABLE  := $(LIB_OBJ) $(filter-out %/main.o,$(PROXY_OBJ) $(API_OBJ) $(OTLP_OBJ))

UNIT_SRC  := $(wildcard tests/unit/test-*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
FUZZ_SRC  := $(wildcard tests/fuzz/fuzz-*.c)
REPLAY_BIN:= $(FUZZ_SRC:tests/fuzz/%.c=$(O)/tests/replay-%)

PROGS     := $(BIN)/llmflow-proxy $(BIN)/llmflow-api \
             $(if $(OTLP_SRC),$(BIN)/llmflow-otlp)

DEB_BUILD := gcc make pkg-config libc6-dev libfcgi-dev libcurl4-openssl-dev \
             libjson-c-dev libsqlite3-dev zlib1g-dev libprotobuf-c-dev \
             protobuf-c-compiler
DEB_RUN   := lighttpd ca-certificates libjs-chart.js
DEB_TEST  := python3 curl wrk chromium

.PHONY: all run deps deps-test test bench fuzz clean install check-build
all: $(PROGS) data/prices.json htdocs/vendor/chart.js

$(BIN)/llmflow-proxy: $(PROXY_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/llmflow-api: $(API_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BIN)/llmflow-otlp: $(OTLP_OBJ) $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/otlp/%.pb-c.c $(O)/otlp/%.pb-c.h: otlp/%.proto
	@mkdir -p $(@D)
	@echo "  PROTOC  $<"
	@protoc-c --c_out=$(O)/otlp --proto_path=otlp $<

$(O)/otlp/%.pb-c.o: $(O)/otlp/%.pb-c.c
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# otlp/ sources see the generated headers.
$(OTLP_SRC:%.c=$(O)/%.o): CFLAGS += -I$(O)/otlp
$(OTLP_SRC:%.c=$(O)/%.o): $(OTLP_PROTO:otlp/%.proto=$(O)/otlp/%.pb-c.h)

$(O)/%.o: %.c $(wildcard lib/*.h proxy/*.h api/*.h otlp/*.h)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

# Charts: Debian's Chart.js, served from htdocs/ (never from a CDN).
htdocs/vendor/chart.js: /usr/share/javascript/chart.js/chart.min.js
	@mkdir -p $(@D)
	@cp $< $@

# schema.sql is compiled in, so every program can create and migrate the
# database on its own, wherever it runs.
$(O)/lib/schema_sql.c: schema.sql
	@mkdir -p $(@D)
	@{ echo '/* generated from schema.sql */'; \
	  echo 'extern const char schema_sql[];'; \
	  echo 'const char schema_sql[] = {'; \
	  od -An -v -tx1 $< | sed 's/ *\([0-9a-f][0-9a-f]\)/0x\1,/g'; \
	  echo '0x00 };'; } > $@

$(O)/lib/schema_sql.o: $(O)/lib/schema_sql.c
	@$(CC) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

$(O)/tests/test-%: tests/unit/test-%.c $(wildcard tests/unit/*.h) $(TESTABLE)
	@mkdir -p $(@D)
	@echo "  TEST    $@"
	@$(CC) $(CFLAGS) -Itests/unit -Iproxy -Iapi -Iotlp -I$(O)/otlp $(LDFLAGS) -o $@ $< $(TESTABLE) $(LDLIBS)

$(O)/tests/replay-%: tests/fuzz/%.c tests/fuzz/replay.c $(TESTABLE)
	@mkdir -p $(@D)
	@echo "  REPLAY  $@"
	@$(CC) $(CFLAGS) -Iproxy -Iapi -Iotlp -I$(O)/otlp $(LDFLAGS) -o $@ $< tests/fuzz/replay.c $(TESTABLE) $(LDLIBS)

deps:
	@sh tests/deps.sh $(DEB_BUILD) $(DEB_RUN)

deps-test:
	@sh tests/deps.sh $(DEB_BUILD) $(DEB_RUN) $(DEB_TEST)
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || \
	  sh tests/deps.sh nodejs npm
	@test -d tests/sdk/node_modules/openai || \
	  (cd tests/sdk && npm ci --no-audit --no-fund --loglevel=error)
	@test -d tests/browser/node_modules/playwright-core || \
	  (cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)

run: deps all
	@./llmflow

check-build: $(PROGS) $(UNIT_BIN) $(REPLAY_BIN) htdocs/vendor/chart.js

test: deps-test check-build
	@O=$(O) BIN=$(BIN) SANITIZE=$(SANITIZE) sh tests/run.sh

bench: deps-test all build/bench/seed
	@sh tests/bench.sh
	@python3 tests/bench/ingest.py
	@python3 tests/bench/query.py
	@echo "Dashboard timings (headless Chromium, tests/browser/run.mjs):"
	@node tests/browser/run.mjs | sed -n 's/^# timing /  /p'

# Seeds a large database for the query benchmark, through lib/db.h.
build/bench/seed: tests/bench/seed.c $(LIB_OBJ)
	@mkdir -p $(@D)
	@echo "  LD      $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJ) $(LDLIBS)

fuzz:
	@sh tests/fuzz/run.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/lib/llmflow/cgi-bin $(DESTDIR)$(PREFIX)/lib/llmflow/data \
	  $(DESTDIR)$(PREFIX)/lib/llmflow/htdocs $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(PROGS) $(DESTDIR)$(PREFIX)/lib/llmflow/cgi-bin/
	install -m 644 data/prices.json $(DESTDIR)$(PREFIX)/lib/llmflow/data/
	cp -R htdocs/. $(DESTDIR)$(PREFIX)/lib/llmflow/htdocs/
	install -m 644 lighttpd.conf $(DESTDIR)$(PREFIX)/lib/llmflow/
	install -m 755 llmflow $(DESTDIR)$(PREFIX)/lib/llmflow/
	ln -sf ../lib/llmflow/llmflow $(DESTDIR)$(PREFIX)/bin/llmflow

clean:
	rm -rf build htdocs/vendor cgi-bin/llmflow-proxy cgi-bin/llmflow-api cgi-bin/llmflow-otlp
