//! Property tests of rollups: agreement with a naive reference, two-step rollups, percentile
//! bounds, ordering, and the CSV reader round trip.

use analytics::calendar::{Day, format_ymd};
use analytics::csv_points::read_points;
use analytics::{Agg, Granularity, Points, Rollup, rollup};
use proptest::prelude::*;
use std::collections::BTreeMap;

const ALL: [Granularity; 5] = [
    Granularity::Day,
    Granularity::Week,
    Granularity::Month,
    Granularity::Quarter,
    Granularity::Year,
];

const AGGS: [Agg; 10] = [
    Agg::Sum,
    Agg::Mean,
    Agg::Min,
    Agg::Max,
    Agg::First,
    Agg::Last,
    Agg::Count,
    Agg::Percentile(0.0),
    Agg::Percentile(50.0),
    Agg::Percentile(90.0),
];

/// Points over a few KPIs; `spread` days wide (wide spreads exercise the sparse grouping path).
/// Values are multiples of 1/4 so that sums are exact in any order; some are missing (NaN).
fn points(max_len: usize) -> impl Strategy<Value = Points> {
    (prop_oneof![Just(40i32), Just(800), Just(40_000)], 0..max_len).prop_flat_map(|(spread, len)| {
        proptest::collection::vec(
            (0u8..4, -spread..spread, prop_oneof![9 => (-400i32..400).prop_map(|v| f64::from(v) / 4.0), 1 => Just(f64::NAN)]),
            len,
        )
        .prop_map(|rows| {
            let names = ["cost", "orders", "revenue", "合格率"];
            Points::from_rows(rows.into_iter().map(|(k, d, v)| (names[k as usize], 19_000 + d, v)))
        })
    })
}

/// The rollup computed the obvious way: a sorted map of groups, values in date order.
fn reference(points: &Points, g: Granularity, aggs: &[Agg]) -> Vec<(u32, i32, Vec<f64>)> {
    let mut order: Vec<usize> = (0..points.len()).collect();
    order.sort_by_key(|&i| points.day[i]);
    let mut groups: BTreeMap<(u32, i32), Vec<f64>> = BTreeMap::new();
    for i in order {
        groups
            .entry((points.kpi[i], g.index_of(points.day[i])))
            .or_default()
            .push(points.value[i]);
    }
    groups
        .into_iter()
        .map(|((k, p), values)| (k, p, aggs.iter().map(|a| a.apply(&values)).collect()))
        .collect()
}

fn same(a: f64, b: f64) -> bool {
    (a.is_nan() && b.is_nan()) || (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

fn column(r: &Rollup, agg: Agg) -> &[f64] {
    &r.columns[r.aggs.iter().position(|&a| a == agg).unwrap()]
}

/// Uses each row of a rollup as a point dated at the start of its period.
fn as_points(r: &Rollup, agg: Agg) -> Points {
    Points {
        kpi_names: r.kpi_names.clone(),
        kpi: r.kpi.clone(),
        day: (0..r.len()).map(|i| r.period_of_row(i).start()).collect(),
        value: column(r, agg).to_vec(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn rollup_equals_the_naive_reference(p in points(300), g in 0usize..5) {
        let g = ALL[g];
        let ours = rollup(&p, g, &AGGS);
        let expected = reference(&p, g, &AGGS);
        prop_assert_eq!(ours.len(), expected.len());
        for (row, (k, period, values)) in expected.iter().enumerate() {
            prop_assert_eq!((ours.kpi[row], ours.period[row]), (*k, *period));
            for (a, v) in values.iter().enumerate() {
                prop_assert!(same(ours.columns[a][row], *v), "{} {}: {} vs {}", AGGS[a], row, ours.columns[a][row], v);
            }
        }
    }

    #[test]
    fn two_step_rollups_equal_one_step(p in points(300), fine in 0usize..4) {
        // Days nest in every granularity; months in quarters and years; quarters in years.
        let fine = ALL[fine];
        let coarser: &[Granularity] = match fine {
            Granularity::Day => &[Granularity::Week, Granularity::Month, Granularity::Quarter, Granularity::Year],
            Granularity::Week => &[],
            Granularity::Month => &[Granularity::Quarter, Granularity::Year],
            _ => &[Granularity::Year],
        };
        let step1 = rollup(&p, fine, &AGGS);
        for &coarse in coarser {
            let direct = rollup(&p, coarse, &AGGS);
            for (agg, again) in [(Agg::Sum, Agg::Sum), (Agg::Min, Agg::Min), (Agg::Max, Agg::Max), (Agg::Count, Agg::Sum), (Agg::Last, Agg::Last), (Agg::First, Agg::First)] {
                let two = rollup(&as_points(&step1, agg), coarse, &[again]);
                prop_assert_eq!(&two.kpi, &direct.kpi);
                prop_assert_eq!(&two.period, &direct.period);
                for (x, y) in two.columns[0].iter().zip(column(&direct, agg)) {
                    prop_assert!(same(*x, *y), "{:?}→{:?} {}: {} vs {}", fine, coarse, agg, x, y);
                }
            }
            // Mean through (sum, count).
            let sums = rollup(&as_points(&step1, Agg::Sum), coarse, &[Agg::Sum]);
            let counts = rollup(&as_points(&step1, Agg::Count), coarse, &[Agg::Sum]);
            for (i, mean) in column(&direct, Agg::Mean).iter().enumerate() {
                prop_assert!(same(sums.columns[0][i] / counts.columns[0][i], *mean));
            }
        }
    }

    #[test]
    fn percentiles_lie_between_min_and_max_in_order(p in points(300), g in 0usize..5, q in 0.0f64..100.0) {
        let aggs = [Agg::Min, Agg::Percentile(q / 2.0), Agg::Percentile(q), Agg::Max];
        let r = rollup(&p, ALL[g], &aggs);
        for i in 0..r.len() {
            let row: Vec<f64> = r.columns.iter().map(|c| c[i]).collect();
            if row[0].is_nan() {
                prop_assert!(row.iter().all(|v| v.is_nan()));
            } else {
                prop_assert!(row.windows(2).all(|w| w[0] <= w[1]), "{:?}", row);
            }
        }
    }

    #[test]
    fn rows_are_ordered_by_kpi_name_then_period(p in points(200), g in 0usize..5) {
        let r = rollup(&p, ALL[g], &[Agg::Count]);
        let keys: Vec<(&str, i32)> = (0..r.len()).map(|i| (r.kpi_names[r.kpi[i] as usize].as_str(), r.period[i])).collect();
        prop_assert!(keys.windows(2).all(|w| w[0] < w[1]));
        prop_assert_eq!(r.columns[0].iter().sum::<f64>() as usize, p.value.iter().filter(|v| !v.is_nan()).count());
    }

    #[test]
    fn csv_round_trip(p in points(200)) {
        let mut text = String::from("kpi,date,value\n");
        for i in 0..p.len() {
            let v = p.value[i];
            let shown = if v.is_nan() { String::new() } else { v.to_string() };
            text.push_str(&format!("\"{}\",{},{}\n", p.kpi_names[p.kpi[i] as usize], format_ymd(p.day[i] as Day), shown));
        }
        let back = read_points(text.as_bytes()).unwrap();
        prop_assert_eq!(back.len(), p.len());
        for i in 0..p.len() {
            prop_assert_eq!(&back.kpi_names[back.kpi[i] as usize], &p.kpi_names[p.kpi[i] as usize]);
            prop_assert_eq!(back.day[i], p.day[i]);
            prop_assert!(same(back.value[i], p.value[i]));
        }
    }
}
