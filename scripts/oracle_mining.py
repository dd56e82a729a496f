"""PM4Py oracle for `opsdesk mine`: computes golden facts of event logs with PM4Py.

Usage: oracle_mining.py golden LOG [--object-type T] > golden.json
       oracle_mining.py compare GOLDEN.json OURS_DFG.json OURS_VARIANTS.json

The golden JSON holds what the issue asks to match exactly (activity, edge, start/end and
variant counts) and within 1e-6 relative (edge mean and median durations, seconds).
"""
import json
import sys


def load(path, object_type=None):
    import pandas as pd
    import pm4py

    if path.endswith(".csv"):
        df = pd.read_csv(path)
        cols = set(df.columns)
        case = "case:concept:name" if "case:concept:name" in cols else "case_id"
        act = "concept:name" if "concept:name" in cols else "activity"
        ts = "time:timestamp" if "time:timestamp" in cols else "timestamp"
        # Mixed UTC offsets in one column: parse to UTC first, as opsdesk does.
        df[ts] = pd.to_datetime(df[ts], utc=True, format="ISO8601")
        return pm4py.format_dataframe(df, case_id=case, activity_key=act, timestamp_key=ts)
    if path.endswith(".jsonocel") or path.endswith(".xmlocel"):
        ocel = pm4py.read_ocel2(path)
        df = pm4py.ocel_flattening(ocel, object_type).reset_index(drop=True)
        # The flattened frame is in global time order, not grouped by case; PM4Py's
        # get_variants assumes grouping and then glues events of different cases together.
        # format_dataframe sorts by case and time (stable), after which DFG and variants agree.
        return pm4py.format_dataframe(
            df, case_id="case:concept:name", activity_key="concept:name", timestamp_key="time:timestamp"
        )
    return pm4py.read_xes(path)


def golden(path, object_type=None):
    import pm4py

    df = load(path, object_type)
    dfg, start, end = pm4py.discover_dfg(df)
    perf, _, _ = pm4py.discover_performance_dfg(df, perf_aggregation_key="all")
    activities = df["concept:name"].value_counts().to_dict()
    variants = pm4py.get_variants(df)
    names = sorted(activities)
    index = {n: i for i, n in enumerate(names)}
    return {
        "source": path.split("/")[-1],
        "pm4py": pm4py.__version__,
        "activities": {k: int(v) for k, v in sorted(activities.items())},
        "start_activities": {k: int(v) for k, v in sorted(start.items())},
        "end_activities": {k: int(v) for k, v in sorted(end.items())},
        "edges": [
            {
                "source": a,
                "target": b,
                "count": int(c),
                "mean_seconds": float(perf[(a, b)]["mean"]),
                "median_seconds": float(perf[(a, b)]["median"]),
            }
            for (a, b), c in sorted(dfg.items())
        ],
        # Variants as activity indices into sorted(activities), to keep the file small.
        "activity_index": names,
        "variants": sorted(
            [",".join(str(index[a]) for a in v), int(c if isinstance(c, int) else len(c))]
            for v, c in variants.items()
        ),
    }


def close(a, b):
    return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-9)


def compare(golden_path, dfg_path, variants_path):
    g = json.load(open(golden_path))
    d = json.load(open(dfg_path))
    v = json.load(open(variants_path))
    errors = []
    ours_act = {a["name"]: a["count"] for a in d["activities"]}
    if ours_act != g["activities"]:
        errors.append(f"activity counts differ: {ours_act} vs {g['activities']}")
    for key in ("start_activities", "end_activities"):
        ours = {a["name"]: a["count"] for a in d[key]}
        if ours != g[key]:
            errors.append(f"{key} differ: {ours} vs {g[key]}")
    ours_edges = {(e["source"], e["target"]): e for e in d["edges"]}
    theirs = {(e["source"], e["target"]): e for e in g["edges"]}
    if set(ours_edges) != set(theirs):
        errors.append(f"edge sets differ: only ours {set(ours_edges) - set(theirs)}, only PM4Py {set(theirs) - set(ours_edges)}")
    for k in set(ours_edges) & set(theirs):
        o, t = ours_edges[k], theirs[k]
        if o["count"] != t["count"]:
            errors.append(f"edge {k} count {o['count']} vs {t['count']}")
        for m in ("mean_seconds", "median_seconds"):
            if not close(o[m], t[m]):
                errors.append(f"edge {k} {m} {o[m]} vs {t[m]}")
    index = {n: i for i, n in enumerate(g["activity_index"])}
    ours_var = sorted([",".join(str(index[a]) for a in x["activities"]), x["count"]] for x in v["variants"])
    if ours_var != g["variants"]:
        errors.append(f"variants differ ({len(ours_var)} ours vs {len(g['variants'])} PM4Py)")
    for e in errors[:20]:
        print("MISMATCH", g["source"], e)
    if not errors:
        print(f"ok {g['source']}: {len(g['activities'])} activities, {len(g['edges'])} edges, {len(g['variants'])} variants")
    return not errors


if __name__ == "__main__":
    if sys.argv[1] == "golden":
        ot = sys.argv[sys.argv.index("--object-type") + 1] if "--object-type" in sys.argv else None
        json.dump(golden(sys.argv[2], ot), sys.stdout, indent=0, ensure_ascii=False)
        print()
    elif sys.argv[1] == "compare":
        sys.exit(0 if compare(*sys.argv[2:5]) else 1)
    else:
        sys.exit(__doc__)
