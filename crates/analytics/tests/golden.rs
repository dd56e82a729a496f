//! Rollups equal pandas' groupby results on the committed default case (tests/golden, made by
//! `scripts/oracle-analytics.sh`): missing days, negative values, single-point groups, a missing
//! value, a duplicated day, ISO week 53 and year boundaries.

use analytics::csv_points::read_points;
use analytics::render::write_json;
use analytics::{Agg, Granularity, rollup};
use serde_json::Value;

const AGGS: &str = "sum,mean,min,max,first,last,count,p50,p90,p99.5";

fn golden(name: &str) -> String {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn close(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            (e - a).abs() <= 1e-9 * e.abs().max(a.abs()).max(1.0)
        }
        _ => expected == actual,
    }
}

fn check(by: Granularity, file: &str) {
    let points = read_points(golden("points.csv").as_bytes()).unwrap();
    let aggs: Vec<Agg> = AGGS.split(',').map(|a| a.parse().unwrap()).collect();
    let mut out = Vec::new();
    write_json(&mut out, &rollup(&points, by, &aggs)).unwrap();
    let actual: Value = serde_json::from_slice(&out).unwrap();
    let expected: Value = serde_json::from_str(&golden(file)).unwrap();
    let (actual, expected) = (
        actual["rows"].as_array().unwrap(),
        expected["rows"].as_array().unwrap(),
    );
    assert_eq!(actual.len(), expected.len(), "{file}: row count");
    assert!(!actual.is_empty());
    for (e, a) in expected.iter().zip(actual) {
        let (e, a) = (e.as_object().unwrap(), a.as_object().unwrap());
        assert_eq!(e.keys().collect::<Vec<_>>(), a.keys().collect::<Vec<_>>());
        for (key, ev) in e {
            assert!(
                close(ev, &a[key]),
                "{file} {} {}: {key} pandas {ev}, ours {}",
                e["kpi"],
                e["period"],
                a[key]
            );
        }
    }
}

#[test]
fn day_rollup_equals_pandas() {
    check(Granularity::Day, "rollup_day.json");
}

#[test]
fn iso_week_rollup_equals_pandas() {
    let weeks = golden("rollup_week.json");
    assert!(
        weeks.contains("2020-W53"),
        "the default case covers ISO week 53"
    );
    check(Granularity::Week, "rollup_week.json");
}

#[test]
fn month_rollup_equals_pandas() {
    check(Granularity::Month, "rollup_month.json");
}

#[test]
fn quarter_rollup_equals_pandas() {
    check(Granularity::Quarter, "rollup_quarter.json");
}

#[test]
fn year_rollup_equals_pandas() {
    check(Granularity::Year, "rollup_year.json");
}
