#!/usr/bin/env bash
# Measures the app on this machine with the large demo set (100,000 tasks, 2,000 people):
# API list throughput, the task list page, task creation, start-up to ready, idle memory and the
# binary size — on SQLite and on PostgreSQL. Prints markdown tables.
# `mixed`: a mixed read/write load (8 list reads, 1 single read, 1 create in every 10 requests)
# at $CONN connections on SQLite, on PostgreSQL with one node, and with two nodes on one database.
# Usage: scripts/bench-app.sh [sqlite|postgres|both|mixed]
set -euo pipefail
cd "$(dirname "$0")/.."
which="${1:-both}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
cargo build --release -q -p opsdesk
BIN=target/release/opsdesk
OUT=bench-out; mkdir -p "$OUT"
PORT=18181
DUR="${DUR:-10s}"
CONN="${CONN:-64}"

cat > "$OUT/create.lua" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, nil, nil, '{"title":"bench task ' .. n .. '","department_id":' .. DEPT .. ',"priority":"medium","status":"todo"}')
end
LUA

wait_ready() {
  for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && return 0; sleep 0.05; done
  echo "server did not become ready" >&2; return 1
}

run_backend() {
  local name="$1" url="$2"
  local dir="$OUT/data-$name"
  rm -rf "$dir"; mkdir -p "$dir"
  local args=(--data-dir "$dir")
  [ -n "$url" ] && args+=(--database-url "$url")
  $BIN "${args[@]}" migrate >/dev/null
  local t0=$(date +%s.%N)
  $BIN "${args[@]}" demo --size large > "$OUT/demo-$name.txt"
  local t1=$(date +%s.%N)
  $BIN "${args[@]}" user create bench --role admin --password-stdin <<< "bench-password-$RANDOM-x" >/dev/null
  local pw; pw=$(printf 'bench-pass-%s' "$(date +%N)")
  $BIN "${args[@]}" user reset-password bench --password-stdin <<< "$pw" >/dev/null
  local token; token=$($BIN "${args[@]}" token create bench --name bench)

  # Start-up to ready on the existing database (median of 5).
  local starts=()
  for _ in 1 2 3 4 5; do
    local s=$(date +%s%N)
    $BIN "${args[@]}" serve --bind 127.0.0.1:$PORT --log-level warn > /dev/null 2>&1 &
    local pid=$!
    wait_ready
    local e=$(date +%s%N)
    starts+=($(( (e - s) / 1000000 )))
    kill -TERM $pid; wait $pid || true
  done
  local start_ms; start_ms=$(printf '%s\n' "${starts[@]}" | sort -n | sed -n 3p)

  $BIN "${args[@]}" serve --bind 127.0.0.1:$PORT --log-level warn > "$OUT/serve-$name.log" 2>&1 &
  local pid=$!
  wait_ready
  sleep 1
  local idle_kb; idle_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
  local dept; dept=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT/api/v1/departments?limit=200" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin)["items"]; print(d[len(d)//2]["id"])')
  # Session cookie for the page benchmark.
  local jar="$OUT/jar-$name"; rm -f "$jar"
  local csrf; csrf=$(curl -fs -c "$jar" -b "$jar" "http://127.0.0.1:$PORT/login" | grep -o 'name="_csrf" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')
  curl -fs -o /dev/null -c "$jar" -b "$jar" --data-urlencode "username=bench" --data-urlencode "password=$pw" \
    --data-urlencode "_csrf=$csrf" "http://127.0.0.1:$PORT/login"
  local session; session=$(awk '$6=="opsdesk_session" {print $7}' "$jar")

  local api="http://127.0.0.1:$PORT/api/v1/tasks?limit=50&department_id=$dept&status=todo"
  wrk -t2 -c"$CONN" -d"$DUR" --latency -H "Authorization: Bearer $token" "$api" > "$OUT/wrk-api-$name.txt"
  wrk -t2 -c"$CONN" -d"$DUR" --latency -H "Cookie: opsdesk_session=$session" \
    "http://127.0.0.1:$PORT/tasks?department_id=$dept&status=todo" > "$OUT/wrk-page-$name.txt"
  sed -i "s/DEPT/$dept/" "$OUT/create.lua" 2>/dev/null || true
  sed "s/DEPT/$dept/" "$OUT/create.lua" > "$OUT/create-$name.lua"
  wrk -t2 -c"$CONN" -d"$DUR" --latency -s "$OUT/create-$name.lua" -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$PORT/api/v1/tasks" > "$OUT/wrk-create-$name.txt"
  kill -TERM $pid; wait $pid || true

  rps() { awk '/Requests\/sec/ {print $2}' "$1"; }
  p99() { awk '$1=="99%" {print $2}' "$1"; }
  non2xx() { awk '/Non-2xx/ {print $4}' "$1"; }
  printf '| %s | %.1f s | %s ms | %s MiB | %s (p99 %s) | %s (p99 %s) | %s (p99 %s)%s |\n' \
    "$name" "$(echo "$t1 - $t0" | bc)" "$start_ms" "$((idle_kb / 1024))" \
    "$(rps "$OUT/wrk-api-$name.txt")" "$(p99 "$OUT/wrk-api-$name.txt")" \
    "$(rps "$OUT/wrk-page-$name.txt")" "$(p99 "$OUT/wrk-page-$name.txt")" \
    "$(rps "$OUT/wrk-create-$name.txt")" "$(p99 "$OUT/wrk-create-$name.txt")" \
    "$( [ -n "$(non2xx "$OUT/wrk-create-$name.txt")" ] && echo ", non-2xx $(non2xx "$OUT/wrk-create-$name.txt")")"
}

