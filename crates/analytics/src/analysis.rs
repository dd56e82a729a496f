//! Everything the KPI page shows about one series, in one call.

use crate::anomaly::{AnomalyConfig, AnomalyReport, detect_anomalies};
use crate::compare::{Change, period_over_period, year_over_year};
use crate::forecast::{Forecast, forecast};
use crate::period::Granularity;
use crate::series::PeriodSeries;
use crate::window::{WindowAgg, moving};
use serde::{Deserialize, Serialize};

/// Settings of [`analyze`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// Periods in the moving mean (calendar periods; all must have a value).
    pub window: usize,
    /// Periods to forecast past the end of the series.
    pub horizon: usize,
    /// Anomaly threshold on the modified z-score.
    pub threshold: f64,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            window: 3,
            horizon: 3,
            threshold: 3.5,
        }
    }
}

/// One period of the analysed series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodRow {
    pub period: String,
    pub value: Option<f64>,
    /// 环比.
    pub period_over_period: Change,
    /// 同比.
    pub year_over_year: Change,
    pub moving_mean: Option<f64>,
    pub anomaly: bool,
}

/// The analysis of one KPI series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    pub granularity: Granularity,
    pub options: AnalysisOptions,
    pub periods: Vec<PeriodRow>,
    pub anomalies: AnomalyReport,
    /// `None` when the series has no value (see `forecast_note`).
    pub forecast: Option<Forecast>,
    pub forecast_note: Option<String>,
}

/// Comparisons, moving mean, anomaly flags and forecast of `series`.
///
/// ```
/// use analytics::{Granularity, PeriodSeries, analysis::{AnalysisOptions, analyze}};
/// let s = PeriodSeries { granularity: Granularity::Quarter, start: 2024 * 4, values: vec![Some(10.0), Some(12.0), Some(11.0), Some(13.0), Some(12.0)] };
/// let a = analyze(&s, AnalysisOptions::default());
/// assert_eq!(a.periods[4].period, "2025-Q1");
/// assert_eq!(a.periods[4].year_over_year.delta, Some(2.0));
/// assert_eq!(a.forecast.unwrap().points.len(), 3);
/// ```
pub fn analyze(series: &PeriodSeries, options: AnalysisOptions) -> Analysis {
    let mom = period_over_period(series);
    let yoy = year_over_year(series);
    let moving_mean = moving(series, options.window, WindowAgg::Mean, options.window);
    let mut config = AnomalyConfig::for_series(series);
    config.threshold = options.threshold;
    let anomalies = detect_anomalies(series, &config);
    let (forecast, forecast_note) =
        match forecast(series, options.horizon, series.granularity.season_length()) {
            Ok(f) => (Some(f), None),
            Err(e) => (None, Some(e.to_string())),
        };
    let periods = mom
        .into_iter()
        .zip(yoy)
        .zip(moving_mean)
        .enumerate()
        .map(|(i, ((mom, yoy), moving_mean))| PeriodRow {
            period: mom.period.clone(),
            value: series.values[i],
            period_over_period: mom,
            year_over_year: yoy,
            moving_mean,
            anomaly: anomalies.anomalies.iter().any(|a| a.index == i),
        })
        .collect();
    Analysis {
        granularity: series.granularity,
        options,
        periods,
        anomalies,
        forecast,
        forecast_note,
    }
}
