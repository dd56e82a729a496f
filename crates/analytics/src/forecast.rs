//! Forecasts by exponential smoothing (ETS with additive errors).
//!
//! Candidates: simple exponential smoothing; additive damped trend (Holt, with φ fitted in
//! [0.8, 1], so φ = 1 is an undamped linear trend); and Holt–Winters with additive season and
//! damped trend when the series has at least two full seasons plus two values. Each candidate's
//! smoothing parameters minimise the sum of squared one-step-ahead errors (Nelder–Mead); the
//! candidate with the lowest AICc wins, which penalises the extra parameters of richer models.
//! The winner's one-step-ahead errors on the history are reported (MAE, RMSE, MAPE).
//!
//! Missing periods are skipped by the updates (the state carries its own forecast through them).
//! Models are fitted on the most recent [`MAX_FIT_PERIODS`] periods (four seasons if that is
//! longer); `fitted` is `None` before them.

use crate::agg::Agg;
use crate::optimize::nelder_mead;
use crate::period::Granularity;
use crate::series::PeriodSeries;
use serde::{Deserialize, Serialize};

/// At most this many recent periods (or four seasons, if longer) are used to fit a model.
pub const MAX_FIT_PERIODS: usize = 400;

/// Which model produced a forecast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Fewer than 4 values: the last value carries forward.
    Naive,
    SimpleExponentialSmoothing,
    DampedTrend,
    HoltWintersDamped,
}

/// Smoothing parameters (zero when the method does not use them; φ = 1 means no damping).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// Accuracy of the one-step-ahead forecasts over the history.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HistoryError {
    /// Number of one-step-ahead forecasts compared with actual values.
    pub n: usize,
    pub mae: f64,
    pub rmse: f64,
    /// Mean absolute percentage error (0.05 = 5 %) over non-zero actuals; `None` if all are zero.
    pub mape: Option<f64>,
}

/// One forecast period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForecastPoint {
    pub period: String,
    pub value: f64,
}

/// A fitted model, its accuracy on history and its forecasts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forecast {
    pub method: Method,
    /// The method in words, with its parameters, for the KPI page.
    pub description: String,
    pub params: Params,
    /// Season length used (1 when none).
    pub season: usize,
    /// `None` when there were too few values to measure.
    pub history_error: Option<HistoryError>,
    /// One-step-ahead forecast of every period of the input series (`None` before the first
    /// forecastable period).
    pub fitted: Vec<Option<f64>>,
    /// The next `horizon` periods after the series.
    pub points: Vec<ForecastPoint>,
}

/// Why no forecast could be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum ForecastError {
    #[error("the series has no value to forecast from")]
    NoValues,
    #[error("a projection to the end of a period needs a daily series")]
    NotDaily,
}

