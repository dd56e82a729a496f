//! Criterion benchmarks of the engine's kernels on a synthetic in-memory log (no files needed).

use criterion::{Criterion, criterion_group, criterion_main};
use mining::analysis::{bottlenecks, cases, dfg, variants};
use mining::log::{EventLog, Interner, LogBuilder};
use mining::time::TimeParser;
use std::hint::black_box;

const ACTIVITIES: [&str; 8] = [
    "Receive", "Register", "Triage", "Check", "Approve", "Perform", "Invoice", "Close",
];

/// 20,000 cases of 5–8 events with a rework loop, interleaved like an operational export.
fn synthetic(cases: usize) -> EventLog {
    let mut b = LogBuilder::new();
    let mut state = 42u64;
    let mut rand = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for c in 0..cases {
        let case = format!("C{c:07}");
        let mut t = c as i64 * 60_000;
        for (i, a) in ACTIVITIES.iter().enumerate() {
            t += (rand() % 3_600_000) as i64;
            b.push_event(&case, a, t, Some(&format!("R{:02}", rand() % 20)));
            if i == 5 && rand() % 5 == 0 {
                b.push_event(&case, "Rework", t + 1000, None);
                b.push_event(&case, "Perform", t + 2000, None);
            }
        }
    }
    b.build()
}

fn kernels(c: &mut Criterion) {
    let log = synthetic(20_000);
    c.bench_function("dfg 160k events", |b| b.iter(|| dfg(black_box(&log))));
    c.bench_function("variants 160k events", |b| {
        b.iter(|| variants(black_box(&log), None))
    });
    c.bench_function("cases 160k events", |b| {
        b.iter(|| cases(black_box(&log), Some(10)))
    });
    c.bench_function("bottlenecks 160k events", |b| {
        b.iter(|| bottlenecks(black_box(&log), 10))
    });
    c.bench_function("to_trace_log 160k events", |b| {
        b.iter(|| black_box(&log).to_trace_log())
    });

    let ids: Vec<String> = (0..100_000).map(|i| format!("C{i:07}")).collect();
    c.bench_function("intern 100k case ids", |b| {
        b.iter(|| {
            let mut i = Interner::new();
            for id in &ids {
                black_box(i.intern(id));
            }
        })
    });
    let parser = TimeParser::default();
    c.bench_function("parse 1k ISO timestamps", |b| {
        b.iter(|| {
            for s in 0..1000 {
                let text = if s % 2 == 0 {
                    "2023-01-02T08:32:47.759+00:00"
                } else {
                    "2023-01-02 08:32:47"
                };
                black_box(parser.parse_bytes(text.as_bytes()).unwrap());
            }
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = kernels
}
criterion_main!(benches);