cat > "$OUT/mixed.lua" <<'LUA'
-- 8 of 10 requests list one department's open tasks, 1 reads a task, 1 creates a task.
local n = 0
request = function()
  n = n + 1
  local r = n % 10
  if r == 0 then
    local h = {}
    for k, v in pairs(wrk.headers) do h[k] = v end
    h["Content-Type"] = "application/json"
    return wrk.format("POST", "/api/v1/tasks", h,
      '{"title":"mixed ' .. n .. '","department_id":' .. DEPT .. ',"priority":"medium","status":"todo"}')
  elseif r == 5 then
    return wrk.format("GET", "/api/v1/tasks/" .. (1 + (n * 7919) % MAXID))
  else
    return wrk.format("GET", "/api/v1/tasks?limit=50&department_id=" .. DEPT .. "&status=todo")
  end
end
LUA

# Mixed load on one backend: `nodes` servers on the same database, the $CONN connections split
# evenly between them (one wrk per node; req/s summed, p99 the worse of the nodes).
run_mixed() {
  local name="$1" url="$2" nodes="$3"
  local dir="$OUT/data-mixed-$name"
  local args=(--data-dir "$dir")
  [ -n "$url" ] && args+=(--database-url "$url")
  if [ ! -f "$OUT/mixed-token-$name" ] && [ -n "$url" ] && [ -f "$OUT/mixed-token-sqlite" ]; then
    # PostgreSQL gets the SQLite installation (large demo + the mixed run's writes) through
    # migrate-data, which is timed too; the token moves with it.
    mkdir -p "$dir"
    local m0; m0=$(date +%s.%N)
    $BIN migrate-data --from "sqlite:$OUT/data-mixed-sqlite/opsdesk.db" --to "$url" > "$OUT/migrate-data.txt"
    local m1; m1=$(date +%s.%N)
    MIGRATE_LINE="migrate-data: $(tail -1 "$OUT/migrate-data.txt") (wall $(printf '%.1f' "$(echo "$m1 - $m0" | bc)") s)"
    cp "$OUT/mixed-token-sqlite" "$OUT/mixed-token-$name"
  fi
  if [ ! -f "$OUT/mixed-token-$name" ]; then
    rm -rf "$dir"; mkdir -p "$dir"
    $BIN "${args[@]}" migrate >/dev/null
    $BIN "${args[@]}" demo --size large >/dev/null
    $BIN "${args[@]}" user create bench --role admin --password-stdin <<< "bench-password-$RANDOM-x" >/dev/null
    $BIN "${args[@]}" token create bench --name bench > "$OUT/mixed-token-$name"
  fi
  local token; token=$(cat "$OUT/mixed-token-$name")
  local pids=()
  for i in $(seq 1 "$nodes"); do
    $BIN "${args[@]}" serve --bind 127.0.0.1:$((PORT + i)) --log-level warn > "$OUT/serve-mixed-$name-$i.log" 2>&1 &
    pids+=($!)
  done
  for i in $(seq 1 "$nodes"); do
    for _ in $(seq 1 600); do curl -fs "http://127.0.0.1:$((PORT + i))/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  done
  local dept; dept=$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$((PORT + 1))/api/v1/departments?limit=200" \
    | python3 -c 'import json,sys; d=json.load(sys.stdin)["items"]; print(d[len(d)//2]["id"])')
  sed "s/DEPT/$dept/g; s/MAXID/100000/g" "$OUT/mixed.lua" > "$OUT/mixed-$name.lua"
  local wpids=()
  for i in $(seq 1 "$nodes"); do
    wrk -t2 -c"$((CONN / nodes))" -d"$DUR" --latency -s "$OUT/mixed-$name.lua" -H "Authorization: Bearer $token" \
      "http://127.0.0.1:$((PORT + i))" > "$OUT/wrk-mixed-$name-$nodes-$i.txt" &
    wpids+=($!)
  done
  wait "${wpids[@]}"
  kill -TERM "${pids[@]}"; wait "${pids[@]}" || true
  local files=("$OUT"/wrk-mixed-"$name"-"$nodes"-*.txt)
  local rps; rps=$(awk '/Requests\/sec/ {s += $2} END {printf "%.0f", s}' "${files[@]}")
  local p99; p99=$(awk '$1=="99%" {print $2}' "${files[@]}" | sort -h | tail -1)
  local errs; errs=$(awk '/Non-2xx/ {s += $4} /Socket errors/ {s += 0} END {print s + 0}' "${files[@]}")
  printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$nodes" "$CONN" "$rps" "$p99" "$errs"
}

