//! sheets: tabular files in and out — CSV (UTF-8, UTF-8 with BOM, UTF-16 with BOM, GBK/GB18030)
//! and XLSX — read into a header plus rows of strings that keep their row numbers, mapped onto a
//! module's column spec by Chinese or English header names, and written back as CSV or XLSX with
//! spreadsheet formula injection neutralised. No dependency on the application.
//!
//! Every reader is bounded ([`Limits`]): file size, rows, columns and cell length; an XLSX file is
//! inspected before parsing (declared and actual uncompressed sizes, compression ratio, entry
//! count, and no DTD — so no external entities) so a zip bomb or an XXE file is refused with a
//! clear error instead of filling memory.
mod csv_read;
mod error;
mod mapping;
mod write;
mod xlsx_read;
mod zipguard;

pub use error::SheetError;
pub use mapping::{Column, Mapping, Record, normalize_header};
pub use write::{CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE, neutralize, write_csv, write_xlsx};

/// How big a file, and what it unpacks into, a reader accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The file as uploaded.
    pub max_bytes: usize,
    /// Data rows (the header not counted; blank rows not counted).
    pub max_rows: usize,
    pub max_columns: usize,
    /// Characters in one cell (Excel's own limit is 32,767).
    pub max_cell_chars: usize,
    /// XLSX: all entries together, uncompressed.
    pub max_uncompressed: u64,
    /// XLSX: uncompressed / compressed size of one entry (checked above 1 MiB).
    pub max_ratio: u64,
    /// XLSX: entries in the archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_bytes: 10 * 1024 * 1024,
            max_rows: 50_000,
            max_columns: 200,
            max_cell_chars: 32_767,
            max_uncompressed: 128 * 1024 * 1024,
            max_ratio: 200,
            max_entries: 10_000,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    /// Decides by content, not by the file name (names lie; bytes do not): a ZIP is XLSX, an
    /// OLE compound file is the legacy `.xls` (refused with advice), anything else is CSV text.
    pub fn sniff(bytes: &[u8]) -> Result<Format, SheetError> {
        if bytes.starts_with(b"PK\x03\x04") {
            Ok(Format::Xlsx)
        } else if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
            Err(SheetError::LegacyXls)
        } else if bytes.starts_with(b"PK") {
            Err(SheetError::Malformed(
                "not a readable XLSX file (damaged ZIP)".into(),
            ))
        } else {
            Ok(Format::Csv)
        }
    }
}

/// One data row as it was in the file: its 1-based row number (the line a user sees in Excel or
/// a text editor) and its cells, trimmed, padded to the header's width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub number: usize,
    pub cells: Vec<String>,
}

/// A read file: the header row and the data rows below it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub format: Format,
    /// `UTF-8`, `GB18030`, `UTF-16LE`… for CSV; `XLSX` for workbooks.
    pub encoding: &'static str,
    pub header: Vec<String>,
    pub rows: Vec<Row>,
}

/// Reads a CSV or XLSX file (detected from its bytes) within `limits`.
pub fn read(bytes: &[u8], limits: &Limits) -> Result<Table, SheetError> {
    if bytes.len() > limits.max_bytes {
        return Err(SheetError::TooLarge {
            max_bytes: limits.max_bytes,
        });
    }
    match Format::sniff(bytes)? {
        Format::Csv => csv_read::read(bytes, limits),
        Format::Xlsx => xlsx_read::read(bytes, limits),
    }
}

/// Shapes raw rows into a [`Table`]: the first non-blank row is the header; cells are trimmed
/// and a neutralised cell (`'=…`) gets its value back; blank rows are skipped; limits apply.
pub(crate) struct TableBuilder<'l> {
    limits: &'l Limits,
    header: Option<Vec<String>>,
    rows: Vec<Row>,
}

impl<'l> TableBuilder<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Self {
            limits,
            header: None,
            rows: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, number: usize, cells: Vec<String>) -> Result<(), SheetError> {
        if cells.len() > self.limits.max_columns
            && cells[self.limits.max_columns..]
                .iter()
                .any(|c| !c.trim().is_empty())
        {
            return Err(SheetError::TooManyColumns {
                max: self.limits.max_columns,
            });
        }
        let mut cells: Vec<String> = cells
            .into_iter()
            .take(self.limits.max_columns)
            .map(|c| write::unneutralize(c.trim()).to_string())
            .collect();
        if let Some(col) = cells
            .iter()
            .position(|c| c.chars().count() > self.limits.max_cell_chars)
        {
            return Err(SheetError::CellTooLong {
                row: number,
                column: col + 1,
                max: self.limits.max_cell_chars,
            });
        }
        if cells.iter().all(String::is_empty) {
            return Ok(());
        }
        match &self.header {
            None => {
                while cells.last().is_some_and(String::is_empty) {
                    cells.pop();
                }
                self.header = Some(cells);
            }
            Some(h) => {
                if self.rows.len() >= self.limits.max_rows {
                    return Err(SheetError::TooManyRows {
                        max: self.limits.max_rows,
                    });
                }
                // Cells past the header's width carry no column; keep only non-blank ones
                // visible by widening (they show up as unnamed, unmapped columns).
                let width = h.len().max(cells.len());
                cells.resize(width, String::new());
                self.rows.push(Row { number, cells });
            }
        }
        Ok(())
    }

    pub(crate) fn finish(
        self,
        format: Format,
        encoding: &'static str,
    ) -> Result<Table, SheetError> {
        let mut header = self.header.ok_or(SheetError::Empty)?;
        let width = self.rows.iter().map(|r| r.cells.len()).max().unwrap_or(0);
        if width > header.len() {
            header.resize(width, String::new());
        }
        let mut rows = self.rows;
        for r in &mut rows {
            r.cells.resize(header.len(), String::new());
        }
        Ok(Table {
            format,
            encoding,
            header,
            rows,
        })
    }
}
