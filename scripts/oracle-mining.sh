#!/usr/bin/env bash
# PM4Py oracle for `opsdesk mine`: recomputes golden facts with PM4Py and compares them with
# opsdesk's output and with the committed golden files (crates/mining/tests/golden).
#
#   scripts/oracle-mining.sh            compare (shared logs + synthetic 10k/100k logs)
#   scripts/oracle-mining.sh --update   also rewrite the committed golden files
#   ORACLE_SIZES="10000 1000000" scripts/oracle-mining.sh   other synthetic sizes
#
# The virtualenv comes from $OPSDESK_ORACLE_VENV (default .venv-oracle at the repo root) and is
# created with PM4Py from PyPI when missing. Exits non-zero on any mismatch.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${OPSDESK_ORACLE_VENV:-$ROOT/.venv-oracle}"
SHARED="${OPSDESK_SHARED:-$ROOT/../shared}"
LOGS="$SHARED/data/eventlogs"
GOLDEN="$ROOT/crates/mining/tests/golden"
SIZES="${ORACLE_SIZES:-10000 100000}"
UPDATE=0
[[ "${1:-}" == "--update" ]] && UPDATE=1

[[ -d "$LOGS" ]] || { echo "shared event logs not found at $LOGS (set OPSDESK_SHARED)" >&2; exit 2; }
if [[ ! -x "$VENV/bin/python" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pm4py pandas
fi
PY="$VENV/bin/python"
cargo build --release -q -p opsdesk --manifest-path "$ROOT/Cargo.toml"
BIN="$ROOT/target/release/opsdesk"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fail=0
check() { # name log [extra opsdesk/oracle args...]
  local name="$1" log="$2"; shift 2
  "$PY" "$ROOT/scripts/oracle_mining.py" golden "$log" "$@" > "$WORK/$name.golden.json" 2>/dev/null
  "$BIN" mine dfg "$log" "$@" --json > "$WORK/$name.dfg.json"
  "$BIN" mine variants "$log" "$@" --json > "$WORK/$name.variants.json"
  "$PY" "$ROOT/scripts/oracle_mining.py" compare "$WORK/$name.golden.json" "$WORK/$name.dfg.json" "$WORK/$name.variants.json" || fail=1
  if [[ -n "${GOLDEN_NAME:-}" ]]; then
    if [[ $UPDATE == 1 ]]; then
      cp "$WORK/$name.golden.json" "$GOLDEN/$GOLDEN_NAME.json"
    elif ! "$PY" -c 'import json,sys
a,b=(json.load(open(p)) for p in sys.argv[1:3])
for k in ("pm4py",): a.pop(k,None); b.pop(k,None)
sys.exit(a!=b)' "$WORK/$name.golden.json" "$GOLDEN/$GOLDEN_NAME.json"; then
      echo "MISMATCH committed golden $GOLDEN_NAME.json differs from PM4Py's current output"; fail=1
    fi
  fi
}

mkdir -p "$GOLDEN"
GOLDEN_NAME=running-example-csv check re_csv "$LOGS/running-example.csv"
GOLDEN_NAME=running-example-xes check re_xes "$LOGS/running-example.xes"
GOLDEN_NAME=receipt check receipt "$LOGS/receipt.csv"
GOLDEN_NAME=helpdesk check helpdesk "$LOGS/helpdesk.xes.gz"
GOLDEN_NAME=bpic2012 check bpic2012 "$LOGS/bpic2012.xes.gz"
GOLDEN_NAME=ocel20-purchase-order check ocel_po "$LOGS/ocel20_example.jsonocel" --object-type "Purchase Order"
GOLDEN_NAME=ocel20-invoice check ocel_inv "$LOGS/ocel20_example.jsonocel" --object-type Invoice
for n in $SIZES; do
  python3 "$SHARED/bench/gen_log.py" --events "$n" --out "$WORK/gen_$n" > /dev/null
  GOLDEN_NAME= check "gen_${n}_csv" "$WORK/gen_$n.csv"
  GOLDEN_NAME= check "gen_${n}_xes" "$WORK/gen_$n.xes"
done
if [[ $fail != 0 ]]; then echo "oracle: MISMATCH"; exit 1; fi
echo "oracle: all logs match PM4Py"
