#!/usr/bin/env bash
# Benchmarks `opsdesk mine` against PM4Py on the same generated logs, in the same run, and
# prints a markdown table (medians of $RUNS runs; wall time and peak RSS from /usr/bin/time -v).
#
#   scripts/bench-mining.sh                     sizes 10k and 1M, 3 runs
#   SIZES="10000 100000 1000000" RUNS=5 scripts/bench-mining.sh
#   BENCH_10M=1 scripts/bench-mining.sh         also a 10M-event CSV, generated on the fly
#                                               (opsdesk only: PM4Py would need >5 GiB)
#
# Logs are generated once into $BENCH_DIR (default /tmp/opsdesk-mining-bench), never in git.
# The PM4Py virtualenv is $OPSDESK_ORACLE_VENV (default .venv-oracle at the repo root), created
# when missing. To add a task, add one `bench` line below: a name, a log, the peer command (or
# "-" when there is none) and the opsdesk command.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${OPSDESK_ORACLE_VENV:-$ROOT/.venv-oracle}"
SHARED="${OPSDESK_SHARED:-$ROOT/../shared}"
DIR="${BENCH_DIR:-/tmp/opsdesk-mining-bench}"
SIZES="${SIZES:-10000 1000000}"
RUNS="${RUNS:-3}"
mkdir -p "$DIR"

if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pm4py pandas
fi
PY="$VENV/bin/python"
PEER="$ROOT/scripts/bench_mining_peer.py"
cargo build --release -q -p opsdesk --manifest-path "$ROOT/Cargo.toml"
BIN="$ROOT/target/release/opsdesk"

label() { # 10000 -> 10k, 1000000 -> 1m
  local n=$1
  if (( n >= 1000000 )); then echo "$((n / 1000000))m"; else echo "$((n / 1000))k"; fi
}

generate() { # size -> prefix; generates CSV and XES once
  local prefix="$DIR/log_$(label "$1")"
  if [[ ! -f "$prefix.csv" ]]; then
    python3 "$SHARED/bench/gen_log.py" --events "$1" --out "$prefix" > /dev/null
  fi
  echo "$prefix"
}

# measure CMD... -> prints "median_seconds median_MiB" over $RUNS runs
measure() {
  local times=() mems=() out
  for _ in $(seq "$RUNS"); do
    out=$( /usr/bin/time -v "$@" 2>&1 >/dev/null | grep -E "Elapsed \(wall|Maximum resident" )
    local wall rss
    wall=$(echo "$out" | awk -F': ' '/Elapsed/ {n=split($2,p,":"); s=0; for(i=1;i<=n;i++) s=s*60+p[i]; print s}')
    rss=$(echo "$out" | awk -F': ' '/Maximum resident/ {printf "%.0f", $2/1024}')
    times+=("$wall"); mems+=("$rss")
  done
  local mt mm
  mt=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  mm=$(printf '%s\n' "${mems[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$mt $mm"
}

ROWS=()
bench() { # name log peer-task|- opsdesk-args...
  local name="$1" log="$2" peer="$3"; shift 3
  local p_t="-" p_m="-" speed="-" memr="-"
  if [[ "$peer" != "-" ]]; then
    read -r p_t p_m < <(measure "$PY" "$PEER" "$peer" "$log")
  fi
  local o_t o_m
  read -r o_t o_m < <(measure "$BIN" mine "$@")
  if [[ "$peer" != "-" ]]; then
    speed=$(awk -v a="$p_t" -v b="$o_t" 'BEGIN {printf "%.1f×", a / (b > 0 ? b : 0.001)}')
    memr=$(awk -v a="$p_m" -v b="$o_m" 'BEGIN {printf "%.2f", b / a}')
  fi
  ROWS+=("| $name | $p_t | $o_t | $speed | $p_m | $o_m | $memr |")
  echo "${ROWS[-1]}" >&2
}

for n in $SIZES; do
  prefix=$(generate "$n")
  l=$(label "$n")
  bench "dfg --json, CSV $l" "$prefix.csv" dfg-csv dfg "$prefix.csv" --json
  bench "XES import (stats), $l" "$prefix.xes" import-xes stats "$prefix.xes"
  bench "whole pipeline (report: + heuristics, IMf, token replay), CSV $l" "$prefix.csv" pipeline-csv report "$prefix.csv" --out "$DIR/report_$l.html"
  bench "variants --json, CSV $l" "$prefix.csv" - variants "$prefix.csv" --json
  bench "bottlenecks --json, CSV $l" "$prefix.csv" - bottlenecks "$prefix.csv" --json
done
if [[ "${BENCH_10M:-0}" == 1 ]]; then
  prefix=$(generate 10000000)
  bench "dfg --json, CSV 10m" "$prefix.csv" - dfg "$prefix.csv" --json
  bench "pipeline (report), CSV 10m" "$prefix.csv" - report "$prefix.csv" --out "$DIR/report_10m.html"
fi

echo
echo "Machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end; medians of $RUNS runs."
echo
echo "| task | PM4Py s | opsdesk s | speed-up | PM4Py MiB | opsdesk MiB | memory ratio |"
echo "|---|---|---|---|---|---|---|"
printf '%s\n' "${ROWS[@]}"
