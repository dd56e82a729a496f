//! Times auto-assign on a generated instance: `cargo run --release -p optimize --example
//! capacitated_timing -- [TASKS] [PEOPLE] [SEED] [--equal] [--repeat N]` prints one JSON line
//! (solve times in process: the median and the minimum of N solves, N = 1 by default).
use optimize::Matrix;
use optimize::capacitated::{CapacitatedProblem, solve_capacitated};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize, default: u64| args.get(i).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (tasks, people, seed) = (num(0, 2000) as usize, num(1, 300) as usize, num(2, 1));
    let equal = args.iter().any(|a| a == "--equal");
    let repeat: usize = args
        .iter()
        .position(|a| a == "--repeat")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let problem = generate(tasks, people, seed, equal);
    let mut times = Vec::new();
    let mut plan = None;
    for _ in 0..repeat.max(1) {
        let started = Instant::now();
        plan = Some(solve_capacitated(&problem).expect("valid problem"));
        times.push(started.elapsed().as_secs_f64());
    }
    let plan = plan.expect("solved at least once");
    times.sort_by(f64::total_cmp);
    let (median, min) = (times[times.len() / 2], times[0]);
    println!(
        "{{\"tasks\":{tasks},\"people\":{people},\"equal_estimates\":{equal},\"solve_s\":{median:.6},\"solve_min_s\":{min:.6},\"assigned\":{},\"unassigned\":{},\"total_fit\":{:.6},\"upper_bound\":{:.6},\"gap\":{:.6},\"relative_gap\":{:.3e},\"optimal\":{}}}",
        plan.assignments.len(),
        plan.unassigned.len(),
        plan.total_fit,
        plan.upper_bound,
        plan.gap(),
        plan.gap() / plan.upper_bound.max(1e-300),
        plan.optimal
    );
}

/// People have 16–40 free hours; tasks take 1–16 h (or all 4 h with `--equal`); fits are in
/// (0, 1] from a per-person skill level and a per-task difficulty, 10 % of pairs not allowed.
fn generate(tasks: usize, people: usize, seed: u64, equal: bool) -> CapacitatedProblem {
    let mut state = seed;
    let mut unit = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let sizes = [1.0, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0];
    let capacities: Vec<f64> = (0..people)
        .map(|_| (16.0 + 24.0 * unit()).round())
        .collect();
    let estimates: Vec<f64> = (0..tasks)
        .map(|_| {
            if equal {
                4.0
            } else {
                sizes[(unit() * 8.0) as usize]
            }
        })
        .collect();
    let skill: Vec<f64> = (0..people).map(|_| unit()).collect();
    let mut fit = Vec::with_capacity(tasks * people);
    for _ in 0..tasks {
        let difficulty = unit();
        for &s in &skill {
            fit.push(if unit() < 0.1 {
                f64::NEG_INFINITY
            } else {
                (0.05 + 0.95 * (1.0 - (s - difficulty).abs()) * (0.5 + 0.5 * unit())).min(1.0)
            });
        }
    }
    CapacitatedProblem {
        capacities,
        estimates,
        fit: Matrix::from_row_major(tasks, people, fit),
    }
}
