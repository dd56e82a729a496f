"""Generate a synthetic kpi,date,value CSV for the analytics benchmark.

Rows are random: a KPI among --kpis, a date uniformly over --years years from 2023-01-01, and a
value ~ Normal(1000, 250) rounded to 2 decimals. Deterministic for a given --seed.
"""
import argparse

import numpy as np
import polars as pl

p = argparse.ArgumentParser()
p.add_argument("--rows", type=int, default=10_000_000)
p.add_argument("--kpis", type=int, default=500)
p.add_argument("--years", type=int, default=3)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--out", required=True)
a = p.parse_args()

rng = np.random.default_rng(a.seed)
start = np.datetime64("2023-01-01")
days = int((np.datetime64(f"{2023 + a.years}-01-01") - start).astype(int))
df = pl.DataFrame(
    {
        "k": rng.integers(0, a.kpis, a.rows),
        "date": start + rng.integers(0, days, a.rows).astype("timedelta64[D]"),
        "value": np.round(rng.normal(1000.0, 250.0, a.rows), 2),
    }
).select(
    pl.format("kpi_{}", pl.col("k").cast(pl.String).str.zfill(3)).alias("kpi"),
    pl.col("date").cast(pl.Date),
    "value",
)
df.write_csv(a.out)
