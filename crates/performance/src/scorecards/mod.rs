//! Scorecards: for a person, a department or the company, a weighted set of KPIs with each one's
//! achievement and the weighted score for a period, drill-down to the KPI, and history.
pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
