//! Ability-matched assignment: the skills a task requires, "suggest assignee" for one task
//! (ranked, explained candidates) and "auto-assign" for a batch (an optimal capacitated plan
//! shown as a preview; nothing changes until it is accepted, and accepting writes through the
//! task service). The scores and the solver come from the `optimize` engine; skills and
//! capacity from the team module.
pub mod api;
pub mod demo;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
