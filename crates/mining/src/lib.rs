//! Process-mining engine: event logs, importers, DFG, variants, discovery, conformance.
//! No dependency on the opsdesk application.
pub mod cli;
pub mod cli_models;
pub mod trace_log;
