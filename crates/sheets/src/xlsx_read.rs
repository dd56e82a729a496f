//! The first worksheet of an XLSX workbook, streamed cell by cell (a sparse sheet with one cell
//! at XFD1048576 must not make a dense 17-billion-cell range), after the archive guard.
use crate::{Format, Limits, SheetError, Table, TableBuilder, zipguard};
use calamine::{DataRef, Reader, Xlsx};
use std::io::Cursor;

pub(crate) fn read(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    zipguard::check(bytes, limits)?;
    let bad =
        |e: calamine::XlsxError| SheetError::Malformed(format!("not a valid XLSX file ({e})"));
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or(SheetError::NoSheet)?;
    let mut cells = wb.worksheet_cells_reader(&first).map_err(bad)?;
    let mut table = TableBuilder::new(limits);
    // Rows arrive in order; a row is complete when a cell of a later row shows up.
    let mut current: Option<(u32, Vec<String>)> = None;
    let mut rows_seen = 0usize;
    while let Some(cell) = cells.next_cell().map_err(bad)? {
        let (r, c) = cell.get_position();
        if c as usize >= limits.max_columns {
            if !is_blank(cell.get_value()) {
                return Err(SheetError::TooManyColumns {
                    max: limits.max_columns,
                });
            }
            continue;
        }
        if current.as_ref().is_some_and(|(cr, _)| *cr != r) {
            let (cr, row) = current.take().unwrap_or_default();
            table.push(cr as usize + 1, row)?;
            rows_seen += 1;
            // Blank rows are skipped by the builder; bound the work they can cause too.
            if rows_seen > limits.max_rows.saturating_mul(2) + 10 {
                return Err(SheetError::TooManyRows {
                    max: limits.max_rows,
                });
            }
        }
        let (_, row) = current.get_or_insert_with(|| (r, Vec::new()));
        let c = c as usize;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text(cell.get_value());
    }
    if let Some((cr, row)) = current {
        table.push(cr as usize + 1, row)?;
    }
    table.finish(Format::Xlsx, "XLSX")
}

fn is_blank(v: &DataRef<'_>) -> bool {
    match v {
        DataRef::Empty => true,
        DataRef::String(s) => s.trim().is_empty(),
        DataRef::SharedString(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// A cell as the text a user typed: whole numbers without `.0`, dates as `YYYY-MM-DD` (with the
/// time when there is one), errors as Excel shows them (`#N/A`).
fn text(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Empty => String::new(),
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => s.clone(),
        DataRef::SharedString(s) => (*s).to_string(),
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => number(*f),
        DataRef::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        DataRef::Error(e) => e.to_string(),
        DataRef::DateTime(dt) => {
            if dt.is_duration() {
                return number(dt.as_f64());
            }
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else if dt.as_f64() < 1.0 {
                format!("{h:02}:{mi:02}:{s:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
    }
}

fn number(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}
