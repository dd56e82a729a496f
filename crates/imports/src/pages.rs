//! The import pages, the same for every kind: start (template links, the columns it reads,
//! upload), review (mapping form, preview with per-row problems), and the result of a dry run
//! or a commit. Plain forms (multipart for the file), so everything works without JavaScript;
//! the CSRF token travels in the form like on every other page.
use crate::api::{file_format, importer, read_file_part, template_response};
use crate::kit::{DynImporter, Registry, Report, RowIssue};
use crate::service::{self, ImportView, UploadError};
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::Uri;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Form, Router};
use kernel::{AppError, Ctx, Locale};
use serde::Deserialize;
use sheets::SheetError;
use std::collections::HashMap;
use std::sync::Arc;
use ui::{AppState, Chrome, PageError, Req};

pub fn router(registry: Registry) -> Router<AppState> {
    Router::new()
        .route(
            "/imports/{kind}",
            get(start_page)
                .post(upload)
                .layer(DefaultBodyLimit::disable()),
        )
        .route("/imports/{kind}/template", get(template))
        .route("/imports/{kind}/{id}", get(review_page))
        .route("/imports/{kind}/{id}/mapping", post(save_mapping))
        .route("/imports/{kind}/{id}/run", post(run))
        .layer(Extension(registry))
}

type PageResult = Result<Response, PageError>;

fn here(uri: &Uri) -> String {
    uri.path_and_query()
        .map_or_else(|| uri.path().to_string(), |p| p.as_str().to_string())
}

fn ctx_of(st: &AppState, req: &Req) -> Result<Ctx, PageError> {
    req.ctx(st.now_ms()).map_err(|e| PageError(e, req.locale()))
}

/// The importer for `kind`, if the actor may use it (else the error page: 404 / 403).
fn allowed(reg: &Registry, kind: &str, ctx: &Ctx) -> Result<Arc<dyn DynImporter>, AppError> {
    let imp = importer(reg, kind)?;
    if !imp.may_import(&ctx.actor) {
        return Err(AppError::Forbidden("import these records"));
    }
    Ok(imp)
}

/// A problem's reason in the user's language: the shared `error.<code>`, else the kit's
/// `imports.code_<code>`, else the English detail.
pub fn issue_text(locale: Locale, i: &RowIssue) -> String {
    for k in [
        format!("error.{}", i.code),
        format!("imports.code_{}", i.code),
    ] {
        let s = ui::t(locale, &k);
        if s != k {
            return s.to_string();
        }
    }
    i.detail.clone()
}

/// Why a file was refused, in the user's language.
pub fn file_error_text(locale: Locale, e: &SheetError) -> String {
    let key = format!("imports.file_{}", e.code());
    let args: Vec<(&str, String)> = match e {
        SheetError::TooLarge { max_bytes } => {
            vec![("max", format!("{:.1} MiB", *max_bytes as f64 / 1048576.0))]
        }
        SheetError::TooManyRows { max } | SheetError::TooManyColumns { max } => {
            vec![("max", max.to_string())]
        }
        SheetError::CellTooLong { row, column, max } => vec![
            ("row", row.to_string()),
            ("column", column.to_string()),
            ("max", max.to_string()),
        ],
        SheetError::Doctype { entry } => vec![("entry", entry.clone())],
        SheetError::ZipBomb(why) | SheetError::Malformed(why) => vec![("why", why.clone())],
        _ => Vec::new(),
    };
    let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
    ui::i18n::tf(locale, &key, &args)
}

/// A column as the start page documents it.
struct ColumnDoc {
    label: &'static str,
    required: bool,
    names: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "import_start.html")]
struct StartPage {
    chrome: Chrome,
    kind: String,
    what: &'static str,
    list_href: &'static str,
    columns: Vec<ColumnDoc>,
    max_mib: String,
    error: Option<String>,
}

fn start(
    chrome: Chrome,
    imp: &dyn DynImporter,
    max_upload: usize,
    error: Option<String>,
) -> StartPage {
    let locale = chrome.locale;
    StartPage {
        kind: imp.kind().to_string(),
        what: ui::t(locale, imp.title_key()),
        list_href: imp.list_href(),
        columns: imp
            .columns()
            .iter()
            .map(|c| ColumnDoc {
                label: ui::t(locale, c.label_key),
                required: c.column.required,
                names: c.column.names.join(" · "),
            })
            .collect(),
        max_mib: format!("{:.0}", max_upload as f64 / 1048576.0),
        error,
        chrome,
    }
}