/// Fits the candidates to `series` and forecasts `horizon` periods past its end. `season` is the
/// cycle length to try (e.g. [`Granularity::season_length`]); 0 or 1 disables seasonal models.
///
/// ```
/// use analytics::{Granularity, PeriodSeries, forecast::{Method, forecast}};
/// let s = PeriodSeries { granularity: Granularity::Month, start: 2025 * 12, values: (0..24).map(|i| Some(50.0 + 3.0 * i as f64)).collect() };
/// let f = forecast(&s, 3, 1).unwrap();
/// assert_eq!(f.method, Method::DampedTrend);
/// assert_eq!(f.points[0].period, "2027-01");
/// assert!((f.points[2].value - (50.0 + 3.0 * 26.0)).abs() < 0.5);
/// ```
pub fn forecast(
    series: &PeriodSeries,
    horizon: usize,
    season: usize,
) -> Result<Forecast, ForecastError> {
    let first = series
        .values
        .iter()
        .position(Option::is_some)
        .ok_or(ForecastError::NoValues)?;
    // Older history barely moves the smoothing parameters but costs fitting time.
    let recent = series.len().saturating_sub(MAX_FIT_PERIODS.max(4 * season));
    let first = series.values[first.max(recent)..]
        .iter()
        .position(Option::is_some)
        .map_or(first, |p| first.max(recent) + p);
    let y = &series.values[first..];
    let observed = y.iter().flatten().count();
    let season = season.max(1);
    let mut best: Option<(f64, Candidate)> = None;
    if observed >= 4 {
        let mut kinds = vec![Method::SimpleExponentialSmoothing, Method::DampedTrend];
        if season > 1 && observed >= 2 * season + 2 {
            kinds.push(Method::HoltWintersDamped);
        }
        for method in kinds {
            let model = Model::new(method, season, y);
            if let Some(candidate) = model.fit(y) {
                let aicc = candidate.aicc(model.parameter_count());
                if best.as_ref().is_none_or(|(b, _)| aicc < *b) {
                    best = Some((aicc, candidate));
                }
            }
        }
    }
    let candidate = match best {
        Some((_, c)) => c,
        None => Model::new(Method::Naive, 1, y).run_with(
            y,
            Params {
                alpha: 1.0,
                beta: 0.0,
                gamma: 0.0,
                phi: 1.0,
            },
        ),
    };
    let mut fitted = vec![None; first];
    fitted.extend(candidate.fitted.iter().copied());
    let points = (1..=horizon)
        .map(|h| ForecastPoint {
            period: series.period(series.len() - 1 + h).label(),
            value: candidate.forecast(y.len(), h),
        })
        .collect();
    Ok(Forecast {
        method: candidate.model.method,
        description: describe(&candidate),
        params: candidate.params,
        season: candidate.model.season,
        history_error: candidate.history_error(y),
        fitted,
        points,
    })
}

/// A projection of the current period's value from a daily series, e.g. the month's total
/// revenue when half the month has data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodEndProjection {
    /// The period containing the series' last day, e.g. `2026-03`.
    pub period: String,
    pub agg: Agg,
    /// Days of the period up to the series' end, and how many of them have a value.
    pub elapsed_days: usize,
    pub observed_days: usize,
    pub remaining_days: usize,
    /// The aggregation over the observed days only.
    pub actual_so_far: f64,
    /// The aggregation over observed days plus forecast days.
    pub projected: f64,
    pub forecast: Forecast,
}

/// Forecasts the rest of the period (of `target` granularity) that contains the last day of the
/// daily `series` (weekly season) and combines actuals with forecasts under `agg`.
///
/// ```
/// use analytics::{Agg, Granularity, PeriodSeries, calendar::parse_ymd, forecast::forecast_to_period_end};
/// // 1–20 March, 10 a day: the month should end near 310.
/// let s = PeriodSeries::new(Granularity::Day, parse_ymd(b"2026-03-01").unwrap(), vec![Some(10.0); 20]);
/// let p = forecast_to_period_end(&s, Granularity::Month, Agg::Sum).unwrap();
/// assert_eq!((p.period.as_str(), p.remaining_days), ("2026-03", 11));
/// assert_eq!(p.actual_so_far, 200.0);
/// assert!((p.projected - 310.0).abs() < 1e-6);
/// ```
pub fn forecast_to_period_end(
    series: &PeriodSeries,
    target: Granularity,
    agg: Agg,
) -> Result<PeriodEndProjection, ForecastError> {
    if series.granularity != Granularity::Day {
        return Err(ForecastError::NotDaily);
    }
    if series.is_empty() {
        return Err(ForecastError::NoValues);
    }
    let last_day = series.start + series.len() as i32 - 1;
    let period = target.period_of(last_day);
    let remaining = (period.end() - last_day) as usize;
    let forecast = forecast(series, remaining, Granularity::Day.season_length())?;
    let from = (period.start() - series.start).max(0) as usize;
    let actual: Vec<f64> = series.values[from..]
        .iter()
        .map(|v| v.unwrap_or(f64::NAN))
        .collect();
    let mut combined = actual.clone();
    combined.extend(forecast.points.iter().map(|p| p.value));
    Ok(PeriodEndProjection {
        period: period.label(),
        agg,
        elapsed_days: (last_day - period.start()).max(0) as usize + 1,
        observed_days: actual.iter().filter(|v| !v.is_nan()).count(),
        remaining_days: remaining,
        actual_so_far: agg.apply(&actual),
        projected: agg.apply(&combined),
        forecast,
    })
}

