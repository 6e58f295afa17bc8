# Thin wrapper over CMake: `make run` serves on the embedded default, `make test` runs the suite.
# Everything a fresh Debian machine lacks is installed by tools/deps.sh (as root).
JOBS ?= $(shell nproc)
BUILD ?= build
TEST_BUILD ?= build-test
DATA_DIR ?= ./var
ARGS ?=

.PHONY: all deps test-deps run test bench-compare format docs clean

all: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

deps:
	@tools/deps.sh build

test-deps:
	@tools/deps.sh test
	@tools/node-deps.sh

run: all
	$(BUILD)/ternd --data-dir $(DATA_DIR) $(ARGS)

# The release build is part of the suite: it is what `make run` serves, and -O2 sees warnings
# (-Werror) that the sanitizer build's -O0 does not.
test: test-deps all
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=Debug -DTERN_SANITIZE=ON -DTERN_TESTS=ON >/dev/null
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

# tern and ejabberd side by side (docs/benchmarks.md): QUICK=1 for a short run, JSON=1 for a JSON
# object as the last line of stdout.
QUICK ?= 0
JSON ?= 0
bench-compare: all
	@QUICK=$(QUICK) JSON=$(JSON) BUILD=$(BUILD) tools/bench-compare.sh

docs: all
	$(BUILD)/tern-gen-docs api > docs/api.md
	$(BUILD)/tern-gen-docs config > docs/config.md

format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(TEST_BUILD)
