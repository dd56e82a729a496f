//! The shortest augmenting path phase (Crouse's rectangular form of Jonker–Volgenant).

use super::{AssignError, DualState, NONE, read};

/// Matches each row of `rows` (all currently unmatched) by a shortest augmenting path.
///
/// Each search is Dijkstra over the columns with the reduced costs `c[i][j] - u[i] - v[j]`,
/// which the dual update keeps non-negative on every row already matched; all buffers are
/// allocated once and reused for every row.
pub(super) fn augment_rows<const NEGATE: bool>(
    cost: &[f64],
    nc: usize,
    state: &mut DualState,
    rows: &[usize],
) -> Result<(), AssignError> {
    let DualState {
        u,
        v,
        col4row,
        row4col,
    } = state;
    let mut shortest = vec![f64::INFINITY; nc];
    let mut path = vec![NONE; nc];
    // Columns still to scan are remaining[..todo]; scanned ones collect at the tail.
    let mut remaining: Vec<usize> = (0..nc).rev().collect();

    for &cur_row in rows {
        // Restart from sequential order: the scan then walks memory mostly in order, which
        // is measurably faster than reusing the previous search's scrambled order.
        for (k, slot) in remaining.iter_mut().enumerate() {
            *slot = nc - 1 - k;
        }
        shortest.fill(f64::INFINITY);
        let mut todo = nc;
        let mut min_val = 0.0f64;
        let mut i = cur_row;
        let sink = loop {
            let row = &cost[i * nc..(i + 1) * nc];
            let offset = min_val - u[i];
            let mut lowest = f64::INFINITY;
            let mut index = NONE;
            debug_assert!(remaining.iter().all(|&j| j < nc));
            debug_assert!(row.len() == nc && v.len() == nc && shortest.len() == nc);
            debug_assert!(path.len() == nc && row4col.len() == nc);
            for (k, &j) in remaining[..todo].iter().enumerate() {
                // SAFETY: `remaining` is a permutation of 0..nc (built above, only ever
                // swapped), and `row`, `v`, `shortest`, `path` and `row4col` all have length
                // nc. This is the O(n²·m) inner loop; bounds checks here cost ~30 %.
                let (c, vj, sj) = unsafe {
                    (
                        *row.get_unchecked(j),
                        *v.get_unchecked(j),
                        *shortest.get_unchecked(j),
                    )
                };
                let reduced = offset + read::<NEGATE>(c) - vj;
                let mut s = sj;
                if reduced < s {
                    s = reduced;
                    // SAFETY: as above, j < nc.
                    unsafe {
                        *shortest.get_unchecked_mut(j) = reduced;
                        *path.get_unchecked_mut(j) = i;
                    }
                }
                // On ties prefer a free column: it ends the search one step earlier.
                // SAFETY: as above, j < nc.
                if s < lowest || (s == lowest && unsafe { *row4col.get_unchecked(j) } == NONE) {
                    lowest = s;
                    index = k;
                }
            }
            min_val = lowest;
            if min_val == f64::INFINITY {
                return Err(AssignError::Infeasible);
            }
            let j = remaining[index];
            todo -= 1;
            remaining.swap(index, todo);
            if row4col[j] == NONE {
                break j;
            }
            i = row4col[j];
        };

        // Dual update: keeps reduced costs non-negative and zero along the matching.
        u[cur_row] += min_val;
        for &j in &remaining[todo..] {
            let delta = min_val - shortest[j];
            if j != sink {
                u[row4col[j]] += delta;
            }
            v[j] -= delta;
        }

        // Flip the augmenting path.
        let mut j = sink;
        loop {
            let i = path[j];
            row4col[j] = i;
            std::mem::swap(&mut col4row[i], &mut j);
            if i == cur_row {
                break;
            }
        }
    }
    Ok(())
}
