//! Process-mining engine: event logs, importers, DFG, variants, discovery, conformance.
//! No dependency on the opsdesk application.
pub mod cli;
pub mod cli_models;
pub mod conformance;
pub mod discovery;
pub mod petri;
pub mod pnml;
pub mod trace_log;
