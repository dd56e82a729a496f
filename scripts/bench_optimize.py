"""Runs scipy and opsdesk on the same assignment inputs in the same run; prints a markdown table.

Called by scripts/bench-optimize.sh (which builds opsdesk and prepares the virtualenv).
Usage: python bench_optimize.py OPSDESK_BIN CAPACITATED_BIN WORK_DIR [RUNS]
"""

import json
import re
import statistics
import subprocess
import sys
import textwrap

import numpy as np

opsdesk, capacitated_bin, work = sys.argv[1], sys.argv[2], sys.argv[3]
runs = int(sys.argv[4]) if len(sys.argv) > 4 else 3

SCIPY = textwrap.dedent(
    """
    import sys, time, json
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    t0 = time.perf_counter()
    path = sys.argv[1]
    c = np.load(path) if path.endswith(".npy") else np.loadtxt(path, delimiter=",", ndmin=2)
    t1 = time.perf_counter()
    r, k = linear_sum_assignment(c)
    t2 = time.perf_counter()
    print(json.dumps({"read_s": t1 - t0, "solve_s": t2 - t1, "total": float(c[r, k].sum())}))
    """
)


def timed(cmd):
    """Runs cmd under GNU time; returns (stdout, stderr, wall s, peak MiB, user+sys CPU s)."""
    p = subprocess.run(["/usr/bin/time", "-v"] + cmd, capture_output=True, text=True, check=True)
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", p.stderr).group(1)
    parts = [float(x) for x in wall.split(":")]
    secs = sum(x * 60 ** i for i, x in enumerate(reversed(parts)))
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr).group(1)) / 1024
    cpu = float(re.search(r"User time \(seconds\): (\S+)", p.stderr).group(1)) + float(
        re.search(r"System time \(seconds\): (\S+)", p.stderr).group(1)
    )
    return p.stdout, p.stderr, secs, rss, cpu


def scipy_run(path):
    out, _, wall, rss, cpu = timed([sys.executable, "-c", SCIPY, path])
    r = json.loads(out)
    return r["solve_s"], wall, rss, cpu, r["total"]


def ours_run(path):
    out, err, wall, rss, cpu = timed([opsdesk, "assign", path, "--json", "--timings"])
    solve = float(re.search(r"solve_s=(\S+)", err).group(1))
    return solve, wall, rss, cpu, json.loads(out)["total"]


def med(xs):
    return statistics.median(xs)


rows = []
rng = np.random.default_rng(20261127)
cases = []
for n in (1000, 3000):
    path = f"{work}/dense_{n}.npy"
    np.save(path, rng.random((n, n)))
    cases.append((f"{n}×{n} dense float, .npy", path))
for label, shape, ints in (
    ("500×3000 (wide) dense float, .npy", (500, 3000), False),
    ("3000×500 (tall) dense float, .npy", (3000, 500), False),
    ("2000×2000 integers 0–99 (many ties), .npy", (2000, 2000), True),
):
    path = f"{work}/extra_{shape[0]}x{shape[1]}{'_int' if ints else ''}.npy"
    np.save(path, rng.integers(0, 100, shape).astype(float) if ints else rng.random(shape))
    cases.append((label, path))
csv_path = f"{work}/dense_1000.csv"
np.savetxt(csv_path, np.load(f"{work}/dense_1000.npy"), delimiter=",", fmt="%.17g")
cases.append(("1000×1000 dense float, CSV (read + solve)", csv_path))

for label, path in cases:
    ours, peer = [], []
    for _ in range(runs):  # interleaved so both see the same machine load
        peer.append(scipy_run(path))
        ours.append(ours_run(path))
    t_peer, t_ours = peer[0][4], ours[0][4]
    if abs(t_peer - t_ours) > 1e-9 * max(1.0, abs(t_peer)):
        sys.exit(f"{label}: totals differ: scipy {t_peer!r} opsdesk {t_ours!r}")
    s_p, w_p, r_p, c_p = (med([r[i] for r in peer]) for i in range(4))
    s_o, w_o, r_o, c_o = (med([r[i] for r in ours]) for i in range(4))
    rows.append((label, s_p, s_o, w_p, w_o, c_p, c_o, r_p, r_o))

print("| input | scipy solve s | opsdesk solve s | solve ratio (ours/scipy) | scipy wall s | opsdesk wall s | wall ratio | scipy CPU s | opsdesk CPU s | scipy peak MiB | opsdesk peak MiB |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for label, s_p, s_o, w_p, w_o, c_p, c_o, r_p, r_o in rows:
    print(f"| {label} | {s_p:.3f} | {s_o:.3f} | **{s_o / s_p:.2f}** | {w_p:.2f} | {w_o:.2f} | {w_o / w_p:.2f} | {c_p:.2f} | {c_o:.2f} | {r_p:.0f} | {r_o:.0f} |")
print()
print("Totals were checked equal (1e-9 relative) on every input.")
print()

print("| auto-assign instance | solve s (median) | solve s (min) | process wall s | process CPU s | peak MiB | assigned | unassigned | total fit | upper bound | gap | proven optimal |")
print("|---|---|---|---|---|---|---|---|---|---|---|---|")
for extra, label in (([], "2,000 tasks × 300 people, estimates 1–16 h"), (["--equal"], "2,000 × 300, all estimates 4 h")):
    results = []
    for _ in range(runs):
        out, _, wall, rss, cpu = timed([capacitated_bin, "2000", "300", "1"] + extra)
        results.append((json.loads(out), wall, rss, cpu))
    r0 = results[0][0]
    solve = med([r[0]["solve_s"] for r in results])
    solve_min = min(r[0]["solve_min_s"] for r in results)
    wall = med([r[1] for r in results])
    rss = med([r[2] for r in results])
    cpu = med([r[3] for r in results])
    print(
        f"| {label} | {solve:.3f} | {solve_min:.3f} | {wall:.2f} | {cpu:.2f} | {rss:.0f} | {r0['assigned']} | {r0['unassigned']} | "
        f"{r0['total_fit']:.2f} | {r0['upper_bound']:.2f} | {r0['gap']:.2f} ({100 * r0['relative_gap']:.2f} %) | {r0['optimal']} |"
    )
