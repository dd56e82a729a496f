//! Assignment and scheduling engine. No dependency on the opsdesk application.
pub mod cli;
pub mod lsap;
pub mod matrix;

pub use lsap::{AssignError, Assignment, Sense, solve_assignment};
pub use matrix::Matrix;
