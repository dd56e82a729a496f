//! Process-mining engine: event logs, importers, DFG, variants, discovery, conformance.
//! No dependency on the opsdesk application.
pub mod analysis;
pub mod cli;
pub mod cli_models;
pub mod export;
pub mod filter;
pub mod import;
pub mod log;
pub mod render;
pub mod time;
pub mod trace_log;
