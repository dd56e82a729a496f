"""Peers of `opsdesk kpi rollup` for the benchmark: pandas or Polars reads a kpi,date,value CSV
and rolls it up by KPI x month with sum, mean and p90 (linear interpolation).

  analytics_peers.py pandas|polars CSV      prints: read=<s> rollup=<s> groups=<n> p90sum=<x>
  analytics_peers.py check OURS.json        prints the same summary for opsdesk's JSON output
"""
import json
import sys
import time


def summary(read, rollup, groups, p90sum):
    print(f"read={read:.3f} rollup={rollup:.3f} groups={groups} p90sum={p90sum:.6f}")


def run_pandas(path):
    import pandas as pd

    t0 = time.perf_counter()
    df = pd.read_csv(path, parse_dates=["date"], date_format="%Y-%m-%d")
    t1 = time.perf_counter()
    month = df["date"].dt.year * 12 + df["date"].dt.month - 1
    g = df.groupby([df["kpi"], month])["value"]
    result = g.agg(["sum", "mean"])
    result["p90"] = g.quantile(0.9)
    t2 = time.perf_counter()
    summary(t1 - t0, t2 - t1, len(result), float(result["p90"].sum()))


def run_polars(path):
    import polars as pl

    t0 = time.perf_counter()
    df = pl.read_csv(path, schema_overrides={"date": pl.Date})
    t1 = time.perf_counter()
    result = df.group_by("kpi", pl.col("date").dt.truncate("1mo").alias("month")).agg(
        pl.col("value").sum().alias("sum"),
        pl.col("value").mean().alias("mean"),
        pl.col("value").quantile(0.9, interpolation="linear").alias("p90"),
    )
    t2 = time.perf_counter()
    summary(t1 - t0, t2 - t1, result.height, float(result["p90"].sum()))


def check(path):
    rows = json.load(open(path, encoding="utf-8"))["rows"]
    summary(0.0, 0.0, len(rows), sum(r["p90"] for r in rows))


{"pandas": run_pandas, "polars": run_polars, "check": check}[sys.argv[1]](sys.argv[2])
