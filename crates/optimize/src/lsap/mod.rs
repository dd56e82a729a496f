//! Rectangular linear assignment: exactly optimal, with forbidden pairs.
//!
//! The method is the shortest augmenting path algorithm of Jonker and Volgenant in the
//! rectangular form described by Crouse ("On implementing 2D rectangular assignment
//! algorithms", IEEE TAES 2016), which is also what `scipy.optimize.linear_sum_assignment`
//! uses. One row is added at a time; a Dijkstra-like scan over the columns with reduced costs
//! finds the cheapest augmenting path, then the duals are updated so reduced costs stay
//! non-negative. Complexity is O(n²·m) for an n×m problem (n ≤ m) and memory is O(n + m)
//! besides the matrix.

use crate::matrix::Matrix;

mod augment;
mod jv_init;

/// Marks an unmatched row or column.
const NONE: usize = usize::MAX;

/// Reads a cell, negated when maximising.
#[inline(always)]
fn read<const NEGATE: bool>(x: f64) -> f64 {
    if NEGATE { -x } else { x }
}

/// Duals and the partial matching shared by the start heuristic and the augmentation phase.
///
/// Invariant between phases: every matched row `i` has `u[i] + v[j] <= c[i][j]` for all `j`,
/// with equality at its own column; unmatched rows have `u[i] = 0`.
struct DualState {
    u: Vec<f64>,
    v: Vec<f64>,
    col4row: Vec<usize>,
    row4col: Vec<usize>,
}

impl DualState {
    fn empty(nr: usize, nc: usize) -> Self {
        Self {
            u: vec![0.0; nr],
            v: vec![0.0; nc],
            col4row: vec![NONE; nr],
            row4col: vec![NONE; nc],
        }
    }
}

/// Whether to minimise the total cost or maximise the total weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sense {
    /// Minimise the sum of the chosen cells; `f64::INFINITY` marks a forbidden pair.
    #[default]
    Minimize,
    /// Maximise the sum of the chosen cells; `f64::NEG_INFINITY` marks a forbidden pair.
    Maximize,
}

impl Sense {
    /// The cell value that marks a pair as not allowed under this sense.
    pub fn forbidden(self) -> f64 {
        match self {
            Sense::Minimize => f64::INFINITY,
            Sense::Maximize => f64::NEG_INFINITY,
        }
    }
}

/// An optimal assignment.
#[derive(Debug, Clone, PartialEq)]
pub struct Assignment {
    /// Sum of the chosen cells of the original matrix.
    pub total: f64,
    /// Chosen (row, column) pairs, 0-based, sorted by row. There are `min(rows, cols)` of them:
    /// every row is assigned when rows ≤ columns, every column otherwise.
    pub pairs: Vec<(usize, usize)>,
}

/// Why an assignment problem has no answer.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AssignError {
    /// A cell is NaN, or the infinity of the wrong sign for the sense (it would be a
    /// "must take" rather than a "must not take").
    #[error(
        "invalid cost {value} at row {row}, column {col} (0-based): costs must be finite, or the forbidden marker for the sense"
    )]
    InvalidEntry {
        /// 0-based row of the bad cell.
        row: usize,
        /// 0-based column of the bad cell.
        col: usize,
        /// The offending value.
        value: f64,
    },
    /// The forbidden pairs leave no way to assign `min(rows, cols)` pairs.
    #[error("the problem is infeasible: the forbidden pairs leave no complete assignment")]
    Infeasible,
}

/// Solves the rectangular linear assignment problem exactly.
///
/// When rows ≤ columns every row gets a distinct column; otherwise every column gets a distinct
/// row. Forbidden pairs are cells equal to [`Sense::forbidden`]. The result has the same total as
/// `scipy.optimize.linear_sum_assignment(costs, maximize=…)`; when several optimal assignments
/// exist the pairs may differ from scipy's.
///
/// ```
/// use optimize::{Matrix, Sense, solve_assignment};
/// let costs = Matrix::from_rows(&[[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]]);
/// let best = solve_assignment(&costs, Sense::Minimize).unwrap();
/// assert_eq!(best.total, 5.0);
/// assert_eq!(best.pairs, vec![(0, 1), (1, 0), (2, 2)]);
/// ```
pub fn solve_assignment(costs: &Matrix, sense: Sense) -> Result<Assignment, AssignError> {
    validate(costs, sense)?;
    let (rows, cols) = (costs.rows(), costs.cols());
    if rows == 0 || cols == 0 {
        return Ok(Assignment {
            total: 0.0,
            pairs: Vec::new(),
        });
    }
    let maximize = sense == Sense::Maximize;
    let mut pairs = if rows <= cols {
        let col4row = if maximize {
            shortest_augmenting_paths::<true>(costs.as_slice(), rows, cols)?
        } else {
            shortest_augmenting_paths::<false>(costs.as_slice(), rows, cols)?
        };
        col4row.into_iter().enumerate().collect::<Vec<_>>()
    } else {
        // The algorithm adds one row at a time and needs rows ≤ columns.
        let t = costs.transposed();
        let col4row = if maximize {
            shortest_augmenting_paths::<true>(t.as_slice(), cols, rows)?
        } else {
            shortest_augmenting_paths::<false>(t.as_slice(), cols, rows)?
        };
        col4row
            .into_iter()
            .enumerate()
            .map(|(c, r)| (r, c))
            .collect()
    };
    pairs.sort_unstable();
    let total = pairs.iter().map(|&(r, c)| costs.get(r, c)).sum();
    Ok(Assignment { total, pairs })
}

