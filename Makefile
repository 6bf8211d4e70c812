# Surety developer commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: venv run lint ruff import-contracts mypy check-migrations test test-sqlite test-pg bench load schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

## Set up, migrate the embedded SQLite database under var/ (and bring existing tenants up to this release), create the
## demo tenant, serve on :8000.
run: $(STAMP)
	$(BIN)/surety db upgrade
	$(BIN)/surety tenant sync
	$(BIN)/surety demo
	$(BIN)/surety serve

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

## Lint, then the whole suite on SQLite, then on PostgreSQL (a fresh database per run, dropped afterwards).
test: lint test-sqlite test-pg

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

test-pg: $(STAMP)
	SURETY_TEST_DATABASE_URL='$(PG_URL)' $(BIN)/python -m pytest $(PYTEST_ARGS)

## Benchmarks on PostgreSQL, figures side by side with their baselines (docs/benchmarks.md).
bench: $(STAMP)
	SURETY_BENCH_DATABASE_URL='$(PG_URL)' $(BIN)/python tests/bench/run.py

## Load test on PostgreSQL: 50 tenants, 2 workers, mixed workload at fixed arrival rates, GraphQL vs a hand-written
## baseline side by side, then a burst (docs/benchmarks.md, "Request path under load"). LOAD_ARGS e.g. --quick.
LOAD_ARGS ?=
load: $(STAMP)
	SURETY_LOAD_DATABASE_URL='$(PG_URL)' $(BIN)/python tests/load/runner.py $(LOAD_ARGS)

schema: $(STAMP)
	$(BIN)/surety schema export

clean:
	rm -rf $(VENV) var/surety.db* .pytest_cache
