//! Command-line front ends for model discovery and conformance checking.
//! The log-loading options live in `cli`; these structs hold only what is specific.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Context;
use serde_json::{Value, json};

use crate::conformance::alignments::Move;
use crate::conformance::{align_log, token_replay};
use crate::discovery::{
    HeuristicsConfig, InductiveVariant, discover_heuristics_net, discover_process_tree,
    heuristics_to_petri_net, process_tree_to_petri_net,
};
use crate::petri::PetriNet;
use crate::pnml::{from_pnml, to_pnml};
use crate::trace_log::TraceLog;

/// Which discovery algorithm to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Miner {
    /// Inductive Miner (IM; IMf when `--noise` > 0): a process tree and a sound net.
    Inductive,
    /// Heuristics Miner: a dependency graph and its Petri net.
    Heuristics,
}

/// `opsdesk mine discover` options.
#[derive(Debug, Clone, clap::Args)]
pub struct DiscoverArgs {
    /// Discovery algorithm.
    #[arg(long, value_enum, default_value = "inductive")]
    pub miner: Miner,
    /// IMf noise threshold in [0, 1]; 0 runs the plain Inductive Miner.
    #[arg(long, default_value_t = 0.0)]
    pub noise: f64,
    /// Write the Petri net as PNML to this file.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Heuristics: minimum dependency measure of an arc.
    #[arg(long, default_value_t = 0.5)]
    pub dependency_threshold: f64,
    /// Heuristics: minimum and-measure for parallel branches.
    #[arg(long, default_value_t = 0.65)]
    pub and_threshold: f64,
    /// Heuristics: minimum occurrences of an activity.
    #[arg(long, default_value_t = 1)]
    pub min_act_count: u64,
    /// Heuristics: minimum directly-follows count of an arc.
    #[arg(long, default_value_t = 1)]
    pub min_dfg_occurrences: u64,
    /// Heuristics: drop directly-follows arcs below this share of their ends' strongest arc.
    #[arg(long, default_value_t = 0.05)]
    pub dfg_noise: f64,
    /// Heuristics: minimum measure for loops of length two.
    #[arg(long, default_value_t = 0.5)]
    pub loop_two_threshold: f64,
}

/// `opsdesk mine conformance` options.
#[derive(Debug, Clone, clap::Args)]
pub struct ConformanceArgs {
    /// The model as PNML (e.g. written by `discover --out`).
    #[arg(long)]
    pub model: PathBuf,
    /// How many deviating cases to list (0: none).
    #[arg(long, default_value_t = 20)]
    pub deviations: usize,
    /// Skip alignments (token replay only; alignments can be slow on large, unstructured models).
    #[arg(long)]
    pub no_alignments: bool,
}

/// Runs `opsdesk mine discover` on an already loaded log; prints text or JSON to stdout.
pub fn run_discover(args: &DiscoverArgs, log: &TraceLog, json: bool) -> anyhow::Result<()> {
    let report = discover_report(args, log)?;
    if json {
        println!("{}", serde_json::to_string_pretty(&report.json)?);
    } else {
        print!("{}", report.text);
    }
    Ok(())
}

/// Runs `opsdesk mine conformance` on an already loaded log; prints text or JSON to stdout.
pub fn run_conformance(args: &ConformanceArgs, log: &TraceLog, json: bool) -> anyhow::Result<()> {
    let text = std::fs::read_to_string(&args.model)
        .with_context(|| format!("reading {}", args.model.display()))?;
    let net = from_pnml(&text).with_context(|| format!("parsing {}", args.model.display()))?;
    let report = conformance_report(args, &net, log);
    if json {
        println!("{}", serde_json::to_string_pretty(&report.json)?);
    } else {
        print!("{}", report.text);
    }
    Ok(())
}

/// A command's result as JSON (the stable schema) and as human-readable text.
pub struct Report {
    /// Machine-readable result.
    pub json: Value,
    /// The text printed without `--json`.
    pub text: String,
}

fn net_summary(net: &PetriNet) -> Value {
    let silent = net.transitions.iter().filter(|t| t.label.is_none()).count();
    json!({
        "places": net.places.len(),
        "transitions": net.transitions.len(),
        "silent_transitions": silent,
        "arcs": net.arc_count(),
    })
}

