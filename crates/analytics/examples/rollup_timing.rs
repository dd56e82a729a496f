//! Times the in-memory rollup of N random points (default 10,000,000: 500 KPIs × 3 years) by
//! KPI × month with sum, mean and p90; prints the best and median wall time of 5 runs and, on
//! Linux, the CPU time per rollup (all threads), which a busy machine inflates much less: on an
//! idle machine the wall time is at most that.
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
    let cpu_before = cpu_seconds();
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
    let cpu = cpu_seconds()
        .zip(cpu_before)
        .map(|(after, before)| (after - before) / 5.0);
    times.sort_by(f64::total_cmp);
    print!(
        "rollup of {n} points: best {:.3} s, median {:.3} s",
        times[0], times[2]
    );
    match cpu {
        Some(cpu) => println!(", CPU {cpu:.3} s per rollup"),
        None => println!(),
    }
}

/// User + system CPU time of this process from /proc/self/stat (Linux; clock ticks of 1/100 s).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let fields: Vec<&str> = stat.rsplit_once(") ")?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
