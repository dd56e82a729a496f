//! The `discover` and `conformance` front ends end to end on the running example, and
//! conformance on hand-made deviations.

mod common;

use mining::cli_models::{
    ConformanceArgs, DiscoverArgs, Miner, conformance_report, discover_report,
};
use mining::conformance::alignments::{MOVE_COST, Move};
use mining::conformance::{align_log, token_replay};
use mining::discovery::{InductiveVariant, discover_process_tree, process_tree_to_petri_net};
use mining::pnml::from_pnml;

fn running_example() -> mining::trace_log::TraceLog {
    common::load_csv(
        &common::shared_log("running-example.csv"),
        "case:concept:name",
        "concept:name",
        "time:timestamp",
    )
}

fn discover_args(miner: Miner, out: std::path::PathBuf) -> DiscoverArgs {
    DiscoverArgs {
        miner,
        noise: 0.0,
        out: Some(out),
        dependency_threshold: 0.5,
        and_threshold: 0.65,
        min_act_count: 1,
        min_dfg_occurrences: 1,
        dfg_noise: 0.05,
        loop_two_threshold: 0.5,
    }
}

#[test]
fn discover_writes_pnml_that_conformance_reads_back() {
    let log = running_example();
    let dir = std::env::temp_dir().join(format!("mining-models-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let pnml = dir.join("im.pnml");
    let report = discover_report(&discover_args(Miner::Inductive, pnml.clone()), &log).unwrap();
    assert!(
        report.json["process_tree"]
            .as_str()
            .unwrap()
            .starts_with("->( 'register request'")
    );
    let net = from_pnml(&std::fs::read_to_string(&pnml).unwrap()).unwrap();
    assert_eq!(
        report.json["petri_net"]["transitions"].as_u64().unwrap() as usize,
        net.transitions.len()
    );
    let args = ConformanceArgs {
        model: pnml,
        deviations: 5,
        no_alignments: false,
    };
    let conf = conformance_report(&args, &net, &log);
    assert_eq!(
        conf.json["token_replay"]["log_fitness"].as_f64().unwrap(),
        1.0
    );
    assert_eq!(
        conf.json["token_replay"]["fitting_cases"].as_u64().unwrap(),
        6
    );
    assert_eq!(
        conf.json["alignments"]["fitting_cases"].as_u64().unwrap(),
        6
    );
    assert_eq!(conf.json["deviating_cases"]["count"].as_u64().unwrap(), 0);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn heuristics_discovery_reports_dependency_graph() {
    let log = running_example();
    let out = std::env::temp_dir().join(format!("mining-heu-{}.pnml", std::process::id()));
    let report = discover_report(&discover_args(Miner::Heuristics, out.clone()), &log).unwrap();
    let edges = report.json["dependency_graph"]["edges"].as_array().unwrap();
    assert!(
        edges
            .iter()
            .any(|e| e["source"] == "register request" && e["target"] == "check ticket")
    );
    assert!(
        from_pnml(&std::fs::read_to_string(&out).unwrap())
            .unwrap()
            .labels()
            .contains(&"decide")
    );
    std::fs::remove_file(out).unwrap();
}

#[test]
fn deviations_are_found_and_explained() {
    // Model a → b → c; the log has one fitting case, one skipping b, one with an extra d.
    let model_log = common::from_variants(&[(vec!["a".into(), "b".into(), "c".into()], 1)]);
    let net = process_tree_to_petri_net(&discover_process_tree(&model_log, InductiveVariant::Im));
    let log = common::from_variants(&[
        (vec!["a".into(), "b".into(), "c".into()], 2),
        (vec!["a".into(), "c".into()], 1),
        (vec!["a".into(), "b".into(), "d".into(), "c".into()], 1),
    ]);
    let tbr = token_replay(&net, &log);
    assert_eq!(
        tbr.fitting_cases, 3,
        "an unknown activity does not make TBR unfit (PM4Py's default)"
    );
    assert!(
        !tbr.variants[1].is_fit,
        "skipping b leaves a token behind and misses one"
    );
    assert_eq!(
        (
            tbr.variants[1].tokens.missing,
            tbr.variants[1].tokens.remaining
        ),
        (1, 1)
    );
    let al = align_log(&net, &log);
    let skip_b = al.variants[1].as_ref().unwrap();
    assert_eq!(skip_b.cost / MOVE_COST, 1);
    assert!(skip_b.moves.iter().any(|m| matches!(m, Move::Model(t) if net.transitions[*t as usize].label.as_deref() == Some("b"))));
    let extra_d = al.variants[2].as_ref().unwrap();
    assert!(
        extra_d.moves.contains(&Move::Log(3)),
        "d (activity 3) must be a log move"
    );
    assert!(al.variants[0].as_ref().unwrap().fitness == 1.0 && skip_b.fitness < 1.0);
    let args = ConformanceArgs {
        model: "unused.pnml".into(),
        deviations: 10,
        no_alignments: false,
    };
    let conf = conformance_report(&args, &net, &log);
    assert_eq!(conf.json["deviating_cases"]["count"].as_u64().unwrap(), 2);
    let listed = conf.json["deviating_cases"]["cases"].as_array().unwrap();
    assert!(listed.iter().any(|c| {
        c["deviations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "model move: b")
    }));
    assert!(listed.iter().any(|c| {
        c["deviations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d == "log move: d")
    }));
}
