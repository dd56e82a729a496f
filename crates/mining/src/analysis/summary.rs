//! Summary statistics with the same conventions as pandas/numpy (linear-interpolated quantiles).

use serde::Serialize;

/// The `q`-quantile (0..=1) of sorted values, interpolated linearly like `numpy.percentile`.
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// Count, mean and quantiles of a set of durations in seconds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Distribution {
    pub count: u64,
    pub mean: f64,
    pub min: f64,
    pub p25: f64,
    pub median: f64,
    pub p75: f64,
    pub p90: f64,
    pub max: f64,
}

impl Distribution {
    /// Summarises durations given in milliseconds (sorted in place).
    pub fn from_millis(values: &mut [i64]) -> Self {
        values.sort_unstable();
        let secs: Vec<f64> = values.iter().map(|&v| v as f64 / 1000.0).collect();
        let sum: i128 = values.iter().map(|&v| i128::from(v)).sum();
        let n = values.len();
        Distribution {
            count: n as u64,
            mean: if n == 0 {
                f64::NAN
            } else {
                sum as f64 / n as f64 / 1000.0
            },
            min: secs.first().copied().unwrap_or(f64::NAN),
            p25: quantile_sorted(&secs, 0.25),
            median: quantile_sorted(&secs, 0.5),
            p75: quantile_sorted(&secs, 0.75),
            p90: quantile_sorted(&secs, 0.9),
            max: secs.last().copied().unwrap_or(f64::NAN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_interpolate_like_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert!((quantile_sorted(&v, 0.9) - 3.7).abs() < 1e-12);
        assert_eq!(quantile_sorted(&[7.0], 0.9), 7.0);
    }

    #[test]
    fn distribution_of_millis() {
        let d = Distribution::from_millis(&mut [3000, 1000, 2000]);
        assert_eq!(
            (d.count, d.mean, d.median, d.min, d.max),
            (3, 2.0, 2.0, 1.0, 3.0)
        );
    }
}
