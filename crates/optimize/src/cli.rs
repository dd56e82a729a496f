//! `opsdesk assign …`: solve a dense assignment problem given as a file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::capacitated::{CapacitatedPlan, CapacitatedProblem, solve_capacitated};
use crate::lsap::{Assignment, Sense, solve_assignment};
use crate::matrix::Matrix;

/// Arguments of `opsdesk assign`.
#[derive(Debug, clap::Args)]
pub struct AssignArgs {
    /// Cost matrix: CSV with one row per line, no header, an empty cell meaning "not allowed";
    /// or, when the name ends in `.npy`, a 2-D float64 NumPy array where +inf (−inf with
    /// --maximize) means "not allowed".
    pub costs: PathBuf,
    /// Maximise the total instead of minimising it.
    #[arg(long)]
    pub maximize: bool,
    /// Print `{"total": …, "pairs": [[row, col], …]}` (0-based) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Print the time spent reading the input and solving, to standard error.
    #[arg(long)]
    pub timings: bool,
    /// Auto-assign instead: COSTS holds fit scores (tasks × people, higher is better), and
    /// this file the people's capacities in hours (one per line or comma-separated). A person
    /// may take several tasks while capacity lasts; fit is maximised.
    #[arg(long, requires = "estimates", value_name = "CAPACITIES.csv")]
    pub capacities: Option<PathBuf>,
    /// With --capacities: the tasks' estimated hours (one per line or comma-separated).
    #[arg(long, requires = "capacities", value_name = "ESTIMATES.csv")]
    pub estimates: Option<PathBuf>,
}

/// Runs `opsdesk assign`.
pub fn run(args: AssignArgs) -> anyhow::Result<()> {
    if let (Some(caps), Some(est)) = (&args.capacities, &args.estimates) {
        return run_capacitated(&args, caps, est);
    }
    let sense = if args.maximize {
        Sense::Maximize
    } else {
        Sense::Minimize
    };
    let started = Instant::now();
    let costs = read_costs(&args, sense)?;
    let read_done = Instant::now();
    let best = solve_assignment(&costs, sense)
        .with_context(|| format!("solving {}", args.costs.display()))?;
    let solved = Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_result(&mut out, &best, args.json)?;
    out.flush()?;
    if args.timings {
        eprintln!(
            "read_s={:.6} solve_s={:.6} rows={} cols={}",
            (read_done - started).as_secs_f64(),
            (solved - read_done).as_secs_f64(),
            costs.rows(),
            costs.cols()
        );
    }
    Ok(())
}

fn run_capacitated(args: &AssignArgs, caps: &Path, est: &Path) -> anyhow::Result<()> {
    let started = Instant::now();
    let problem = read_capacitated(&args.costs, caps, est)?;
    let read_done = Instant::now();
    let plan = solve_capacitated(&problem).context("auto-assign")?;
    let solved = Instant::now();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    write_plan(&mut out, &plan, args.json)?;
    out.flush()?;
    if args.timings {
        eprintln!(
            "read_s={:.6} solve_s={:.6} tasks={} people={}",
            (read_done - started).as_secs_f64(),
            (solved - read_done).as_secs_f64(),
            problem.estimates.len(),
            problem.capacities.len()
        );
    }
    Ok(())
}

fn read_capacitated(fit: &Path, caps: &Path, est: &Path) -> anyhow::Result<CapacitatedProblem> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
    };
    let fit_matrix = crate::costs_csv::parse_costs(&read(fit)?, Sense::Maximize)
        .with_context(|| format!("in {}", fit.display()))?;
    let capacities = crate::costs_csv::parse_list(&read(caps)?)
        .with_context(|| format!("in {}", caps.display()))?;
    let estimates = crate::costs_csv::parse_list(&read(est)?)
        .with_context(|| format!("in {}", est.display()))?;
    Ok(CapacitatedProblem {
        capacities,
        estimates,
        fit: fit_matrix,
    })
}

fn write_plan(out: &mut impl Write, plan: &CapacitatedPlan, json: bool) -> anyhow::Result<()> {
    if json {
        let mut value = serde_json::to_value(plan)?;
        value["gap"] = plan.gap().into();
        serde_json::to_writer(&mut *out, &value)?;
        writeln!(out)?;
        return Ok(());
    }
    let quality = if plan.optimal {
        "optimal".to_string()
    } else {
        format!("at most {} below the optimum", plan.gap())
    };
    writeln!(
        out,
        "total fit: {} (upper bound {}, {quality})",
        plan.total_fit, plan.upper_bound
    )?;
    writeln!(
        out,
        "assigned (task, person, fit, hours), 0-based: {}",
        plan.assignments.len()
    )?;
    for a in &plan.assignments {
        writeln!(
            out,
            "{},{},{},{}",
            a.task, a.person, a.explanation.fit, a.hours
        )?;
    }
    writeln!(out, "unassigned (task, reason): {}", plan.unassigned.len())?;
    for u in &plan.unassigned {
        let reason = serde_json::to_value(u.reason)?;
        writeln!(out, "{},{}", u.task, reason.as_str().unwrap_or_default())?;
    }
    Ok(())
}

