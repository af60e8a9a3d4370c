# Thin wrapper over CMake + Ninja + ccache. See README.md.
.PHONY: all release debug run test unit sql integration stress bench fuzz format format-check deps clean

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

# The crash test with many more SIGKILLs than CI runs (KILLS=n to change).
KILLS ?= 500
stress: release
	FLOE_CRASH_KILLS=$(KILLS) $(PYTHON) -m pytest -q -p no:cacheprovider test/integration/test_storage_crash.py

bench: release
	@test -d bench/node_modules/@duckdb/node-api || (cd bench && npm install --no-audit --no-fund --silent)
	@/usr/bin/python3 bench/run.py $(if $(SUITE),--suite $(SUITE)) $(if $(SF),--sf $(SF)) $(if $(RUNS),--repeat $(RUNS))

# libFuzzer over the Parquet reader, seeded with the shared fixtures (FUZZ_SECONDS to change).
FUZZ_SECONDS ?= 120
fuzz: debug
	@mkdir -p build/fuzz-corpus/parquet build/fuzz-seeds/parquet
	@cp $(filter-out %large_string_map.brotli.parquet,$(wildcard ../shared/fixtures/parquet/data/*.parquet ../shared/fixtures/parquet/bad_data/*.parquet)) build/fuzz-seeds/parquet/ 2>/dev/null || true
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./build/debug/test/fuzz/fuzz_parquet -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -malloc_limit_mb=2048 \
	  -max_len=65536 build/fuzz-corpus/parquet build/fuzz-seeds/parquet

format:
	@find src test bench -name '*.h' -o -name '*.cpp' | xargs clang-format -i

format-check:
	@find src test bench -name '*.h' -o -name '*.cpp' | xargs clang-format --dry-run -Werror

clean:
	rm -rf build
