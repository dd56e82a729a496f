use clap::{Parser, Subcommand};

/// opsdesk — the operations manager's workbench.
#[derive(Parser)]
#[command(name = "opsdesk", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Process mining on event logs (CSV, XES, OCEL 2.0).
    Mine(mining::cli::MineArgs),
    /// Solve an assignment problem given as a dense cost matrix (CSV).
    Assign(optimize::cli::AssignArgs),
    /// KPI time-series tools.
    Kpi(analytics::cli::KpiArgs),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().command {
        Command::Mine(a) => mining::cli::run(a),
        Command::Assign(a) => optimize::cli::run(a),
        Command::Kpi(a) => analytics::cli::run(a),
    }
}
