//! Totals equal scipy's `linear_sum_assignment` on 400 seeded instances up to 50×50: square,
//! wide and tall; integer, tied and float costs; forbidden pairs; infeasible problems.

mod common;

use common::{LsapSpec, close, golden_json};
use optimize::{AssignError, solve_assignment};

#[test]
fn totals_equal_scipy_on_golden_instances() {
    let golden = golden_json("lsap_scipy.json");
    let specs: Vec<LsapSpec> = serde_json::from_value(golden["instances"].clone()).unwrap();
    assert!(specs.len() >= 300, "golden file too small");
    let (mut infeasible, mut rectangular) = (0, 0);
    let mut failures = Vec::new();
    for spec in &specs {
        let m = spec.matrix();
        rectangular += usize::from(spec.rows != spec.cols);
        match (
            solve_assignment(&m, spec.sense()),
            spec.infeasible,
            spec.total,
        ) {
            (Err(AssignError::Infeasible), true, _) => infeasible += 1,
            (Ok(a), false, Some(want)) => {
                // Integer totals are exact; float totals may differ in the last bits because
                // two optimal matchings can be summed in a different order.
                if !close(a.total, want, 1e-9) {
                    failures.push(format!(
                        "seed {}: ours {} scipy {}",
                        spec.seed, a.total, want
                    ));
                }
                let forbidden = spec.sense().forbidden();
                assert!(a.pairs.iter().all(|&(r, c)| m.get(r, c) != forbidden));
                assert_eq!(a.pairs.len(), spec.rows.min(spec.cols));
            }
            (got, _, want) => failures.push(format!(
                "seed {}: ours {got:?}, scipy {}",
                spec.seed,
                want.map_or("infeasible".to_string(), |t| t.to_string())
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // The golden set must keep covering these cases.
    assert!(
        infeasible >= 20 && rectangular >= 100,
        "{infeasible} infeasible, {rectangular} rectangular"
    );
}