/// Discovers the model and writes the PNML if asked; returns what `run_discover` prints.
pub fn discover_report(args: &DiscoverArgs, log: &TraceLog) -> anyhow::Result<Report> {
    anyhow::ensure!(
        (0.0..=1.0).contains(&args.noise),
        "--noise must be within [0, 1]"
    );
    let mut text = String::new();
    let (net, mut out) = match args.miner {
        Miner::Inductive => {
            let variant = if args.noise > 0.0 {
                InductiveVariant::Imf { noise: args.noise }
            } else {
                InductiveVariant::Im
            };
            let tree = discover_process_tree(log, variant);
            let net = process_tree_to_petri_net(&tree);
            let name = if args.noise > 0.0 {
                format!("IMf (noise {})", args.noise)
            } else {
                "IM".to_string()
            };
            let _ = writeln!(text, "Inductive Miner {name}\nprocess tree: {tree}");
            (
                net,
                json!({"miner": "inductive", "noise": args.noise, "process_tree": tree.to_string()}),
            )
        }
        Miner::Heuristics => {
            let cfg = HeuristicsConfig {
                dependency_threshold: args.dependency_threshold,
                and_threshold: args.and_threshold,
                min_activity_count: args.min_act_count,
                min_dfg_occurrences: args.min_dfg_occurrences,
                dfg_pre_cleaning_noise: args.dfg_noise,
                loop_two_threshold: args.loop_two_threshold,
            };
            let h = discover_heuristics_net(log, &cfg);
            let name = |a: u32| log.activities[a as usize].as_str();
            let _ = writeln!(
                text,
                "Heuristics Miner: {} activities, {} dependency arcs",
                h.nodes.len(),
                h.edges.len()
            );
            for e in &h.edges {
                let _ = writeln!(
                    text,
                    "  {} -> {}  dependency {:.3}  count {}",
                    name(e.source),
                    name(e.target),
                    e.dependency,
                    e.frequency
                );
            }
            let edges: Vec<Value> = h
                .edges
                .iter()
                .map(|e| json!({"source": name(e.source), "target": name(e.target), "dependency": e.dependency, "count": e.frequency}))
                .collect();
            let nodes: Vec<&str> = h.nodes.iter().map(|&a| name(a)).collect();
            let net = heuristics_to_petri_net(&h);
            (
                net,
                json!({"miner": "heuristics", "dependency_graph": {"nodes": nodes, "edges": edges}}),
            )
        }
    };
    let summary = net_summary(&net);
    let _ = writeln!(
        text,
        "Petri net: {} places, {} transitions ({} silent), {} arcs",
        summary["places"], summary["transitions"], summary["silent_transitions"], summary["arcs"]
    );
    out["petri_net"] = summary;
    if let Some(path) = &args.out {
        std::fs::write(path, to_pnml(&net))
            .with_context(|| format!("writing {}", path.display()))?;
        let _ = writeln!(text, "written to {}", path.display());
        out["pnml"] = json!(path.display().to_string());
    }
    Ok(Report { json: out, text })
}

fn describe(net: &PetriNet, log: &TraceLog, mv: &Move) -> Option<String> {
    match mv {
        Move::Sync(_) => None,
        Move::Log(a) => Some(format!("log move: {}", log.activities[*a as usize])),
        Move::Model(t) => net.transitions[*t as usize]
            .label
            .as_ref()
            .map(|l| format!("model move: {l}")),
    }
}

/// Replays (and aligns) the log on the net; returns what `run_conformance` prints.
pub fn conformance_report(args: &ConformanceArgs, net: &PetriNet, log: &TraceLog) -> Report {
    let tbr = token_replay(net, log);
    let al = (!args.no_alignments).then(|| align_log(net, log));
    let mut text = format!(
        "token replay: log fitness {:.6}, {} of {} cases fit (average trace fitness {:.6})\n",
        tbr.log_fitness, tbr.fitting_cases, tbr.cases, tbr.average_trace_fitness
    );
    let mut out = json!({
        "token_replay": {
            "log_fitness": tbr.log_fitness,
            "average_trace_fitness": tbr.average_trace_fitness,
            "fitting_cases": tbr.fitting_cases,
            "cases": tbr.cases,
        }
    });
    if let Some(al) = &al {
        let unaligned = al.variants.iter().filter(|v| v.is_none()).count();
        let _ = writeln!(
            text,
            "alignments: log fitness {:.6}, {} of {} cases fit (average trace fitness {:.6}){}",
            al.log_fitness,
            al.fitting_cases,
            al.cases,
            al.average_trace_fitness,
            if unaligned > 0 {
                format!(", {unaligned} variants not aligned (state budget)")
            } else {
                String::new()
            }
        );
        out["alignments"] = json!({
            "log_fitness": al.log_fitness,
            "average_trace_fitness": al.average_trace_fitness,
            "fitting_cases": al.fitting_cases,
            "cases": al.cases,
            "unaligned_variants": unaligned,
        });
    }
    // A case deviates when its replay does not fit or its alignment has a non-silent deviation.
    let deviates = |v: usize| {
        !tbr.variants[v].is_fit
            || al
                .as_ref()
                .is_some_and(|a| a.variants[v].as_ref().is_some_and(|x| x.fitness < 1.0))
    };
    let deviating: Vec<&(String, u32)> = log
        .cases
        .iter()
        .filter(|(_, v)| deviates(*v as usize))
        .collect();
    let _ = writeln!(text, "deviating cases: {}", deviating.len());
    let mut listed = Vec::new();
    for (case, v) in deviating.iter().take(args.deviations) {
        let v = *v as usize;
        let moves: Vec<String> = al
            .as_ref()
            .and_then(|a| a.variants[v].as_ref())
            .map(|a| {
                a.moves
                    .iter()
                    .filter_map(|m| describe(net, log, m))
                    .collect()
            })
            .unwrap_or_default();
        let afit = al
            .as_ref()
            .and_then(|a| a.variants[v].as_ref())
            .map(|a| a.fitness);
        let _ = writeln!(
            text,
            "  case {case}: token fitness {:.4}{}{}",
            tbr.variants[v].fitness,
            afit.map(|f| format!(", alignment fitness {f:.4}"))
                .unwrap_or_default(),
            if moves.is_empty() {
                String::new()
            } else {
                format!(" — {}", moves.join("; "))
            }
        );
        listed.push(json!({
            "case": case,
            "token_fitness": tbr.variants[v].fitness,
            "alignment_fitness": afit,
            "deviations": moves,
        }));
    }
    out["deviating_cases"] = json!({"count": deviating.len(), "cases": listed});
    Report { json: out, text }
}
