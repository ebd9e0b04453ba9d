#!/usr/bin/env bash
# The whole check, as CI runs it: lint, migrations, translations, deploy check, then the
# test suite on SQLite and again on PostgreSQL. Browser screenshots go to build/screenshots/.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
export PYTHONUNBUFFERED=1
export ASPHUB_SCREENSHOT_DIR="${ASPHUB_SCREENSHOT_DIR:-$PWD/build/screenshots}"
mkdir -p "$ASPHUB_SCREENSHOT_DIR"

echo "==> ruff (lint and format)"
$BIN/ruff check .
$BIN/ruff format --check .

echo "==> mypy (services, selectors, the permission layer)"
$BIN/mypy

echo "==> Apps depend in one direction (import-linter contract in pyproject.toml)"
$BIN/lint-imports --no-cache

echo "==> Migrations are up to date"
DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py makemigrations --check --dry-run

echo "==> Translations compile"
DJANGO_SETTINGS_MODULE=config.settings.test $BIN/python manage.py compilemessages --ignore=.venv --ignore=static -v 0

echo "==> check --deploy against the production settings"
DJANGO_SETTINGS_MODULE=config.settings.prod \
DJANGO_SECRET_KEY="ci-$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n')" \
DJANGO_ALLOWED_HOSTS="asphub.example.org" \
DATABASE_URL="postgres://postgres@127.0.0.1:5432/postgres" \
  $BIN/python manage.py check --deploy --fail-level WARNING

echo "==> Test suite on SQLite"
$BIN/python -m pytest -q --durations=15 "$@"

echo "==> Test suite on PostgreSQL"
DATABASE_URL="postgres://postgres@127.0.0.1:5432/asphub" $BIN/python -m pytest -q --create-db --durations=15 "$@"

echo "==> Done. Browser screenshots: $ASPHUB_SCREENSHOT_DIR"
