//! Reads a dense cost matrix from CSV text: one row per line, no header, an empty cell means
//! the pair is not allowed.

use crate::lsap::Sense;
use crate::matrix::Matrix;

/// A problem in the CSV text, located for the user (line and column are 1-based).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CsvError {
    /// No rows at all.
    #[error("empty input: expected one row of costs per line")]
    Empty,
    /// A row with a different number of cells than the first row.
    #[error(
        "line {line}: {found} cells, but line 1 has {expected} (every row must have the same number of columns)"
    )]
    Ragged {
        /// 1-based line number.
        line: usize,
        /// Cells on that line.
        found: usize,
        /// Cells on the first line.
        expected: usize,
    },
    /// A cell that is not a finite number.
    #[error(
        "line {line}, column {column}: {text:?} is not a finite number (leave the cell empty for a pair that is not allowed)"
    )]
    BadCell {
        /// 1-based line number.
        line: usize,
        /// 1-based column number.
        column: usize,
        /// The cell as written.
        text: String,
    },
}

/// Parses CSV text into a matrix; empty cells become [`Sense::forbidden`] for `sense`.
///
/// Cells may be surrounded by spaces or double quotes; a UTF-8 byte order mark and trailing
/// empty lines are ignored.
///
/// ```
/// use optimize::{Sense, costs_csv::parse_costs};
/// let m = parse_costs("1,2\n,4\n", Sense::Minimize).unwrap();
/// assert_eq!(m.get(1, 0), f64::INFINITY);
/// assert_eq!(m.get(1, 1), 4.0);
/// ```
pub fn parse_costs(text: &str, sense: Sense) -> Result<Matrix, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    while lines.last().is_some_and(|l| l.trim().is_empty()) {
        lines.pop();
    }
    let Some(first) = lines.first() else {
        return Err(CsvError::Empty);
    };
    let cols = first.split(',').count();
    let mut data = Vec::with_capacity(lines.len() * cols);
    for (index, line) in lines.iter().enumerate() {
        let before = data.len();
        for (c, cell) in line.split(',').enumerate() {
            data.push(parse_cell(cell, sense).ok_or_else(|| CsvError::BadCell {
                line: index + 1,
                column: c + 1,
                text: cell.to_string(),
            })?);
        }
        let found = data.len() - before;
        if found != cols {
            return Err(CsvError::Ragged {
                line: index + 1,
                found,
                expected: cols,
            });
        }
    }
    Ok(Matrix::from_row_major(lines.len(), cols, data))
}

/// Parses a list of numbers written one per line or separated by commas (e.g. the capacities
/// of people, or the estimates of tasks); empty cells are skipped.
///
/// ```
/// use optimize::costs_csv::parse_list;
/// assert_eq!(parse_list("8, 8\n4.5\n").unwrap(), vec![8.0, 8.0, 4.5]);
/// ```
pub fn parse_list(text: &str) -> Result<Vec<f64>, CsvError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::new();
    for (index, line) in text.lines().enumerate() {
        for (c, cell) in line.split(',').enumerate() {
            if cell.trim().is_empty() {
                continue;
            }
            out.push(
                parse_cell(cell, Sense::Minimize).ok_or_else(|| CsvError::BadCell {
                    line: index + 1,
                    column: c + 1,
                    text: cell.to_string(),
                })?,
            );
        }
    }
    if out.is_empty() {
        return Err(CsvError::Empty);
    }
    Ok(out)
}

fn parse_cell(cell: &str, sense: Sense) -> Option<f64> {
    let cell = cell.trim();
    let cell = cell
        .strip_prefix('"')
        .and_then(|c| c.strip_suffix('"'))
        .map_or(cell, str::trim);
    if cell.is_empty() {
        return Some(sense.forbidden());
    }
    cell.parse::<f64>().ok().filter(|x| x.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_rows_and_marks_empty_cells_forbidden() {
        let m = parse_costs("\u{feff}1, 2.5,\r\n\"3\",,-4\r\n\n", Sense::Maximize).unwrap();
        assert_eq!((m.rows(), m.cols()), (2, 3));
        assert_eq!(m.row(0), &[1.0, 2.5, f64::NEG_INFINITY]);
        assert_eq!(m.row(1), &[3.0, f64::NEG_INFINITY, -4.0]);
    }

    #[test]
    fn lists_accept_lines_and_commas_and_locate_errors() {
        assert_eq!(parse_list("1\n2,3\n\n").unwrap(), vec![1.0, 2.0, 3.0]);
        assert_eq!(parse_list(" \n"), Err(CsvError::Empty));
        assert!(matches!(
            parse_list("1\n2,x\n"),
            Err(CsvError::BadCell {
                line: 2,
                column: 2,
                ..
            })
        ));
    }

    #[test]
    fn empty_input_is_an_error() {
        assert_eq!(parse_costs("", Sense::Minimize), Err(CsvError::Empty));
        assert_eq!(parse_costs("\n\n", Sense::Minimize), Err(CsvError::Empty));
    }

    #[test]
    fn ragged_rows_name_the_line() {
        let err = parse_costs("1,2\n3,4\n5\n", Sense::Minimize).unwrap_err();
        assert_eq!(
            err,
            CsvError::Ragged {
                line: 3,
                found: 1,
                expected: 2
            }
        );
        assert!(err.to_string().starts_with("line 3: 1 cells"));
    }

    #[test]
    fn bad_cells_name_line_and_column() {
        let err = parse_costs("1,2\n3,abc\n", Sense::Minimize).unwrap_err();
        assert_eq!(
            err,
            CsvError::BadCell {
                line: 2,
                column: 2,
                text: "abc".into()
            }
        );
        assert!(err.to_string().contains("line 2, column 2"));
        // Infinities and NaN are not costs: forbidden pairs are written as empty cells.
        assert!(parse_costs("inf,1\n", Sense::Minimize).is_err());
        assert!(parse_costs("1,NaN\n", Sense::Minimize).is_err());
    }
}
