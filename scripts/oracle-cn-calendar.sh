#!/usr/bin/env bash
# Checks the bundled China holiday calendar (crates/team/src/capacity/cn_<year>.json) against an
# independent source: the `chinesecalendar` package from PyPI (module `chinese_calendar`, which
# carries the State Council's yearly notice). Test-time only; the app never depends on it.
# Every date must agree on "holiday" vs "调休 make-up workday", and neither side may have a date
# the other lacks. Names are not compared (the notice's wording differs between sources).
#   OPSDESK_ORACLE_VENV  virtualenv (created if missing; default .venv-oracle)
# Usage: scripts/oracle-cn-calendar.sh [YEAR]   (default 2026)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${OPSDESK_ORACLE_VENV:-$root/.venv-oracle}
year=${1:-2026}
if ! "$venv/bin/python" -c "import chinese_calendar" 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet chinesecalendar
fi
"$venv/bin/python" - "$root/crates/team/src/capacity/cn_$year.json" "$year" <<'PY'
import datetime, json, sys
from importlib.metadata import version
from chinese_calendar import constants

path, year = sys.argv[1], int(sys.argv[2])
ours = {d["date"]: d["isOffDay"] for d in json.load(open(path))["days"]}
theirs = {d.isoformat(): True for d in constants.holidays if d.year == year}
theirs.update({d.isoformat(): False for d in constants.workdays if d.year == year})
if not theirs:
    sys.exit(f"chinesecalendar {version('chinesecalendar')} has no data for {year}")
bad = sorted(
    (d, ours.get(d), theirs.get(d))
    for d in set(ours) | set(theirs)
    if ours.get(d) != theirs.get(d)
)
for d, o, t in bad:
    print(f"{d}: bundled isOffDay={o}, chinesecalendar isOffDay={t}")
print(f"{len(ours)} bundled days, {len(theirs)} in chinesecalendar {version('chinesecalendar')}: "
      + ("MISMATCH" if bad else "identical"))
sys.exit(1 if bad else 0)
PY
