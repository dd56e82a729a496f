//! Time-series engine for KPIs: rollups of data points to calendar periods, period-over-period
//! and year-over-year comparisons, moving windows, robust anomaly flags and forecasts.
//!
//! The engine has no dependency on the opsdesk application. Data is columnar (dates as days since
//! 1970-01-01, values as `f64`), every function is pure and every result is plain serde data.
//!
//! * [`rollup()`] groups many KPIs' points by `(kpi, period)` (day, ISO week, month, quarter, year)
//!   with sum, mean, min, max, first, last, count and any percentile (pandas' linear
//!   interpolation); [`ratio_of_sums()`] handles ratio KPIs (Σ numerator / Σ denominator).
//! * [`PeriodSeries`] is one KPI on consecutive periods with missing periods explicit; on it work
//!   [`compare`] (环比 / 同比), [`window`] (moving mean and sum), [`anomaly`] (robust flags with
//!   explanations) and [`forecast`] (exponential smoothing with its error on history).
//! * [`csv_points`] reads `kpi,date,value` files fast; [`cli`] is `opsdesk kpi`.
//!
//! Rolling up several KPIs:
//!
//! ```
//! use analytics::{Agg, Granularity, Points, rollup, calendar::parse_ymd};
//!
//! let d = |s: &str| parse_ymd(s.as_bytes()).unwrap();
//! let points = Points::from_rows([
//!     ("revenue", d("2025-12-31"), 100.0),
//!     ("revenue", d("2026-01-01"), 120.0),
//!     ("revenue", d("2026-01-02"), 80.0),
//! ]);
//! let monthly = rollup(&points, Granularity::Month, &[Agg::Sum, Agg::Percentile(90.0)]);
//! let labels: Vec<String> = (0..monthly.len()).map(|r| monthly.period_of_row(r).label()).collect();
//! assert_eq!(labels, ["2025-12", "2026-01"]);
//! assert_eq!(monthly.columns[0], [100.0, 200.0]);
//! assert_eq!(monthly.columns[1][1], 116.0); // 80 + 0.9 × (120 − 80)
//! ```
//!
//! What a KPI page needs for one KPI with daily actuals:
//!
//! ```
//! use analytics::{Agg, Granularity, PeriodSeries, calendar::parse_ymd};
//! use analytics::anomaly::{AnomalyConfig, detect_anomalies};
//! use analytics::compare::{period_over_period, year_over_year};
//! use analytics::forecast::{forecast, forecast_to_period_end};
//! use analytics::window::{WindowAgg, moving};
//!
//! let first = parse_ymd(b"2024-01-01").unwrap();
//! let days: Vec<i32> = (0..800).map(|i| first + i).collect();
//! let mut values: Vec<f64> = (0..800).map(|i| 100.0 + 0.05 * i as f64 + (i % 7) as f64).collect();
//! values[500] = 400.0;
//! let daily = PeriodSeries::from_points(&days, &values, Granularity::Day, Agg::Sum);
//! let monthly = PeriodSeries::from_points(&days, &values, Granularity::Month, Agg::Mean);
//!
//! let mom = period_over_period(&monthly); // 环比
//! let yoy = year_over_year(&monthly); // 同比
//! assert!(yoy[12].ratio.unwrap() > 0.0);
//! assert!(mom[0].ratio.is_none());
//! let trailing_quarter = moving(&monthly, 3, WindowAgg::Mean, 3);
//! assert!(trailing_quarter[1].is_none() && trailing_quarter[2].is_some());
//! let flags = detect_anomalies(&daily, &AnomalyConfig::for_series(&daily));
//! assert_eq!(flags.anomalies[0].index, 500);
//! let next_quarter = forecast(&monthly, 3, 12).unwrap();
//! assert!(next_quarter.history_error.unwrap().mape.unwrap() < 0.05);
//! let month_end = forecast_to_period_end(&daily, Granularity::Month, Agg::Sum).unwrap();
//! assert!(month_end.projected > month_end.actual_so_far);
//! ```
pub mod agg;
pub mod analysis;
pub mod anomaly;
pub mod calendar;
pub mod cli;
pub mod compare;
pub mod csv_points;
pub mod forecast;
pub mod groups;
pub mod optimize;
pub mod period;
pub mod points;
pub mod render;
pub mod robust;
pub mod rollup;
pub mod series;
pub mod window;

pub use agg::Agg;
pub use period::{Granularity, Period};
pub use points::Points;
pub use rollup::{RatioRollup, Rollup, ratio_of_sums, rollup};
pub use series::PeriodSeries;
