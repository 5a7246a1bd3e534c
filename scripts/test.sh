#!/usr/bin/env bash
# Runs every test. PostgreSQL tests use TESSERA_TEST_POSTGRES_URL; when it is unset and a
# local server answers on 127.0.0.1:5432 (user postgres, trust auth), that one is used.
# Ends with one summary line over all test binaries ("tests: N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TESSERA_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export TESSERA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
if [ -z "${TESSERA_TEST_POSTGRES_URL:-}" ]; then
  echo "NOTE: no PostgreSQL found: PostgreSQL tests will be SKIPPED (set TESSERA_TEST_POSTGRES_URL)" >&2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --workspace "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
