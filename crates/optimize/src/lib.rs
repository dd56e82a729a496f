//! Assignment and scheduling engine. No dependency on the opsdesk application.
pub mod cli;
