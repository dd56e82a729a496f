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
    // The model section: the IMf tree and the token-replay fitness the library computes.
    let loaded = mining::import::load(std::path::Path::new(log), &Default::default())
        .unwrap()
        .log
        .to_trace_log();
    let tree = mining::discovery::discover_process_tree(
        &loaded,
        mining::discovery::InductiveVariant::Imf { noise: 0.2 },
    );
    let net = mining::discovery::process_tree_to_petri_net(&tree);
    let fit = mining::conformance::token_replay(&net, &loaded);
    let tree_text = tree
        .to_string()
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&apos;")
        .replace('"', "&quot;");
    assert!(html.contains("令牌重放拟合度"), "model section present");
    assert!(html.contains(&format!("<b>{:.4}</b>", fit.log_fitness)));
    assert!(html.contains(&tree_text), "{tree_text}");
    assert!(html.contains("启发式挖掘"));
    mine(&["report", log, "--no-model", "--out", &out("r2.html")]).unwrap();
    let plain = std::fs::read_to_string(out("r2.html")).unwrap();
    assert!(!plain.contains("Token-replay fitness") && plain.contains("Rework loops"));

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
