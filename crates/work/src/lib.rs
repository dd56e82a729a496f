//! work: tasks — the first scoped records. Visibility and every write follow
//! `kernel::policy`; lists and the board use the same visibility predicate as a direct read.
pub mod api;
pub mod demo;
#[cfg(feature = "fault-injection")]
pub mod fault;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use model::{
    AssigneeFilter, Board, BoardColumn, Priority, Status, Task, TaskFilter, TaskInput, TaskPatch,
    TaskSort,
};
