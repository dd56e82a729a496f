use std::fmt;

/// Why a file could not be read. `code()` is stable (for message catalogues); `Display` is an
/// English sentence a user can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    TooLarge {
        max_bytes: usize,
    },
    TooManyRows {
        max: usize,
    },
    TooManyColumns {
        max: usize,
    },
    CellTooLong {
        row: usize,
        column: usize,
        max: usize,
    },
    Empty,
    /// Neither UTF-8/UTF-16 nor GBK/GB18030.
    Encoding,
    LegacyXls,
    /// The archive unpacks to more than allowed, or compresses suspiciously well.
    ZipBomb(String),
    /// A DTD/entity declaration in the workbook's XML (never legitimate in OOXML; XXE).
    Doctype {
        entry: String,
    },
    NoSheet,
    Malformed(String),
}

impl SheetError {
    pub fn code(&self) -> &'static str {
        match self {
            SheetError::TooLarge { .. } => "too_large",
            SheetError::TooManyRows { .. } => "too_many_rows",
            SheetError::TooManyColumns { .. } => "too_many_columns",
            SheetError::CellTooLong { .. } => "cell_too_long",
            SheetError::Empty => "empty",
            SheetError::Encoding => "encoding",
            SheetError::LegacyXls => "legacy_xls",
            SheetError::ZipBomb(_) => "zip_bomb",
            SheetError::Doctype { .. } => "doctype",
            SheetError::NoSheet => "no_sheet",
            SheetError::Malformed(_) => "malformed",
        }
    }
}

impl fmt::Display for SheetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetError::TooLarge { max_bytes } => {
                write!(f, "the file is larger than {} KiB", max_bytes / 1024)
            }
            SheetError::TooManyRows { max } => write!(f, "the file has more than {max} rows"),
            SheetError::TooManyColumns { max } => {
                write!(f, "the file has more than {max} columns")
            }
            SheetError::CellTooLong { row, column, max } => write!(
                f,
                "row {row}, column {column}: a cell is longer than {max} characters"
            ),
            SheetError::Empty => write!(f, "the file has no header row"),
            SheetError::Encoding => write!(
                f,
                "the file is not text in UTF-8 or GBK/GB18030 (save it as CSV UTF-8 or XLSX)"
            ),
            SheetError::LegacyXls => write!(
                f,
                "old Excel 97-2003 (.xls) files are not read; save it as .xlsx or CSV"
            ),
            SheetError::ZipBomb(why) => write!(f, "the XLSX file was refused: {why}"),
            SheetError::Doctype { entry } => write!(
                f,
                "the XLSX file was refused: {entry} declares a DTD or entities, which spreadsheets never do"
            ),
            SheetError::NoSheet => write!(f, "the workbook has no worksheet"),
            SheetError::Malformed(why) => write!(f, "the file could not be read: {why}"),
        }
    }
}

impl std::error::Error for SheetError {}
