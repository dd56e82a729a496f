//! The contract between a module and the kit, and the run that enforces all-or-nothing.
use db::Tx;
use kernel::{Actor, AppError, Ctx, FieldError, Locale};
use serde::{Deserialize, Serialize};
use sheets::{Column, Mapping, Table};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use utoipa::ToSchema;

/// A column of an import: how the file's header may name it, and the catalogue key of its
/// label (the template's header in the user's language).
#[derive(Debug, Clone, Copy)]
pub struct ImportColumn {
    pub column: Column,
    pub label_key: &'static str,
}

/// A row's problem, found by `parse` (format) or by `write` (references, uniqueness, policy).
#[derive(Debug, Clone, PartialEq)]
pub struct RowError {
    /// The row number in the file (1-based, as a spreadsheet shows it).
    pub row: usize,
    pub error: FieldError,
}

impl RowError {
    pub fn new(row: usize, field: &str, code: &'static str, detail: impl Into<String>) -> Self {
        Self {
            row,
            error: FieldError::new(field, code, detail),
        }
    }
}

/// Why `write` wrote nothing: problems with rows (reported) or a failure of the whole import.
#[derive(Debug)]
pub enum ImportFailure {
    Rows(Vec<RowError>),
    App(AppError),
}

impl From<AppError> for ImportFailure {
    fn from(e: AppError) -> Self {
        ImportFailure::App(e)
    }
}

impl From<db::DbError> for ImportFailure {
    fn from(e: db::DbError) -> Self {
        ImportFailure::App(e.into())
    }
}

/// What a module implements to be importable.
pub trait Importer: Send + Sync + 'static {
    type Record: Send + Sync + 'static;

    /// The URL segment and stored kind, e.g. `people`.
    fn kind(&self) -> &'static str;

    /// Catalogue key of the import's title (e.g. `person.title`).
    fn title_key(&self) -> &'static str;

    /// Where the imported records are listed (the "done" link).
    fn list_href(&self) -> &'static str;

    fn columns(&self) -> &'static [ImportColumn];

    /// Example rows for the template, one value per column in `columns()` order.
    fn template_rows(&self, locale: Locale) -> Vec<Vec<String>>;

    /// Whether the actor may import this kind at all (rows are checked again by `write`).
    fn may_import(&self, actor: &Actor) -> bool;

    /// One row into a record, or every problem of the row (no I/O).
    fn parse(&self, row: &sheets::Record<'_>) -> Result<Self::Record, Vec<FieldError>>;

    /// Writes all records through the module's service inside `tx` (policy and audit apply per
    /// record). Any problem → `Err`; the kit then rolls the whole transaction back.
    fn write<'a>(
        &'a self,
        tx: &'a mut Tx,
        ctx: &'a Ctx,
        records: Vec<(usize, Self::Record)>,
    ) -> impl Future<Output = Result<usize, ImportFailure>> + Send + 'a;
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The object-safe face of an [`Importer`], so one registry holds every kind.
pub trait DynImporter: Send + Sync {
    fn kind(&self) -> &'static str;
    fn title_key(&self) -> &'static str;
    fn list_href(&self) -> &'static str;
    fn columns(&self) -> &'static [ImportColumn];
    fn template_rows(&self, locale: Locale) -> Vec<Vec<String>>;
    fn may_import(&self, actor: &Actor) -> bool;
    /// Parses every row; the problems of all rows (nothing is written).
    fn check(&self, table: &Table, mapping: &Mapping) -> Vec<RowError>;
    /// Parses every row and, when all parse, writes them in `tx`; the number written.
    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
        ctx: &'a Ctx,
        table: &'a Table,
        mapping: &'a Mapping,
    ) -> BoxFuture<'a, Result<usize, ImportFailure>>;
}

fn parse_all<I: Importer>(
    imp: &I,
    table: &Table,
    mapping: &Mapping,
) -> (Vec<(usize, I::Record)>, Vec<RowError>) {
    let mut ok = Vec::with_capacity(table.rows.len());
    let mut errs = Vec::new();
    for row in &table.rows {
        match imp.parse(&mapping.record(row)) {
            Ok(r) => ok.push((row.number, r)),
            Err(es) => errs.extend(es.into_iter().map(|error| RowError {
                row: row.number,
                error,
            })),
        }
    }
    (ok, errs)
}

impl<I: Importer> DynImporter for I {
    fn kind(&self) -> &'static str {
        Importer::kind(self)
    }
    fn title_key(&self) -> &'static str {
        Importer::title_key(self)
    }
    fn list_href(&self) -> &'static str {
        Importer::list_href(self)
    }
    fn columns(&self) -> &'static [ImportColumn] {
        Importer::columns(self)
    }
    fn template_rows(&self, locale: Locale) -> Vec<Vec<String>> {
        Importer::template_rows(self, locale)
    }
    fn may_import(&self, actor: &Actor) -> bool {
        Importer::may_import(self, actor)
    }
    fn check(&self, table: &Table, mapping: &Mapping) -> Vec<RowError> {
        parse_all(self, table, mapping).1
    }
    fn run<'a>(
        &'a self,
        tx: &'a mut Tx,
        ctx: &'a Ctx,
        table: &'a Table,
        mapping: &'a Mapping,
    ) -> BoxFuture<'a, Result<usize, ImportFailure>> {
        Box::pin(async move {
            let (records, errs) = parse_all(self, table, mapping);
            if !errs.is_empty() {
                return Err(ImportFailure::Rows(errs));
            }
            self.write(tx, ctx, records).await
        })
    }
}

/// The importable kinds, registered once by the server.
#[derive(Clone, Default)]
pub struct Registry(Arc<Vec<Arc<dyn DynImporter>>>);

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn with(self, imp: impl DynImporter + 'static) -> Self {
        let mut v: Vec<Arc<dyn DynImporter>> = self.0.iter().cloned().collect();
        v.push(Arc::new(imp));
        Registry(Arc::new(v))
    }

    pub fn get(&self, kind: &str) -> Option<Arc<dyn DynImporter>> {
        self.0.iter().find(|i| i.kind() == kind).cloned()
    }

    pub fn kinds(&self) -> Vec<&'static str> {
        self.0.iter().map(|i| i.kind()).collect()
    }
}

/// One problem in the report: the row, the file's column header, the field and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct RowIssue {
    /// Row number in the file (1-based; the header is row 1 in a typical file).
    pub row: usize,
    /// The file's header of the column, when the field is mapped to one.
    pub column: Option<String>,
    /// The field key, e.g. `employee_no`.
    pub field: String,
    /// Stable code, e.g. `required`, `not_found`, `duplicate`.
    pub code: String,
    /// English explanation (pages show the user's language).
    pub detail: String,
}

/// The outcome of a check, a dry run or a commit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    pub dry_run: bool,
    /// True only when the records were written (never with issues).
    pub committed: bool,
    /// Data rows in the file.
    pub rows: usize,
    /// Records written (or that would be written, on a dry run without issues).
    pub written: usize,
    /// Required fields no column is mapped to.
    pub missing_columns: Vec<String>,
    /// Fields mapped from more than one column.
    pub duplicate_columns: Vec<String>,
    pub issues: Vec<RowIssue>,
}

impl Report {
    pub fn ok(&self) -> bool {
        self.issues.is_empty()
            && self.missing_columns.is_empty()
            && self.duplicate_columns.is_empty()
    }
}
