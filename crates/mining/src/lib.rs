//! Process-mining engine: event logs, importers, DFG, variants, discovery, conformance.
//! No dependency on the opsdesk application.
pub mod cli;