if [ "$which" = mixed ]; then
  echo "binary: $(stat -c %s $BIN) bytes, $CONN connections, $DUR per run, $(nproc) cores, load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| backend | nodes | connections | mixed req/s | p99 | non-2xx |"
  echo "|---|---|---|---|---|---|"
  rm -f "$OUT"/mixed-token-*
  MIGRATE_LINE=""
  run_mixed sqlite "" 1
  db="opsdesk_bench_$RANDOM"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
  run_mixed postgres "postgres://postgres@127.0.0.1:5432/$db" 1
  run_mixed postgres "postgres://postgres@127.0.0.1:5432/$db" 2
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db WITH (FORCE)" postgres
  echo
  echo "$MIGRATE_LINE"
  echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  exit 0
fi

echo "binary: $(stat -c %s $BIN) bytes ($(( $(stat -c %s $BIN) / 1048576 )) MiB), $CONN connections, $DUR per run, $(nproc) cores"
echo
echo "| backend | load 100k tasks | start-up to ready (median of 5) | idle RSS | GET /api/v1/tasks?limit=50 (dept+status) req/s | task list page pages/s | POST /api/v1/tasks creates/s |"
echo "|---|---|---|---|---|---|---|"
if [ "$which" = sqlite ] || [ "$which" = both ]; then run_backend sqlite ""; fi
if [ "$which" = postgres ] || [ "$which" = both ]; then
  db="opsdesk_bench_$RANDOM"
  psql -q -h 127.0.0.1 -U postgres -c "CREATE DATABASE $db" postgres
  run_backend postgres "postgres://postgres@127.0.0.1:5432/$db"
  psql -q -h 127.0.0.1 -U postgres -c "DROP DATABASE $db WITH (FORCE)" postgres
fi
