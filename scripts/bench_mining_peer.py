"""The PM4Py side of scripts/bench-mining.sh: one task per process, timed from outside.

Usage: bench_mining_peer.py TASK LOG
  dfg-csv       read the CSV, format it, frequency + performance DFG (what `opsdesk mine dfg` does)
  import-xes    pm4py.read_xes (PM4Py's default importer)
  pipeline-csv  the whole pipeline `opsdesk mine report` runs: CSV import + DFGs + variants +
                case durations + start/end activities + Heuristics Miner + IMf (noise 0.2) +
                token-based replay of the log on the IMf net
"""
import sys


def read_csv(path):
    import pandas as pd
    import pm4py

    df = pd.read_csv(path)
    return pm4py.format_dataframe(df, case_id="case_id", activity_key="activity", timestamp_key="timestamp")


def main(task, path):
    import pm4py

    if task == "dfg-csv":
        df = read_csv(path)
        pm4py.discover_dfg(df)
        pm4py.discover_performance_dfg(df, perf_aggregation_key="all")
    elif task == "import-xes":
        pm4py.read_xes(path)
    elif task == "pipeline-csv":
        df = read_csv(path)
        pm4py.discover_dfg(df)
        pm4py.discover_performance_dfg(df, perf_aggregation_key="all")
        pm4py.get_variants(df)
        pm4py.get_all_case_durations(df)
        pm4py.get_start_activities(df)
        pm4py.get_end_activities(df)
        pm4py.discover_heuristics_net(df)
        net, im, fm = pm4py.discover_petri_net_inductive(df, noise_threshold=0.2)
        pm4py.fitness_token_based_replay(df, net, im, fm)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
