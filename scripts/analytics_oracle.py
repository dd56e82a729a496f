"""pandas oracle for `opsdesk kpi rollup`.

  gen-small OUT.csv            the small default case committed as golden input
  gen-random OUT.csv --rows N  random rows (seeded) for a larger live comparison
  rollup CSV --by G OUT.json   pandas' groupby result in the CLI's JSON shape (all aggregations)
  compare EXPECTED ACTUAL      exit 1 unless both JSON files agree (relative tolerance 1e-9)
  gen-series OUT.csv           one KPI over 3 years of days, with gaps, for series comparisons
  series CSV --by G OUT.json   pandas' monthly/quarterly sums with diff (PoP), shift by a year
                               (YoY), pct_change where the base is positive and rolling(3) mean
"""
import argparse
import json
import math
import sys

import numpy as np
import pandas as pd

AGGS = ["sum", "mean", "min", "max", "first", "last", "count", "p50", "p90", "p99.5"]


def gen_small(out):
    """Missing days, negative values, single-point groups, a duplicated day, a missing value,
    ISO week 53 (2020-W53 spans 2020-12-28..2021-01-03), year boundaries and a leap day."""
    rng = np.random.default_rng(7)
    rows = []
    for day in pd.date_range("2020-12-20", "2021-01-15"):
        if rng.random() < 0.2:
            continue  # missing day
        rows.append(("revenue", day, round(float(rng.normal(100, 30)), 2)))
        rows.append(("net_margin", day, round(float(rng.normal(0, 5)), 3)))  # negatives
    for day in pd.date_range("2024-02-20", "2024-03-05", freq="2D"):
        rows.append(("orders", day, int(rng.integers(0, 50))))
    rows.append(("orders", pd.Timestamp("2024-02-29"), 17))  # duplicated leap day
    rows.append(("one_off", pd.Timestamp("2023-06-15"), -4.5))  # single-point groups
    rows.append(("one_off", pd.Timestamp("2025-12-31"), 8.25))
    rows.append(("one_off", pd.Timestamp("2026-01-01"), None))  # no value
    rows.append(("满意度", pd.Timestamp("2026-01-26"), 4.5))
    rows.append(("满意度", pd.Timestamp("2026-02-01"), 3.0))
    order = rng.permutation(len(rows))  # rows need not be sorted
    df = pd.DataFrame([rows[i] for i in order], columns=["kpi", "date", "value"])
    df["date"] = df["date"].dt.strftime("%Y-%m-%d")
    df.to_csv(out, index=False)


def gen_random(out, rows, seed):
    rng = np.random.default_rng(seed)
    days = rng.integers(0, 3 * 365, rows)
    df = pd.DataFrame(
        {
            "kpi": [f"kpi_{k:02d}" for k in rng.integers(0, 40, rows)],
            "date": (pd.Timestamp("2019-06-01") + pd.to_timedelta(days, unit="D")).strftime("%Y-%m-%d"),
            "value": np.round(rng.normal(0, 1000, rows), 3),
        }
    )
    df.to_csv(out, index=False)


def gen_series(out):
    rng = np.random.default_rng(11)
    days = pd.date_range("2022-01-01", "2024-12-31")
    keep = rng.random(len(days)) > 0.1
    values = np.round(50 + 0.05 * np.arange(len(days)) + rng.normal(0, 20, len(days)), 2)
    values[200:260] -= 80  # a stretch of negative values
    df = pd.DataFrame({"kpi": "sales", "date": days.strftime("%Y-%m-%d"), "value": values})[keep]
    df = df[~df["date"].str.startswith("2023-05")]  # a whole missing month
    df.to_csv(out, index=False)


def series(csv, by, out):
    df = pd.read_csv(csv, parse_dates=["date"], date_format="%Y-%m-%d")
    freq, per_year = {"month": ("M", 12), "quarter": ("Q", 4)}[by]
    sums = df.groupby(df["date"].dt.to_period(freq))["value"].sum()
    full = sums.reindex(pd.period_range(sums.index.min(), sums.index.max(), freq=freq))
    pop_base, yoy_base = full.shift(1), full.shift(per_year)
    rows = []
    for period, value, pb, yb, mean in zip(
        full.index, full, pop_base, yoy_base, full.rolling(3, min_periods=3).mean()
    ):
        label = str(period) if by == "month" else f"{period.year}-Q{period.quarter}"
        num = lambda v: None if pd.isna(v) else float(v)
        rows.append(
            {
                "period": label,
                "value": num(value),
                "pop_delta": num(value - pb),
                "pop_ratio": num((value - pb) / pb) if num(pb) and pb > 0 else None,
                "yoy_delta": num(value - yb),
                "yoy_ratio": num((value - yb) / yb) if num(yb) and yb > 0 else None,
                "moving_mean_3": num(mean),
            }
        )
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"rows": rows}, f, indent=0)
        f.write("\n")


