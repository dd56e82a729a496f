#!/usr/bin/env bash
# Batch auto-assign end to end in the app: 2,000 unassigned tasks (with required skills and
# estimates) to 300 people (skill levels, weekly hours, a 2026 calendar), through the JSON API
# of a release build: POST /api/v1/assign/preview (load everything, score 600,000 pairs, solve
# the capacitated plan, answer), then POST /api/v1/assign/accept of every row (all through the
# task service in one transaction). Prints the medians. Target: preview ≤ 1 s.
# Usage: scripts/bench-auto-assign.sh [sqlite|postgres] [RUNS]   (postgres needs OPSDESK_BENCH_PG_URL)
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
runs="${2:-5}"
cargo build --release -q -p opsdesk
BIN=target/release/opsdesk
OUT=bench-out/auto-assign; rm -rf "$OUT"; mkdir -p "$OUT"
PORT=18282
args=(--data-dir "$OUT/data")
if [ "$backend" = postgres ]; then
  : "${OPSDESK_BENCH_PG_URL:?set OPSDESK_BENCH_PG_URL=postgres://postgres@127.0.0.1:5432/opsdesk_bench (it is dropped and recreated)}"
  psql "${OPSDESK_BENCH_PG_URL%/*}/postgres" -qc "DROP DATABASE IF EXISTS ${OPSDESK_BENCH_PG_URL##*/}" -qc "CREATE DATABASE ${OPSDESK_BENCH_PG_URL##*/}"
  args+=(--database-url "$OPSDESK_BENCH_PG_URL")
fi
$BIN "${args[@]}" migrate >/dev/null
$BIN "${args[@]}" user create bench --role admin --password-stdin <<< "bench-password-$(date +%N)-x" >/dev/null
token=$($BIN "${args[@]}" token create bench --name bench)
$BIN "${args[@]}" serve --bind 127.0.0.1:$PORT --log-level warn > "$OUT/serve.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
echo "| backend | batch | preview wall (median) | preview server CPU | load avg | plan | bound | accept |"
echo "|---|---|---|---|---|---|---|---|"
python3 scripts/bench_auto_assign.py "http://127.0.0.1:$PORT" "$token" "$runs" "$backend" "$pid"
