# wixoms — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
APP_PORT ?= 5000
SANDBOX_PORT ?= 5055
DEMO_DIR := .demo
# Two workers keep the suite well under 10 minutes on 2 cores.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: demo test install install-test system-deps sandbox bench lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

# Debian's Chromium for the browser tests (never a browser download) and wrk for the benchmarks.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v wrk >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium wrk >/dev/null; \
	fi

# The demo: app on :$(APP_PORT), Wix sandbox on :$(SANDBOX_PORT); Ctrl-C stops both.
demo: install
	@bash scripts/demo.sh $(APP_PORT) $(SANDBOX_PORT)

sandbox: install
	$(BIN)/python -m wixoms.sandbox --port $(SANDBOX_PORT) --demo

# The whole suite on SQLite, then again on PostgreSQL when it is reachable (required under CI).
test: install-test
	$(BIN)/ruff check wixoms tests bench
	$(BIN)/pytest $(PYTEST_ARGS)
	@if $(BIN)/python scripts/pg_ready.py "$(PG_TEST_URL)"; then \
	  echo "== PostgreSQL run =="; \
	  WIXOMS_TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest $(PYTEST_ARGS) -m "not browser"; \
	elif [ -n "$$CI" ]; then \
	  echo "PostgreSQL at $(PG_TEST_URL) is unreachable: CI requires it." >&2; exit 1; \
	else \
	  echo "PostgreSQL not reachable: skipped the PostgreSQL run."; \
	fi

bench: install-test
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b $(BENCH_ARGS) || exit 1; done

lint: install-test
	$(BIN)/ruff check wixoms tests bench
	$(BIN)/ruff format --check wixoms tests bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) instance .pytest_cache
