#!/usr/bin/env python3
"""PM4Py oracle for the mining crate's discovery and conformance (golden data generator).

  prepare: logs -> tests/golden/<log>.pm4py.json (variants, IM/IMf trees, heuristics net)
  replay:  our PNML nets (tests/golden/<log>.<model>.pnml) -> token replay and alignments
Run through scripts/oracle-mining-models.sh, which also runs the Rust side.
"""
import json
import os
import subprocess
import sys
import tempfile
import warnings

warnings.filterwarnings("ignore")
os.environ.setdefault("PM4PY_SHOW_PROGRESS_BAR", "false")

import pandas as pd  # noqa: E402
import pm4py  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GOLDEN = os.path.join(ROOT, "crates", "mining", "tests", "golden")
SHARED = os.path.join(ROOT, "..", "shared")
if not os.path.isdir(SHARED):
    SHARED = os.path.join(ROOT, "shared")
EVENTLOGS = os.path.join(SHARED, "data", "eventlogs")
GEN_LOG = os.path.join(SHARED, "bench", "gen_log.py")

XES_COLS = ("case:concept:name", "concept:name", "time:timestamp")
GEN_COLS = ("case_id", "activity", "timestamp")
# name -> (csv source, columns); synthetic logs are generated deterministically.
LOGS = {
    "running-example": (os.path.join(EVENTLOGS, "running-example.csv"), XES_COLS),
    "receipt": (os.path.join(EVENTLOGS, "receipt.csv"), XES_COLS),
    "synthetic-3k": (("gen", 3000, 7), GEN_COLS),
    "synthetic-20k": (("gen", 20000, 11), GEN_COLS),
}
IMF_NOISE = [0.2, 0.5]
MODELS = ["im", "imf20", "heu", "pm4py-im"]
# PM4Py's alignments take minutes or more on the others (receipt: > 400 s per model);
# it refuses nets that are not "easy sound" (the synthetic-3k heuristics net).
ALIGN = {("running-example", "im"), ("running-example", "imf20"), ("running-example", "heu"),
         ("synthetic-3k", "im"), ("synthetic-3k", "imf20"),
         ("synthetic-20k", "im"), ("synthetic-20k", "imf20"),
         ("running-example", "pm4py-im"), ("synthetic-3k", "pm4py-im")}


def load(name):
    src, (case, act, ts) = LOGS[name]
    if isinstance(src, tuple):
        out = os.path.join(tempfile.gettempdir(), f"oracle-{name}")
        subprocess.run([sys.executable, GEN_LOG, "--events", str(src[1]), "--seed", str(src[2]), "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        src = out + ".csv"
    df = pd.read_csv(src)
    df = pm4py.format_dataframe(df, case_id=case, activity_key=act, timestamp_key=ts)
    return df


def variants_of(df):
    v = pm4py.get_variants(df)
    return sorted(([list(k), int(c)] for k, c in v.items()), key=lambda x: (-x[1], x[0]))


def prepare():
    for name in LOGS:
        df = load(name)
        out = {"name": name, "variants": variants_of(df)}
        out["im_tree"] = str(pm4py.discover_process_tree_inductive(df, noise_threshold=0.0))
        out["imf_trees"] = {str(n): str(pm4py.discover_process_tree_inductive(df, noise_threshold=n)) for n in IMF_NOISE}
        # PM4Py's own IM net, so the Rust side also proves it imports and replays foreign PNML.
        net, im, fm = pm4py.discover_petri_net_inductive(df, noise_threshold=0.0)
        pm4py.write_pnml(net, im, fm, os.path.join(GOLDEN, f"{name}.pm4py-im.pnml"))
        heu = pm4py.discover_heuristics_net(df)
        out["heuristics"] = {
            "dependency": sorted([a, b, float(v)] for a, m in heu.dependency_matrix.items() for b, v in m.items()),
            "nodes": sorted(heu.nodes.keys()),
            "edges": sorted([a, b] for a, n in heu.nodes.items() for b in [x.node_name for x in n.output_connections]),
        }
        with open(os.path.join(GOLDEN, f"{name}.pm4py.json"), "w") as f:
            json.dump(out, f, indent=1, ensure_ascii=False)
        print(f"prepared {name}: {len(out['variants'])} variants")


def replay():
    for name in LOGS:
        path = os.path.join(GOLDEN, f"{name}.pm4py.json")
        with open(path) as f:
            out = json.load(f)
        df = load(name)
        out["models"] = {}
        for model in MODELS:
            pnml = os.path.join(GOLDEN, f"{name}.{model}.pnml")
            if not os.path.exists(pnml):
                continue
            net, im, fm = pm4py.read_pnml(pnml)
            res = {}
            tbr = pm4py.fitness_token_based_replay(df, net, im, fm)
            res["tbr"] = {k: float(tbr[k]) for k in ("log_fitness", "average_trace_fitness", "perc_fit_traces")}
            diag = pm4py.conformance_diagnostics_token_based_replay(df, net, im, fm)
            traces = [tuple(t) for t in pm4py.convert_to_event_log(df) for t in [[e["concept:name"] for e in t]]]
            per_variant = {}
            for tr, d in zip(traces, diag):
                per_variant[json.dumps(list(tr), ensure_ascii=False)] = [int(d["missing_tokens"]), int(d["consumed_tokens"]),
                                                      int(d["remaining_tokens"]), int(d["produced_tokens"]),
                                                      bool(d["trace_is_fit"])]
            res["tbr_variants"] = per_variant
            if (name, model) in ALIGN:
                al = pm4py.fitness_alignments(df, net, im, fm, multi_processing=False)
                res["alignments"] = {k: float(al[k]) for k in ("log_fitness", "average_trace_fitness", "percentage_of_fitting_traces")}
                adiag = pm4py.conformance_diagnostics_alignments(df, net, im, fm, multi_processing=False)
                res["alignment_costs"] = {json.dumps(list(tr), ensure_ascii=False): int(d["cost"]) for tr, d in zip(traces, adiag)}
            out["models"][model] = res
            print(f"replayed {name}/{model}: tbr {res['tbr']['log_fitness']:.6f}"
                  + (f", alignments {res['alignments']['log_fitness']:.6f}" if "alignments" in res else ""))
        with open(path, "w") as f:
            json.dump(out, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    {"prepare": prepare, "replay": replay}[sys.argv[1]]()
