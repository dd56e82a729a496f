//! Aggregation functions and the percentile rule shared by every rollup.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How the points of one period are combined into one value.
///
/// Missing values (NaN) are skipped, as pandas does: `count` counts the values present, the sum of
/// no values is 0 and every other aggregation of no values is NaN.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Agg {
    Sum,
    Mean,
    Min,
    Max,
    /// Value at the earliest date of the period (the first such row on ties).
    First,
    /// Value at the latest date of the period (the last such row on ties).
    Last,
    Count,
    /// Percentile in [0, 100] with linear interpolation between closest ranks (pandas' default).
    Percentile(f64),
}

/// An aggregation name that could not be understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown aggregation `{0}` (expected sum, mean, min, max, first, last, count or pNN such as p50, p90, p99.5)"
)]
pub struct UnknownAgg(pub String);

impl FromStr for Agg {
    type Err = UnknownAgg;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let agg = match s.trim().to_ascii_lowercase().as_str() {
            "sum" => Agg::Sum,
            "mean" | "avg" | "average" => Agg::Mean,
            "min" => Agg::Min,
            "max" => Agg::Max,
            "first" => Agg::First,
            "last" => Agg::Last,
            "count" => Agg::Count,
            "median" => Agg::Percentile(50.0),
            other => {
                let pct = other
                    .strip_prefix('p')
                    .and_then(|rest| rest.parse::<f64>().ok())
                    .filter(|p| (0.0..=100.0).contains(p));
                Agg::Percentile(pct.ok_or_else(|| UnknownAgg(s.to_string()))?)
            }
        };
        Ok(agg)
    }
}

impl fmt::Display for Agg {
    /// The column name used in tables and JSON: `sum`, `mean`, …, `p90`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Agg::Sum => f.write_str("sum"),
            Agg::Mean => f.write_str("mean"),
            Agg::Min => f.write_str("min"),
            Agg::Max => f.write_str("max"),
            Agg::First => f.write_str("first"),
            Agg::Last => f.write_str("last"),
            Agg::Count => f.write_str("count"),
            Agg::Percentile(p) => write!(f, "p{p}"),
        }
    }
}

/// Percentile `q` (a fraction in [0, 1]) of already sorted values, interpolating linearly between
/// the two closest ranks exactly as pandas' `quantile(q)` does. NaN for an empty slice.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => {
            let (lo, frac) = rank(n, q);
            if frac == 0.0 {
                sorted[lo]
            } else {
                sorted[lo] + (sorted[lo + 1] - sorted[lo]) * frac
            }
        }
    }
}

/// Percentile `q` of unsorted values in linear time; reorders `values`.
/// Values must not be NaN.
pub fn quantile_select(values: &mut [f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let (lo, frac) = rank(values.len(), q);
    let (_, &mut low, above) = values.select_nth_unstable_by(lo, f64::total_cmp);
    if frac == 0.0 {
        return low;
    }
    let high = above.iter().copied().fold(f64::INFINITY, f64::min);
    low + (high - low) * frac
}

/// Zero-based lower rank and interpolation fraction for percentile `q` of `n` values.
fn rank(n: usize, q: f64) -> (usize, f64) {
    let position = q.clamp(0.0, 1.0) * (n - 1) as f64;
    let lo = position.floor() as usize;
    (lo.min(n - 1), position - position.floor())
}

impl Agg {
    /// Applies the aggregation to values in chronological order, skipping NaN (the rollup kernel
    /// computes the same thing column-wise for many groups at once).
    ///
    /// ```
    /// use analytics::Agg;
    /// let v = [3.0, f64::NAN, 1.0, 2.0];
    /// assert_eq!(Agg::Sum.apply(&v), 6.0);
    /// assert_eq!(Agg::Last.apply(&v), 2.0);
    /// assert_eq!(Agg::Count.apply(&v), 3.0);
    /// assert_eq!(Agg::Percentile(50.0).apply(&v), 2.0);
    /// ```
    pub fn apply(self, values: &[f64]) -> f64 {
        let mut present: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
        let n = present.len();
        match self {
            Agg::Sum => present.iter().sum(),
            Agg::Mean if n > 0 => present.iter().sum::<f64>() / n as f64,
            Agg::Min if n > 0 => present.iter().copied().fold(f64::INFINITY, f64::min),
            Agg::Max if n > 0 => present.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            Agg::First if n > 0 => present[0],
            Agg::Last if n > 0 => present[n - 1],
            Agg::Count => n as f64,
            Agg::Percentile(p) => quantile_select(&mut present, p / 100.0),
            _ => f64::NAN,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_names_and_percentiles() {
        assert_eq!("SUM".parse::<Agg>().unwrap(), Agg::Sum);
        assert_eq!("p90".parse::<Agg>().unwrap(), Agg::Percentile(90.0));
        assert_eq!("p99.5".parse::<Agg>().unwrap(), Agg::Percentile(99.5));
        assert_eq!("median".parse::<Agg>().unwrap().to_string(), "p50");
        assert!("p101".parse::<Agg>().is_err());
        assert!("total".parse::<Agg>().is_err());
        assert_eq!(Agg::Percentile(99.5).to_string(), "p99.5");
    }

    #[test]
    fn linear_interpolation_matches_the_numpy_definition() {
        let sorted = [1.0, 2.0, 4.0, 8.0];
        // position = q * (n - 1): 0.9 * 3 = 2.7 → 4 + 0.7 * (8 - 4)
        assert!((quantile_sorted(&sorted, 0.9) - 6.8).abs() < 1e-12);
        assert_eq!(quantile_sorted(&sorted, 0.5), 3.0);
        assert_eq!(quantile_sorted(&sorted, 0.0), 1.0);
        assert_eq!(quantile_sorted(&sorted, 1.0), 8.0);
        assert_eq!(quantile_sorted(&[7.0], 0.9), 7.0);
        assert!(quantile_sorted(&[], 0.5).is_nan());
        let mut shuffled = [8.0, 1.0, 4.0, 2.0];
        assert_eq!(
            quantile_select(&mut shuffled, 0.9),
            quantile_sorted(&sorted, 0.9)
        );
    }
}