fn validate(costs: &Matrix, sense: Sense) -> Result<(), AssignError> {
    let wrong_infinity = -sense.forbidden();
    // A fast pass first: the common case has no bad cell and needs no position bookkeeping.
    let bad = |x: f64| x.is_nan() || x == wrong_infinity;
    if !costs.as_slice().iter().any(|&x| bad(x)) {
        return Ok(());
    }
    let at = costs.as_slice().iter().position(|&x| bad(x)).unwrap_or(0);
    Err(AssignError::InvalidEntry {
        row: at / costs.cols(),
        col: at % costs.cols(),
        value: costs.as_slice()[at],
    })
}

/// Returns the column chosen for each row of the `nr × nc` row-major `cost` (nr ≤ nc).
/// With `NEGATE` the costs are read negated, which turns maximisation into minimisation
/// without copying the matrix.
fn shortest_augmenting_paths<const NEGATE: bool>(
    cost: &[f64],
    nr: usize,
    nc: usize,
) -> Result<Vec<usize>, AssignError> {
    debug_assert!(nr <= nc && cost.len() == nr * nc);
    let mut state = DualState::empty(nr, nc);
    let free_rows: Vec<usize> = if nr == nc {
        // Square problems end with every column matched, so the duals may start anywhere
        // feasible: the Jonker–Volgenant start settles most rows cheaply.
        jv_init::initialize::<NEGATE>(cost, nr, &mut state)?
    } else {
        // Rectangular optimality needs v = 0 on the columns left free, which the plain
        // start (all duals zero) guarantees.
        (0..nr).collect()
    };
    augment::augment_rows::<NEGATE>(cost, nc, &mut state, &free_rows)?;
    Ok(state.col4row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_minimum_is_found() {
        let m = Matrix::from_rows(&[[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]]);
        let a = solve_assignment(&m, Sense::Minimize).unwrap();
        assert_eq!(a.total, 5.0);
        assert_eq!(a.pairs, vec![(0, 1), (1, 0), (2, 2)]);
    }

    #[test]
    fn maximum_is_found() {
        let m = Matrix::from_rows(&[[4.0, 1.0, 3.0], [2.0, 0.0, 5.0], [3.0, 2.0, 2.0]]);
        let a = solve_assignment(&m, Sense::Maximize).unwrap();
        assert_eq!(a.total, 11.0);
        assert_eq!(a.pairs, vec![(0, 0), (1, 2), (2, 1)]);
    }

    #[test]
    fn tall_matrix_assigns_every_column() {
        let m = Matrix::from_rows(&[[10.0, 10.0], [1.0, 9.0], [9.0, 1.0]]);
        let a = solve_assignment(&m, Sense::Minimize).unwrap();
        assert_eq!(a.pairs, vec![(1, 0), (2, 1)]);
        assert_eq!(a.total, 2.0);
    }

    #[test]
    fn forbidden_pairs_are_avoided() {
        let inf = f64::INFINITY;
        let m = Matrix::from_rows(&[[1.0, inf], [1.0, 100.0]]);
        let a = solve_assignment(&m, Sense::Minimize).unwrap();
        assert_eq!(a.pairs, vec![(0, 0), (1, 1)]);
        assert_eq!(a.total, 101.0);
    }

    #[test]
    fn infeasible_is_an_error() {
        let inf = f64::INFINITY;
        let m = Matrix::from_rows(&[[1.0, inf], [2.0, inf]]);
        assert_eq!(
            solve_assignment(&m, Sense::Minimize),
            Err(AssignError::Infeasible)
        );
    }

    #[test]
    fn wrong_infinity_and_nan_are_rejected_with_position() {
        let m = Matrix::from_rows(&[[1.0, 2.0], [f64::NAN, 3.0]]);
        assert!(matches!(
            solve_assignment(&m, Sense::Minimize),
            Err(AssignError::InvalidEntry { row: 1, col: 0, .. })
        ));
        let m = Matrix::from_rows(&[[1.0, f64::INFINITY]]);
        assert!(matches!(
            solve_assignment(&m, Sense::Maximize),
            Err(AssignError::InvalidEntry { row: 0, col: 1, .. })
        ));
    }

    #[test]
    fn empty_matrix_has_empty_assignment() {
        let m = Matrix::from_row_major(0, 3, vec![]);
        let a = solve_assignment(&m, Sense::Minimize).unwrap();
        assert!(a.pairs.is_empty());
        assert_eq!(a.total, 0.0);
    }
}
