//! KPIs: library, targets and thresholds, actuals, status, the KPI page and the red → action loop.
//!
//! `model` (types, thresholds, no I/O) · `formula` (the safe formula parser) · `series` (values
//! per period, no I/O) · `store` (SQL) · `service` (use cases; the API other modules call) ·
//! `api` (JSON) · `pages` (HTML) · `demo` (the demo library).
pub mod api;
pub mod demo;
pub mod formula;
pub mod model;
pub mod pages;
pub mod series;
pub mod service;
pub mod store;

pub use model::{Kpi, Rag};
pub use series::PeriodStatus;
