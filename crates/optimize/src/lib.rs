//! Assignment and scheduling engine. No dependency on the opsdesk application.
//!
//! - [`solve_assignment`]: exactly optimal rectangular linear assignment (minimum cost or
//!   maximum weight) with forbidden pairs, the same totals as scipy's `linear_sum_assignment`.
//! - [`capacitated::solve_capacitated`]: auto-assign with capacities in hours, a bound and
//!   explanations; [`suggest::suggest_score`]: the explained "suggest assignee" score.
//! - [`costs_csv`] and [`npy`]: read cost matrices from files; [`cli`] is `opsdesk assign`.
//!
//! ```
//! use optimize::{Matrix, Sense, solve_assignment};
//! // Three workers (rows), three jobs (columns); the worker 1 cannot do job 2.
//! let costs = Matrix::from_rows(&[
//!     [9.0, 2.0, 7.0],
//!     [6.0, 4.0, f64::INFINITY],
//!     [5.0, 8.0, 1.0],
//! ]);
//! let best = solve_assignment(&costs, Sense::Minimize)?;
//! assert_eq!(best.pairs, vec![(0, 1), (1, 0), (2, 2)]);
//! assert_eq!(best.total, 9.0);
//! # Ok::<(), optimize::AssignError>(())
//! ```
#![warn(missing_docs)]

pub mod capacitated;
pub mod cli;
pub mod costs_csv;
pub mod lsap;
pub mod matrix;
pub mod npy;
pub mod suggest;

pub use lsap::{AssignError, Assignment, Sense, solve_assignment};
pub use matrix::Matrix;
