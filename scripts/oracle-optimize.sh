#!/usr/bin/env bash
# Regenerates the optimize crate's golden data with the peer (scipy from PyPI) and checks
# that opsdesk agrees with it: assignment totals vs linear_sum_assignment, and the auto-assign
# bound and plans vs HiGHS (scipy.optimize.milp). Exits non-zero on any mismatch.
#
#   OPSDESK_ORACLE_VENV  virtualenv to use or create (default: .venv-oracle at the repo root)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${OPSDESK_ORACLE_VENV:-$root/.venv-oracle}"
golden="$root/crates/optimize/tests/golden"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import scipy, numpy" 2>/dev/null; then
    "$venv/bin/pip" install --quiet scipy numpy
fi

fresh="$(mktemp -d)"
trap 'rm -rf "$fresh"' EXIT
"$venv/bin/python" "$root/scripts/oracle_optimize.py" "$fresh"

# Ours against the freshly computed peer answers.
OPTIMIZE_GOLDEN_DIR="$fresh" cargo test --manifest-path "$root/Cargo.toml" -p optimize \
    --test scipy_golden --test capacitated_golden

# The committed golden files must be what the peer computes today.
status=0
for f in "$fresh"/*.json; do
    name="$(basename "$f")"
    if ! diff -q "$f" "$golden/$name" >/dev/null; then
        echo "golden file $name differs from the peer's fresh output (copy $f to update it)" >&2
        status=1
    fi
done
[ "$status" -eq 0 ] && echo "oracle: scipy and opsdesk agree on every golden instance"
exit "$status"
