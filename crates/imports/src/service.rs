//! Import use cases: upload, read back, map, check, dry run and commit. Only the uploader sees
//! an import (anyone else gets 404); the importer's policy is asked at every step; the records,
//! their audit events, the import's own audit event and its "committed" mark are written in ONE
//! transaction, so a failure anywhere leaves nothing behind.
use crate::kit::{DynImporter, ImportFailure, Report, RowError, RowIssue};
use crate::store::{self, NewImport, StoredImport};
use db::Db;
use kernel::{AppError, AppResult, Ctx};
use serde::Serialize;
use sheets::{Format, Limits, Mapping, SheetError, Table};
use utoipa::ToSchema;

/// How long an upload is kept for the next step.
pub const KEEP_MS: i64 = 24 * 3600 * 1000;
/// Rows shown in a preview.
pub const PREVIEW_ROWS: usize = 20;

/// Files the kit reads: what `sheets` accepts, with the upload size the server allows.
pub fn limits(max_upload_bytes: usize) -> Limits {
    Limits {
        max_bytes: max_upload_bytes,
        ..Limits::default()
    }
}

/// Why an upload was refused: the file itself (shown in the user's language) or anything else.
#[derive(Debug)]
pub enum UploadError {
    File(SheetError),
    App(AppError),
}

impl From<AppError> for UploadError {
    fn from(e: AppError) -> Self {
        UploadError::App(e)
    }
}

impl From<db::DbError> for UploadError {
    fn from(e: db::DbError) -> Self {
        UploadError::App(e.into())
    }
}

