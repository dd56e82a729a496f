//! `opsdesk assign …`: solve a dense assignment problem given as a file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context;

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
}

/// Runs `opsdesk assign`.
pub fn run(args: AssignArgs) -> anyhow::Result<()> {
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
