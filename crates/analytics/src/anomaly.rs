//! Robust anomaly flags: trend + level + seasonal medians, scored with the median absolute
//! deviation (MAD).
//!
//! Method, for the periods that have a value:
//! 1. remove a robust straight-line trend (Theil–Sen);
//! 2. remove a local level: the centred moving median over `level_window` periods;
//! 3. remove a seasonal component: the median of what remains in the same season slot (day of
//!    week for daily data, month of year for monthly data, …) when every slot has at least three
//!    values;
//! 4. score the residuals with the modified z-score `(r − median r) / (1.4826 · MAD)` (Iglewicz and
//!    Hoaglin) and flag scores beyond the threshold, 3.5 by default.
//!
//! The level and seasonal medians of a point leave the point itself out, so a point never explains
//! itself away: with few values per slot an in-sample median would make many residuals exactly
//! zero, shrink the MAD and flag ordinary noise. Medians make each step insensitive to the outliers
//! being looked for. When more than half of
//! the residuals are equal (MAD = 0) the scale falls back to 1.2533 × the mean absolute deviation,
//! so a single spike in an otherwise constant series is still flagged; a constant series has
//! no anomaly.

use crate::robust::{median, theil_sen};
use crate::series::PeriodSeries;
use serde::{Deserialize, Serialize};

/// Settings of [`detect_anomalies`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnomalyConfig {
    /// Periods per seasonal cycle; 0 or 1 for none.
    pub season: usize,
    /// Width of the centred moving median for the local level (made odd).
    pub level_window: usize,
    /// Modified z-score beyond which a point is flagged.
    pub threshold: f64,
    /// Fewer values than this: nothing is flagged (the method states why).
    pub min_values: usize,
}

impl AnomalyConfig {
    /// Defaults for a series: the granularity's natural season (7 for days, 12 for months, …),
    /// a level window of two seasons (at least 7 periods), threshold 3.5, at least 8 values.
    pub fn for_series(series: &PeriodSeries) -> Self {
        let season = series.granularity.season_length();
        AnomalyConfig {
            season,
            level_window: (2 * season + 1).max(7),
            threshold: 3.5,
            min_values: 8,
        }
    }
}

/// Whether a flagged value is above or below what was expected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    High,
    Low,
}

/// One flagged period with the numbers that explain it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Anomaly {
    /// Position in the series.
    pub index: usize,
    pub period: String,
    pub value: f64,
    /// What the model expected: trend + level + seasonal component + typical residual.
    pub expected: f64,
    pub trend: f64,
    pub level: f64,
    pub seasonal: f64,
    /// Robust standard deviation of the residuals (1.4826 × MAD or its fallback).
    pub scale: f64,
    /// Modified z-score: `(value − expected) / scale`.
    pub score: f64,
    pub direction: Direction,
    /// A sentence for people, e.g. "2026-03-14: 512 is 9.1 robust SDs above the expected 101.2
    /// (threshold 3.5)".
    pub explanation: String,
}

/// All flags of a series and how they were found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnomalyReport {
    pub config: AnomalyConfig,
    /// Whether seasonal medians were used (enough values per slot).
    pub seasonal: bool,
    /// Robust scale of the residuals; `None` when too few values or all residuals are zero.
    pub scale: Option<f64>,
    /// Why nothing could be flagged, if so.
    pub note: Option<String>,
    pub anomalies: Vec<Anomaly>,
}

