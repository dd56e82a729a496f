#!/usr/bin/env bash
# Benchmarks opsdesk's assignment engine against scipy on the same inputs in the same run and
# prints a markdown table (medians of RUNS runs, default 3; wall time and peak RSS from
# /usr/bin/time -v). Inputs are generated under target/bench-optimize (never committed).
#
#   OPSDESK_ORACLE_VENV  virtualenv with scipy/numpy (default: .venv-oracle at the repo root)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${OPSDESK_ORACLE_VENV:-$root/.venv-oracle}"
runs="${1:-3}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import scipy, numpy" 2>/dev/null; then
    "$venv/bin/pip" install --quiet scipy numpy
fi

cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p opsdesk
cargo build --quiet --release --manifest-path "$root/Cargo.toml" -p optimize --example capacitated_timing
work="$root/target/bench-optimize"
mkdir -p "$work"
echo "machine: $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
"$venv/bin/python" "$root/scripts/bench_optimize.py" \
    "$root/target/release/opsdesk" "$root/target/release/examples/capacitated_timing" "$work" "$runs"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
