//! Times the in-memory rollup of N random points (default 10,000,000: 500 KPIs × 3 years) by
//! KPI × month with sum, mean and p90; prints the best and median of 5 runs.
//! `cargo run --release -p analytics --example rollup_timing [-- N]`

use analytics::{Agg, Granularity, Points, rollup};
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(10_000_000, |a| a.parse().expect("N"));
    let mut state = 42u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let points = Points {
        kpi_names: (0..500).map(|k| format!("kpi_{k:03}")).collect(),
        kpi: (0..n).map(|_| (next() % 500) as u32).collect(),
        day: (0..n).map(|_| 19_358 + (next() % 1096) as i32).collect(),
        value: (0..n).map(|_| (next() % 200_000) as f64 / 100.0).collect(),
    };
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let t = Instant::now();
            let r = rollup(
                &points,
                Granularity::Month,
                &[Agg::Sum, Agg::Mean, Agg::Percentile(90.0)],
            );
            assert_eq!(r.len(), 18_000.min(n));
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    println!(
        "rollup of {n} points: best {:.3} s, median {:.3} s",
        times[0], times[2]
    );
}
