//! Dense row-major matrices of `f64`, the input of the assignment solver.

/// A dense `rows × cols` matrix stored row by row in one contiguous `Vec<f64>`.
///
/// One contiguous buffer (rather than a `Vec` per row) keeps the solver's inner loop
/// on a single cache-friendly slice per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Matrix {
    rows: usize,
    cols: usize,
    data: Vec<f64>,
}

impl Matrix {
    /// Wraps `data` (row-major, `rows * cols` values).
    ///
    /// # Panics
    /// If `data.len() != rows * cols`.
    pub fn from_row_major(rows: usize, cols: usize, data: Vec<f64>) -> Self {
        assert_eq!(
            data.len(),
            rows * cols,
            "matrix data has {} values, expected {rows}×{cols}",
            data.len()
        );
        Self { rows, cols, data }
    }

    /// Builds a matrix from rows of equal length.
    ///
    /// # Panics
    /// If the rows do not all have the same length.
    pub fn from_rows<R: AsRef<[f64]>>(rows: &[R]) -> Self {
        let cols = rows.first().map_or(0, |r| r.as_ref().len());
        let mut data = Vec::with_capacity(rows.len() * cols);
        for row in rows {
            let row = row.as_ref();
            assert_eq!(row.len(), cols, "ragged rows");
            data.extend_from_slice(row);
        }
        Self {
            rows: rows.len(),
            cols,
            data,
        }
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The value at (`row`, `col`).
    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.data[row * self.cols + col]
    }

    /// One row as a slice.
    pub fn row(&self, row: usize) -> &[f64] {
        &self.data[row * self.cols..(row + 1) * self.cols]
    }

    /// All values, row-major.
    pub fn as_slice(&self) -> &[f64] {
        &self.data
    }

    /// Consumes the matrix and returns its row-major values.
    pub fn into_vec(self) -> Vec<f64> {
        self.data
    }

    /// The transposed matrix (a copy).
    pub fn transposed(&self) -> Matrix {
        let (rows, cols) = (self.rows, self.cols);
        let mut data = vec![0.0; self.data.len()];
        // Tiles small enough that the source lines of a tile stay cached while the output is
        // written sequentially; a naive loop misses the cache on almost every element.
        const TILE: usize = 16;
        for c0 in (0..cols).step_by(TILE) {
            let c1 = (c0 + TILE).min(cols);
            for r0 in (0..rows).step_by(TILE) {
                let r1 = (r0 + TILE).min(rows);
                for c in c0..c1 {
                    let out = &mut data[c * rows + r0..c * rows + r1];
                    for (o, r) in out.iter_mut().zip(r0..r1) {
                        *o = self.data[r * cols + c];
                    }
                }
            }
        }
        Matrix {
            rows: cols,
            cols: rows,
            data,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transpose_moves_every_value() {
        let m = Matrix::from_row_major(2, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]);
        let t = m.transposed();
        assert_eq!((t.rows(), t.cols()), (3, 2));
        for r in 0..2 {
            for c in 0..3 {
                assert_eq!(m.get(r, c), t.get(c, r));
            }
        }
    }

    #[test]
    #[should_panic(expected = "ragged")]
    fn from_rows_rejects_ragged_rows() {
        Matrix::from_rows(&[vec![1.0, 2.0], vec![3.0]]);
    }
}
