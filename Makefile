# wixoms — two commands on a fresh machine: `make demo` and `make test`.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# The journey test (tests/browser/test_journey.py) runs wixoms on a private database of this
# server in every pass, the SQLite one included.
export PG_TEST_URL
APP_PORT ?= 5000
SANDBOX_PORT ?= 5055
DEMO_DIR := .demo
PIP_VERSION := 26.3
PIP_TOOLS_VERSION := 7.6.2
# Two workers keep the suite well under 10 minutes on 2 cores.
PYTEST_ARGS ?= -n 2 --dist loadfile

.PHONY: demo prod cluster test install install-test system-deps sandbox bench lint lock clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q pip==$(PIP_VERSION)

# Installs come from the committed locks (exact pins); pyproject.toml keeps the ranges.
# Reinstall only when a lock or pyproject.toml changes.
$(VENV)/.installed: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@

$(VENV)/.installed-test: requirements-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -r requirements-test.txt
	$(BIN)/pip install -q --no-deps -e .
	@touch $@ $(VENV)/.installed

# Refresh both locks from pyproject.toml's ranges (newest versions that fit), then reinstall.
lock: | $(BIN)/python
	$(BIN)/pip install -q pip-tools==$(PIP_TOOLS_VERSION)
	for extra in "" test; do \
	  out=requirements$${extra:+-$$extra}.txt; \
	  $(BIN)/pip-compile -q --upgrade --no-header --no-emit-index-url --no-emit-find-links \
	    --strip-extras $${extra:+--extra $$extra} -o $$out pyproject.toml && \
	  sed -i '1i # Locked by `make lock` from pyproject.toml; installs use exactly these versions.' $$out; \
	done
	@rm -f $(VENV)/.installed $(VENV)/.installed-test

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-deps

# Debian's Chromium for the browser tests (never a browser download), wrk for the benchmarks
# and nginx for `make prod` (its slow-client test and benchmark).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v wrk >/dev/null || [ ! -x /usr/sbin/nginx ]; then \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium wrk nginx-light >/dev/null; \
	fi

# The demo: app on :$(APP_PORT), Wix sandbox on :$(SANDBOX_PORT); Ctrl-C stops both.
demo: install
	@bash scripts/demo.sh $(APP_PORT) $(SANDBOX_PORT)

# Production: nginx on $(PROD_BIND) buffers every request, gunicorn answers on 127.0.0.1:$(PROD_APP_PORT).
PROD_BIND ?= 0.0.0.0:8000
PROD_APP_PORT ?= 8001
prod: install system-deps
	@bash scripts/prod.sh $(PROD_BIND) $(PROD_APP_PORT)

# Celery mode: gunicorn, the scheduler and $(WORKERS) Celery workers (Procfile via honcho) on
# PostgreSQL (WIXOMS_DATABASE_URL) and Redis (WIXOMS_REDIS_URL); see README "Scaling out".
WORKERS ?= 2
cluster: install
	@bash scripts/cluster.sh $(WORKERS)

sandbox: install
	$(BIN)/python -m wixoms.sandbox --port $(SANDBOX_PORT) --demo

# Wix's official JS SDK for tests/contract, pinned by its package-lock.json (Node 20, npm ci).
contract-deps:
	@cd tests/contract && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --ignore-scripts; }

# The whole suite on SQLite, then again on PostgreSQL when it is reachable (required under CI).
test: install-test
	@$(MAKE) --no-print-directory contract-deps
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
	@for b in bench/[!_]*.py; do echo "== $$b"; $(BIN)/python $$b $(BENCH_ARGS) || exit 1; done

lint: install-test
	$(BIN)/ruff check wixoms tests bench
	$(BIN)/ruff format --check wixoms tests bench

clean:
	rm -rf $(VENV) $(DEMO_DIR) instance .pytest_cache
