//! Goals and OKRs in a tree (company → department → person): SMART goals and objectives with key
//! results (measured manually or bound to a KPI), weekly check-ins with reminders, the red rule
//! and end-of-cycle scoring.
pub mod api;
pub mod demo;
pub mod kpi_link;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use model::{CheckIn, Goal, GoalInput, GoalKind, GoalPatch, KeyResult, Level};
