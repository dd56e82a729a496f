#!/usr/bin/env bash
# The KPI page with three years of daily data on SQLite and PostgreSQL (issue 6: p95 <= 50 ms).
# Builds the release binary, starts it on a fresh database, runs scripts/bench-kpi-page.py.
# Usage: scripts/bench-kpi-page.sh [sqlite|postgres|both]   (PostgreSQL: OPSDESK_BENCH_PG_URL,
# default postgres://postgres@127.0.0.1:5432/opsdesk_bench_kpi, created if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
cargo build --release -q -p opsdesk
BIN=target/release/opsdesk
OUT=bench-out; mkdir -p "$OUT"
PORT=18191
PG_URL="${OPSDESK_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/opsdesk_bench_kpi}"

run() {
  local name="$1" url="$2"
  local dir="$OUT/kpi-$name"; rm -rf "$dir"; mkdir -p "$dir"
  local args=(--data-dir "$dir"); [ -n "$url" ] && args+=(--database-url "$url")
  $BIN "${args[@]}" migrate >/dev/null
  local pw="bench-kpi-$(date +%N)-pass"
  $BIN "${args[@]}" user create benchkpi --role admin --password-stdin <<< "$pw" >/dev/null
  local token; token=$($BIN "${args[@]}" token create benchkpi --name bench)
  $BIN "${args[@]}" serve --bind 127.0.0.1:$PORT --log-level warn > "$OUT/kpi-serve-$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  echo "### $name"
  python3 scripts/bench-kpi-page.py "http://127.0.0.1:$PORT" benchkpi "$pw" "$token" "${N:-300}"
  kill -TERM $pid; wait $pid || true
}

[ "$which" != postgres ] && run sqlite ""
if [ "$which" != sqlite ]; then
  psql "${PG_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${PG_URL##*/} WITH (FORCE)" >/dev/null
  psql "${PG_URL%/*}/postgres" -qc "CREATE DATABASE ${PG_URL##*/}" >/dev/null
  run postgres "$PG_URL"
fi
