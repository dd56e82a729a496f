//! Command-line front ends for model discovery and conformance checking.
//! The log-loading options live in `cli`; these structs hold only what is specific.
use crate::trace_log::TraceLog;

#[derive(Debug, Clone, clap::Args)]
pub struct DiscoverArgs {}

#[derive(Debug, Clone, clap::Args)]
pub struct ConformanceArgs {}

/// Runs `opsdesk mine discover` on an already loaded log; prints text or JSON to stdout.
pub fn run_discover(_args: &DiscoverArgs, _log: &TraceLog, _json: bool) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}

/// Runs `opsdesk mine conformance` on an already loaded log; prints text or JSON to stdout.
pub fn run_conformance(
    _args: &ConformanceArgs,
    _log: &TraceLog,
    _json: bool,
) -> anyhow::Result<()> {
    anyhow::bail!("not implemented yet")
}
