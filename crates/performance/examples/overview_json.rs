//! Size and encoding time of the KPI overview for three years of daily data, as the page reads
//! it (`Overview`, which the API used to serialise whole) and as the API now sends it
//! (`OverviewDoc`). `cargo run --release -p performance --example overview_json`
use analytics::analysis::{AnalysisOptions, analyze};
use analytics::{Granularity, PeriodSeries};
use performance::kpi::model::{Kpi, Rag};
use performance::kpi::series::PeriodStatus;
use performance::kpi::service::Overview;
use std::time::Instant;

fn main() {
    let days = 1095;
    let start = analytics::calendar::parse_ymd(b"2023-11-27").unwrap();
    let mut state = 7u64;
    let mut noise = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % 1000) as f64 / 100.0 - 5.0
    };
    let values: Vec<Option<f64>> = (0..days)
        .map(|i| {
            let v = 100.0
                + 0.02 * i as f64
                + 12.0 * (i as f64 / 7.0 * std::f64::consts::TAU).sin()
                + noise();
            Some((v * 100.0).round() / 100.0)
        })
        .collect();
    let ps = PeriodSeries {
        granularity: Granularity::Day,
        start,
        values: values.clone(),
    };
    let analysis = analyze(
        &ps,
        AnalysisOptions {
            window: 7,
            horizon: 4,
            threshold: 3.5,
        },
    );
    let periods = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let target = 100.0 + 0.02 * i as f64;
            PeriodStatus {
                period: analytics::calendar::format_ymd(start + i as i32),
                value: *v,
                no_value_reason: None,
                target: Some(target),
                target_high: None,
                status: Some(if v.unwrap() >= target {
                    Rag::Green
                } else {
                    Rag::Amber
                }),
                achievement: v.map(|v| v / target * 100.0),
            }
        })
        .collect();
    let kpi: Kpi = serde_json::from_value(serde_json::json!({
        "id": 1, "code": "bench", "name": "Bench", "name_zh": null, "description": null,
        "unit": "count", "direction": "higher", "aggregation": "sum", "frequency": "daily",
        "scope": "company", "department_id": null, "department_name": null, "person_id": null,
        "person_name": null, "owner_person_id": null, "owner_name": null, "owner_name_zh": null,
        "formula": null, "computed": null, "threshold_mode": "percent", "amber_from": 5.0,
        "red_from": 15.0, "version": 1, "created_at": 0, "updated_at": 0
    }))
    .expect("a KPI");
    let overview = Overview {
        kpi,
        periods,
        analysis,
        projection: None,
        actions: Vec::new(),
    };
    let time = |f: &dyn Fn() -> usize| {
        let mut best = f64::INFINITY;
        let mut size = 0;
        for _ in 0..50 {
            let t = Instant::now();
            size = f();
            best = best.min(t.elapsed().as_secs_f64() * 1000.0);
        }
        (size, best)
    };
    let (full, full_ms) = time(&|| serde_json::to_vec(&overview).unwrap().len());
    let (doc, doc_ms) = time(&|| serde_json::to_vec(&overview.clone().doc()).unwrap().len());
    println!(
        "whole Overview (before): {} KiB, encoded in {full_ms:.2} ms (best of 50)",
        full / 1024
    );
    println!(
        "OverviewDoc (now):       {} KiB, converted + encoded in {doc_ms:.2} ms (best of 50)",
        doc / 1024
    );
}
