# The two front doors: `make run` (serve the demo workshop) and `make test` (the whole suite).
# Both set up everything they need from scratch on a fresh Debian machine.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
DATA_DIR ?= ./data
WEB    := client/web
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/pages $(WEB)/build.mjs -type f 2>/dev/null)
LOADGEN := bench/loadgen
NOTES_CLIENT := tests/notes/yjs_client

.PHONY: run test bench lint setup client loadgen notes-client system-deps clean

$(BIN)/workshop: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/workshop client

$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error

# dist/ (served) and build/ (manifest, service worker, source maps): client/web/build.mjs.
$(WEB)/build/manifest.json: $(WEB)/node_modules/.package-lock.json $(WEB_SOURCES)
	cd $(WEB) && npm run --silent build

client: $(WEB)/build/manifest.json

# The benchmark's Node load generator (bench/loadgen): ws and @msgpack/msgpack.
$(LOADGEN)/node_modules/.package-lock.json: $(LOADGEN)/package.json $(LOADGEN)/package-lock.json
	cd $(LOADGEN) && npm ci --no-audit --no-fund --loglevel=error

loadgen: $(LOADGEN)/node_modules/.package-lock.json

# The notes tests' real Yjs client (tests/notes/yjs_client): yjs, ws and @msgpack/msgpack.
$(NOTES_CLIENT)/node_modules/.package-lock.json: $(NOTES_CLIENT)/package.json $(NOTES_CLIENT)/package-lock.json
	cd $(NOTES_CLIENT) && npm ci --no-audit --no-fund --loglevel=error

notes-client: $(NOTES_CLIENT)/node_modules/.package-lock.json

run: setup
	$(BIN)/workshop serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) \
		--seed examples/sendai-ulaanbaatar.toml

# redis-server and Debian's chromium are needed by the tests; install them when missing.
system-deps:
	@need=""; \
	command -v redis-server >/dev/null 2>&1 || need="$$need redis-server"; \
	test -x /usr/bin/chromium || need="$$need chromium"; \
	command -v ss >/dev/null 2>&1 || need="$$need iproute2"; \
	if [ -n "$$need" ]; then \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$need"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$need >/dev/null; \
		else \
			echo "please install:$$need (apt-get install$$need)"; exit 1; \
		fi; \
	fi

lint: $(BIN)/workshop
	$(BIN)/ruff check .
	$(BIN)/mypy

test: setup system-deps loadgen notes-client
	$(BIN)/ruff check .
	$(BIN)/mypy
	cd $(WEB) && node --test test/
	$(BIN)/pytest -q -p no:cacheprovider

# The benchmark suite (docs/performance.md). Pass options with ARGS, e.g. ARGS=--quick.
# py-spy for bench/profile.py (the `bench` extra), on top of the test setup.
$(VENV)/.bench-extra: pyproject.toml $(BIN)/workshop
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $@

bench: setup system-deps loadgen $(VENV)/.bench-extra
	$(BIN)/python -m bench.run $(ARGS)

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB)/dist $(WEB)/build $(LOADGEN)/node_modules $(NOTES_CLIENT)/node_modules bench/results
