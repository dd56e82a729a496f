#!/usr/bin/env python3
"""Times PM4Py's discovery and token replay on a CSV log (in-process, median of N runs).

usage: bench-mining-models.py LOG.csv OUR_IM_NET.pnml [runs]
Prints one JSON object: seconds per step (median) and the fitness values.
"""
import json
import statistics
import sys
import time
import warnings

warnings.filterwarnings("ignore")
import pandas as pd  # noqa: E402
import pm4py  # noqa: E402

path, our_net, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 3


def median_time(fn):
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


df = pm4py.format_dataframe(pd.read_csv(path), case_id="case_id", activity_key="activity", timestamp_key="timestamp")
out = {}
out["heuristics_s"], _ = median_time(lambda: pm4py.discover_heuristics_net(df))
out["inductive_s"], (net, im, fm) = median_time(lambda: pm4py.discover_petri_net_inductive(df, noise_threshold=0.0))
out["imf_0.2_s"], _ = median_time(lambda: pm4py.discover_petri_net_inductive(df, noise_threshold=0.2))
out["tbr_own_net_s"], fit = median_time(lambda: pm4py.fitness_token_based_replay(df, net, im, fm))
out["tbr_own_net_fitness"] = fit["log_fitness"]
onet, oim, ofm = pm4py.read_pnml(our_net)
out["tbr_our_net_s"], fit = median_time(lambda: pm4py.fitness_token_based_replay(df, onet, oim, ofm))
out["tbr_our_net_fitness"] = fit["log_fitness"]
print(json.dumps(out))
