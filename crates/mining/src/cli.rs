//! `opsdesk mine …`: the command line over the importers and analyses.

use crate::analysis;
use crate::cli_models::{self, ConformanceArgs, DiscoverArgs};
use crate::filter::{Filter, TimeMode, parse_duration_ms};
use crate::import::{self, Format, Lifecycle, LoadOptions, OnError};
use crate::log::EventLog;
use crate::render::{self, Lang, MapLabels, MapOptions, ReportOptions, human_duration};
use crate::time::TimeParser;
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;

/// Process mining on event log files (CSV, XES, OCEL 2.0).
#[derive(Debug, clap::Args)]
pub struct MineArgs {
    #[command(subcommand)]
    pub command: MineCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum MineCommand {
    /// Events, cases, activities, variants, resources and time span.
    Stats(Common),
    /// Directly-follows graph: activity, edge, start and end counts; edge waiting times.
    Dfg(Common),
    /// Variants with case counts and mean case duration; top-k and coverage.
    Variants {
        #[command(flatten)]
        common: Common,
        /// Show only the K most frequent variants.
        #[arg(long)]
        top: Option<usize>,
    },
    /// Case durations (distribution and per case) and rework per case.
    Cases {
        #[command(flatten)]
        common: Common,
        /// Per-case rows to show (longest first).
        #[arg(long, default_value_t = 20)]
        top: usize,
    },
    /// Longest waits (edges, activities), rework loops, handovers, resource workload.
    Bottlenecks {
        #[command(flatten)]
        common: Common,
        #[arg(long, default_value_t = 10)]
        top: usize,
    },
    /// Keep part of the log and write it as CSV or XES (by the extension of --out).
    Filter(FilterArgs),
    /// Draw the process map as SVG.
    Map {
        #[command(flatten)]
        load: LoadArgs,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = MapLabels::Frequency)]
        labels: MapLabels,
        /// Fraction of edges to draw, most frequent first.
        #[arg(long, default_value_t = 1.0)]
        paths: f64,
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
    },
    /// Write a one-file HTML report.
    Report {
        #[command(flatten)]
        load: LoadArgs,
        #[arg(long)]
        out: PathBuf,
        #[arg(long, value_enum, default_value_t = Lang::En)]
        lang: Lang,
        #[arg(long)]
        title: Option<String>,
        #[arg(long, default_value_t = 10)]
        top: usize,
        /// IMf noise threshold for the report's discovered model (0: plain IM).
        #[arg(long, default_value_t = 0.2)]
        noise: f64,
        /// Leave out the discovered model and its conformance (faster on huge, chaotic logs).
        #[arg(long)]
        no_model: bool,
    },
    /// Discover a process model (Inductive or Heuristics Miner).
    Discover {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        args: DiscoverArgs,
    },
    /// Check a log against a Petri net (token replay and alignments).
    Conformance {
        #[command(flatten)]
        common: Common,
        #[command(flatten)]
        args: ConformanceArgs,
    },
}

/// How to read the log file.
#[derive(Debug, Clone, clap::Args)]
pub struct LoadArgs {
    /// Event log: .csv, .xes, .xes.gz, .jsonocel, .xmlocel.
    pub log: PathBuf,
    /// Format (default: from the file name, then the content).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// CSV column of the case id.
    #[arg(long)]
    pub case: Option<String>,
    /// CSV column of the activity.
    #[arg(long)]
    pub activity: Option<String>,
    /// CSV column of the (completion) timestamp.
    #[arg(long)]
    pub timestamp: Option<String>,
    /// CSV column of the resource.
    #[arg(long)]
    pub resource: Option<String>,
    /// CSV column of the start timestamp.
    #[arg(long)]
    pub start_timestamp: Option<String>,
    /// strftime-style format for timestamps the built-in formats do not cover.
    #[arg(long)]
    pub timestamp_format: Option<String>,
    /// Zone of timestamps without an offset: IANA name or +HH:MM (default UTC).
    #[arg(long)]
    pub timezone: Option<String>,
    /// CSV text encoding: utf-8, gbk, gb18030 (default: detected).
    #[arg(long)]
    pub encoding: Option<String>,
    /// CSV delimiter (default: detected); `\t` for tab.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// What to do with unreadable rows.
    #[arg(long, value_enum, default_value_t = OnError::Stop)]
    pub on_error: OnError,
    /// OCEL: object type whose objects become cases.
    #[arg(long)]
    pub object_type: Option<String>,
    /// XES: keep every lifecycle transition, or only `complete` events.
    #[arg(long, value_enum, default_value_t = Lifecycle::All)]
    pub lifecycle: Lifecycle,
}