async fn start_page(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    uri: Uri,
    Path(kind): Path<String>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let imp = allowed(&reg, &kind, &ctx).map_err(|e| PageError(e, locale))?;
    let chrome =
        notify::pages::chrome(&st, &req, imp.list_href(), "imports.title", &here(&uri)).await;
    Ok(start(chrome, &*imp, st.web.max_upload_bytes, None).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TemplateParams {
    format: String,
}

async fn template(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path(kind): Path<String>,
    Query(p): Query<TemplateParams>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let imp = allowed(&reg, &kind, &ctx).map_err(pe)?;
    let format = file_format(Some(p.format.as_str()).filter(|s| !s.is_empty())).map_err(pe)?;
    template_response(&*imp, locale, format).map_err(pe)
}

async fn upload(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    uri: Uri,
    Path(kind): Path<String>,
    mp: Multipart,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let imp = allowed(&reg, &kind, &ctx).map_err(|e| PageError(e, locale))?;
    let cap = st.web.max_upload_bytes;
    let limits = service::limits(cap);
    let result = match read_file_part(mp, cap).await {
        Ok((name, bytes)) => {
            service::upload(&st.db, &ctx, &*imp, &name, &bytes, &limits, None).await
        }
        Err(e) => Err(e),
    };
    let message = match result {
        Ok(v) => return Ok(Redirect::to(&format!("/imports/{kind}/{}", v.id)).into_response()),
        Err(UploadError::File(e)) => file_error_text(locale, &e),
        Err(UploadError::App(AppError::Validation(errs))) => errs
            .iter()
            .map(|f| f.detail.clone())
            .collect::<Vec<_>>()
            .join("; "),
        Err(UploadError::App(e)) => return Err(PageError(e, locale)),
    };
    let chrome =
        notify::pages::chrome(&st, &req, imp.list_href(), "imports.title", &here(&uri)).await;
    let mut page = start(chrome, &*imp, cap, Some(message)).into_response();
    *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    Ok(page)
}

/// One choice of the mapping form.
struct FieldOpt {
    key: &'static str,
    label: String,
}

/// One file column in the mapping form.
struct MapRow {
    index: usize,
    header: String,
    sample: String,
    selected: String,
}

struct PreviewLine {
    row: usize,
    cells: Vec<String>,
    problems: Vec<String>,
}

struct IssueLine {
    row: usize,
    column: String,
    field: String,
    reason: String,
}

fn issue_lines(locale: Locale, imp: &dyn DynImporter, issues: &[RowIssue]) -> Vec<IssueLine> {
    issues
        .iter()
        .map(|i| IssueLine {
            row: i.row,
            column: i.column.clone().unwrap_or_default(),
            field: field_label(locale, imp, &i.field),
            reason: issue_text(locale, i),
        })
        .collect()
}

fn field_label(locale: Locale, imp: &dyn DynImporter, key: &str) -> String {
    imp.columns()
        .iter()
        .find(|c| c.column.key == key)
        .map_or_else(
            || key.to_string(),
            |c| ui::t(locale, c.label_key).to_string(),
        )
}

fn labels(locale: Locale, imp: &dyn DynImporter, keys: &[String]) -> String {
    keys.iter()
        .map(|k| field_label(locale, imp, k))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Template, WebTemplate)]
#[template(path = "import_review.html")]
struct ReviewPage {
    chrome: Chrome,
    v: ImportView,
    what: &'static str,
    list_href: &'static str,
    fields: Vec<FieldOpt>,
    map: Vec<MapRow>,
    preview_header: Vec<String>,
    preview: Vec<PreviewLine>,
    issues: Vec<IssueLine>,
    missing: String,
    duplicates: String,
    /// The outcome of a dry run or a failed/successful commit, shown above the form.
    report: Option<ReportView>,
}

struct ReportView {
    dry_run: bool,
    committed: bool,
    ok: bool,
    written: usize,
    issues: Vec<IssueLine>,
}

fn review(
    chrome: Chrome,
    imp: &dyn DynImporter,
    v: ImportView,
    report: Option<&Report>,
) -> ReviewPage {
    let locale = chrome.locale;
    let fields = imp
        .columns()
        .iter()
        .map(|c| FieldOpt {
            key: c.column.key,
            label: format!(
                "{}{}",
                ui::t(locale, c.label_key),
                if c.column.required { " *" } else { "" }
            ),
        })
        .collect();
    let first = v.preview.first();
    let map = v
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| MapRow {
            index: i,
            header: if h.is_empty() {
                format!("#{}", i + 1)
            } else {
                h.clone()
            },
            sample: first
                .and_then(|r| r.cells.get(i))
                .cloned()
                .unwrap_or_default(),
            selected: v.mapping.get(i).cloned().flatten().unwrap_or_default(),
        })
        .collect();
    let mapped: Vec<(usize, &str)> = v
        .mapping
        .iter()
        .enumerate()
        .filter_map(|(i, k)| k.as_deref().map(|k| (i, k)))
        .collect();
    let preview_header = mapped
        .iter()
        .map(|(_, k)| field_label(locale, imp, k))
        .collect();
    let mut by_row: HashMap<usize, Vec<String>> = HashMap::new();
    for i in &v.check.issues {
        by_row.entry(i.row).or_default().push(format!(
            "{}: {}",
            field_label(locale, imp, &i.field),
            issue_text(locale, i)
        ));
    }
    let preview = v
        .preview
        .iter()
        .map(|r| PreviewLine {
            row: r.row,
            cells: mapped
                .iter()
                .map(|(i, _)| r.cells.get(*i).cloned().unwrap_or_default())
                .collect(),
            problems: by_row.remove(&r.row).unwrap_or_default(),
        })
        .collect();
    let report = report.map(|r| ReportView {
        dry_run: r.dry_run,
        committed: r.committed,
        ok: r.ok(),
        written: r.written,
        issues: issue_lines(locale, imp, &r.issues),
    });
    ReviewPage {
        what: ui::t(locale, imp.title_key()),
        list_href: imp.list_href(),
        fields,
        map,
        preview_header,
        preview,
        issues: issue_lines(locale, imp, &v.check.issues),
        missing: labels(locale, imp, &v.check.missing_columns),
        duplicates: labels(locale, imp, &v.check.duplicate_columns),
        report,
        v,
        chrome,
    }
}

