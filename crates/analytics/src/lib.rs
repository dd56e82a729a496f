//! Time-series engine for KPIs. No dependency on the opsdesk application.
pub mod cli;