#[derive(Debug, Clone, clap::Args)]
pub struct Common {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Print JSON (the documented schema) instead of text.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, clap::Args)]
pub struct FilterArgs {
    #[command(flatten)]
    pub load: LoadArgs,
    /// Output file: .csv, .xes or .xes.gz.
    #[arg(long)]
    pub out: PathBuf,
    /// Start of the time range (any accepted timestamp format).
    #[arg(long)]
    pub from: Option<String>,
    /// End of the time range.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long, value_enum, default_value_t = TimeMode::Contained)]
    pub time_mode: TimeMode,
    /// Keep cases containing any of these activities (repeatable).
    #[arg(long = "activity-in")]
    pub with_activities: Vec<String>,
    /// Remove events of these activities (repeatable).
    #[arg(long = "drop-activity")]
    pub drop_activities: Vec<String>,
    /// Keep cases of the K most frequent variants.
    #[arg(long)]
    pub top_variants: Option<usize>,
    /// Minimum case duration, e.g. 90s, 4h, 2d.
    #[arg(long)]
    pub min_duration: Option<String>,
    /// Maximum case duration.
    #[arg(long)]
    pub max_duration: Option<String>,
    /// Keep cases where a case or event attribute has this value: NAME=VALUE.
    #[arg(long)]
    pub attr: Option<String>,
}

impl LoadArgs {
    /// The importer options these flags describe.
    pub fn options(&self, keep_attributes: bool) -> anyhow::Result<LoadOptions> {
        let encoding = match &self.encoding {
            None => None,
            Some(label) => Some(
                encoding_rs::Encoding::for_label(label.as_bytes())
                    .with_context(|| format!("unknown encoding {label:?}"))?,
            ),
        };
        let delimiter = match self.delimiter.as_deref() {
            None => None,
            Some("\\t" | "tab") => Some(b'\t'),
            Some(d) if d.len() == 1 => Some(d.as_bytes()[0]),
            Some(d) => anyhow::bail!("the delimiter must be one character, got {d:?}"),
        };
        Ok(LoadOptions {
            format: self.format,
            columns: import::CsvColumns {
                case: self.case.clone(),
                activity: self.activity.clone(),
                timestamp: self.timestamp.clone(),
                resource: self.resource.clone(),
                start_timestamp: self.start_timestamp.clone(),
            },
            time: TimeParser::new(self.timestamp_format.as_deref(), self.timezone.as_deref())?,
            encoding,
            delimiter,
            on_error: self.on_error,
            object_type: self.object_type.clone(),
            keep_attributes,
            lifecycle: self.lifecycle,
        })
    }

    /// Loads the log; skipped rows are reported on stderr.
    pub fn load(&self, keep_attributes: bool) -> anyhow::Result<EventLog> {
        let loaded = import::load(&self.log, &self.options(keep_attributes)?)?;
        let s = &loaded.skipped;
        if s.skipped > 0 {
            eprintln!("skipped {} unreadable rows; the first were:", s.skipped);
            for line in &s.first {
                eprintln!("  {line}");
            }
        }
        Ok(loaded.log)
    }
}

fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer(&mut out, value)?;
    use std::io::Write;
    writeln!(out)?;
    Ok(())
}

