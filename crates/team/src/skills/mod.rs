//! The skills matrix: a skill catalogue with categories, each person's level (1–5) per skill
//! with evidence and certification expiry, the skills a position requires, the matrix view
//! (people × skills, gaps highlighted) and the gap report by department (training needs).
pub mod api;
pub mod import;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use service::training_needs;
