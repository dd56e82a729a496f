//! Invariants of the assignment solver, checked against brute force on tiny matrices.

use optimize::{AssignError, Matrix, Sense, solve_assignment};
use proptest::prelude::*;

/// Best total over all complete assignments by enumeration, or `None` when none exists.
fn brute_force(m: &Matrix, sense: Sense) -> Option<f64> {
    // Enumerate injections from the smaller side into the larger one.
    let wide = if m.rows() <= m.cols() {
        m.clone()
    } else {
        m.transposed()
    };
    let mut search = BruteForce {
        m: &wide,
        sense,
        used: vec![false; wide.cols()],
        best: None,
    };
    search.go(0, 0.0);
    search.best
}

struct BruteForce<'a> {
    m: &'a Matrix,
    sense: Sense,
    used: Vec<bool>,
    best: Option<f64>,
}

impl BruteForce<'_> {
    fn go(&mut self, row: usize, acc: f64) {
        if row == self.m.rows() {
            let better = match (self.best, self.sense) {
                (None, _) => true,
                (Some(b), Sense::Minimize) => acc < b,
                (Some(b), Sense::Maximize) => acc > b,
            };
            if better {
                self.best = Some(acc);
            }
            return;
        }
        for col in 0..self.m.cols() {
            let c = self.m.get(row, col);
            if !self.used[col] && c != self.sense.forbidden() {
                self.used[col] = true;
                self.go(row + 1, acc + c);
                self.used[col] = false;
            }
        }
    }
}

/// Tiny matrices: integer costs in a small range (many ties) or floats, some cells forbidden.
fn tiny_matrix(sense: Sense) -> impl Strategy<Value = Matrix> {
    (1usize..=6, 1usize..=6, any::<bool>(), 0u32..40).prop_flat_map(
        move |(rows, cols, integral, forbid_pct)| {
            let cell =
                (0u32..100, -50i32..50, -1.0e3f64..1.0e3).prop_map(move |(roll, int, float)| {
                    if roll < forbid_pct {
                        sense.forbidden()
                    } else if integral {
                        f64::from(int % 4)
                    } else {
                        float
                    }
                });
            proptest::collection::vec(cell, rows * cols)
                .prop_map(move |data| Matrix::from_row_major(rows, cols, data))
        },
    )
}

fn assert_valid(m: &Matrix, sense: Sense, pairs: &[(usize, usize)]) {
    assert_eq!(
        pairs.len(),
        m.rows().min(m.cols()),
        "not a complete matching"
    );
    let mut rows = vec![false; m.rows()];
    let mut cols = vec![false; m.cols()];
    for &(r, c) in pairs {
        assert!(!rows[r] && !cols[c], "row or column used twice");
        rows[r] = true;
        cols[c] = true;
        assert_ne!(m.get(r, c), sense.forbidden(), "forbidden pair chosen");
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn minimum_matches_brute_force(m in tiny_matrix(Sense::Minimize)) {
        match (solve_assignment(&m, Sense::Minimize), brute_force(&m, Sense::Minimize)) {
            (Ok(a), Some(best)) => {
                assert_valid(&m, Sense::Minimize, &a.pairs);
                let sum: f64 = a.pairs.iter().map(|&(r, c)| m.get(r, c)).sum();
                prop_assert!(close(a.total, sum));
                prop_assert!(close(a.total, best), "solver {} brute force {}", a.total, best);
            }
            (Err(AssignError::Infeasible), None) => {}
            (got, want) => prop_assert!(false, "solver {got:?}, brute force {want:?}"),
        }
    }

    #[test]
    fn maximum_matches_brute_force(m in tiny_matrix(Sense::Maximize)) {
        match (solve_assignment(&m, Sense::Maximize), brute_force(&m, Sense::Maximize)) {
            (Ok(a), Some(best)) => {
                assert_valid(&m, Sense::Maximize, &a.pairs);
                prop_assert!(close(a.total, best), "solver {} brute force {}", a.total, best);
            }
            (Err(AssignError::Infeasible), None) => {}
            (got, want) => prop_assert!(false, "solver {got:?}, brute force {want:?}"),
        }
    }

    #[test]
    fn maximum_is_minus_minimum_of_negation(m in tiny_matrix(Sense::Maximize)) {
        let negated = Matrix::from_row_major(
            m.rows(),
            m.cols(),
            m.as_slice().iter().map(|x| -x).collect(),
        );
        let max = solve_assignment(&m, Sense::Maximize).map(|a| a.total);
        let min = solve_assignment(&negated, Sense::Minimize).map(|a| -a.total);
        match (max, min) {
            (Ok(a), Ok(b)) => prop_assert!(close(a, b)),
            (a, b) => prop_assert_eq!(a, b),
        }
    }

    #[test]
    fn transposing_keeps_the_total(m in tiny_matrix(Sense::Minimize)) {
        let a = solve_assignment(&m, Sense::Minimize).map(|a| a.total);
        let b = solve_assignment(&m.transposed(), Sense::Minimize).map(|a| a.total);
        match (a, b) {
            (Ok(a), Ok(b)) => prop_assert!(close(a, b)),
            (a, b) => prop_assert_eq!(a, b),
        }
    }
}

/// Square matrices large enough that the Jonker–Volgenant start does real work (it runs only on
/// square inputs), checked against the plain shortest-path solve of the same matrix padded with
/// one extra column that is never cheaper than anything else.
#[test]
fn square_start_heuristic_agrees_with_plain_rectangular_solve() {
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (state >> 33) as f64 / (1u64 << 31) as f64
    };
    for (n, levels) in [(60, 0), (80, 5), (120, 0), (150, 3)] {
        let data: Vec<f64> = (0..n * n)
            .map(|_| {
                let x = next();
                if levels == 0 {
                    x
                } else {
                    (x * levels as f64).floor()
                }
            })
            .collect();
        let square = Matrix::from_row_major(n, n, data.clone());
        // An extra column of a huge cost keeps the optimum but routes through the rectangular path.
        let padded: Vec<f64> = data
            .chunks(n)
            .flat_map(|r| r.iter().copied().chain([1e9]))
            .collect();
        let rect = Matrix::from_row_major(n, n + 1, padded);
        let a = solve_assignment(&square, Sense::Minimize).unwrap();
        let b = solve_assignment(&rect, Sense::Minimize).unwrap();
        assert!(close(a.total, b.total), "n={n}: {} vs {}", a.total, b.total);
        assert_valid(&square, Sense::Minimize, &a.pairs);
    }
}
