//! The in-app notification centre: a user's own inbox of things that happened to them
//! (a task assigned, later: approvals, mentions…). Other modules call [`service::notify`] inside
//! their own transaction, so a notification exists exactly when the change that caused it does.
pub mod model;
pub mod service;
pub mod store;

pub use model::{DigestCandidate, Notification};
pub use service::{
    digest_candidates, list, mark_all_read, mark_read, notify, run_digest, unread_count,
};
pub mod api;
pub mod pages;

pub use pages::chrome;
