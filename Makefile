# Thin wrapper over CMake + Ninja + ccache. See README.md.
.PHONY: all release debug run test unit sql integration stress bench fuzz fuzz-corpus format format-check deps clean

JOBS ?= $(shell nproc)
CMAKE_COMMON = -G Ninja -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache
PYTHON = /usr/bin/python3

all: release

deps:
	@scripts/install-deps.sh

build/release/build.ninja: | deps
	@cmake -S . -B build/release $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Release >/dev/null

build/debug/build.ninja: | deps
	@CC=clang CXX=clang++ cmake -S . -B build/debug $(CMAKE_COMMON) -DCMAKE_BUILD_TYPE=Debug -DFLOE_SANITIZE=ON -DFLOE_FUZZ=ON >/dev/null

release: deps build/release/build.ninja
	@cmake --build build/release -j $(JOBS)

debug: deps build/debug/build.ninja
	@cmake --build build/debug -j $(JOBS)

run: release
	./build/release/floe --data-dir ./floe-data

unit: release
	cd build/release && ctest --output-on-failure -j $(JOBS) -L unit

sql: release
	cd build/release && ctest --output-on-failure -L sql

integration: release
	$(PYTHON) -m pytest -q -p no:cacheprovider test/integration

test: release format-check
	cd build/release && ctest --output-on-failure -j $(JOBS)
	$(PYTHON) -m pytest -q -p no:cacheprovider test/integration

# The crash test with many more SIGKILLs than CI runs (KILLS=n to change), then the SQL fuzzer
# (test/fuzz/sql_fuzz.py): FUZZ_STATEMENTS statements from FUZZ_CLIENTS clients at once against a
# server it starts; it fails if the server exits or stops answering (findings in build/sql-fuzz).
KILLS ?= 500
FUZZ_STATEMENTS ?= 100000
FUZZ_CLIENTS ?= 8
stress: release
	FLOE_CRASH_KILLS=$(KILLS) $(PYTHON) -m pytest -q -p no:cacheprovider test/integration/test_storage_crash.py
	FLOE_TIER_KILLS=$(or $(TIER_KILLS),60) $(PYTHON) -m pytest -q -p no:cacheprovider test/integration/test_tiering.py -k kill
	$(PYTHON) test/fuzz/sql_fuzz.py --floe build/release/floe --statements $(FUZZ_STATEMENTS) --clients $(FUZZ_CLIENTS) --out build/sql-fuzz

bench: release
	@test -d bench/node_modules/@duckdb/node-api || (cd bench && npm install --no-audit --no-fund --silent)
	@/usr/bin/python3 bench/run.py $(if $(SUITE),--suite $(SUITE)) $(if $(SF),--sf $(SF)) $(if $(RUNS),--repeat $(RUNS))

# libFuzzer over every decoder of untrusted input, each for FUZZ_SECONDS (FUZZ_TARGETS to pick),
# under ASan/UBSan. Each target starts from its corpus kept in the repository
# (test/fuzz/corpus/<target>, plus the shared Parquet fixtures for fuzz_parquet) and grows a
# working corpus under build/fuzz-corpus/<target>; any crash, leak, UB report or timeout fails the
# run and leaves its input under build/fuzz-artifacts/. `make fuzz-corpus` merges what a run found
# back into the kept corpora (minimized).
FUZZ_SECONDS ?= 120
FUZZ_TARGETS ?= fuzz_mysql_packet fuzz_http_request fuzz_csv fuzz_json fuzz_record_blocks fuzz_parquet fuzz_avro fuzz_iceberg_metadata fuzz_debezium
FUZZ_ENV = UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1
FUZZ_FLAGS = -rss_limit_mb=4096 -malloc_limit_mb=2048 -max_len=65536 -timeout=30 -print_final_stats=1
fuzz: debug
	@mkdir -p build/fuzz-seeds/fuzz_parquet build/fuzz-artifacts
	@cp $(filter-out %large_string_map.brotli.parquet,$(wildcard ../shared/fixtures/parquet/data/*.parquet ../shared/fixtures/parquet/bad_data/*.parquet)) build/fuzz-seeds/fuzz_parquet/ 2>/dev/null || true
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p build/fuzz-corpus/$$t build/fuzz-seeds/$$t test/fuzz/corpus/$$t; \
	  echo "== $$t ($(FUZZ_SECONDS) s)"; \
	  $(FUZZ_ENV) ./build/debug/test/fuzz/$$t -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) \
	    -artifact_prefix=build/fuzz-artifacts/$$t- build/fuzz-corpus/$$t test/fuzz/corpus/$$t build/fuzz-seeds/$$t \
	    2>build/fuzz-artifacts/$$t.log || { tail -60 build/fuzz-artifacts/$$t.log; echo "FUZZ FINDING in $$t"; exit 1; }; \
	  grep -E "^stat::number_of_executed_units|^stat::peak_rss_mb|cov:" build/fuzz-artifacts/$$t.log | tail -3; \
	done

fuzz-corpus: debug
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p test/fuzz/corpus/$$t build/fuzz-corpus/$$t; \
	  ./build/debug/test/fuzz/$$t -merge=1 -max_len=65536 test/fuzz/corpus/$$t build/fuzz-corpus/$$t 2>/dev/null; \
	done

format:
	@find src test bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i

format-check:
	@find src test bench -name '*.h' -o -name '*.cpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
