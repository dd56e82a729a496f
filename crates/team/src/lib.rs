//! team: the organisation's directory — departments (a tree with heads) and people.
//! Every signed-in user reads the directory; managers edit within their department subtree;
//! members edit only their own contact details; admins do everything.
pub mod api;
pub mod demo;
pub mod export;
pub mod import;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;

pub use model::{
    Department, DepartmentInput, DepartmentNode, DepartmentPatch, Person, PersonFilter,
    PersonInput, PersonPatch, PersonSort,
};
pub use service::{department_subtree, resolve_actor};
