//! Our analyses equal PM4Py's on the shared logs, through golden files that
//! `scripts/oracle-mining.sh` computes with PM4Py (counts exactly, durations within 1e-6).

use mining::analysis::{dfg, variants};
use mining::import::{LoadOptions, load};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn shared_logs() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/eventlogs");
    assert!(
        dir.is_dir(),
        "the shared event logs are missing: expected them at {} (shared/ beside the repository)",
        dir.display()
    );
    dir
}

fn golden(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/golden/{name}.json"));
    serde_json::from_str(&std::fs::read_to_string(&path).expect("golden file")).unwrap()
}

fn counts(v: &Value) -> BTreeMap<String, u64> {
    v.as_object()
        .unwrap()
        .iter()
        .map(|(k, c)| (k.clone(), c.as_u64().unwrap()))
        .collect()
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1e-9)
}

fn check(golden_name: &str, file: &str, object_type: Option<&str>) {
    let g = golden(golden_name);
    let options = LoadOptions {
        object_type: object_type.map(str::to_owned),
        ..Default::default()
    };
    let log = load(&shared_logs().join(file), &options).unwrap().log;
    let d = dfg(&log);

    let ours = |list: &[mining::analysis::ActivityCount]| -> BTreeMap<String, u64> {
        list.iter().map(|a| (a.name.clone(), a.count)).collect()
    };
    assert_eq!(
        ours(&d.activities),
        counts(&g["activities"]),
        "{file}: activity counts"
    );
    assert_eq!(
        ours(&d.start_activities),
        counts(&g["start_activities"]),
        "{file}: start"
    );
    assert_eq!(
        ours(&d.end_activities),
        counts(&g["end_activities"]),
        "{file}: end"
    );

    let theirs = g["edges"].as_array().unwrap();
    assert_eq!(d.edges.len(), theirs.len(), "{file}: number of edges");
    for t in theirs {
        let (s, tg) = (t["source"].as_str().unwrap(), t["target"].as_str().unwrap());
        let e = d
            .edges
            .iter()
            .find(|e| e.source == s && e.target == tg)
            .unwrap_or_else(|| panic!("{file}: edge {s} → {tg} missing"));
        assert_eq!(
            e.count,
            t["count"].as_u64().unwrap(),
            "{file}: count of {s} → {tg}"
        );
        for (ours, key) in [
            (e.mean_seconds, "mean_seconds"),
            (e.median_seconds, "median_seconds"),
        ] {
            let want = t[key].as_f64().unwrap();
            assert!(
                close(ours, want),
                "{file}: {key} of {s} → {tg}: {ours} vs {want}"
            );
        }
    }

    let index: BTreeMap<&str, usize> = g["activity_index"]
        .as_array()
        .unwrap()
        .iter()
        .enumerate()
        .map(|(i, n)| (n.as_str().unwrap(), i))
        .collect();
    let mut ours_variants: Vec<(String, u64)> = variants(&log, None)
        .variants
        .iter()
        .map(|v| {
            let seq: Vec<String> = v
                .activities
                .iter()
                .map(|a| index[a.as_str()].to_string())
                .collect();
            (seq.join(","), v.count)
        })
        .collect();
    ours_variants.sort();
    let theirs: Vec<(String, u64)> = g["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p[0].as_str().unwrap().to_owned(), p[1].as_u64().unwrap()))
        .collect();
    assert_eq!(
        ours_variants.len(),
        theirs.len(),
        "{file}: number of variants"
    );
    assert_eq!(ours_variants, theirs, "{file}: variants");
}

#[test]
fn running_example_csv_matches_pm4py() {
    check("running-example-csv", "running-example.csv", None);
}

#[test]
fn running_example_xes_matches_pm4py() {
    check("running-example-xes", "running-example.xes", None);
}

#[test]
fn receipt_csv_matches_pm4py() {
    check("receipt", "receipt.csv", None);
}

#[test]
fn helpdesk_xes_gz_matches_pm4py() {
    check("helpdesk", "helpdesk.xes.gz", None);
}

#[test]
fn bpic2012_xes_gz_matches_pm4py() {
    check("bpic2012", "bpic2012.xes.gz", None);
}

#[test]
fn ocel_flattened_on_purchase_orders_matches_pm4py() {
    check(
        "ocel20-purchase-order",
        "ocel20_example.jsonocel",
        Some("Purchase Order"),
    );
}

#[test]
fn ocel_flattened_on_invoices_matches_pm4py() {
    check("ocel20-invoice", "ocel20_example.jsonocel", Some("Invoice"));
}
