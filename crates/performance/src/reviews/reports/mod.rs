//! Review follow-up: deadline reminders (a background job), reports (completion, rating
//! distributions against the cycle mean, a person's ratings across cycles) and their CSV/XLSX
//! exports together with the progress board's.
pub mod api;
pub mod export;
pub mod model;
pub mod pages;
pub mod reminders;
pub mod service;
pub mod store;
