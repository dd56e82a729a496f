//! `opsdesk kpi rollup` argument handling and error reporting.

use analytics::cli::{KpiArgs, run};
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    kpi: KpiArgs,
}

fn run_with(args: &[&str]) -> anyhow::Result<()> {
    let cli = Cli::try_parse_from(std::iter::once("kpi").chain(args.iter().copied()))?;
    run(cli.kpi)
}

fn temp_csv(name: &str, text: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("analytics-cli-{}-{name}.csv", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_rows_fail_with_file_line_and_field() {
    let path = temp_csv("bad", "kpi,date,value\na,2026-01-01,1\na,2026-01-02,1,5\n");
    let err = run_with(&["rollup", path.to_str().unwrap(), "--by", "month"]).unwrap_err();
    let message = format!("{err:#}");
    assert!(
        message.contains("line 3, field `kpi`: expected 3 fields"),
        "{message}"
    );
    assert!(message.contains(path.to_str().unwrap()), "{message}");
}

#[test]
fn unknown_aggregations_and_granularities_are_refused() {
    let path = temp_csv("ok", "kpi,date,value\na,2026-01-01,1\n");
    let p = path.to_str().unwrap();
    let err = run_with(&["rollup", p, "--by", "month", "--agg", "sum,total"]).unwrap_err();
    assert!(
        err.to_string().contains("unknown aggregation `total`"),
        "{err}"
    );
    assert!(run_with(&["rollup", p, "--by", "fortnight"]).is_err());
    let err = run_with(&["rollup", p, "--by", "month", "--agg", "p90,sum,p90"]).unwrap_err();
    assert!(err.to_string().contains("`p90` is given twice"), "{err}");
    assert!(run_with(&["rollup", p, "--by", "week", "--agg", "sum,p90", "--json"]).is_ok());
}

#[test]
fn analyze_needs_a_known_kpi() {
    let mut text = String::from("kpi,date,value\n");
    for d in 1..=28 {
        text.push_str(&format!("orders,2026-02-{d:02},{}\n", 10 + d % 7));
    }
    let path = temp_csv("analyze", &text);
    let p = path.to_str().unwrap();
    let err = run_with(&["analyze", p, "--kpi", "revenue", "--by", "day"]).unwrap_err();
    assert!(
        err.to_string().contains("no KPI named \"revenue\""),
        "{err}"
    );
    assert!(run_with(&["analyze", p, "--kpi", "orders", "--by", "week", "--json"]).is_ok());
    assert!(
        run_with(&[
            "analyze", p, "--kpi", "orders", "--by", "day", "--agg", "mean"
        ])
        .is_ok()
    );
}
