#!/usr/bin/env bash
# Regenerates the analytics golden files with pandas (the oracle) and compares them, and a larger
# random case, with `opsdesk kpi rollup`. Exits non-zero on any mismatch.
#   OPSDESK_ORACLE_VENV  virtualenv to use or create (default: .venv-oracle at the repository root)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${OPSDESK_ORACLE_VENV:-$root/.venv-oracle}
if ! "$venv/bin/python" -c "import pandas" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pandas numpy
fi
py="$venv/bin/python"
oracle="$root/scripts/analytics_oracle.py"
golden="$root/crates/analytics/tests/golden"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --quiet -p opsdesk --manifest-path "$root/Cargo.toml"
opsdesk="$root/target/release/opsdesk"
aggs=sum,mean,min,max,first,last,count,p50,p90,p99.5
status=0

mkdir -p "$golden"
"$py" "$oracle" gen-small "$golden/points.csv"
"$py" "$oracle" gen-random "$work/random.csv" --rows 200000
for by in day week month quarter year; do
  "$py" "$oracle" rollup "$golden/points.csv" --by "$by" "$golden/rollup_$by.json"
  "$opsdesk" kpi rollup "$golden/points.csv" --by "$by" --agg "$aggs" --json > "$work/ours_$by.json"
  "$py" "$oracle" compare "$golden/rollup_$by.json" "$work/ours_$by.json" || status=1
  "$py" "$oracle" rollup "$work/random.csv" --by "$by" "$work/pandas_random_$by.json"
  "$opsdesk" kpi rollup "$work/random.csv" --by "$by" --agg "$aggs" --json > "$work/ours_random_$by.json"
  "$py" "$oracle" compare "$work/pandas_random_$by.json" "$work/ours_random_$by.json" || status=1
done
# Period-over-period, year-over-year and moving means: pandas' golden files are checked by
# `cargo test -p analytics --test golden_series`, which this runs after regenerating them.
"$py" "$oracle" gen-series "$golden/series.csv"
for by in month quarter; do
  "$py" "$oracle" series "$golden/series.csv" --by "$by" "$golden/series_$by.json"
done
(cd "$root" && cargo test --quiet -p analytics --test golden --test golden_series) || status=1
if [ "$status" -ne 0 ]; then
  echo "analytics oracle: MISMATCH" >&2
else
  echo "analytics oracle: rollups, PoP/YoY and moving means equal pandas"
fi
exit "$status"
