#!/usr/bin/env bash
# Benchmarks `opsdesk kpi rollup` against pandas and Polars on the same CSV in the same run:
# 10,000,000 random points (500 KPIs x 3 years, daily dates) rolled up by KPI x month with sum,
# mean and p90. Prints a markdown table of medians over RUNS runs (default 3) of the in-process
# read and rollup times and the whole-process wall time and peak RSS (/usr/bin/time -v).
#   OPSDESK_ORACLE_VENV  virtualenv with pandas and polars (created if missing; default .venv-oracle)
#   ROWS (10000000), RUNS (3), CSV (/tmp/analytics_bench_$ROWS.csv, generated if missing)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${OPSDESK_ORACLE_VENV:-$root/.venv-oracle}
rows=${ROWS:-10000000}
runs=${RUNS:-3}
csv=${CSV:-/tmp/analytics_bench_$rows.csv}
if ! "$venv/bin/python" -c "import pandas, polars" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet pandas polars numpy
fi
py="$venv/bin/python"
[ -s "$csv" ] || "$py" "$root/scripts/analytics_gen.py" --rows "$rows" --out "$csv"
cargo build --release --quiet -p opsdesk --manifest-path "$root/Cargo.toml"
opsdesk="$root/target/release/opsdesk"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
for run in $(seq "$runs"); do
  for tool in pandas polars opsdesk; do
    out="$work/$tool.$run"
    if [ "$tool" = opsdesk ]; then
      /usr/bin/time -v -o "$out.time" "$opsdesk" kpi rollup "$csv" --by month --agg sum,mean,p90 --json --timings \
        > "$work/ours.json" 2> "$out.err"
      "$py" "$root/scripts/analytics_peers.py" check "$work/ours.json" > "$out.sum"
      sed -E 's/read ([0-9.]+) s, rollup ([0-9.]+) s.*/read=\1 rollup=\2/' "$out.err" > "$out.phase"
    else
      /usr/bin/time -v -o "$out.time" "$py" "$root/scripts/analytics_peers.py" "$tool" "$csv" > "$out.sum"
      cp "$out.sum" "$out.phase"
    fi
    echo "run $run $tool: $(cat "$out.phase" | tr '\n' ' ') $(grep -E 'Elapsed|Maximum resident' "$out.time" | sed -E 's/.*: //' | tr '\n' ' ')" >&2
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

"$py" - "$work" "$runs" "$rows" <<'PY'
import re, statistics, sys
work, runs, rows = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])

def wall(text):
    t = re.search(r"Elapsed \(wall clock\) time.*: (.*)", text).group(1).split(":")
    return sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))

stats = {}
for tool in ["pandas", "polars", "opsdesk"]:
    rec = {"read": [], "rollup": [], "wall": [], "rss": [], "summary": set()}
    for run in range(1, runs + 1):
        base = f"{work}/{tool}.{run}"
        phase = dict(kv.split("=") for kv in open(base + ".phase").read().split())
        rec["read"].append(float(phase["read"]))
        rec["rollup"].append(float(phase["rollup"]))
        text = open(base + ".time").read()
        rec["wall"].append(wall(text))
        rec["rss"].append(int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024)
        s = dict(kv.split("=") for kv in open(base + ".sum").read().split())
        rec["summary"].add((int(s["groups"]), round(float(s["p90sum"]), 3)))
    stats[tool] = {k: (statistics.median(v) if isinstance(v, list) else v) for k, v in rec.items()}

ours = stats["opsdesk"]
print(f"{rows:,} points, KPI x month, sum + mean + p90; medians of {runs} runs\n")
print("| tool | read CSV (s) | rollup in memory (s) | whole process (s) | peak RSS (MiB) | rollup vs opsdesk | whole vs opsdesk |")
print("|---|---|---|---|---|---|---|")
for tool, s in stats.items():
    print(f"| {tool} | {s['read']:.3f} | {s['rollup']:.3f} | {s['wall']:.2f} | {s['rss']:.0f} "
          f"| {s['rollup'] / ours['rollup']:.1f}x | {s['wall'] / ours['wall']:.1f}x |")
summaries = {tool: s["summary"] for tool, s in stats.items()}
agree = all(len(v) == 1 for v in summaries.values()) and len(set.union(*summaries.values())) == 1
print(f"\nresults agree (group count, sum of p90 to 3 decimals): {'yes' if agree else 'NO ' + str(summaries)}")
sys.exit(0 if agree else 1)
PY
