//! Moving windows over a period series.

use crate::series::PeriodSeries;
use serde::{Deserialize, Serialize};

/// What a moving window computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowAgg {
    Mean,
    Sum,
}

/// For each period, the mean or sum of the values present in the `window` periods ending with it
/// (calendar periods: a missing period still uses up a slot). `None` where fewer than
/// `min_values` values are present: equals pandas' `rolling(window, min_periods=min_values)` on
/// the series reindexed to every period.
///
/// ```
/// use analytics::{Granularity, PeriodSeries, window::{WindowAgg, moving}};
/// let s = PeriodSeries { granularity: Granularity::Month, start: 0, values: vec![Some(1.0), Some(2.0), None, Some(6.0)] };
/// assert_eq!(moving(&s, 3, WindowAgg::Mean, 2), [None, Some(1.5), Some(1.5), Some(4.0)]);
/// assert_eq!(moving(&s, 3, WindowAgg::Sum, 1), [Some(1.0), Some(3.0), Some(3.0), Some(8.0)]);
/// ```
pub fn moving(
    series: &PeriodSeries,
    window: usize,
    agg: WindowAgg,
    min_values: usize,
) -> Vec<Option<f64>> {
    let window = window.max(1);
    let min_values = min_values.max(1);
    (0..series.len())
        .map(|i| {
            let from = (i + 1).saturating_sub(window);
            let present: Vec<f64> = series.values[from..=i].iter().flatten().copied().collect();
            if present.len() < min_values {
                return None;
            }
            let sum: f64 = present.iter().sum();
            Some(match agg {
                WindowAgg::Sum => sum,
                WindowAgg::Mean => sum / present.len() as f64,
            })
        })
        .collect()
}
