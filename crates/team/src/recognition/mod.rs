//! Recognition: kudos tied to company values (values managed by admins). Kudos are public
//! inside the company: they show on the receiver's person page and in the team feed.
pub mod api;
pub mod model;
pub mod pages;
pub mod service;
pub mod store;
