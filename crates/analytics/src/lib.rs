//! Time-series engine for KPIs: rollups of data points to calendar periods, period-over-period
//! and year-over-year comparisons, moving windows, robust anomaly flags and forecasts.
//!
//! The engine has no dependency on the opsdesk application. Data is columnar (dates as days since
//! 1970-01-01, values as `f64`), every function is pure and every result is plain serde data.
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
pub mod agg;
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
