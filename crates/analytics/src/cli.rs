//! `opsdesk kpi …`: KPI time-series tools on CSV files.

use crate::agg::Agg;
use crate::analysis::{AnalysisOptions, analyze};
use crate::csv_points::read_points;
use crate::period::Granularity;
use crate::points::Points;
use crate::render::{write_analysis, write_json, write_table};
use crate::rollup::rollup;
use crate::series::PeriodSeries;
use anyhow::Context;
use std::io::Write;
use std::path::{Path, PathBuf};
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
    /// Analyse one KPI: 环比/同比, moving mean, anomaly flags and a forecast.
    Analyze(AnalyzeArgs),
}

/// Arguments of `opsdesk kpi analyze`.
#[derive(Debug, clap::Args)]
pub struct AnalyzeArgs {
    /// CSV file as for `rollup`; `-` reads stdin.
    pub points: PathBuf,
    /// The KPI to analyse (its name in the `kpi` column).
    #[arg(long)]
    pub kpi: String,
    /// Period length of the analysed series.
    #[arg(long, value_enum)]
    pub by: Granularity,
    /// How points are combined per period (sum, mean, last, …).
    #[arg(long, default_value = "sum", value_parser = parse_agg)]
    pub agg: Agg,
    /// Periods in the moving mean.
    #[arg(long, default_value_t = 3)]
    pub window: usize,
    /// Periods to forecast.
    #[arg(long, default_value_t = 3)]
    pub horizon: usize,
    /// Anomaly threshold (modified z-score).
    #[arg(long, default_value_t = 3.5)]
    pub threshold: f64,
    /// Print the analysis as JSON.
    #[arg(long)]
    pub json: bool,
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
        KpiCommand::Analyze(a) => run_analyze(a),
    }
}

fn read_points_from(path: &Path) -> anyhow::Result<Points> {
    let shown = if path.as_os_str() == "-" {
        "standard input".to_string()
    } else {
        path.display().to_string()
    };
    if path.as_os_str() == "-" {
        read_points(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {shown}"))?;
        read_points(file)
    }
    .with_context(|| shown.clone())
}

fn run_analyze(args: AnalyzeArgs) -> anyhow::Result<()> {
    let points = read_points_from(&args.points)?;
    let kpi = points
        .kpi_names
        .iter()
        .position(|n| *n == args.kpi)
        .with_context(|| format!("no KPI named {:?} in {}", args.kpi, args.points.display()))?;
    let rolled = rollup(&points, args.by, &[args.agg]);
    let series = PeriodSeries::from_rollup(&rolled, kpi as u32, 0);
    let options = AnalysisOptions {
        window: args.window,
        horizon: args.horizon,
        threshold: args.threshold,
    };
    let analysis = analyze(&series, options);
    let mut out = Vec::new();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &analysis)?;
        out.push(b'\n');
    } else {
        write_analysis(&mut out, &args.kpi, args.agg, &analysis)?;
    }
    std::io::stdout().lock().write_all(&out)?;
    Ok(())
}

fn run_rollup(args: RollupArgs) -> anyhow::Result<()> {
    for (i, agg) in args.agg.iter().enumerate() {
        if args.agg[..i].contains(agg) {
            anyhow::bail!("aggregation `{agg}` is given twice in --agg");
        }
    }
    let started = Instant::now();
    let points = read_points_from(&args.points)?;
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
