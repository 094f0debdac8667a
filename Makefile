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

.PHONY: run test bench lint setup client system-deps clean

$(BIN)/workshop: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

setup: $(BIN)/workshop client

$(WEB)/node_modules/.package-lock.json: $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund --loglevel=error

$(WEB)/dist/app.js: $(WEB)/node_modules/.package-lock.json $(WEB_SOURCES)
	cd $(WEB) && npm run --silent build

client: $(WEB)/dist/app.js

run: setup
	$(BIN)/workshop serve --host $(HOST) --port $(PORT) --data-dir $(DATA_DIR) \
		--seed examples/sendai-ulaanbaatar.toml

# redis-server and Debian's chromium are needed by the tests; install them when missing.
system-deps:
	@need=""; \
	command -v redis-server >/dev/null 2>&1 || need="$$need redis-server"; \
	test -x /usr/bin/chromium || need="$$need chromium"; \
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

test: setup system-deps
	$(BIN)/ruff check .
	cd $(WEB) && node --test test/
	$(BIN)/pytest -q -p no:cacheprovider

bench: setup system-deps
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) $(WEB)/node_modules $(WEB)/dist
