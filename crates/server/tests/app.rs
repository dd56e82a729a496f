//! The application's one integration-test binary: the real server on an ephemeral port, driven
//! over HTTP, on SQLite and on PostgreSQL (a uniquely named database, dropped afterwards).
mod common;

mod api;
mod api_errors;
mod audit;
mod browser;
mod browser_reviews;
mod browser_security;
mod concurrency;
mod goals;
mod hidden_refs;
mod imports;
mod kpi;
mod list_equals_get;
mod mass_assignment;
mod matrix;
mod reliability;
mod reviews;
mod reviews_calibration;
mod reviews_more;
mod sessions;
mod team_edits;
mod team_imports;
mod team_people;
mod team_skills;
mod team_training_more;
mod web;
