#!/usr/bin/env bash
# Runs every test. PostgreSQL tests use TESSERA_TEST_POSTGRES_URL; when it is unset and a
# local server answers on 127.0.0.1:5432 (user postgres, trust auth), that one is used.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TESSERA_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export TESSERA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
if [ -z "${TESSERA_TEST_POSTGRES_URL:-}" ]; then
  echo "NOTE: no PostgreSQL found: PostgreSQL tests will be SKIPPED (set TESSERA_TEST_POSTGRES_URL)" >&2
fi
exec cargo test --workspace "$@"