impl ReviewPage {
    fn written_text(&self, r: &ReportView) -> String {
        let key = if r.committed {
            "imports.done"
        } else if r.ok {
            "imports.dry_run_ok"
        } else if r.dry_run {
            "imports.dry_run_failed"
        } else {
            "imports.failed"
        };
        ui::i18n::tf(
            self.chrome.locale,
            key,
            &[("n", &r.written.to_string()), ("what", self.what)],
        )
    }

    fn rows_text(&self) -> String {
        ui::i18n::tf(
            self.chrome.locale,
            "imports.file_summary",
            &[
                ("rows", &self.v.rows.to_string()),
                ("format", &self.v.format.to_uppercase()),
                ("encoding", &self.v.encoding),
            ],
        )
    }
}

async fn render_review(
    st: &AppState,
    req: &Req,
    uri: &Uri,
    imp: &dyn DynImporter,
    v: ImportView,
    report: Option<&Report>,
) -> Response {
    let chrome = notify::pages::chrome(st, req, imp.list_href(), "imports.title", &here(uri)).await;
    review(chrome, imp, v, report).into_response()
}

fn parse_id(s: &str, locale: Locale) -> Result<i64, PageError> {
    s.parse::<i64>()
        .ok()
        .filter(|&i| i > 0)
        .ok_or(PageError(AppError::NotFound, locale))
}

async fn review_page(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    uri: Uri,
    Path((kind, id)): Path<(String, String)>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let id = parse_id(&id, locale)?;
    let imp = allowed(&reg, &kind, &ctx).map_err(pe)?;
    let limits = service::limits(st.web.max_upload_bytes);
    let v = service::get(&st.db, &ctx, &*imp, id, &limits)
        .await
        .map_err(pe)?;
    Ok(render_review(&st, &req, &uri, &*imp, v, None).await)
}

async fn save_mapping(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path((kind, id)): Path<(String, String)>,
    Form(form): Form<Vec<(String, String)>>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let id = parse_id(&id, locale)?;
    let imp = allowed(&reg, &kind, &ctx).map_err(pe)?;
    let limits = service::limits(st.web.max_upload_bytes);
    let version: i64 = form
        .iter()
        .find(|(k, _)| k == "version")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut choice: Vec<(usize, Option<String>)> = form
        .iter()
        .filter_map(|(k, v)| {
            let i: usize = k.strip_prefix("col_")?.parse().ok()?;
            Some((i, Some(v.clone()).filter(|v| !v.is_empty())))
        })
        .collect();
    choice.sort_by_key(|(i, _)| *i);
    let choice: Vec<Option<String>> = choice.into_iter().map(|(_, c)| c).collect();
    match service::set_mapping(&st.db, &ctx, &*imp, id, version, &choice, &limits).await {
        Ok(_) => Ok(Redirect::to(&format!("/imports/{kind}/{id}")).into_response()),
        // Someone (another tab) changed it: show the current state.
        Err(AppError::PreconditionFailed) => {
            Ok(Redirect::to(&format!("/imports/{kind}/{id}")).into_response())
        }
        Err(e) => Err(pe(e)),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RunForm {
    dry_run: String,
}

async fn run(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    uri: Uri,
    Path((kind, id)): Path<(String, String)>,
    Form(form): Form<RunForm>,
) -> PageResult {
    let locale = req.locale();
    let ctx = ctx_of(&st, &req)?;
    let pe = |e| PageError(e, locale);
    let id = parse_id(&id, locale)?;
    let imp = allowed(&reg, &kind, &ctx).map_err(pe)?;
    let limits = service::limits(st.web.max_upload_bytes);
    let dry_run = form.dry_run != "0";
    let report = service::run(&st.db, &ctx, &*imp, id, dry_run, &limits)
        .await
        .map_err(pe)?;
    let v = service::get(&st.db, &ctx, &*imp, id, &limits)
        .await
        .map_err(pe)?;
    let mut resp = render_review(&st, &req, &uri, &*imp, v, Some(&report)).await;
    if !report.ok() {
        *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(resp)
}
