"""Golden data for the optimize crate, computed by the peer (scipy: linear_sum_assignment, and
milp/HiGHS for auto-assign).

Instances are not stored as matrices: each is a small spec whose matrix both this script and
the Rust tests rebuild with the same splitmix64 generator (crates/optimize/tests/common/mod.rs),
so a few hundred instances up to 50x50 fit in a few kilobytes.

Usage: python oracle_optimize.py OUT_DIR
"""

import json
import random
import sys

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix

MASK = (1 << 64) - 1


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def unit(self):
        """Uniform in [0, 1) with 53 random bits: exact in both languages."""
        return (self.next() >> 11) * (2.0 ** -53)


def lsap_matrix(spec):
    """The cost matrix of a spec; forbidden cells are None."""
    g = SplitMix64(spec["seed"])
    rows, cols, kind, forbid = spec["rows"], spec["cols"], spec["kind"], spec["forbid_pct"]
    out = []
    for _ in range(rows):
        row = []
        for _ in range(cols):
            if g.next() % 100 < forbid:
                row.append(None)
                continue
            if kind == "int":
                row.append(float(g.next() % 201) - 100.0)
            elif kind == "ties":
                row.append(float(g.next() % 3))
            elif kind == "float":
                row.append(g.unit() * 200.0 - 100.0)
            elif kind == "wide":
                row.append(g.unit() * 2.0e6 - 1.0e6)
            else:
                raise ValueError(kind)
        out.append(row)
    return out


def solve_lsap(spec):
    matrix = lsap_matrix(spec)
    forbidden = -np.inf if spec["maximize"] else np.inf
    c = np.array([[forbidden if x is None else x for x in row] for row in matrix], dtype=float)
    try:
        r, k = linear_sum_assignment(c, maximize=spec["maximize"])
    except ValueError as e:
        if "infeasible" in str(e):
            return None
        raise
    return float(c[r, k].sum())


def lsap_golden():
    rnd = random.Random(20261127)
    instances = []
    for seed in range(1, 401):
        shape = rnd.choice(["square", "wide", "tall"])
        a = rnd.randint(1, 50)
        b = rnd.randint(1, 50)
        if shape == "square":
            rows = cols = a
        else:
            small, large = min(a, b), max(a, b)
            rows, cols = (small, large) if shape == "wide" else (large, small)
        spec = {
            "seed": seed,
            "rows": rows,
            "cols": cols,
            "kind": rnd.choice(["int", "ties", "float", "wide"]),
            "forbid_pct": rnd.choice([0, 0, 5, 20, 50, 80, 95]),
            "maximize": rnd.random() < 0.4,
        }
        total = solve_lsap(spec)
        spec["infeasible"] = total is None
        spec["total"] = total
        instances.append(spec)
    return {
        "peer": f"scipy {scipy.__version__} linear_sum_assignment",
        "generator": "splitmix64, see scripts/oracle_optimize.py",
        "instances": instances,
    }


def gap_instance(spec):
    """Capacities, estimates and fit (tasks x people, -inf = not allowed) of a spec."""
    g = SplitMix64(spec["seed"])
    sizes = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0]
    caps = [float(round(4.0 + 20.0 * g.unit())) for _ in range(spec["people"])]
    est = [3.0 if spec["equal"] else sizes[int(g.unit() * 6.0)] for _ in range(spec["tasks"])]
    fit = []
    for _ in range(spec["tasks"]):
        row = []
        for _ in range(spec["people"]):
            if g.next() % 100 < spec["forbid_pct"]:
                row.append(-np.inf)
            else:
                row.append(g.unit())
        fit.append(row)
    return np.array(caps), np.array(est), np.array(fit)


def solve_gap(spec, integral):
    """HiGHS on the generalised assignment problem (or its LP relaxation)."""
    caps, est, fit = gap_instance(spec)
    if spec["equal"]:
        # The same valid tightening opsdesk applies: whole units of the common estimate.
        caps = np.floor(caps / est[0]) * est[0]
    tasks, people = fit.shape
    ok = np.isfinite(fit) & (fit > 0) & (est[:, None] <= caps[None, :])
    t_idx, p_idx = np.nonzero(ok)
    n = len(t_idx)
    if n == 0:
        return 0.0
    rows = np.concatenate([t_idx, tasks + p_idx])
    cols = np.concatenate([np.arange(n), np.arange(n)])
    vals = np.concatenate([np.ones(n), est[t_idx]])
    a = coo_matrix((vals, (rows, cols)), shape=(tasks + people, n)).tocsr()
    res = milp(
        -fit[ok],
        constraints=LinearConstraint(a, -np.inf, np.concatenate([np.ones(tasks), caps])),
        integrality=np.full(n, 1 if integral else 0),
        bounds=Bounds(0, 1),
        options={"time_limit": 30, "mip_rel_gap": 0},
    )
    if res.status != 0:
        raise RuntimeError(f"HiGHS did not prove optimality for {spec}: {res.message}")
    return float(-res.fun)


def gap_golden():
    rnd = random.Random(4242)
    instances = []
    for seed in range(1, 121):
        spec = {
            "seed": 1000 + seed,
            "tasks": rnd.randint(5, 40),
            "people": rnd.randint(1, 8),
            "equal": rnd.random() < 0.3,
            "forbid_pct": rnd.choice([0, 10, 30, 60]),
        }
        spec["lp_bound"] = solve_gap(spec, integral=False)
        spec["optimum"] = solve_gap(spec, integral=True)
        instances.append(spec)
    return {
        "peer": f"scipy {scipy.__version__} milp (HiGHS): LP relaxation and proven integer optimum",
        "generator": "splitmix64, see scripts/oracle_optimize.py",
        "instances": instances,
    }


def dump(obj, path):
    with open(path, "w") as f:
        f.write("{\n")
        items = list(obj.items())
        for n, (key, value) in enumerate(items):
            f.write(f"  {json.dumps(key)}: ")
            if isinstance(value, list):
                f.write("[\n")
                f.write(",\n".join("    " + json.dumps(v, separators=(",", ":")) for v in value))
                f.write("\n  ]")
            else:
                f.write(json.dumps(value))
            f.write(",\n" if n + 1 < len(items) else "\n")
        f.write("}\n")


if __name__ == "__main__":
    out_dir = sys.argv[1]
    dump(lsap_golden(), f"{out_dir}/lsap_scipy.json")
    dump(gap_golden(), f"{out_dir}/capacitated_highs.json")
