# Surety developer commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: venv run web chromium test-web lint ruff import-contracts mypy check-migrations test test-sqlite test-pg bench load schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## Set up, migrate the embedded SQLite database under var/ (and bring existing tenants up to this release), create the
## demo tenant, serve on :8000.
run: $(STAMP) web
	$(BIN)/surety db upgrade
	$(BIN)/surety tenant sync
	$(BIN)/surety demo
	$(BIN)/surety serve

## The staff web console (docs/web-console.md): npm ci when node_modules is older than the lockfile, operations typed
## from graphql/schema.graphql (graphql-codegen), type-check (vue-tsc), build into web/dist (`surety serve` serves it).
WEB := web
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f -not -path '$(WEB)/src/gql/*' 2>/dev/null) \
	$(wildcard $(WEB)/*.ts $(WEB)/*.json $(WEB)/index.html) graphql/schema.graphql
web: $(WEB)/dist/index.html

$(WEB)/dist/index.html: $(WEB)/node_modules/.installed $(WEB_SOURCES)
	cd $(WEB) && npx graphql-codegen --config codegen.ts --silent && npx vue-tsc --noEmit && npx vite build --logLevel warn
	touch $@

$(WEB)/node_modules/.installed: $(WEB)/package-lock.json $(WEB)/package.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

## The console's browser tests (tests/web, marker browser) in headless Debian chromium, installed when missing.
CHROMIUM := /usr/bin/chromium
chromium:
	test -x $(CHROMIUM) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)
test-web: $(STAMP) web chromium
	PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 $(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

## Lint (docs/house-rules.md, "Lint and ratchets"): ruff, the import contracts, mypy on core/ against its ratchet,
## and `alembic check` on a fresh SQLite database migrated to every head.
lint: ruff import-contracts mypy check-migrations

ruff: $(STAMP)
	$(BIN)/ruff check .

import-contracts: $(STAMP)
	$(BIN)/lint-imports --no-cache

mypy: $(STAMP)
	$(BIN)/python .ci/mypy_ratchet.py

check-migrations: $(STAMP)
	BIN=$(BIN) .ci/check_migrations.sh

## Lint, then the whole suite on SQLite, then on PostgreSQL (a fresh database per run, dropped afterwards), then the
## web console's browser tests.
test: lint test-sqlite test-pg
	$(MAKE) test-web

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: $(STAMP)
	SURETY_TEST_DATABASE_URL='$(PG_URL)' $(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks on PostgreSQL, figures side by side with their baselines (docs/benchmarks.md); the web console's first
## load is measured in headless chromium (built and installed first).
bench: $(STAMP) web chromium
	SURETY_BENCH_DATABASE_URL='$(PG_URL)' $(BIN)/python tests/bench/run.py

## Load test on PostgreSQL: 50 tenants, 2 workers, mixed workload at fixed arrival rates, GraphQL vs a hand-written
## baseline side by side, then a burst (docs/benchmarks.md, "Request path under load"). LOAD_ARGS e.g. --quick.
LOAD_ARGS ?=
load: $(STAMP)
	SURETY_LOAD_DATABASE_URL='$(PG_URL)' $(BIN)/python tests/load/runner.py $(LOAD_ARGS)

schema: $(STAMP)
	$(BIN)/surety schema export

clean:
	rm -rf $(VENV) var/surety.db* .pytest_cache $(WEB)/node_modules $(WEB)/dist $(WEB)/src/gql
