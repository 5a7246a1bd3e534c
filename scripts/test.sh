#!/usr/bin/env bash
# Runs every test. PostgreSQL tests use TESSERA_TEST_POSTGRES_URL; when it is unset and a
# local server answers on 127.0.0.1:5432 (user postgres, trust auth), that one is used.
# With PostgreSQL, a full run (no arguments, TESSERA_TEST_BACKEND unset) then runs the server
# suites a second time on it (TESSERA_TEST_BACKEND=postgres), reusing the build.
# Ends with one summary line over all test binaries and both passes ("tests: N passed, N failed").
set -uo pipefail
cd "$(dirname "$0")/.."
if [ -z "${TESSERA_TEST_POSTGRES_URL:-}" ] && command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; then
  export TESSERA_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres
fi
if [ -z "${TESSERA_TEST_POSTGRES_URL:-}" ]; then
  echo "NOTE: no PostgreSQL found: PostgreSQL tests will be SKIPPED (set TESSERA_TEST_POSTGRES_URL)" >&2
fi
log=$(mktemp)
# Each test process writes its servers' log (at verbose levels) and the secrets it used here;
# the last step checks that no secret is in any log (tests/logs.rs).
TESSERA_TEST_LOG_DIR=$(mktemp -d)
export TESSERA_TEST_LOG_DIR
trap 'rm -rf "$log" "$TESSERA_TEST_LOG_DIR"' EXIT
cargo test --workspace --features sandbox "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

# The server suites on PostgreSQL. The store conformance suite and token_races already run on
# both backends above, and the multi-node jobs tests choose their databases themselves.
if [ $# -eq 0 ] && [ -n "${TESSERA_TEST_POSTGRES_URL:-}" ] && [ -z "${TESSERA_TEST_BACKEND:-}" ]; then
  echo "== second pass: the server suites on PostgreSQL (TESSERA_TEST_BACKEND=postgres)"
  TESSERA_TEST_BACKEND=postgres cargo test --workspace --features sandbox --test main -- \
    admin:: oidc:: upstream:: jobs:: pages:: remote_auth:: throttle:: rate_limits:: client_secrets:: secrets_rotation:: \
    metrics:: reload:: transfer:: nginx:: \
    --skip one_welcome_mail_per_registration_with_two_nodes \
    --skip sigkill_mid_job_and_with_jobs_queued_then_restart_finishes_everything \
    --skip two_server_processes_on_postgresql_send_each_welcome_once \
    2>&1 | tee -a "$log"
  second=${PIPESTATUS[0]}
  [ "$status" -ne 0 ] || status=$second
fi

if [ $# -eq 0 ]; then
  echo "== the logs of the run hold no secret"
  cargo test --features sandbox --test main -- --ignored --exact --show-output logs::the_whole_run_wrote_no_secret_to_its_log \
    2>&1 | tee -a "$log"
  checked=${PIPESTATUS[0]}
  [ "$status" -ne 0 ] || status=$checked
fi

awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i } }
     END { printf "tests: %d passed, %d failed\n", p, f }' "$log"
exit "$status"
