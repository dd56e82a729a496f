//! Kernel benchmarks for discovery and conformance.
//!
//! By default they run on the committed synthetic-20k variants (no Python needed). Set
//! `MINING_BENCH_LOG=/path/log.csv` (gen_log.py columns case_id, activity, timestamp) to
//! benchmark another log; `scripts/bench-mining-models.sh` does that for the 1M-event log.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mining::conformance::{align_log, token_replay};
use mining::discovery::{
    HeuristicsConfig, InductiveVariant, discover_heuristics_net, discover_process_tree,
    heuristics_to_petri_net, process_tree_to_petri_net,
};
use mining::trace_log::TraceLog;

#[path = "../tests/common/mod.rs"]
mod common;

fn bench_log() -> (String, TraceLog) {
    if let Ok(path) = std::env::var("MINING_BENCH_LOG") {
        let log = common::load_csv(
            std::path::Path::new(&path),
            "case_id",
            "activity",
            "timestamp",
        );
        return (
            std::path::Path::new(&path)
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .into_owned(),
            log,
        );
    }
    let g: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(common::golden("synthetic-20k.pm4py.json")).unwrap(),
    )
    .unwrap();
    let variants: Vec<(Vec<String>, u64)> = g["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            (
                serde_json::from_value(v[0].clone()).unwrap(),
                v[1].as_u64().unwrap(),
            )
        })
        .collect();
    ("synthetic-20k".into(), common::from_variants(&variants))
}

fn kernels(c: &mut Criterion) {
    let (name, log) = bench_log();
    let mut g = c.benchmark_group(format!("models/{name}"));
    g.sample_size(10);
    g.bench_function("inductive_im", |b| {
        b.iter(|| discover_process_tree(black_box(&log), InductiveVariant::Im))
    });
    g.bench_function("inductive_imf_0.2", |b| {
        b.iter(|| discover_process_tree(black_box(&log), InductiveVariant::Imf { noise: 0.2 }))
    });
    g.bench_function("im_tree_to_net", |b| {
        let tree = discover_process_tree(&log, InductiveVariant::Im);
        b.iter(|| process_tree_to_petri_net(black_box(&tree)))
    });
    g.bench_function("heuristics_net", |b| {
        b.iter(|| {
            heuristics_to_petri_net(&discover_heuristics_net(
                black_box(&log),
                &HeuristicsConfig::default(),
            ))
        })
    });
    let net = process_tree_to_petri_net(&discover_process_tree(&log, InductiveVariant::Im));
    if let Ok(path) = std::env::var("MINING_BENCH_PNML") {
        // Left for the PM4Py side of scripts/bench-mining-models.sh to replay the same net.
        std::fs::write(path, mining::pnml::to_pnml(&net)).unwrap();
    }
    println!(
        "opsdesk token-replay log fitness on the IM net: {:.12}",
        token_replay(&net, &log).log_fitness
    );
    g.bench_function("token_replay_im_net", |b| {
        b.iter(|| token_replay(black_box(&net), black_box(&log)))
    });
    g.bench_function("im_discovery_plus_token_replay", |b| {
        b.iter(|| {
            let net = process_tree_to_petri_net(&discover_process_tree(
                black_box(&log),
                InductiveVariant::Im,
            ));
            token_replay(&net, &log).log_fitness
        })
    });
    if log.variants.len() <= 5000 {
        g.bench_function("alignments_im_net", |b| {
            b.iter(|| align_log(black_box(&net), black_box(&log)))
        });
    }
    g.finish();
}

criterion_group!(benches, kernels);
criterion_main!(benches);