/// Flags anomalous periods of `series` (see the module documentation for the method).
///
/// ```
/// use analytics::{Granularity, PeriodSeries, anomaly::{AnomalyConfig, detect_anomalies}};
/// let mut values: Vec<Option<f64>> = (0..60).map(|i| Some(100.0 + (i % 7) as f64)).collect();
/// values[30] = Some(400.0);
/// let s = PeriodSeries { granularity: Granularity::Day, start: 20_000, values };
/// let report = detect_anomalies(&s, &AnomalyConfig::for_series(&s));
/// assert_eq!(report.anomalies.len(), 1);
/// assert_eq!(report.anomalies[0].index, 30);
/// assert!(report.anomalies[0].explanation.contains("above the expected"));
/// ```
pub fn detect_anomalies(series: &PeriodSeries, config: &AnomalyConfig) -> AnomalyReport {
    let (index, values): (Vec<usize>, Vec<f64>) = series.observed().unzip();
    let mut report = AnomalyReport {
        config: *config,
        seasonal: false,
        scale: None,
        note: None,
        anomalies: Vec::new(),
    };
    if values.len() < config.min_values.max(3) {
        report.note = Some(format!(
            "{} values: at least {} are needed to judge anomalies",
            values.len(),
            config.min_values.max(3)
        ));
        return report;
    }
    let x: Vec<f64> = index.iter().map(|&i| i as f64).collect();
    let (slope, intercept) = theil_sen(&x, &values);
    let trend: Vec<f64> = x.iter().map(|&x| intercept + slope * x).collect();
    let detrended: Vec<f64> = values.iter().zip(&trend).map(|(v, t)| v - t).collect();
    let level = centred_moving_median(&index, &detrended, config.level_window);
    let deleveled: Vec<f64> = detrended.iter().zip(&level).map(|(d, l)| d - l).collect();
    let seasonal = seasonal_medians(&index, &deleveled, config.season);
    report.seasonal = seasonal.is_some();
    let seasonal_of = |i: usize| seasonal.as_ref().map_or(0.0, |s| s[i]);
    let residual: Vec<f64> = (0..values.len())
        .map(|i| deleveled[i] - seasonal_of(i))
        .collect();
    let centre = median(&mut residual.clone());
    let deviations: Vec<f64> = residual.iter().map(|r| (r - centre).abs()).collect();
    // Below this the residuals are rounding noise of an exact fit, not spread.
    let negligible = 1e-9 * values.iter().fold(f64::MIN_POSITIVE, |m, v| m.max(v.abs()));
    let mut scale = 1.4826 * median(&mut deviations.clone());
    if scale <= negligible {
        scale = 1.2533 * deviations.iter().sum::<f64>() / deviations.len() as f64;
    }
    if scale <= negligible {
        report.note = Some("the values follow the model exactly: nothing stands out".into());
        return report;
    }
    report.scale = Some(scale);
    for i in 0..values.len() {
        let score = (residual[i] - centre) / scale;
        if score.abs() <= config.threshold {
            continue;
        }
        let period = series.period(index[i]).label();
        let expected = values[i] - (residual[i] - centre);
        let direction = if score > 0.0 {
            Direction::High
        } else {
            Direction::Low
        };
        let explanation = format!(
            "{period}: {} is {:.1} robust SDs {} the expected {} (threshold {})",
            round_for_people(values[i]),
            score.abs(),
            if score > 0.0 { "above" } else { "below" },
            round_for_people(expected),
            config.threshold
        );
        report.anomalies.push(Anomaly {
            index: index[i],
            period,
            value: values[i],
            expected,
            trend: trend[i],
            level: level[i],
            seasonal: seasonal_of(i),
            scale,
            score,
            direction,
            explanation,
        });
    }
    report
}

/// For each point, the median of the other points within the centred window of `window`
/// periods (positions in `index`); the point's own value when it has no neighbour there.
fn centred_moving_median(index: &[usize], values: &[f64], window: usize) -> Vec<f64> {
    let half = window / 2;
    let mut buffer = Vec::with_capacity(window + 1);
    let mut from = 0;
    let mut to = 0;
    (0..values.len())
        .map(|i| {
            let centre = index[i];
            while index[from] + half < centre {
                from += 1;
            }
            while to < values.len() && index[to] <= centre + half {
                to += 1;
            }
            buffer.clear();
            buffer.extend((from..to).filter(|&j| j != i).map(|j| values[j]));
            if buffer.is_empty() {
                values[i]
            } else {
                median(&mut buffer)
            }
        })
        .collect()
}

/// For each point, the median of the other points in its season slot (`index % season`);
/// `None` when there is no season or some slot has fewer than three values.
fn seasonal_medians(index: &[usize], values: &[f64], season: usize) -> Option<Vec<f64>> {
    if season < 2 {
        return None;
    }
    let mut slots: Vec<Vec<usize>> = vec![Vec::new(); season];
    for (position, &i) in index.iter().enumerate() {
        slots[i % season].push(position);
    }
    if slots.iter().any(|s| s.len() < 3) {
        return None;
    }
    let mut buffer = Vec::new();
    let medians = (0..values.len())
        .map(|position| {
            buffer.clear();
            let slot = &slots[index[position] % season];
            buffer.extend(slot.iter().filter(|&&p| p != position).map(|&p| values[p]));
            median(&mut buffer)
        })
        .collect();
    Some(medians)
}

