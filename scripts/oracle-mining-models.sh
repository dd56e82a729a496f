#!/usr/bin/env bash
# Regenerates the PM4Py golden data for discovery and conformance of crates/mining and
# compares our results with it. Exits non-zero on any mismatch.
#
#   1. PM4Py: variants, IM/IMf trees, heuristics net, its own IM net   (prepare)
#   2. opsdesk: writes our nets as PNML into tests/golden              (OPSDESK_WRITE_MODELS=1)
#   3. PM4Py: token replay and alignments on exactly those nets        (replay)
#   4. cargo test: trees, heuristics, fitness and per-variant tokens/costs must match
#
# env: OPSDESK_ORACLE_VENV (default .venv-oracle at the repo root; created with pm4py if missing)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VENV="${OPSDESK_ORACLE_VENV:-$ROOT/.venv-oracle}"
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet pm4py pandas
fi
cd "$ROOT"
export PM4PY_SHOW_PROGRESS_BAR=false
"$VENV/bin/python" scripts/oracle-mining-models.py prepare
OPSDESK_WRITE_MODELS=1 cargo test -q -p mining --test oracle_models conformance_equals_pm4py_on_our_nets
"$VENV/bin/python" scripts/oracle-mining-models.py replay
cargo test -q -p mining --test oracle_models
echo "oracle-mining-models: all results equal PM4Py's"
git -C "$ROOT" status --short crates/mining/tests/golden || true
