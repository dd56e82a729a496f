//! Capacity: weekly hours per person, the working calendar (holidays and 调休 make-up
//! workdays, imported a year at a time), leave, and the workload heat map (capacity vs assigned
//! estimated hours per person per week). `availability` is what ability-matched assignment
//! asks for a task's window.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use service::{Availability, availability};

/// The official 2026 calendar of the State Council's notice (demo data, importable as is).
pub const CN_2026: &str = include_str!("cn_2026.json");
