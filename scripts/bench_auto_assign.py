"""Data set and timings for scripts/bench-auto-assign.sh (standard library only)."""
import json
import os
import statistics
import sys
import time
import urllib.request

base, token, runs, backend, pid = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
TICK = os.sysconf("SC_CLK_TCK")


def server_cpu():
    # utime + stime of the server process: CPU time suffers less than wall time when the
    # machine is shared.
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK
PEOPLE, TASKS, SKILLS = 300, 2000, 12


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return json.loads(raw) if raw else None


def rnd(seed):
    # A small LCG: the same data set on every run and backend.
    x = seed
    while True:
        x = (x * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        yield x >> 33


r = rnd(20261127)
with open("crates/team/src/capacity/cn_2026.json", encoding="utf-8") as f:
    call("POST", "/api/v1/calendar/import", json.load(f))
dept = call("POST", "/api/v1/departments", {"name": "Bench 基准部门"})["id"]
skills = [call("POST", "/api/v1/skills", {"name": f"skill {i}", "category": f"cat {i % 3}"})["id"] for i in range(SKILLS)]
people = []
for i in range(PEOPLE):
    hours = [40, 40, 40, 32, 24][next(r) % 5]
    p = call("POST", "/api/v1/people", {"employee_no": f"B{i:04}", "name": f"Bench Person {i}", "name_zh": "测试" + "甲乙丙丁戊己庚辛壬癸"[i % 10],
                                         "department_id": dept, "weekly_hours": hours})["id"]
    people.append(p)
    for k in range(4):
        s = skills[next(r) % SKILLS]
        call("PUT", f"/api/v1/people/{p}/skills/{s}", {"level": 1 + next(r) % 5})
t0 = time.time()
for i in range(TASKS):
    due = None if next(r) % 4 == 0 else f"2026-12-{1 + next(r) % 28:02}"
    t = call("POST", "/api/v1/tasks", {"title": f"bench task {i}", "department_id": dept, "estimate_hours": float(1 + next(r) % 16), "due_date": due})["id"]
    need = sorted({skills[next(r) % SKILLS] for _ in range(1 + next(r) % 2)})
    call("PUT", f"/api/v1/tasks/{t}/skills", {"skills": [{"skill_id": s, "level": 1 + next(r) % 4} for s in need]})
print(f"data set: {PEOPLE} people, {TASKS} tasks, {SKILLS} skills ({time.time() - t0:.0f} s to load the tasks)", file=sys.stderr)

times, cpus, plan = [], [], None
for _ in range(runs):
    c = server_cpu()
    s = time.perf_counter()
    plan = call("POST", "/api/v1/assign/preview", {"department_id": dept})
    times.append(time.perf_counter() - s)
    cpus.append(server_cpu() - c)
items = [{"task_id": row["task_id"], "version": row["version"], "person_id": row["person_id"]} for row in plan["rows"]]
s = time.perf_counter()
res = call("POST", "/api/v1/assign/accept", {"items": items})
accept = time.perf_counter() - s
assert res["assigned"] == len(items)
loads = {}
for row in plan["rows"]:
    loads[row["person_id"]] = loads.get(row["person_id"], 0) + row["hours"]
free = {l["person_id"]: l["free_hours"] for l in plan["loads"]}
assert all(h <= free[p] + 1e-9 for p, h in loads.items()), "capacity exceeded"
load = os.getloadavg()[0]
print(f"| {backend} | {TASKS} tasks × {PEOPLE} people | {statistics.median(times):.3f} s (min {min(times):.3f}, {runs} runs) "
      f"| {statistics.median(cpus):.2f} s | {load:.1f} "
      f"| {len(plan['rows'])} assigned, {len(plan['unassigned'])} left | total {plan['total_score']:.1f} / bound {plan['upper_bound']:.1f} "
      f"| accept {len(items)} rows: {accept:.2f} s |")
