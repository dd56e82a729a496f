//! Period-over-period, year-over-year and moving means equal pandas' `diff`/`shift`/`rolling` on
//! the committed series (tests/golden/series*.{csv,json}, made by `scripts/oracle-analytics.sh`):
//! three years of one KPI with missing days, a missing month and negative stretches.

use analytics::compare::{Gap, period_over_period, year_over_year};
use analytics::csv_points::read_points;
use analytics::window::{WindowAgg, moving};
use analytics::{Agg, Granularity, PeriodSeries, rollup};
use serde_json::Value;

fn golden(name: &str) -> String {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn same(expected: &Value, actual: Option<f64>) -> bool {
    match (expected.as_f64(), actual) {
        (None, None) => true,
        (Some(e), Some(a)) => (e - a).abs() <= 1e-9 * e.abs().max(a.abs()).max(1.0),
        _ => false,
    }
}

fn check(by: Granularity, file: &str) {
    let points = read_points(golden("series.csv").as_bytes()).unwrap();
    let series = PeriodSeries::from_rollup(&rollup(&points, by, &[Agg::Sum]), 0, 0);
    let pop = period_over_period(&series);
    let yoy = year_over_year(&series);
    let mean3 = moving(&series, 3, WindowAgg::Mean, 3);
    let expected: Value = serde_json::from_str(&golden(file)).unwrap();
    let rows = expected["rows"].as_array().unwrap();
    assert_eq!(rows.len(), series.len(), "{file}: periods");
    if by == Granularity::Month {
        assert!(
            series.values.iter().any(Option::is_none),
            "the case has a missing month"
        );
    }
    for (i, row) in rows.iter().enumerate() {
        let at = format!("{file} {}", row["period"]);
        assert_eq!(row["period"], series.period(i).label(), "{at}");
        assert!(same(&row["value"], series.values[i]), "{at} value");
        assert!(
            same(&row["pop_delta"], pop[i].delta),
            "{at} PoP delta {:?}",
            pop[i]
        );
        assert!(
            same(&row["yoy_delta"], yoy[i].delta),
            "{at} YoY delta {:?}",
            yoy[i]
        );
        assert!(
            same(&row["moving_mean_3"], mean3[i]),
            "{at} moving mean {:?}",
            mean3[i]
        );
        // pandas' pct_change divides by the signed base; ours by |base|: compare positive bases.
        if pop[i].base.is_some_and(|b| b > 0.0) {
            assert!(same(&row["pop_ratio"], pop[i].ratio), "{at} PoP ratio");
        }
        if yoy[i].base.is_some_and(|b| b > 0.0) {
            assert!(same(&row["yoy_ratio"], yoy[i].ratio), "{at} YoY ratio");
        }
        if series.values[i].is_none() {
            assert_eq!(pop[i].gap, Some(Gap::NoValue));
        }
    }
}

#[test]
fn monthly_changes_and_moving_mean_equal_pandas() {
    check(Granularity::Month, "series_month.json");
}

#[test]
fn quarterly_changes_and_moving_mean_equal_pandas() {
    check(Granularity::Quarter, "series_quarter.json");
}