/// A model shape with its initial state, before parameters are chosen.
#[derive(Debug, Clone)]
struct Model {
    method: Method,
    season: usize,
    level: f64,
    trend: f64,
    seasonal: Vec<f64>,
}

/// A model run with fixed parameters: its one-step-ahead forecasts and final state.
#[derive(Debug, Clone)]
struct Candidate {
    model: Model,
    params: Params,
    fitted: Vec<Option<f64>>,
    sse: f64,
    errors: usize,
    level: f64,
    trend: f64,
    seasonal: Vec<f64>,
}

impl Model {
    /// Initial state from the first values (the series starts with a value).
    fn new(method: Method, season: usize, y: &[Option<f64>]) -> Model {
        let season = if method == Method::HoltWintersDamped {
            season
        } else {
            1
        };
        let observed: Vec<(usize, f64)> = y
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (i, v)))
            .collect();
        let (t0, y0) = observed[0];
        let mut model = Model {
            method,
            season,
            level: y0,
            trend: 0.0,
            seasonal: vec![0.0; season],
        };
        if matches!(method, Method::DampedTrend | Method::HoltWintersDamped) {
            let span = if season > 1 {
                season
            } else {
                4.min(observed.len() - 1)
            };
            if let Some(&(t1, y1)) = observed.iter().take_while(|(t, _)| *t <= t0 + span).last()
                && t1 > t0
            {
                model.trend = (y1 - y0) / (t1 - t0) as f64;
            }
        }
        if season > 1 {
            // Seasonal offsets: first-cycle deviations from the straight line through y0.
            let mut sums = vec![(0.0, 0usize); season];
            for &(t, v) in observed.iter().take_while(|(t, _)| *t < 2 * season) {
                let s = &mut sums[t % season];
                s.0 += v - (y0 + model.trend * (t - t0) as f64);
                s.1 += 1;
            }
            let offsets: Vec<f64> = sums
                .iter()
                .map(|&(s, n)| if n > 0 { s / n as f64 } else { 0.0 })
                .collect();
            let mean = offsets.iter().sum::<f64>() / season as f64;
            model.seasonal = offsets.iter().map(|o| o - mean).collect();
            model.level = y0 - model.seasonal[t0 % season];
        }
        // The state describes "just before the first period", so the first forecast is y0.
        model.level -= model.trend;
        model
    }

    fn parameter_count(&self) -> usize {
        match self.method {
            Method::Naive => 0,
            Method::SimpleExponentialSmoothing => 2,
            Method::DampedTrend => 5,
            Method::HoltWintersDamped => 6 + self.season - 1,
        }
    }

    fn params_from(&self, u: &[f64]) -> Params {
        let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
        let alpha = 1e-4 + (1.0 - 2e-4) * sigmoid(u[0]);
        let mut p = Params {
            alpha,
            beta: 0.0,
            gamma: 0.0,
            phi: 1.0,
        };
        if self.method != Method::SimpleExponentialSmoothing {
            p.beta = alpha * sigmoid(u[1]);
            p.phi = 0.8 + 0.2 * sigmoid(u[2]);
        }
        if self.method == Method::HoltWintersDamped {
            p.gamma = (1.0 - alpha) * sigmoid(u[3]);
        }
        p
    }

    fn fit(&self, y: &[Option<f64>]) -> Option<Candidate> {
        let dims = match self.method {
            Method::SimpleExponentialSmoothing => 1,
            Method::DampedTrend => 3,
            _ => 4,
        };
        let mut objective = |u: &[f64]| self.run_with(y, self.params_from(u)).sse;
        // Two starts (slow and fast adaptation) guard against a poor local minimum.
        let starts = [[-1.0, -1.0, 2.0, -2.0], [1.0, -2.0, 1.0, -1.0]];
        let (u, _) = starts
            .iter()
            .map(|s| nelder_mead(&mut objective, &s[..dims], 1.0, 150 * dims))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        let candidate = self.run_with(y, self.params_from(&u));
        candidate.sse.is_finite().then_some(candidate)
    }

    fn run_with(&self, y: &[Option<f64>], params: Params) -> Candidate {
        let Params {
            alpha,
            beta,
            gamma,
            phi,
        } = params;
        let (mut level, mut trend, mut seasonal) = (self.level, self.trend, self.seasonal.clone());
        let m = self.season;
        let mut fitted = Vec::with_capacity(y.len());
        let (mut sse, mut errors) = (0.0, 0);
        for (t, value) in y.iter().enumerate() {
            let s = seasonal[t % m];
            let prediction = level + phi * trend + s;
            fitted.push((t > 0).then_some(prediction));
            let error = match value {
                Some(v) => v - prediction,
                None => 0.0,
            };
            if t > 0 && value.is_some() {
                sse += error * error;
                errors += 1;
            }
            level = level + phi * trend + alpha * error;
            trend = phi * trend + beta * error;
            seasonal[t % m] = s + gamma * error;
        }
        Candidate {
            model: self.clone(),
            params,
            fitted,
            sse,
            errors,
            level,
            trend,
            seasonal,
        }
    }
}

