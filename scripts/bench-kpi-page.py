#!/usr/bin/env python3
"""Times the KPI page with three years of daily data (issue 6: p95 <= 50 ms).

Against a running opsdesk (release build) with an admin account and an API token: defines a daily
KPI, pushes 3 years of daily values (one point per day) and daily targets through the JSON API,
signs in through the login form, then requests the page /kpis/{id} sequentially and reports
p50/p95/p99 of the full round trip (render + transfer on loopback), and the same for the JSON
overview. Usage: bench-kpi-page.py BASE_URL USERNAME PASSWORD TOKEN [REQUESTS]
"""
import datetime as dt
import http.cookiejar
import json
import math
import random
import re
import statistics
import sys
import time
import urllib.parse
import urllib.request

base, user, password, token = sys.argv[1:5]
n_requests = int(sys.argv[5]) if len(sys.argv) > 5 else 300


def api(method, path, body=None, headers=None):
    req = urllib.request.Request(base + path, method=method)
    req.add_header("Authorization", "Bearer " + token)
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, data) as r:
        return r.status, {k.lower(): v for k, v in r.headers.items()}, json.loads(r.read() or b"null")


code = "bench_daily_%d" % random.randrange(1 << 30)
_, _, kpi = api("POST", "/api/v1/kpis", {
    "code": code, "name": "Daily bench KPI", "name_zh": "每日基准指标", "unit": "count",
    "direction": "higher", "aggregation": "sum", "frequency": "daily", "scope": "company",
    "threshold_mode": "percent", "amber_from": 5, "red_from": 15,
})
kid = kpi["id"]
first = dt.date.today() - dt.timedelta(days=3 * 365)
days = [first + dt.timedelta(days=i) for i in range(3 * 365)]
rng = random.Random(7)
points = [{"period": d.isoformat(),
           "value": round(100 + 0.02 * i + 12 * math.sin(i / 7 * 2 * math.pi) + rng.gauss(0, 5), 2)}
          for i, d in enumerate(days)]
points[800]["value"] = 400.0  # one anomaly to explain
api("POST", f"/api/v1/kpis/{kid}/points", {"source": "bench", "points": points})
_, headers, _ = api("GET", f"/api/v1/kpis/{kid}")
api("PUT", f"/api/v1/kpis/{kid}/targets",
    {"items": [{"period": d.isoformat(), "target": 100 + 0.02 * i} for i, d in enumerate(days)]},
    {"If-Match": headers["etag"]})

jar = http.cookiejar.CookieJar()
opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
page = opener.open(base + "/login").read().decode()
csrf = re.search(r'name="_csrf" value="([^"]+)"', page).group(1)
opener.open(base + "/login", urllib.parse.urlencode(
    {"username": user, "password": password, "_csrf": csrf}).encode())


def timed(fetch, n):
    for _ in range(20):
        fetch()
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fetch()
        out.append((time.perf_counter() - t) * 1000)
    out.sort()
    pick = lambda q: out[min(len(out) - 1, int(math.ceil(q * len(out))) - 1)]
    return statistics.median(out), pick(0.95), pick(0.99)


def raw_api(path):
    req = urllib.request.Request(base + path)
    req.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(req) as r:
        return r.read()


# Both are timed as bytes received (render + transfer): the page's HTML is not parsed, so neither
# is the JSON (until 2026-11-27 it was, with json.loads, which counted a client cost against it).
size = len(opener.open(f"{base}/kpis/{kid}").read())
api_size = len(raw_api(f"/api/v1/kpis/{kid}/overview"))
page_t = timed(lambda: opener.open(f"{base}/kpis/{kid}").read(), n_requests)
api_t = timed(lambda: raw_api(f"/api/v1/kpis/{kid}/overview"), n_requests)
print(f"| what | requests | p50 ms | p95 ms | p99 ms |")
print(f"|---|---|---|---|---|")
print(f"| KPI page, 1,095 daily points + targets ({size // 1024} KiB HTML) | {n_requests} | {page_t[0]:.1f} | {page_t[1]:.1f} | {page_t[2]:.1f} |")
print(f"| JSON overview of the same KPI ({api_size // 1024} KiB JSON) | {n_requests} | {api_t[0]:.1f} | {api_t[1]:.1f} | {api_t[2]:.1f} |")
