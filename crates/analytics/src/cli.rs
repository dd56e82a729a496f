//! `opsdesk kpi …`: KPI time-series tools on CSV files.

use crate::agg::Agg;
use crate::csv_points::read_points;
use crate::period::Granularity;
use crate::render::{write_json, write_table};
use crate::rollup::rollup;
use anyhow::Context;
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

/// Arguments of `opsdesk kpi`.
#[derive(Debug, clap::Args)]
pub struct KpiArgs {
    #[command(subcommand)]
    pub command: KpiCommand,
}

/// The `kpi` subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum KpiCommand {
    /// Roll `kpi,date,value` points up to one row per KPI and period.
    Rollup(RollupArgs),
}

/// Arguments of `opsdesk kpi rollup`.
#[derive(Debug, clap::Args)]
pub struct RollupArgs {
    /// CSV file with a header naming `kpi`, `date` (YYYY-MM-DD) and `value`; `-` reads stdin.
    pub points: PathBuf,
    /// Period length; weeks are ISO weeks starting on Monday.
    #[arg(long, value_enum)]
    pub by: Granularity,
    /// Comma-separated aggregations: sum, mean, min, max, first, last, count, pNN (e.g. p50, p90).
    #[arg(long, value_delimiter = ',', default_value = "sum", value_parser = parse_agg)]
    pub agg: Vec<Agg>,
    /// Print `{"rows":[{"kpi":…,"period":…,"sum":…}]}` instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Print read and rollup times to stderr (for benchmarks).
    #[arg(long, hide = true)]
    pub timings: bool,
}

fn parse_agg(s: &str) -> Result<Agg, String> {
    s.parse().map_err(|e: crate::agg::UnknownAgg| e.to_string())
}

/// Runs `opsdesk kpi …`.
pub fn run(args: KpiArgs) -> anyhow::Result<()> {
    match args.command {
        KpiCommand::Rollup(a) => run_rollup(a),
    }
}

fn run_rollup(args: RollupArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let shown = if args.points.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        args.points.display().to_string()
    };
    let points = if args.points.as_os_str() == "-" {
        read_points(std::io::stdin().lock())
    } else {
        let file =
            std::fs::File::open(&args.points).with_context(|| format!("cannot open {shown}"))?;
        read_points(file)
    }
    .with_context(|| shown.clone())?;
    let read = started.elapsed();
    let rolled = rollup(&points, args.by, &args.agg);
    let rolled_up = started.elapsed() - read;
    drop(points);
    // Render fully before printing so that an error never leaves half a table behind.
    let mut out = Vec::new();
    if args.json {
        write_json(&mut out, &rolled)?;
    } else {
        write_table(&mut out, &rolled)?;
    }
    std::io::stdout().lock().write_all(&out)?;
    if args.timings {
        eprintln!(
            "read {:.3} s, rollup {:.3} s, total {:.3} s",
            read.as_secs_f64(),
            rolled_up.as_secs_f64(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}