fn read_costs(args: &AssignArgs, sense: Sense) -> anyhow::Result<Matrix> {
    let path = &args.costs;
    let is_npy = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    if is_npy {
        let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
        Ok(crate::npy::parse_npy(&bytes).with_context(|| format!("reading {}", path.display()))?)
    } else {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading {} as UTF-8 text", path.display()))?;
        Ok(crate::costs_csv::parse_costs(&text, sense)
            .with_context(|| format!("in {}", path.display()))?)
    }
}

fn write_result(out: &mut impl Write, best: &Assignment, json: bool) -> anyhow::Result<()> {
    if json {
        write_json(out, best)
    } else {
        write_text(out, best)
    }
}

fn write_json(out: &mut impl Write, best: &Assignment) -> anyhow::Result<()> {
    #[derive(serde::Serialize)]
    struct Json<'a> {
        total: f64,
        pairs: &'a [(usize, usize)],
    }
    serde_json::to_writer(
        &mut *out,
        &Json {
            total: best.total,
            pairs: &best.pairs,
        },
    )?;
    writeln!(out)?;
    Ok(())
}

fn write_text(out: &mut impl Write, best: &Assignment) -> anyhow::Result<()> {
    writeln!(out, "total: {}", best.total)?;
    writeln!(out, "pairs (row, column), 0-based: {}", best.pairs.len())?;
    for (r, c) in &best.pairs {
        writeln!(out, "{r},{c}")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args_for(name: &str, content: &[u8], maximize: bool) -> AssignArgs {
        let dir = std::env::temp_dir().join(format!("optimize-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        AssignArgs {
            costs: path,
            maximize,
            json: true,
            timings: false,
            capacities: None,
            estimates: None,
        }
    }

    fn solve_file(args: &AssignArgs, json: bool) -> anyhow::Result<String> {
        let sense = if args.maximize {
            Sense::Maximize
        } else {
            Sense::Minimize
        };
        let best = solve_assignment(&read_costs(args, sense)?, sense)?;
        let mut out = Vec::new();
        write_result(&mut out, &best, json)?;
        Ok(String::from_utf8(out)?)
    }

    #[test]
    fn json_output_has_total_and_zero_based_pairs() {
        let args = args_for("square.csv", b"4,1,3\n2,0,\n3,2,2\n", false);
        let out = solve_file(&args, true).unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["total"], 5.0);
        assert_eq!(v["pairs"], serde_json::json!([[0, 1], [1, 0], [2, 2]]));
        assert_eq!(v.as_object().unwrap().len(), 2);
    }

    #[test]
    fn text_output_lists_total_then_pairs() {
        let args = args_for("max.csv", b"4,1,3\n2,0,\n3,2,2\n", true);
        let out = solve_file(&args, false).unwrap();
        assert_eq!(
            out,
            "total: 7\npairs (row, column), 0-based: 3\n0,2\n1,0\n2,1\n"
        );
    }

    #[test]
    fn errors_name_the_file_and_the_problem() {
        let args = args_for("ragged.csv", b"1,2\n3\n", false);
        let err = format!("{:#}", solve_file(&args, true).unwrap_err());
        assert!(
            err.contains("ragged.csv") && err.contains("line 2"),
            "{err}"
        );
        let args = args_for("infeasible.csv", b"1,\n2,\n", false);
        let err = format!("{:#}", solve_file(&args, true).unwrap_err());
        assert!(err.contains("infeasible"), "{err}");
    }

    #[test]
    fn capacitated_mode_reads_three_files_and_explains_the_plan() {
        let fit = args_for("fit.csv", b"0.9,0.2\n0.8,0.3\n0.7,\n0.1,0.6\n", true).costs;
        let caps = args_for("caps.csv", b"8\n8\n", false).costs;
        let est = args_for("est.csv", b"4,4,4,8\n", false).costs;
        let plan = solve_capacitated(&read_capacitated(&fit, &caps, &est).unwrap()).unwrap();
        let mut out = Vec::new();
        write_plan(&mut out, &plan, true).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let pairs: Vec<(u64, u64)> = v["assignments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (a["task"].as_u64().unwrap(), a["person"].as_u64().unwrap()))
            .collect();
        assert_eq!(pairs, vec![(0, 0), (1, 0), (3, 1)]);
        assert_eq!(v["unassigned"][0]["reason"], "capacity_taken");
        assert_eq!(v["assignments"][0]["explanation"]["rank"], 1);
        assert!(v["gap"].as_f64().unwrap() >= 0.0);
        let mut text = Vec::new();
        write_plan(&mut text, &plan, false).unwrap();
        let text = String::from_utf8(text).unwrap();
        assert!(text.contains("\n2,capacity_taken\n"), "{text}");
    }

    #[test]
    fn npy_files_are_read_as_binary() {
        let header = "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }";
        let mut file = b"\x93NUMPY\x01\x00".to_vec();
        file.extend_from_slice(&(header.len() as u16).to_le_bytes());
        file.extend_from_slice(header.as_bytes());
        for x in [1.0f64, 5.0, 2.0, f64::INFINITY] {
            file.extend_from_slice(&x.to_le_bytes());
        }
        let args = args_for("costs.npy", &file, false);
        let out = solve_file(&args, true).unwrap();
        assert_eq!(out.trim(), r#"{"total":7.0,"pairs":[[0,1],[1,0]]}"#);
    }
}
