//! The `opsdesk mine` commands end to end, through the same clap definitions the binary uses.

use clap::Parser;
use mining::cli::{MineArgs, run};
use std::path::PathBuf;

#[derive(Parser)]
struct Mine {
    #[command(flatten)]
    args: MineArgs,
}

fn mine(args: &[&str]) -> anyhow::Result<()> {
    let mut argv = vec!["mine"];
    argv.extend_from_slice(args);
    run(Mine::try_parse_from(argv)?.args)
}

fn running_example() -> PathBuf {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/eventlogs/running-example.csv");
    assert!(p.is_file(), "shared event logs missing at {}", p.display());
    p
}

#[test]
fn map_report_and_filter_write_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let log = running_example();
    let log = log.to_str().unwrap();
    let out = |name: &str| dir.path().join(name).to_str().unwrap().to_owned();

    mine(&[
        "map",
        log,
        "--labels",
        "performance",
        "--out",
        &out("map.svg"),
    ])
    .unwrap();
    let svg = std::fs::read_to_string(out("map.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("<title>decide</title>"));
    assert!(
        svg.contains(" d<"),
        "performance labels show durations in days"
    );

    mine(&["report", log, "--lang", "zh-CN", "--out", &out("r.html")]).unwrap();
    let html = std::fs::read_to_string(out("r.html")).unwrap();
    assert!(html.contains("流程挖掘报告") && html.contains("<svg") && html.contains("返工循环"));
    // One file: nothing is loaded from elsewhere.
    assert!(!html.contains("src=") && !html.contains("<link"));

    mine(&[
        "filter",
        log,
        "--top-variants",
        "1",
        "--out",
        &out("top.xes"),
    ])
    .unwrap();
    mine(&[
        "filter",
        &out("top.xes"),
        "--drop-activity",
        "decide",
        "--out",
        &out("top.csv"),
    ])
    .unwrap();
    let back = mining::import::load(std::path::Path::new(&out("top.csv")), &Default::default())
        .unwrap()
        .log;
    assert_eq!(back.num_cases(), 1);
    assert!(back.activities.lookup("decide").is_none());
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("x.csv");
    std::fs::write(&p, "a,b\n1,2\n").unwrap();
    let err = mine(&["stats", p.to_str().unwrap()])
        .unwrap_err()
        .to_string();
    assert!(err.contains("no case column"), "{err}");
    let err = mine(&[
        "map",
        running_example().to_str().unwrap(),
        "--out",
        "/nonexistent/dir/m.svg",
    ])
    .unwrap_err();
    assert!(format!("{err:#}").contains("cannot write"));
}