pub fn run(args: MineArgs) -> anyhow::Result<()> {
    let en = Lang::En;
    match args.command {
        MineCommand::Stats(c) => {
            let s = analysis::stats(&c.load.load(false)?);
            if c.json {
                return print_json(&s);
            }
            println!("events      {}", s.events);
            println!("cases       {}", s.cases);
            println!("activities  {}", s.activities);
            println!("variants    {}", s.variants);
            println!("resources   {}", s.resources);
            println!(
                "time span   {} → {} ({})",
                s.first_event.as_deref().unwrap_or("-"),
                s.last_event.as_deref().unwrap_or("-"),
                human_duration(s.span_seconds, en)
            );
        }
        MineCommand::Dfg(c) => {
            let d = analysis::dfg(&c.load.load(false)?);
            if c.json {
                return print_json(&d);
            }
            println!("activities:");
            for a in &d.activities {
                println!("  {:>9}  {}", a.count, a.name);
            }
            println!("start: {}", list(&d.start_activities));
            println!("end:   {}", list(&d.end_activities));
            println!("edges (count, mean wait, median wait):");
            for e in &d.edges {
                println!(
                    "  {:>9}  {:>9}  {:>9}  {} → {}",
                    e.count,
                    human_duration(e.mean_seconds, en),
                    human_duration(e.median_seconds, en),
                    e.source,
                    e.target
                );
            }
        }
        MineCommand::Variants { common, top } => {
            let v = analysis::variants(&common.load.load(false)?, top);
            if common.json {
                return print_json(&v);
            }
            println!("{} variants over {} cases", v.total_variants, v.total_cases);
            for (i, x) in v.variants.iter().enumerate() {
                println!(
                    "#{:<4} {:>8} cases  {:>5.1}% (cum. {:>5.1}%)  mean {:>8}  {}",
                    i + 1,
                    x.count,
                    x.share * 100.0,
                    x.cumulative_share * 100.0,
                    human_duration(x.mean_duration_seconds, en),
                    x.activities.join(" → ")
                );
            }
        }
        MineCommand::Cases { common, top } => {
            let c = analysis::cases(
                &common.load.load(false)?,
                if common.json { None } else { Some(top) },
            );
            if common.json {
                return print_json(&c);
            }
            let d = &c.duration_seconds;
            println!(
                "{} cases; duration min {} · median {} · mean {} · p90 {} · max {}",
                d.count,
                human_duration(d.min, en),
                human_duration(d.median, en),
                human_duration(d.mean, en),
                human_duration(d.p90, en),
                human_duration(d.max, en)
            );
            println!("{} cases with rework", c.cases_with_rework);
            for x in &c.cases {
                println!(
                    "  {:<16} {:>4} events  {:>9}  rework {}{}",
                    x.case,
                    x.events,
                    human_duration(x.duration_seconds, en),
                    x.rework_events,
                    if x.reworked_activities.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", x.reworked_activities.join(", "))
                    }
                );
            }
        }
        MineCommand::Bottlenecks { common, top } => {
            let b = analysis::bottlenecks(&common.load.load(false)?, top);
            if common.json {
                return print_json(&b);
            }
            println!("edges by total wait:");
            for e in &b.edges_by_total_wait {
                println!(
                    "  {:>9} total  {:>9} mean  {:>7}×  {} → {}",
                    human_duration(e.total_seconds, en),
                    human_duration(e.mean_seconds, en),
                    e.count,
                    e.source,
                    e.target
                );
            }
            println!("activities by mean wait before them:");
            for a in &b.activities_by_mean_wait {
                println!(
                    "  {:>9} mean  {:>7}×  {}",
                    human_duration(a.mean_wait_seconds, en),
                    a.count,
                    a.activity
                );
            }
            println!("rework loops:");
            for l in &b.rework_loops {
                println!(
                    "  {:>7}× in {:>6} cases  {}",
                    l.occurrences,
                    l.cases,
                    l.path.join(" → ")
                );
            }
            println!("handovers:");
            for h in &b.handovers {
                println!("  {:>7}×  {} → {}", h.count, h.from, h.to);
            }
            println!("resource workload:");
            for r in &b.resource_workload {
                println!(
                    "  {:>7} events {:>6} cases {:>5.1}%  {}",
                    r.events,
                    r.cases,
                    r.share_of_events * 100.0,
                    r.resource
                );
            }
        }
        MineCommand::Filter(f) => run_filter(&f)?,
        MineCommand::Map {
            load,
            out,
            labels,
            paths,
            lang,
        } => {
            let d = analysis::dfg(&load.load(false)?);
            let svg = render::process_map_svg(
                &d,
                &MapOptions {
                    labels,
                    paths,
                    lang,
                },
            );
            std::fs::write(&out, svg).with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        MineCommand::Report {
            load,
            out,
            lang,
            title,
            top,
            noise,
            no_model,
        } => {
            anyhow::ensure!(
                (0.0..=1.0).contains(&noise),
                "--noise must be within [0, 1]"
            );
            let log = load.load(false)?;
            let html = render::report_html(
                &log,
                &load.log.display().to_string(),
                &ReportOptions {
                    lang,
                    title,
                    top,
                    model_noise: (!no_model).then_some(noise),
                },
            );
            std::fs::write(&out, html)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        MineCommand::Discover { common, args } => {
            let log = common.load.load(false)?;
            cli_models::run_discover(&args, &log.to_trace_log(), common.json)?;
        }
        MineCommand::Conformance { common, args } => {
            let log = common.load.load(false)?;
            cli_models::run_conformance(&args, &log.to_trace_log(), common.json)?;
        }
    }
    Ok(())
}

fn list(v: &[analysis::ActivityCount]) -> String {
    v.iter()
        .map(|a| format!("{} ({})", a.name, a.count))
        .collect::<Vec<_>>()
        .join(", ")
}

fn run_filter(f: &FilterArgs) -> anyhow::Result<()> {
    let time = TimeParser::new(
        f.load.timestamp_format.as_deref(),
        f.load.timezone.as_deref(),
    )?;
    let parse_time = |s: &Option<String>| s.as_deref().map(|s| time.parse(s)).transpose();
    let filter = Filter {
        from: parse_time(&f.from)?,
        to: parse_time(&f.to)?,
        time_mode: f.time_mode,
        with_activities: f.with_activities.clone(),
        drop_activities: f.drop_activities.clone(),
        top_variants: f.top_variants,
        min_duration_ms: f
            .min_duration
            .as_deref()
            .map(parse_duration_ms)
            .transpose()?,
        max_duration_ms: f
            .max_duration
            .as_deref()
            .map(parse_duration_ms)
            .transpose()?,
        attribute: match &f.attr {
            None => None,
            Some(kv) => {
                let (k, v) = kv.split_once('=').context("--attr takes NAME=VALUE")?;
                Some((k.to_owned(), v.to_owned()))
            }
        },
    };
    let log = f.load.load(true)?;
    let out = filter.apply(&log);
    crate::export::write_log(&out, &f.out)
        .with_context(|| format!("cannot write {}", f.out.display()))?;
    eprintln!(
        "kept {} of {} cases, {} of {} events → {}",
        out.num_cases(),
        log.num_cases(),
        out.num_events(),
        log.num_events(),
        f.out.display()
    );
    Ok(())
}
