//! Auto-assign against HiGHS (through scipy) on 120 seeded instances up to 40 tasks × 8 people:
//! our bound is the LP optimum, our plan never beats the proven optimum (it could not, if it is
//! feasible), equal estimates reach it, and the shortfall stays small.

mod common;

use common::{GapSpec, close, golden_json};
use optimize::capacitated::solve_capacitated;

#[test]
fn bound_and_plans_agree_with_highs() {
    let golden = golden_json("capacitated_highs.json");
    let specs: Vec<GapSpec> = serde_json::from_value(golden["instances"].clone()).unwrap();
    assert!(specs.len() >= 100, "golden file too small");
    let (mut shortfall, mut optimal_hits, mut mixed) = (0.0, 0, 0);
    for spec in &specs {
        let plan = solve_capacitated(&spec.problem()).unwrap();
        let seed = spec.seed;
        assert!(
            close(plan.upper_bound, spec.lp_bound, 1e-7),
            "seed {seed}: our LP bound {} vs HiGHS {}",
            plan.upper_bound,
            spec.lp_bound
        );
        assert!(
            plan.total_fit <= spec.optimum + 1e-9,
            "seed {seed}: above the optimum"
        );
        assert!(
            plan.upper_bound >= spec.optimum - 1e-7,
            "seed {seed}: bound below optimum"
        );
        if plan.optimal {
            assert!(
                close(plan.total_fit, spec.optimum, 1e-9),
                "seed {seed}: claimed optimal"
            );
        }
        if spec.equal {
            assert!(
                plan.optimal,
                "seed {seed}: equal estimates must be solved exactly"
            );
            assert!(close(plan.total_fit, spec.optimum, 1e-9), "seed {seed}");
        } else {
            mixed += 1;
            shortfall += (spec.optimum - plan.total_fit) / spec.optimum.max(1e-12);
            optimal_hits += usize::from(close(plan.total_fit, spec.optimum, 1e-9));
        }
    }
    let mean = shortfall / mixed as f64;
    eprintln!(
        "mixed estimates: {mixed} instances, {optimal_hits} optimal, mean shortfall {:.3} %",
        100.0 * mean
    );
    // A quality guard for the heuristic part (measured 2026-11-27; see BENCH_RESULTS.md).
    assert!(
        mean < 0.03,
        "mean shortfall vs optimum {:.3} % is too large",
        100.0 * mean
    );
}
