//! 1:1s: meeting notes between a manager and a direct report, with talking points and
//! follow-ups.
//!
//! **Privacy rule.** A 1:1 is readable and writable by its two participants ONLY. No role
//! widens this — not managers higher up, not admins: every read, list and API answer asks
//! `Actor::is_one_on_one_participant` and answers 404 otherwise, and the audit log records
//! that a 1:1 was created or changed (ids, participants, date) but never its talking points,
//! notes or follow-ups, so the audit trail cannot be used to read them either.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