impl UploadError {
    /// As an API problem: a 413 for size, else a 422 naming the `file` field.
    pub fn into_app(self) -> AppError {
        match self {
            UploadError::File(SheetError::TooLarge { .. }) => AppError::PayloadTooLarge,
            UploadError::File(e) => AppError::field("file", e.code(), e.to_string()),
            UploadError::App(e) => e,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewRow {
    pub row: usize,
    pub cells: Vec<String>,
}

/// An upload as the next step sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportView {
    pub id: i64,
    pub kind: String,
    pub filename: String,
    /// `csv` or `xlsx`.
    pub format: String,
    /// The text encoding detected (`UTF-8`, `GB18030`, …) or `XLSX`.
    pub encoding: String,
    /// `uploaded` or `committed`.
    pub status: String,
    pub version: i64,
    pub header: Vec<String>,
    /// Per file column, the field key it is mapped to (`null` = ignored).
    pub mapping: Vec<Option<String>>,
    /// Headers that are not mapped.
    pub unmapped: Vec<String>,
    /// The field keys an import can map to, in template order.
    pub fields: Vec<String>,
    pub rows: usize,
    /// The first rows, in file order.
    pub preview: Vec<PreviewRow>,
    /// Problems found by reading every row (without touching the database); a dry run also
    /// checks references, uniqueness and permissions.
    pub check: Report,
    pub created_at: i64,
    pub expires_at: i64,
}

/// Refuses what is not a spreadsheet by name or by content (the two must agree).
fn check_type(filename: &str, bytes: &[u8]) -> Result<(), SheetError> {
    let ext = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let sniffed = Format::sniff(bytes)?;
    match (ext.as_str(), sniffed) {
        ("xlsx", Format::Xlsx) | ("csv" | "txt" | "tsv", Format::Csv) => Ok(()),
        ("xls", _) => Err(SheetError::LegacyXls),
        ("xlsx", Format::Csv) | ("csv" | "txt" | "tsv", Format::Xlsx) => {
            Err(SheetError::Malformed(
                "the file's content does not match its name (.csv or .xlsx)".into(),
            ))
        }
        _ => Err(SheetError::Malformed(
            "only .xlsx and .csv files can be imported".into(),
        )),
    }
}

fn clean_filename(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let s: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if s.trim().is_empty() {
        "upload".into()
    } else {
        s
    }
}

/// Stores an uploaded file after reading it completely (a file that cannot be read is refused
/// now, not at the next step). With `idem`, a retried upload replays the first one.
pub async fn upload(
    db: &Db,
    ctx: &Ctx,
    imp: &dyn DynImporter,
    filename: &str,
    bytes: &[u8],
    limits: &Limits,
    idem: Option<&db::idempotency::Idem>,
) -> Result<ImportView, UploadError> {
    if !imp.may_import(&ctx.actor) {
        return Err(AppError::Forbidden("import these records").into());
    }
    let filename = clean_filename(filename);
    if bytes.len() > limits.max_bytes {
        return Err(UploadError::File(SheetError::TooLarge {
            max_bytes: limits.max_bytes,
        }));
    }
    check_type(&filename, bytes).map_err(UploadError::File)?;
    let table = sheets::read(bytes, limits).map_err(UploadError::File)?;
    let mut tx = db.write().await?;
    if let Some(id) = db::idempotency::replayed(&mut tx, idem).await? {
        let stored = store::get(&mut tx, id, imp.kind(), ctx.now_ms)
            .await?
            .ok_or(AppError::NotFound)?;
        return Ok(view(imp, &stored, &table));
    }
    let id = store::insert(
        &mut tx,
        &NewImport {
            owner_user_id: ctx.actor.user_id,
            kind: imp.kind(),
            filename: &filename,
            content: bytes,
            now: ctx.now_ms,
            expires_at: ctx.now_ms + KEEP_MS,
        },
    )
    .await?;
    let after = serde_json::json!({
        "kind": imp.kind(), "filename": filename, "bytes": bytes.len(), "rows": table.rows.len(),
    });
    db::audit::log_change(
        &mut tx,
        ctx,
        "import.upload",
        "import",
        Some(id),
        None,
        Some(after),
    )
    .await?;
    let location = format!("/api/v1/imports/{}/{id}", imp.kind());
    db::idempotency::remember(&mut tx, idem, 201, id, &location, ctx.now_ms).await?;
    let stored = store::get(&mut tx, id, imp.kind(), ctx.now_ms)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view(imp, &stored, &table))
}

/// The caller's own, unexpired import of this kind, read back; anything else is 404.
async fn load(
    db: &Db,
    ctx: &Ctx,
    imp: &dyn DynImporter,
    id: i64,
    limits: &Limits,
) -> AppResult<(StoredImport, Table)> {
    if !imp.may_import(&ctx.actor) {
        return Err(AppError::Forbidden("import these records"));
    }
    let mut tx = db.read().await?;
    let s = store::get(&mut tx, id, imp.kind(), ctx.now_ms)
        .await?
        .filter(|s| s.owner_user_id == ctx.actor.user_id)
        .ok_or(AppError::NotFound)?;
    drop(tx);
    // The file was read at upload; reading it again with the same limits cannot fail unless
    // the limits were lowered since, which is then reported like a bad upload.
    let table = sheets::read(&s.content, limits)
        .map_err(|e| AppError::field("file", e.code(), e.to_string()))?;
    Ok((s, table))
}

fn mapping_of(imp: &dyn DynImporter, s: &StoredImport, table: &Table) -> Mapping {
    let spec: Vec<sheets::Column> = imp.columns().iter().map(|c| c.column).collect();
    let saved: Option<Vec<Option<String>>> = s
        .mapping
        .as_deref()
        .and_then(|m| serde_json::from_str(m).ok());
    match saved {
        Some(choice) => Mapping::explicit(&spec, table.header.len(), &choice)
            .unwrap_or_else(|_| auto_map(imp, &table.header)),
        None => auto_map(imp, &table.header),
    }
}

/// The importer's names first, then its labels in both languages — what its template and the
/// module's export write — so a template or an export always reads back fully mapped.
fn auto_map(imp: &dyn DynImporter, header: &[String]) -> Mapping {
    let spec: Vec<sheets::Column> = imp.columns().iter().map(|c| c.column).collect();
    let mut m = Mapping::auto(&spec, header);
    for (i, h) in header.iter().enumerate() {
        if m.assigned[i].is_some() {
            continue;
        }
        let n = sheets::normalize_header(h);
        let hit = imp.columns().iter().find(|c| {
            !m.assigned.contains(&Some(c.column.key))
                && kernel::Locale::ALL
                    .iter()
                    .any(|l| sheets::normalize_header(ui::t(*l, c.label_key)) == n)
        });
        if let Some(c) = hit {
            m.assigned[i] = Some(c.column.key);
        }
    }
    m
}

fn issues(table: &Table, mapping: &Mapping, errs: Vec<RowError>) -> Vec<RowIssue> {
    let mut out: Vec<RowIssue> = errs
        .into_iter()
        .map(|e| RowIssue {
            row: e.row,
            column: mapping
                .column_of(&e.error.field)
                .and_then(|i| table.header.get(i))
                .cloned(),
            field: e.error.field,
            code: e.error.code.to_string(),
            detail: e.error.detail,
        })
        .collect();
    out.sort_by_key(|i| i.row);
    out
}

fn report_base(imp: &dyn DynImporter, table: &Table, mapping: &Mapping, dry_run: bool) -> Report {
    let spec: Vec<sheets::Column> = imp.columns().iter().map(|c| c.column).collect();
    Report {
        dry_run,
        committed: false,
        rows: table.rows.len(),
        written: 0,
        missing_columns: mapping
            .missing(&spec)
            .iter()
            .map(|s| s.to_string())
            .collect(),
        duplicate_columns: mapping.duplicates().iter().map(|s| s.to_string()).collect(),
        issues: Vec::new(),
    }
}

fn view(imp: &dyn DynImporter, s: &StoredImport, table: &Table) -> ImportView {
    let mapping = mapping_of(imp, s, table);
    let mut check = report_base(imp, table, &mapping, true);
    if check.missing_columns.is_empty() && check.duplicate_columns.is_empty() {
        check.issues = issues(table, &mapping, imp.check(table, &mapping));
    }
    ImportView {
        id: s.id,
        kind: s.kind.clone(),
        filename: s.filename.clone(),
        format: table.format.as_str().into(),
        encoding: table.encoding.into(),
        status: s.status.clone(),
        version: s.version,
        header: table.header.clone(),
        mapping: mapping
            .assigned
            .iter()
            .map(|k| k.map(String::from))
            .collect(),
        unmapped: mapping
            .unmapped(&table.header)
            .into_iter()
            .map(|(_, h)| h.to_string())
            .collect(),
        fields: imp
            .columns()
            .iter()
            .map(|c| c.column.key.to_string())
            .collect(),
        rows: table.rows.len(),
        preview: table
            .rows
            .iter()
            .take(PREVIEW_ROWS)
            .map(|r| PreviewRow {
                row: r.number,
                cells: r.cells.clone(),
            })
            .collect(),
        check,
        created_at: s.created_at,
        expires_at: s.expires_at,
    }
}

/// The import with its mapping, preview and the problems every row has on its own.
pub async fn get(
    db: &Db,
    ctx: &Ctx,
    imp: &dyn DynImporter,
    id: i64,
    limits: &Limits,
) -> AppResult<ImportView> {
    let (s, table) = load(db, ctx, imp, id, limits).await?;
    Ok(view(imp, &s, &table))
}

/// Replaces the mapping: one entry per file column, a field key or `None` to ignore it.
pub async fn set_mapping(
    db: &Db,
    ctx: &Ctx,
    imp: &dyn DynImporter,
    id: i64,
    expected_version: i64,
    choice: &[Option<String>],
    limits: &Limits,
) -> AppResult<ImportView> {
    let (s, table) = load(db, ctx, imp, id, limits).await?;
    if s.status != "uploaded" {
        return Err(AppError::Conflict(
            "this file has already been imported".into(),
        ));
    }
    if choice.len() != table.header.len() {
        return Err(AppError::field(
            "mapping",
            "invalid",
            format!(
                "give one entry per column of the file ({})",
                table.header.len()
            ),
        ));
    }
    let spec: Vec<sheets::Column> = imp.columns().iter().map(|c| c.column).collect();
    let mapping = Mapping::explicit(&spec, table.header.len(), choice).map_err(|(col, key)| {
        AppError::field(
            format!("mapping[{}]", col - 1),
            "invalid",
            format!("{key} is not a field of this import"),
        )
    })?;
    let saved: Vec<Option<&str>> = mapping.assigned.clone();
    let json = serde_json::to_string(&saved).map_err(|e| AppError::Internal(e.to_string()))?;
    let mut tx = db.write().await?;
    if store::set_mapping(&mut tx, id, expected_version, &json, ctx.now_ms).await? == 0 {
        return Err(AppError::PreconditionFailed);
    }
    db::audit::log_change(
        &mut tx,
        ctx,
        "import.mapping",
        "import",
        Some(id),
        None,
        Some(serde_json::json!({ "mapping": saved })),
    )
    .await?;
    let stored = store::get(&mut tx, id, imp.kind(), ctx.now_ms)
        .await?
        .ok_or(AppError::NotFound)?;
    tx.commit().await?;
    Ok(view(imp, &stored, &table))
}

/// Runs the import. A dry run does everything a commit does — parsing, the module's reference,
/// uniqueness and permission checks, the writes — inside a transaction that is then rolled
/// back, so its report is exactly what a commit would meet. A commit with any problem writes
/// nothing and reports every problem found.
pub async fn run(
    db: &Db,
    ctx: &Ctx,
    imp: &dyn DynImporter,
    id: i64,
    dry_run: bool,
    limits: &Limits,
) -> AppResult<Report> {
    let (s, table) = load(db, ctx, imp, id, limits).await?;
    if s.status != "uploaded" {
        return Err(AppError::Conflict(
            "this file has already been imported".into(),
        ));
    }
    let mapping = mapping_of(imp, &s, &table);
    let mut report = report_base(imp, &table, &mapping, dry_run);
    if !report.ok() {
        return Ok(report);
    }
    let mut tx = db.write().await?;
    match imp.run(&mut tx, ctx, &table, &mapping).await {
        Ok(n) => {
            report.written = n;
            if dry_run {
                drop(tx);
                return Ok(report);
            }
            report.committed = true;
            let json =
                serde_json::to_string(&report).map_err(|e| AppError::Internal(e.to_string()))?;
            if store::mark_committed(&mut tx, id, &json, ctx.now_ms).await? == 0 {
                return Err(AppError::Conflict(
                    "this file has already been imported".into(),
                ));
            }
            let after = serde_json::json!({
                "kind": imp.kind(), "filename": s.filename, "rows": table.rows.len(), "written": n,
            });
            db::audit::log_change(
                &mut tx,
                ctx,
                "import.commit",
                "import",
                Some(id),
                None,
                Some(after),
            )
            .await?;
            tx.commit().await?;
            Ok(report)
        }
        Err(ImportFailure::Rows(errs)) => {
            drop(tx);
            report.issues = issues(&table, &mapping, errs);
            Ok(report)
        }
        Err(ImportFailure::App(e)) => Err(e),
    }
}

/// A failed commit as a problem: 422 with one entry per issue, `rows[N].field`.
pub fn report_problem(r: &Report) -> AppError {
    let mut errs: Vec<kernel::FieldError> = Vec::new();
    for k in &r.missing_columns {
        errs.push(kernel::FieldError::new(
            "mapping",
            "missing_column",
            format!("no column is mapped to the required field {k}"),
        ));
    }
    for k in &r.duplicate_columns {
        errs.push(kernel::FieldError::new(
            "mapping",
            "duplicate_column",
            format!("more than one column is mapped to {k}"),
        ));
    }
    for i in &r.issues {
        let col = i
            .column
            .as_deref()
            .map(|c| format!(", column {c}"))
            .unwrap_or_default();
        errs.push(kernel::FieldError {
            field: format!("rows[{}].{}", i.row, i.field),
            code: "row_invalid",
            detail: format!("row {}{col}: {} ({})", i.row, i.detail, i.code),
        });
    }
    AppError::Validation(errs)
}

/// Deletes expired uploads; run by the housekeeping job.
pub async fn purge(db: &Db, now: i64) -> AppResult<u64> {
    let mut tx = db.write().await?;
    let n = store::purge(&mut tx, now).await?;
    tx.commit().await?;
    Ok(n)
}

/// A template for this kind: the header in the user's language (required fields marked `*`)
/// and the example rows.
pub fn template(
    imp: &dyn DynImporter,
    locale: kernel::Locale,
    format: Format,
) -> AppResult<Vec<u8>> {
    let header: Vec<String> = imp
        .columns()
        .iter()
        .map(|c| {
            let label = ui::t(locale, c.label_key);
            if c.column.required {
                format!("{label} *")
            } else {
                label.to_string()
            }
        })
        .collect();
    let rows = imp.template_rows(locale);
    match format {
        Format::Csv => Ok(sheets::write_csv(&header, &rows)),
        Format::Xlsx => sheets::write_xlsx(ui::t(locale, imp.title_key()), &header, &rows)
            .map_err(|e| AppError::Internal(e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_must_match_name_and_content() {
        assert!(check_type("a.csv", b"x,y\n").is_ok());
        assert!(check_type("A.XLSX", b"PK\x03\x04....").is_ok());
        assert!(check_type("a.xlsx", b"x,y\n").is_err());
        assert!(check_type("a.csv", b"PK\x03\x04").is_err());
        assert_eq!(
            check_type("a.xls", b"\xd0\xcf\x11\xe0"),
            Err(SheetError::LegacyXls)
        );
        assert!(check_type("a.exe", b"MZ").is_err());
        assert_eq!(clean_filename("C:\\x\\人员.csv"), "人员.csv");
        assert_eq!(clean_filename("../../"), "upload");
    }
}