def period_labels(dates, by):
    if by == "day":
        return dates.dt.strftime("%Y-%m-%d")
    if by == "week":
        iso = dates.dt.isocalendar()
        return iso["year"].astype(str).str.zfill(4) + "-W" + iso["week"].astype(str).str.zfill(2)
    if by == "month":
        return dates.dt.strftime("%Y-%m")
    if by == "quarter":
        return dates.dt.year.astype(str) + "-Q" + dates.dt.quarter.astype(str)
    return dates.dt.year.astype(str)


def rollup(csv, by, out):
    df = pd.read_csv(csv, dtype={"kpi": str})
    df["date"] = pd.to_datetime(df["date"], format="%Y-%m-%d")
    # first/last mean earliest/latest date: a stable sort keeps row order among equal dates.
    df = df.sort_values("date", kind="stable")
    df["period"] = period_labels(df["date"], by)
    g = df.groupby(["kpi", "period"], sort=True)["value"]
    result = pd.DataFrame(
        {
            "sum": g.sum(),
            "mean": g.mean(),
            "min": g.min(),
            "max": g.max(),
            "first": g.first(),
            "last": g.last(),
            "count": g.count(),
            "p50": g.quantile(0.5),
            "p90": g.quantile(0.9),
            "p99.5": g.quantile(0.995),
        }
    ).reset_index()
    # Rust orders KPI names by bytes (UTF-8), which is code point order, as Python's sort.
    result = result.sort_values(["kpi", "period"], key=lambda s: s.map(str), kind="stable")
    rows = []
    for rec in result.to_dict("records"):
        row = {"kpi": rec["kpi"], "period": rec["period"]}
        for agg in AGGS:
            v = rec[agg]
            row[agg] = int(v) if agg == "count" else (None if pd.isna(v) else float(v))
        rows.append(row)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"rows": rows}, f, ensure_ascii=False, indent=0)
        f.write("\n")


def same(a, b):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


def compare(expected_path, actual_path):
    expected = json.load(open(expected_path, encoding="utf-8"))["rows"]
    actual = json.load(open(actual_path, encoding="utf-8"))["rows"]
    problems = []
    if len(expected) != len(actual):
        problems.append(f"{len(expected)} rows expected, {len(actual)} found")
    for i, (e, a) in enumerate(zip(expected, actual)):
        if list(e) != list(a):
            problems.append(f"row {i}: keys {list(a)} instead of {list(e)}")
            continue
        for key in e:
            if not same(e[key], a[key]):
                problems.append(f"row {i} ({e['kpi']} {e['period']}) {key}: pandas {e[key]!r}, opsdesk {a[key]!r}")
    for p in problems[:20]:
        print("MISMATCH", p, file=sys.stderr)
    print(f"{actual_path}: {len(actual)} rows, {len(problems)} mismatches")
    return 1 if problems else 0


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("gen-small")
    s.add_argument("out")
    s = sub.add_parser("gen-random")
    s.add_argument("out")
    s.add_argument("--rows", type=int, default=200_000)
    s.add_argument("--seed", type=int, default=1)
    s = sub.add_parser("rollup")
    s.add_argument("csv")
    s.add_argument("--by", required=True)
    s.add_argument("out")
    s = sub.add_parser("gen-series")
    s.add_argument("out")
    s = sub.add_parser("series")
    s.add_argument("csv")
    s.add_argument("--by", required=True)
    s.add_argument("out")
    s = sub.add_parser("compare")
    s.add_argument("expected")
    s.add_argument("actual")
    a = p.parse_args()
    if a.cmd == "gen-small":
        gen_small(a.out)
    elif a.cmd == "gen-random":
        gen_random(a.out, a.rows, a.seed)
    elif a.cmd == "gen-series":
        gen_series(a.out)
    elif a.cmd == "series":
        series(a.csv, a.by, a.out)
    elif a.cmd == "rollup":
        rollup(a.csv, a.by, a.out)
    else:
        sys.exit(compare(a.expected, a.actual))


main()
