//! team: the organisation's directory — departments (a tree with heads) and people.
//! Every signed-in user reads the directory; managers edit within their department subtree;
//! members edit only their own contact details; admins do everything.
//!
//! Feature sub-modules: `org` (pinyin keys, org chart), `skills` (catalogue, levels, matrix,
//! gap report), `capacity` (calendar, leave, workload, availability).
pub mod api;
pub mod capacity;
pub mod demo;
pub mod export;
pub mod hiring;
pub mod import;
pub mod model;
pub mod one_on_one;
pub mod org;
pub mod pages;
pub mod people_demo;
pub mod people_ui;
pub mod person_records;
pub mod recognition;
pub mod service;
pub mod skills;
pub mod skills_demo;
pub mod store;
pub mod training;
mod web;

pub use model::{
    Department, DepartmentInput, DepartmentNode, DepartmentPatch, Person, PersonFilter,
    PersonInput, PersonPatch, PersonSort,
};
pub use service::{department_subtree, resolve_actor};

/// The JSON routes of the org, skills and capacity features.
pub fn capability_api() -> utoipa_axum::router::OpenApiRouter<ui::AppState> {
    utoipa_axum::router::OpenApiRouter::new()
        .merge(org::api::router())
        .merge(skills::api::router())
        .merge(capacity::api::router())
}

/// The pages of the org, skills and capacity features.
pub fn capability_pages() -> axum::Router<ui::AppState> {
    axum::Router::new()
        .merge(org::pages::router())
        .merge(skills::pages::router())
        .merge(capacity::pages::router())
}