impl Candidate {
    fn aicc(&self, k: usize) -> f64 {
        let n = self.errors as f64;
        let k = k as f64;
        if n - k - 1.0 <= 0.0 {
            return f64::INFINITY;
        }
        // A floor keeps perfect fits comparable (ln 0 would make every perfect fit tie at −∞).
        let sse = self.sse.max(1e-20 * n);
        n * (sse / n).ln() + 2.0 * k + 2.0 * k * (k + 1.0) / (n - k - 1.0)
    }

    /// Forecast `h` periods after the last of `n` periods.
    fn forecast(&self, n: usize, h: usize) -> f64 {
        let phi = self.params.phi;
        let damped: f64 = (1..=h).map(|i| phi.powi(i as i32)).sum();
        self.level + damped * self.trend + self.seasonal[(n - 1 + h) % self.model.season]
    }

    fn history_error(&self, y: &[Option<f64>]) -> Option<HistoryError> {
        let pairs: Vec<(f64, f64)> = y
            .iter()
            .zip(&self.fitted)
            .filter_map(|(v, f)| v.zip(*f))
            .collect();
        if pairs.is_empty() {
            return None;
        }
        let n = pairs.len() as f64;
        let mae = pairs.iter().map(|(v, f)| (v - f).abs()).sum::<f64>() / n;
        let rmse = (pairs.iter().map(|(v, f)| (v - f).powi(2)).sum::<f64>() / n).sqrt();
        let relative: Vec<f64> = pairs
            .iter()
            .filter(|(v, _)| *v != 0.0)
            .map(|(v, f)| ((v - f) / v).abs())
            .collect();
        let mape =
            (!relative.is_empty()).then(|| relative.iter().sum::<f64>() / relative.len() as f64);
        Some(HistoryError {
            n: pairs.len(),
            mae,
            rmse,
            mape,
        })
    }
}

