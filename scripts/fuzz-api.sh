#!/usr/bin/env bash
# API fuzzing with schemathesis (from PyPI, in a virtualenv this script creates) against the real
# binary on SQLite and, when OPSDESK_TEST_PG_URL is set, on PostgreSQL. Two members in different
# departments are the peers of the object-level authorization check. Fails on any 5xx, a response
# that does not match the OpenAPI document, a non-problem+json error, or a body that shows a stack
# trace or SQL. Bounded: FUZZ_MAX_EXAMPLES per operation (default 25) and FUZZ_MAX_TIME seconds per
# backend (default 60). Usage: scripts/fuzz-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
VENV=target/fuzz-venv
SCHEMATHESIS_VERSION=4.32.5
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}
MAX_TIME=${FUZZ_MAX_TIME:-60}

log() { printf '\n== %s\n' "$*"; }

if [ ! -x "$VENV/bin/schemathesis" ] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  log "installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

log "building opsdesk"
cargo build -q -p opsdesk
BIN=$ROOT/target/debug/opsdesk

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# fuzz_one NAME [DATABASE_URL]
fuzz_one() {
  local name=$1 url=${2:-}
  local work; work=$(mktemp -d)
  local -a db=(--data-dir "$work/data")
  if [ -n "$url" ]; then db+=(--database-url "$url"); fi
  local pw="correct horse battery staple"
  echo "$pw" | "$BIN" "${db[@]}" user create fuzzadmin --role admin --password-stdin >/dev/null
  for u in alice bob; do
    echo "$pw" | "$BIN" "${db[@]}" user create "$u" --role member --password-stdin >/dev/null
  done
  local admin alice bob
  admin=$("$BIN" "${db[@]}" token create fuzzadmin)
  alice=$("$BIN" "${db[@]}" token create alice)
  bob=$("$BIN" "${db[@]}" token create bob)
  local port; port=$(free_port)
  "$BIN" "${db[@]}" serve --bind "127.0.0.1:$port" >"$work/stdout.log" 2>"$work/stderr.log" &
  local pid=$!
  trap 'kill $pid 2>/dev/null || true' RETURN
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  local base="http://127.0.0.1:$port"

  # Alice and Bob each get a person in their own department and objects of every kind only they
  # may see (a task, a KPI, a goal with a key result, an opening they manage and its candidate,
  # a 1:1 with a report); the catalogue gets a skill, a course and a session. The generated
  # config hands Alice's ids to the operations' path parameters, so schemathesis reaches real
  # objects instead of 404s, and the object-level check then asks Bob for them.
  python3 - "$base" "$admin" "$alice" "$bob" "$work" <<'PY'
import json, sys, urllib.request, urllib.error
base, admin, alice, bob, work = sys.argv[1:]
def call(token, method, path, body=None):
    req = urllib.request.Request(base + path, method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.load(r)
    except urllib.error.HTTPError as e:
        sys.exit(f"fuzz setup: {method} {path} → {e.code} {e.read().decode()[:300]}")
ids = {}
company = None
for who, token in (("alice", alice), ("bob", bob)):
    d = call(admin, "POST", "/api/v1/departments", {"name": "Dept " + who})
    me = call(token, "GET", "/api/v1/me")
    p = call(admin, "POST", "/api/v1/people", {"employee_no": who.upper(), "name": who,
             "department_id": d["id"], "user_id": me["user"]["id"]})
    if company is None:
        company = call(admin, "POST", "/api/v1/goals", {"level": "company", "kind": "objective",
                       "title": "company goal", "owner_id": p["id"], "cycle": "2026-Q4"})
    report = call(admin, "POST", "/api/v1/people", {"employee_no": who.upper() + "-R",
                  "name": who + "'s report", "department_id": d["id"], "manager_id": p["id"]})
    task = call(token, "POST", "/api/v1/tasks", {"title": who + "'s private task", "department_id": d["id"]})
    kpi = call(admin, "POST", "/api/v1/kpis", {"code": who + "_kpi", "name": who + "'s KPI",
               "unit": "count", "direction": "higher", "aggregation": "sum", "frequency": "monthly",
               "scope": "department", "department_id": d["id"], "owner_person_id": p["id"]})
    goal = call(token, "POST", "/api/v1/goals", {"level": "person", "kind": "smart",
                "title": who + "'s goal", "parent_id": company["id"], "cycle": "2026-Q4",
                "measure": {"metric": "done", "unit": "%", "start_value": 0, "target_value": 100}})
    opening = call(admin, "POST", "/api/v1/openings", {"title": who + "'s opening",
                   "department_id": d["id"], "hiring_manager_id": p["id"]})
    cand = call(admin, "POST", "/api/v1/candidates", {"opening_id": opening["id"],
                "name": who + "'s candidate", "source": "referral"})
    one = call(token, "POST", "/api/v1/one-on-ones", {"with_person_id": report["id"],
               "meeting_on": "2026-12-01", "talking_points": "plans"})
    ids[who] = {"person": p["id"], "department": d["id"], "task": task["id"], "kpi": kpi["id"],
                "goal": goal["id"], "key_result": goal["key_results"][0]["id"],
                "opening": opening["id"], "candidate": cand["id"], "one_on_one": one["id"]}
skill = call(admin, "POST", "/api/v1/skills", {"name": "fuzz skill", "category": "fuzz"})
course = call(admin, "POST", "/api/v1/courses", {"title": "fuzz course"})
session = call(admin, "POST", "/api/v1/training-sessions", {"course_id": course["id"],
               "starts_on": "2027-04-01", "ends_on": "2027-04-02"})
# Alice must keep her credentials for the whole run: revoking a token or changing a user
# aims at throw-aways (generated ids hit her own token, and every request after it was a 401).
spare_token = call(alice, "POST", "/api/v1/tokens", {"name": "spare"})
spare_user = call(admin, "POST", "/api/v1/users", {"username": "spare", "role": "member",
                  "password": "correct horse battery staple"})
a = ids["alice"]
# Path prefix → the id of Alice's object there (`{id}` of the path and of its sub-resources).
paths = {
    "tokens": spare_token.get("id") or spare_token["token"]["id"], "users": spare_user["id"],
    "people": a["person"], "departments": a["department"], "tasks": a["task"],
    "kpis": a["kpi"], "goals": a["goal"], "key-results": a["key_result"],
    "openings": a["opening"], "candidates": a["candidate"], "one-on-ones": a["one_on_one"],
    "skills": skill["id"], "courses": course["id"], "training-sessions": session["id"],
}
shared = {"people", "departments", "skills", "courses", "training-sessions"}
with open(f"{work}/ids.toml", "w") as f:
    for prefix, id_ in paths.items():
        f.write(f'\n[[operations]]\ninclude-path-regex = "^/api/v1/{prefix}/\\\\{{id\\\\}}"\n'
                f'parameters = {{ "path.id" = {id_}, "path.skill_id" = {skill["id"]} }}\n')
        if prefix in shared:
            f.write("checks.object_level_authorization.enabled = false\n")
print("fuzz setup: ids for the path parameters:", json.dumps(paths))
PY
  [ -s "$work/ids.toml" ] || { kill "$pid"; return 1; }

  cat >"$work/auth.json" <<JSON
{"auth": [
  {"name": "alice", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $alice"}]},
  {"name": "bob", "fixedHeaders": [{"name": "Authorization", "value": "Bearer $bob"}]}
]}
JSON
  # Requests are Alice's (the first WFC user); the object-level check replays what she reached as
  # Bob, her peer in another department.
  # Every [[operations]] entry an operation matches applies (schemathesis merges them).
  cat >"$work/schemathesis.toml" <<TOML
[auth.wfc]
path = "$work/auth.json"
user = "alice"
peers = ["alice", "bob"]

$(cat "$work/ids.toml")

# The directory (departments, people) and the catalogues (skills, courses, sessions, company
# values) and review cycles (their name, dates and template) are readable by every signed-in
# user by design (tests/matrix/team.toml, team_skills.toml, team_people.toml, reviews.toml), so
# a peer reading them is not a leak.
[[operations]]
include-path-regex = "^/api/v1/(departments|people|skills|courses|training-sessions|company-values|review-cycles)"
checks.object_level_authorization.enabled = false
TOML

  log "schemathesis on $name ($MAX_EXAMPLES examples per operation, at most ${MAX_TIME}s)"
  local rc=0
  (cd "$work" && "$ROOT/$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run \
      "$base/api/v1/openapi.json" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance,object_level_authorization \
      --max-examples "$MAX_EXAMPLES" --max-time "$MAX_TIME" --seed "${FUZZ_SEED:-1}" \
      --workers 1 --no-color --report har --report-har-path "$work/run.har") || rc=$?

  # A run whose user lost her credentials half-way only saw 401s after that: it proves nothing.
  if ! curl -sf -H "Authorization: Bearer $alice" "$base/api/v1/me" >/dev/null; then
    log "alice's token stopped working during the run on $name"; rc=1
  fi

  # Error bodies: problem+json, and never a stack trace, a panic or SQL.
  python3 - "$work/run.har" <<'PY' || rc=1
import json, re, sys
har = json.load(open(sys.argv[1]))
leaks = re.compile(r"panicked at|stack backtrace|RUST_BACKTRACE|sqlx|SQLSTATE|syntax error at|"
                   r"\bSELECT\b.+\bFROM\b|\bINSERT INTO\b|\bUPDATE\b.+\bSET\b|no such (table|column)|"
                   r"src/[a-z_/]+\.rs", re.I | re.S)
bad = []
for e in har["log"]["entries"]:
    resp = e["response"]
    status = resp["status"]
    text = resp.get("content", {}).get("text") or ""
    ctype = next((h["value"] for h in resp["headers"] if h["name"].lower() == "content-type"), "")
    where = f'{e["request"]["method"]} {e["request"]["url"]} → {status}'
    if leaks.search(text):
        bad.append(f"{where}: internals in the body: {text[:200]}")
    if status >= 400 and status != 405 and not ctype.startswith("application/problem+json"):
        bad.append(f"{where}: error without problem+json ({ctype})")
print(f"checked {len(har['log']['entries'])} responses for leaks and error format")
for b in bad[:20]:
    print("  " + b)
sys.exit(1 if bad else 0)
PY
  if grep -q '"level":"ERROR"\|ERROR' "$work/stderr.log"; then
    log "server errors logged on $name:"; grep 'ERROR' "$work/stderr.log" | head -20; rc=1
  fi
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "$rc" = 0 ] && rm -rf "$work" || echo "kept $work for inspection"
  return "$rc"
}

status=0
fuzz_one sqlite || status=1
if [ -n "${OPSDESK_TEST_PG_URL:-}" ]; then
  db="opsdesk_fuzz_$$"
  admin_url=$OPSDESK_TEST_PG_URL
  psql "$admin_url" -qc "CREATE DATABASE $db" >/dev/null
  fuzz_one postgres "${admin_url%/*}/$db" || status=1
  psql "$admin_url" -qc "DROP DATABASE $db WITH (FORCE)" >/dev/null
fi
exit $status
