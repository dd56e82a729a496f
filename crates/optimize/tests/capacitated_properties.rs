//! Invariants of auto-assign, and its bound, checked against exhaustive search on tiny inputs.

use optimize::Matrix;
use optimize::capacitated::{CapacitatedPlan, CapacitatedProblem, solve_capacitated};
use proptest::prelude::*;

/// The best total fit over every plan (each task to one person or nobody), by enumeration.
fn brute_force(p: &CapacitatedProblem) -> f64 {
    fn go(p: &CapacitatedProblem, t: usize, load: &mut [f64], acc: f64, best: &mut f64) {
        if t == p.estimates.len() {
            *best = best.max(acc);
            return;
        }
        go(p, t + 1, load, acc, best);
        for person in 0..load.len() {
            let f = p.fit.get(t, person);
            if f > 0.0
                && f.is_finite()
                && load[person] + p.estimates[t] <= p.capacities[person] + 1e-9
            {
                load[person] += p.estimates[t];
                go(p, t + 1, load, acc + f, best);
                load[person] -= p.estimates[t];
            }
        }
    }
    let mut best = 0.0;
    go(p, 0, &mut vec![0.0; p.capacities.len()], 0.0, &mut best);
    best
}

fn problem(equal_estimates: bool) -> impl Strategy<Value = CapacitatedProblem> {
    (1usize..=7, 1usize..=3).prop_flat_map(move |(tasks, people)| {
        let caps = proptest::collection::vec(0u32..=12, people);
        let est = proptest::collection::vec(0u32..=8, tasks);
        let fit = proptest::collection::vec((0u32..10, -0.2f64..1.0), tasks * people);
        (caps, est, fit).prop_map(move |(caps, est, fit)| CapacitatedProblem {
            capacities: caps.into_iter().map(f64::from).collect(),
            estimates: est
                .into_iter()
                .map(|e| if equal_estimates { 3.0 } else { f64::from(e) })
                .collect(),
            fit: Matrix::from_row_major(
                tasks,
                people,
                fit.into_iter()
                    .map(|(roll, f)| if roll == 0 { f64::NEG_INFINITY } else { f })
                    .collect(),
            ),
        })
    })
}

fn assert_feasible(p: &CapacitatedProblem, plan: &CapacitatedPlan) {
    let mut hours = vec![0.0; p.capacities.len()];
    let mut seen = vec![false; p.estimates.len()];
    for a in &plan.assignments {
        assert!(!seen[a.task], "task {} assigned twice", a.task);
        seen[a.task] = true;
        let f = p.fit.get(a.task, a.person);
        assert!(f > 0.0 && f.is_finite(), "pair with fit {f} chosen");
        assert_eq!(a.explanation.fit, f);
        hours[a.person] += p.estimates[a.task];
    }
    for u in &plan.unassigned {
        assert!(
            !seen[u.task],
            "task {} both assigned and unassigned",
            u.task
        );
        seen[u.task] = true;
    }
    assert!(seen.iter().all(|&s| s), "a task is missing from the plan");
    for (person, &h) in hours.iter().enumerate() {
        assert!(
            h <= p.capacities[person] + 1e-9,
            "person {person} over capacity"
        );
        assert!((plan.loads[person].assigned_hours - h).abs() < 1e-9);
    }
    let total: f64 = plan.assignments.iter().map(|a| a.explanation.fit).sum();
    assert!((plan.total_fit - total).abs() < 1e-9);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn plans_are_feasible_and_bounded(p in problem(false)) {
        let plan = solve_capacitated(&p).unwrap();
        assert_feasible(&p, &plan);
        let best = brute_force(&p);
        prop_assert!(plan.total_fit <= best + 1e-9);
        prop_assert!(plan.upper_bound >= best - 1e-9, "bound {} below optimum {}", plan.upper_bound, best);
        if plan.optimal {
            prop_assert!((plan.total_fit - best).abs() < 1e-9);
        }
    }

    #[test]
    fn equal_estimates_are_solved_optimally(p in problem(true)) {
        let plan = solve_capacitated(&p).unwrap();
        assert_feasible(&p, &plan);
        prop_assert!(plan.optimal);
        let best = brute_force(&p);
        prop_assert!((plan.total_fit - best).abs() < 1e-9, "{} vs optimum {}", plan.total_fit, best);
    }
}

