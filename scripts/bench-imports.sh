#!/usr/bin/env bash
# Measures the import/export kit on this machine: a generated people file (N rows, GBK CSV,
# every row with a department code and most with a manager elsewhere in the file) imported with
# `opsdesk import` — dry run and commit, wall time and peak RSS — and list exports over the API
# (people as XLSX, one department's tasks of the large demo as CSV and XLSX), on SQLite and
# PostgreSQL. Prints a markdown table. Usage: N=10000 scripts/bench-imports.sh [sqlite|postgres|both]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
N="${N:-10000}"
PG="${PG:-postgres://postgres@127.0.0.1:5432}"
cargo build --release -q -p opsdesk
BIN=target/release/opsdesk
OUT=bench-out/imports; mkdir -p "$OUT"
PORT=18191

python3 - "$N" "$OUT/people.csv" <<'PY'
import sys, random
n, path = int(sys.argv[1]), sys.argv[2]
random.seed(7)
depts = ["OPS", "CS", "FIN", "GO"]
fam = "张王李赵刘陈杨黄周吴"; giv = "伟芳娜敏静丽强磊军洋"
rows = ["工号,姓名,中文名,部门,职位,上级工号,邮箱,手机,入职日期"]
for i in range(n):
    mgr = f"B{random.randrange(i)}" if i > 10 and random.random() < 0.9 else ""
    zh = random.choice(fam) + random.choice(giv) + random.choice(giv)
    rows.append(f"B{i},Person {i},{zh},{random.choice(depts)},专员,{mgr},p{i}@example.com,138{i:08d},2024/{1+i%12}/{1+i%28}")
open(path, "wb").write(("\r\n".join(rows) + "\r\n").encode("gbk"))
PY

wait_ready() {
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "server did not become ready" >&2; return 1
}

timed() { # prints "seconds maxrss_mib" of a command (its output goes to $OUT/last.txt)
  /usr/bin/time -f "%e %M" -o "$OUT/time.txt" "$@" > "$OUT/last.txt" 2>&1 || true
  awk '{printf "%.2f s, %.0f MiB", $1, $2/1024}' "$OUT/time.txt"
}

echo "| backend | rows | dry run | commit | people.xlsx export ($N+ rows) | tasks CSV export (rows) | tasks XLSX export |"
echo "|---|---|---|---|---|---|---|"
run_backend() {
  local name="$1" url="$2"
  local dir="$OUT/data-$name"
  rm -rf "$dir"; mkdir -p "$dir"
  local args=(--data-dir "$dir")
  if [ -n "$url" ]; then
    psql "$PG/postgres" -qc "DROP DATABASE IF EXISTS opsdesk_bench_imports" >/dev/null
    psql "$PG/postgres" -qc "CREATE DATABASE opsdesk_bench_imports" >/dev/null
    args+=(--database-url "$url")
  fi
  $BIN "${args[@]}" migrate >/dev/null
  $BIN "${args[@]}" demo --size large >/dev/null
  echo "correct horse battery staple" | $BIN "${args[@]}" user create bench --role admin --password-stdin >/dev/null
  local dry commit
  dry=$(timed $BIN "${args[@]}" import people "$OUT/people.csv" --as bench --dry-run)
  grep -q "dry run passed" "$OUT/last.txt" || { cat "$OUT/last.txt" | tail -5 >&2; exit 1; }
  commit=$(timed $BIN "${args[@]}" import people "$OUT/people.csv" --as bench)
  grep -q "imported $N records" "$OUT/last.txt" || { tail -5 "$OUT/last.txt" >&2; exit 1; }
  local token; token=$($BIN "${args[@]}" token create bench)
  $BIN "${args[@]}" serve --bind "127.0.0.1:$PORT" > "$OUT/serve-$name.log" 2>&1 &
  local pid=$!
  wait_ready
  local h=(-s -H "Authorization: Bearer $token")
  local dept; dept=$(curl "${h[@]}" "http://127.0.0.1:$PORT/api/v1/departments?q=OPS" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
  local px tc tx
  px=$(curl "${h[@]}" -o "$OUT/people.xlsx" -w '%{time_total}' "http://127.0.0.1:$PORT/api/v1/people?format=xlsx")
  tc=$(curl "${h[@]}" -o "$OUT/tasks.csv" -w '%{time_total}' "http://127.0.0.1:$PORT/api/v1/tasks?format=csv&department_id=$dept&include_subdepartments=true")
  local trows=$(( $(wc -l < "$OUT/tasks.csv") - 1 ))
  tx=$(curl "${h[@]}" -o "$OUT/tasks.xlsx" -w '%{time_total}' "http://127.0.0.1:$PORT/api/v1/tasks?format=xlsx&department_id=$dept&include_subdepartments=true")
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo "| $name | $N | $dry | $commit | ${px} s ($(du -k "$OUT/people.xlsx" | cut -f1) KiB) | ${tc} s ($trows) | ${tx} s |"
}
case "$which" in
  sqlite) run_backend sqlite "" ;;
  postgres) run_backend postgres "$PG/opsdesk_bench_imports" ;;
  both) run_backend sqlite ""; run_backend postgres "$PG/opsdesk_bench_imports" ;;
esac
