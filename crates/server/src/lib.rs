//! Assembles opsdesk's web application: configuration, the router with every module's API and
//! pages, middleware (request context, authentication, CSRF, security headers, limits, metrics),
//! operations endpoints, background jobs and graceful shutdown.
pub mod app;
pub mod config;
mod context;
mod demo;
mod input;
mod jobs;
pub use jobs::job_names;
mod metrics;
pub mod openapi;
mod ops;
mod pages;
mod security;

pub use app::{Server, build_router, start};
pub use config::ServeConfig;