fn round_for_people(v: f64) -> String {
    let rounded = format!("{v:.2}");
    rounded
        .trim_end_matches('0')
        .trim_end_matches('.')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::Granularity;

    fn daily(values: Vec<Option<f64>>) -> PeriodSeries {
        PeriodSeries {
            granularity: Granularity::Day,
            start: 20_000,
            values,
        }
    }

    fn flagged(s: &PeriodSeries) -> Vec<usize> {
        detect_anomalies(s, &AnomalyConfig::for_series(s))
            .anomalies
            .iter()
            .map(|a| a.index)
            .collect()
    }

    /// Deterministic noise in [-1, 1] without a random number generator.
    fn noise(i: usize) -> f64 {
        ((i * 7919 % 1000) as f64 / 500.0) - 1.0
    }

    #[test]
    fn a_spike_on_trend_and_weekly_season_is_flagged_and_explained() {
        let mut values: Vec<Option<f64>> = (0..120)
            .map(|i| {
                let weekend = if i % 7 >= 5 { -30.0 } else { 0.0 };
                Some(200.0 + 1.5 * i as f64 + weekend + 3.0 * noise(i))
            })
            .collect();
        values[64] = Some(values[64].unwrap() - 80.0);
        values[10] = None;
        let s = daily(values);
        let report = detect_anomalies(&s, &AnomalyConfig::for_series(&s));
        assert!(report.seasonal);
        assert_eq!(report.anomalies.len(), 1, "{report:?}");
        let a = &report.anomalies[0];
        assert_eq!(a.index, 64);
        assert_eq!(a.direction, Direction::Low);
        assert!(a.score < -3.5);
        // The expected value is close to what the spike replaced.
        assert!((a.expected - (a.value + 80.0)).abs() < 10.0, "{a:?}");
        assert!(
            a.explanation
                .starts_with(&format!("{}: ", s.period(64).label()))
        );
        assert!(
            a.explanation.contains("below the expected"),
            "{}",
            a.explanation
        );
    }

    #[test]
    fn noise_alone_is_not_anomalous() {
        // Approximately normal noise (sum of 12 uniforms, an LCG for determinism).
        let mut state = 12345u64;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        for (granularity, n) in [
            (Granularity::Day, 30),
            (Granularity::Day, 400),
            (Granularity::Month, 36),
        ] {
            let values = (0..n)
                .map(|_| Some(100.0 + 30.0 * ((0..12).map(|_| uniform()).sum::<f64>() - 6.0)))
                .collect();
            let s = PeriodSeries {
                granularity,
                start: 20_000,
                values,
            };
            // At threshold 3.5 normal noise crosses about once in 2,000 values: allow 1 %.
            let flags = flagged(&s);
            assert!(flags.len() <= n / 100, "{granularity:?} × {n}: {flags:?}");
        }
    }

    #[test]
    fn a_linear_trend_alone_is_not_anomalous() {
        let s = daily((0..50).map(|i| Some(5.0 + 2.0 * i as f64)).collect());
        assert!(flagged(&s).is_empty());
    }

    #[test]
    fn constant_series_have_no_anomalies_but_a_spike_in_one_is_found() {
        let mut values = vec![Some(42.0); 30];
        assert!(flagged(&daily(values.clone())).is_empty());
        values[12] = Some(43.0);
        assert_eq!(flagged(&daily(values)), [12]);
    }

    #[test]
    fn short_and_empty_series_are_explained_not_flagged() {
        for values in [
            vec![],
            vec![None; 20],
            vec![Some(1.0), Some(100.0), Some(1.0)],
        ] {
            let s = daily(values);
            let report = detect_anomalies(&s, &AnomalyConfig::for_series(&s));
            assert!(report.anomalies.is_empty());
            assert!(report.note.unwrap().contains("at least 8"));
        }
    }
}
