#!/usr/bin/env bash
# `make check-migrations`: migrate a fresh, throw-away SQLite database to every head (core and every installed
# plugin's branch) and run `alembic check` on it through the CLI (`surety db check`, which builds the Alembic
# configuration in code: core/db/migrate.py). Fails when a model and the migrations differ, or a migration fails.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-.venv/bin}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export SURETY_ENV=development SURETY_LOG_LEVEL=WARNING SURETY_VAR_DIR="$tmp" SURETY_DATABASE_URL="sqlite:///$tmp/check.db"
unset SURETY_APP_DATABASE_URL
"$BIN/surety" db upgrade
"$BIN/surety" db check
