#!/usr/bin/env bash
# Discovery and conformance: PM4Py vs the mining crate on the same generated logs, same run.
#
# usage: scripts/bench-mining-models.sh [EVENTS ...]      (default: 10000 100000 1000000)
# env:   OPSDESK_ORACLE_VENV (default .venv-oracle; created with pm4py if missing),
#        BENCH_DIR (default target/bench-mining-models), RUNS (PM4Py repetitions, default 3)
# Prints a markdown table of medians (ours: criterion medians; PM4Py: median of RUNS
# in-process runs after `import pm4py` and loading) and the ratios.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${OPSDESK_ORACLE_VENV:-$ROOT/.venv-oracle}"
DIR="${BENCH_DIR:-$ROOT/target/bench-mining-models}"
RUNS="${RUNS:-3}"
SHARED="$ROOT/../shared"; [ -d "$SHARED" ] || SHARED="$ROOT/shared"
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(10000 100000 1000000)
mkdir -p "$DIR"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pm4py pandas
fi
cd "$ROOT"
cargo build --release -p mining --benches >/dev/null 2>&1 || cargo build --release -p mining --benches

median_ns() { # criterion median estimate in nanoseconds
  python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['median']['point_estimate'])" \
    "$ROOT/target/criterion/models_$1/$2/new/estimates.json"
}

echo "| events | variants | step | PM4Py s | opsdesk s | speed-up |"
echo "|---|---|---|---|---|---|"
for N in "${SIZES[@]}"; do
  LOG="$DIR/log_$N"
  [ -f "$LOG.csv" ] || python3 "$SHARED/bench/gen_log.py" --events "$N" --out "$LOG" >/dev/null
  NAME="log_$N"
  # Ours: criterion kernels on the log; the bench also leaves our IM net for PM4Py to replay.
  MINING_BENCH_LOG="$LOG.csv" MINING_BENCH_PNML="$LOG.im.pnml" \
    /usr/bin/time -v -o "$DIR/ours_$N.time" cargo bench -q -p mining --bench models >"$DIR/ours_$N.txt" 2>&1
  # PM4Py on the same file, same run; peak RSS of its whole process.
  /usr/bin/time -v -o "$DIR/pm4py_$N.time" "$VENV/bin/python" "$ROOT/scripts/bench-mining-models.py" \
    "$LOG.csv" "$LOG.im.pnml" "$RUNS" 2>/dev/null | tail -1 >"$DIR/pm4py_$N.json"
  VARIANTS=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['variants'])" "$LOG.stats.json" 2>/dev/null || echo "?")
  python3 - "$DIR" "$N" "$VARIANTS" "$ROOT/target/criterion/models_$NAME" <<'PY'
import json, sys, os
d, n, variants, crit = sys.argv[1:5]
pm = json.load(open(f"{d}/pm4py_{n}.json"))
def ours(b):
    return json.load(open(os.path.join(crit, b, "new", "estimates.json")))["median"]["point_estimate"] / 1e9
rows = [
    ("heuristics miner (net)", pm["heuristics_s"], ours("heuristics_net")),
    ("inductive miner IM (tree)", pm["inductive_s"], ours("inductive_im")),
    ("inductive miner IMf 0.2 (tree)", pm["imf_0.2_s"], ours("inductive_imf_0.2")),
    ("token replay, our IM net", pm["tbr_our_net_s"], ours("token_replay_im_net")),
    ("IM + token replay", pm["inductive_s"] + pm["tbr_own_net_s"], ours("im_discovery_plus_token_replay")),
]
for step, p, o in rows:
    print(f"| {int(n):,} | {variants} | {step} | {p:.3f} | {o:.5f} | {p / o:,.0f}× |")
ours_fit = [l.split(":")[-1].strip() for l in open(f"{d}/ours_{n}.txt") if "log fitness on the IM net" in l][0]
print(f"| {int(n):,} | {variants} | TBR log fitness on our IM net (values, must agree) | {pm['tbr_our_net_fitness']:.12f} | {ours_fit} | |")
PY
done
for N in "${SIZES[@]}"; do
  rss() { grep "Maximum resident" "$1" | awk '{print $6}'; }
  echo "peak RSS $N events: PM4Py process $(( $(rss "$DIR/pm4py_$N.time") / 1024 )) MiB; our bench process (criterion + test CSV loader) $(( $(rss "$DIR/ours_$N.time") / 1024 )) MiB"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) (2 cores shared; compare ratios, not absolute times)"
