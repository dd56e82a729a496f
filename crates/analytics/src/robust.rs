//! Small robust statistics shared by anomaly detection.

/// Median of the values (reordered in place); NaN when empty.
pub fn median(values: &mut [f64]) -> f64 {
    crate::agg::quantile_select(values, 0.5)
}

/// Theil–Sen line through `(x, y)`: slope is the median of pairwise slopes, intercept the median
/// of `y - slope * x`. Robust to up to ~29 % outliers. Large inputs use the pairs `(i, i + n/2)`
/// only, which keeps it linear and still robust.
pub fn theil_sen(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len();
    if n < 2 {
        return (0.0, y.first().copied().unwrap_or(0.0));
    }
    let mut slopes = Vec::new();
    if n <= 400 {
        for i in 0..n {
            for j in i + 1..n {
                if x[j] != x[i] {
                    slopes.push((y[j] - y[i]) / (x[j] - x[i]));
                }
            }
        }
    } else {
        let half = n / 2;
        for i in 0..n - half {
            if x[i + half] != x[i] {
                slopes.push((y[i + half] - y[i]) / (x[i + half] - x[i]));
            }
        }
    }
    let slope = if slopes.is_empty() {
        0.0
    } else {
        median(&mut slopes)
    };
    let mut intercepts: Vec<f64> = x.iter().zip(y).map(|(&x, &y)| y - slope * x).collect();
    (slope, median(&mut intercepts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn theil_sen_ignores_an_outlier() {
        let x: Vec<f64> = (0..20).map(f64::from).collect();
        let mut y: Vec<f64> = x.iter().map(|x| 3.0 + 0.5 * x).collect();
        y[7] = 1000.0;
        let (slope, intercept) = theil_sen(&x, &y);
        assert!((slope - 0.5).abs() < 1e-12 && (intercept - 3.0).abs() < 1e-12);
        assert_eq!(median(&mut [3.0, 1.0, 2.0, 10.0]), 2.5);
    }
}
