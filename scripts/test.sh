#!/usr/bin/env bash
# Runs opsdesk's whole test suite on a fresh machine: the Rust tests on SQLite and PostgreSQL,
# formatting and lints, then API fuzzing (scripts/fuzz-api.sh, bounded; FUZZ=0 skips it).
# Installs what it needs when missing. Usage: scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# PostgreSQL at 127.0.0.1:5432 (this machine kind runs it; start it if it stopped).
if ! (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null; then
  log "starting PostgreSQL"
  if command -v pg_ctlcluster >/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
  fi
  for _ in $(seq 1 30); do (echo > /dev/tcp/127.0.0.1/5432) 2>/dev/null && break; sleep 1; done
fi
export OPSDESK_TEST_PG_URL="${OPSDESK_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

# npm is needed at build time to fetch htmx and ECharts (pinned by crates/ui/assets/package-lock.json).
command -v npm >/dev/null || { log "installing npm"; apt-get update -qq && apt-get install -y -qq npm; }

# Headless Chromium and its WebDriver for the browser test (Debian packages).
if ! command -v chromedriver >/dev/null || ! command -v chromium >/dev/null; then
  log "installing chromium and chromium-driver"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver
fi

log "cargo fmt --check"
cargo fmt --all -- --check

log "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

log "cargo test (SQLite and PostgreSQL)"
PROPTEST_CASES="${PROPTEST_CASES:-64}" cargo test --workspace --quiet 2>&1 | tee target/test-output.txt
grep -E "^test result:" target/test-output.txt | awk '{p+=$4; f+=$6} END {printf "\n%d passed, %d failed\n", p, f}'

log "China holiday calendar against chinesecalendar (PyPI)"
command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }
scripts/oracle-cn-calendar.sh 2026

if [ "${FUZZ:-1}" != 0 ]; then
  log "API fuzzing (schemathesis, at most ${FUZZ_MAX_TIME:-60}s per database)"
  command -v python3 >/dev/null || { apt-get update -qq && apt-get install -y -qq python3 python3-venv; }
  scripts/fuzz-api.sh
fi
