//! Training: courses and programs (ordered sets of courses), sessions with dates and trainers,
//! enrolment by person or by department (and from skill gaps, see [`skill_gaps`]), attendance,
//! completion and score, certificates with expiry, and the reminder job that notifies people
//! N days before a certificate expires, exactly once per certificate.
pub mod api;
pub mod import;
pub mod model;
pub mod pages;
pub mod reminders;
pub mod service;
pub mod skill_gaps;
pub mod store;
