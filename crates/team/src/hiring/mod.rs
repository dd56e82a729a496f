//! Hiring: headcount requests approved by the department's head, job openings with a hiring
//! team, candidates on a pipeline board (applied → screening → interview → offer → hired, or
//! rejected), CVs kept in the database, interviews with scorecards, offers, and "hire", which
//! creates the person through the directory's service. Funnel metrics per stage and source.
pub mod api;
pub mod edit_pages;
pub mod edits;
pub mod model;
pub mod pages;
pub mod patch;
pub mod service;
pub mod store;