#[test]
fn invalid_inputs_are_rejected() {
    let fit = Matrix::from_rows(&[[1.0]]);
    let bad_capacity = CapacitatedProblem {
        capacities: vec![-1.0],
        estimates: vec![1.0],
        fit: fit.clone(),
    };
    assert!(solve_capacitated(&bad_capacity).is_err());
    let wrong_shape = CapacitatedProblem {
        capacities: vec![1.0, 2.0],
        estimates: vec![1.0],
        fit: fit.clone(),
    };
    assert!(solve_capacitated(&wrong_shape).is_err());
    let nan_fit = CapacitatedProblem {
        capacities: vec![1.0],
        estimates: vec![1.0],
        fit: Matrix::from_rows(&[[f64::NAN]]),
    };
    assert!(solve_capacitated(&nan_fit).is_err());
}

#[test]
fn unassigned_tasks_say_why() {
    use optimize::capacitated::UnassignedReason::*;
    let ninf = f64::NEG_INFINITY;
    let p = CapacitatedProblem {
        capacities: vec![4.0, 4.0],
        estimates: vec![1.0, 9.0, 1.0, 4.0, 4.0, 4.0],
        fit: Matrix::from_rows(&[
            [ninf, ninf], // nobody allowed
            [0.5, 0.5],   // bigger than anyone's capacity
            [0.0, -1.0],  // no positive fit
            [0.9, 0.2],
            [0.8, 0.3],
            [0.1, 0.1], // both people are full with better work
        ]),
    };
    let plan = solve_capacitated(&p).unwrap();
    let reasons: Vec<_> = plan.unassigned.iter().map(|u| (u.task, u.reason)).collect();
    assert_eq!(
        reasons,
        vec![
            (0, NoAllowedPerson),
            (1, TooBigForEveryone),
            (2, NoPositiveFit),
            (5, CapacityTaken)
        ]
    );
    let pairs: Vec<_> = plan
        .assignments
        .iter()
        .map(|a| (a.task, a.person, a.explanation.rank))
        .collect();
    // Task 4 prefers person 0 but person 0 is better used by task 3: it goes to its rank-2 choice.
    assert_eq!(pairs, vec![(3, 0, 1), (4, 1, 2)]);
    assert_eq!(plan.assignments[1].explanation.best_person, 0);
    assert!(plan.optimal);
}

#[test]
fn empty_problems_give_empty_plans() {
    let no_tasks = CapacitatedProblem {
        capacities: vec![8.0, 4.0],
        estimates: vec![],
        fit: Matrix::from_row_major(0, 2, vec![]),
    };
    let plan = solve_capacitated(&no_tasks).unwrap();
    assert!(plan.assignments.is_empty() && plan.unassigned.is_empty());
    assert_eq!(plan.loads.len(), 2);
    assert!(plan.optimal && plan.total_fit == 0.0);

    let no_people = CapacitatedProblem {
        capacities: vec![],
        estimates: vec![1.0, 0.0],
        fit: Matrix::from_row_major(2, 0, vec![]),
    };
    let plan = solve_capacitated(&no_people).unwrap();
    assert_eq!(plan.unassigned.len(), 2);
    assert!(plan.assignments.is_empty());
}

#[test]
fn zero_hour_tasks_take_their_best_person_even_when_everyone_is_full() {
    let p = CapacitatedProblem {
        capacities: vec![0.0, 2.0],
        estimates: vec![0.0, 2.0],
        fit: Matrix::from_rows(&[[0.9, 0.4], [0.5, 0.7]]),
    };
    let plan = solve_capacitated(&p).unwrap();
    let pairs: Vec<_> = plan
        .assignments
        .iter()
        .map(|a| (a.task, a.person))
        .collect();
    assert_eq!(pairs, vec![(0, 0), (1, 1)]);
    assert!(plan.optimal);
    assert!((plan.total_fit - 1.6).abs() < 1e-12);
}

/// Mid-size instances (beyond exhaustive search) still give feasible plans within their bound.
#[test]
fn mid_size_plans_are_feasible_and_close_to_their_bound() {
    for seed in 1..=3u64 {
        let mut state = seed;
        let mut unit = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let (tasks, people) = (400, 30);
        let p = CapacitatedProblem {
            capacities: (0..people)
                .map(|_| (10.0 + 30.0 * unit()).floor())
                .collect(),
            estimates: (0..tasks).map(|_| (1.0 + 11.0 * unit()).floor()).collect(),
            fit: Matrix::from_row_major(
                tasks,
                people,
                (0..tasks * people)
                    .map(|_| {
                        if unit() < 0.2 {
                            f64::NEG_INFINITY
                        } else {
                            unit()
                        }
                    })
                    .collect(),
            ),
        };
        let plan = solve_capacitated(&p).unwrap();
        assert_feasible(&p, &plan);
        assert!(plan.upper_bound >= plan.total_fit);
        assert!(
            plan.gap() < 0.05 * plan.upper_bound,
            "seed {seed}: gap {} of bound {}",
            plan.gap(),
            plan.upper_bound
        );
    }
}
