//! Property tests of the series functions: comparisons, moving windows, anomaly flags and
//! forecasts behave consistently under shifts, scaling and gaps.

use analytics::anomaly::{AnomalyConfig, detect_anomalies};
use analytics::compare::{period_over_period, year_over_year};
use analytics::forecast::forecast;
use analytics::window::{WindowAgg, moving};
use analytics::{Granularity, PeriodSeries};
use proptest::prelude::*;

fn series() -> impl Strategy<Value = PeriodSeries> {
    (
        prop_oneof![
            Just(Granularity::Day),
            Just(Granularity::Week),
            Just(Granularity::Month)
        ],
        proptest::collection::vec(
            prop_oneof![8 => (-1000i32..1000).prop_map(|v| Some(f64::from(v))), 1 => Just(None)],
            0..80,
        ),
    )
        .prop_map(|(granularity, values)| PeriodSeries {
            granularity,
            start: granularity.index_of(19_000),
            values,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn changes_are_value_minus_base(s in series()) {
        for changes in [period_over_period(&s), year_over_year(&s)] {
            prop_assert_eq!(changes.len(), s.len());
            for (i, c) in changes.iter().enumerate() {
                prop_assert_eq!(c.value, s.values[i]);
                match (c.value, c.base) {
                    (Some(v), Some(b)) => prop_assert_eq!(c.delta, Some(v - b)),
                    _ => prop_assert!(c.delta.is_none() && c.gap.is_some()),
                }
            }
        }
    }

    #[test]
    fn moving_sums_of_window_one_are_the_values(s in series(), w in 1usize..6) {
        let ones = moving(&s, 1, WindowAgg::Sum, 1);
        prop_assert_eq!(&ones, &s.values);
        // A mean over w periods lies between the smallest and largest value in the window.
        let means = moving(&s, w, WindowAgg::Mean, 1);
        for (i, m) in means.iter().enumerate() {
            let window: Vec<f64> = s.values[(i + 1).saturating_sub(w)..=i].iter().flatten().copied().collect();
            match m {
                Some(m) => {
                    let lo = window.iter().copied().fold(f64::INFINITY, f64::min);
                    let hi = window.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                    prop_assert!(lo - 1e-9 <= *m && *m <= hi + 1e-9);
                }
                None => prop_assert!(window.is_empty()),
            }
        }
    }

    #[test]
    fn anomaly_flags_do_not_depend_on_units_or_offset(s in series(), scale in 0.01f64..100.0, offset in -1e4f64..1e4) {
        let moved = PeriodSeries { values: s.values.iter().map(|v| v.map(|v| v * scale + offset)).collect(), ..s.clone() };
        let config = AnomalyConfig::for_series(&s);
        let before: Vec<usize> = detect_anomalies(&s, &config).anomalies.iter().map(|a| a.index).collect();
        let after = detect_anomalies(&moved, &config);
        let after_scores: Vec<(usize, f64)> = after.anomalies.iter().map(|a| (a.index, a.score)).collect();
        // Scores far from the threshold keep their side of it; rounding may move borderline ones.
        let firm: Vec<usize> = detect_anomalies(&s, &config).anomalies.iter().filter(|a| a.score.abs() > 3.6).map(|a| a.index).collect();
        for i in &firm {
            prop_assert!(after_scores.iter().any(|(j, _)| j == i), "{i} lost: {before:?} → {after_scores:?}");
        }
        for (j, score) in &after_scores {
            prop_assert!(before.contains(j) || score.abs() < 3.6, "{j} appeared: {before:?} → {after_scores:?}");
        }
    }

    #[test]
    fn forecasts_are_finite_and_shift_with_the_series(s in series(), offset in -1e3f64..1e3) {
        match forecast(&s, 4, s.granularity.season_length()) {
            Err(_) => prop_assert!(s.values.iter().all(Option::is_none)),
            Ok(f) => {
                prop_assert_eq!(f.points.len(), 4);
                prop_assert!(f.points.iter().all(|p| p.value.is_finite()));
                prop_assert_eq!(f.fitted.len(), s.len());
                // A constant series forecasts that constant.
                let constant = PeriodSeries { values: s.values.iter().map(|v| v.map(|_| offset)).collect(), ..s.clone() };
                let c = forecast(&constant, 4, s.granularity.season_length()).unwrap();
                prop_assert!(c.points.iter().all(|p| (p.value - offset).abs() < 1e-6 * offset.abs().max(1.0)), "{:?}", c.points);
            }
        }
    }
}
