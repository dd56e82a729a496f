//! Performance reviews: cycles with a question template per direction (self, manager, peer,
//! upward), participants, reviewer requests with drafts and final submissions, the evidence
//! panel, and results — peer and upward answers only as anonymous aggregates at or above the
//! cycle's threshold. The threat model is in ARCHITECTURE.md ("Reviews"). `feedback` holds
//! continuous feedback between cycles; `reports` the reminders, reports and exports.
pub mod api;
pub mod calibration;
pub mod calibration_api;
pub mod calibration_pages;
pub mod calibration_store;
pub mod demo;
pub mod feedback;
pub mod model;
pub mod notices;
pub mod outcomes;
pub mod pages;
pub mod reports;
pub mod scoring;
pub mod service;
pub mod store;
pub mod template_form;