fn describe(c: &Candidate) -> String {
    let p = c.params;
    let fitted = "parameters minimise the one-step-ahead squared error; chosen by AICc";
    match c.model.method {
        Method::Naive => "naive: the last value carries forward (fewer than 4 values)".into(),
        Method::SimpleExponentialSmoothing => {
            format!("simple exponential smoothing (α={:.3}); {fitted}", p.alpha)
        }
        Method::DampedTrend => format!(
            "additive damped trend (α={:.3}, β={:.3}, φ={:.3}); {fitted}",
            p.alpha, p.beta, p.phi
        ),
        Method::HoltWintersDamped => format!(
            "Holt-Winters, additive season of {} with damped trend (α={:.3}, β={:.3}, γ={:.3}, φ={:.3}); {fitted}",
            c.model.season, p.alpha, p.beta, p.gamma, p.phi
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(g: Granularity, values: Vec<Option<f64>>) -> PeriodSeries {
        PeriodSeries {
            granularity: g,
            start: g.index_of(20_000),
            values,
        }
    }

    #[test]
    fn a_linear_trend_is_forecast_with_small_error() {
        let s = series(
            Granularity::Month,
            (0..36).map(|i| Some(1000.0 + 25.0 * i as f64)).collect(),
        );
        let f = forecast(&s, 6, 12).unwrap();
        assert_eq!(f.method, Method::DampedTrend, "{}", f.description);
        for (h, p) in f.points.iter().enumerate() {
            let truth = 1000.0 + 25.0 * (36 + h) as f64;
            assert!(
                (p.value - truth).abs() < 0.01 * truth,
                "h={h}: {} vs {truth}",
                p.value
            );
        }
        let e = f.history_error.unwrap();
        assert_eq!(e.n, 35);
        assert!(e.mape.unwrap() < 0.01, "{e:?}");
    }

    #[test]
    fn weekly_season_is_detected_and_followed() {
        let pattern = [100.0, 120.0, 130.0, 125.0, 140.0, 60.0, 40.0];
        let wobble = |i: usize| ((i * 37 % 11) as f64 - 5.0) * 0.5;
        let s = series(
            Granularity::Day,
            (0..84).map(|i| Some(pattern[i % 7] + wobble(i))).collect(),
        );
        let f = forecast(&s, 7, 7).unwrap();
        assert_eq!(f.method, Method::HoltWintersDamped, "{}", f.description);
        for (h, p) in f.points.iter().enumerate() {
            assert!(
                (p.value - pattern[(84 + h) % 7]).abs() < 8.0,
                "h={h}: {}",
                p.value
            );
        }
    }

    #[test]
    fn constant_short_missing_and_empty_series() {
        let constant = forecast(&series(Granularity::Week, vec![Some(7.0); 20]), 3, 52).unwrap();
        assert!(constant.points.iter().all(|p| (p.value - 7.0).abs() < 1e-9));
        assert_eq!(constant.history_error.unwrap().mae, 0.0);

        let short = forecast(
            &series(Granularity::Week, vec![Some(1.0), Some(3.0)]),
            2,
            52,
        )
        .unwrap();
        assert_eq!(short.method, Method::Naive);
        assert_eq!(short.points[1].value, 3.0);
        assert_eq!(short.history_error.unwrap().mae, 2.0);

        let gappy = series(
            Granularity::Day,
            vec![
                None,
                Some(5.0),
                None,
                Some(5.0),
                Some(5.0),
                None,
                Some(5.0),
                Some(5.0),
                None,
            ],
        );
        let f = forecast(&gappy, 2, 7).unwrap();
        assert_eq!(f.fitted.len(), gappy.len());
        assert_eq!(f.fitted[0], None);
        assert!(f.points.iter().all(|p| (p.value - 5.0).abs() < 1e-9));

        assert_eq!(
            forecast(&series(Granularity::Day, vec![None; 5]), 1, 7),
            Err(ForecastError::NoValues)
        );
        assert_eq!(
            forecast(&series(Granularity::Day, vec![]), 1, 7),
            Err(ForecastError::NoValues)
        );
    }

    #[test]
    fn long_series_are_fitted_on_recent_periods() {
        let s = series(
            Granularity::Day,
            (0..1000).map(|i| Some(10.0 + (i % 7) as f64)).collect(),
        );
        let f = forecast(&s, 7, 7).unwrap();
        assert_eq!(f.fitted.len(), 1000);
        let first_fitted = f.fitted.iter().position(Option::is_some).unwrap();
        assert_eq!(first_fitted, 1000 - MAX_FIT_PERIODS + 1);
        assert_eq!(f.history_error.unwrap().n, MAX_FIT_PERIODS - 1);
        assert!((f.points[0].value - (10.0 + (1000 % 7) as f64)).abs() < 0.5);
    }

    #[test]
    fn projection_to_period_end_needs_daily_data() {
        let monthly = series(Granularity::Month, vec![Some(1.0); 5]);
        assert_eq!(
            forecast_to_period_end(&monthly, Granularity::Quarter, Agg::Sum),
            Err(ForecastError::NotDaily)
        );
    }
}
