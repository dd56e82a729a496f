//! `/api/v1/imports/{kind}`: the import flow over JSON. Upload a file (multipart, field
//! `file`), read back the mapping and preview, correct the mapping (`If-Match`), then run it
//! as a dry run or for real. A commit with any problem writes nothing and answers 422 with one
//! `errors` entry per problem (`rows[N].field`).
use crate::kit::{DynImporter, Registry, Report};
use crate::service::{self, ImportView};
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use kernel::AppError;
use serde::Deserialize;
use std::sync::Arc;
use ui::{ApiError, ApiJson, ApiQuery, AppState, IdempotencyKey, IfMatch, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router(registry: Registry) -> OpenApiRouter<AppState> {
    // The upload reads its body itself, within the upload limit (the default body limit is
    // for ordinary requests).
    let upload = OpenApiRouter::new()
        .routes(routes!(upload))
        .layer(DefaultBodyLimit::disable());
    OpenApiRouter::new()
        .routes(routes!(template))
        .routes(routes!(get_import))
        .routes(routes!(set_mapping))
        .routes(routes!(run_import))
        .merge(upload)
        .layer(Extension(registry))
}

pub(crate) fn importer(reg: &Registry, kind: &str) -> Result<Arc<dyn DynImporter>, AppError> {
    reg.get(kind).ok_or(AppError::NotFound)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TemplateQuery {
    /// `xlsx` (default) or `csv` (UTF-8 with BOM).
    pub format: Option<String>,
}

pub(crate) fn file_format(s: Option<&str>) -> Result<sheets::Format, AppError> {
    match s {
        None => Ok(sheets::Format::Xlsx),
        Some(f) => sheets::Format::parse(f)
            .ok_or_else(|| AppError::field("format", "invalid", "must be xlsx or csv")),
    }
}

/// The import template of a kind: its columns (in the caller's language, required ones marked
/// `*`) and example rows.
#[utoipa::path(get, path = "/api/v1/imports/{kind}/template", tag = "imports",
    params(("kind" = String, Path, description = "What is imported, e.g. `people`"), TemplateQuery),
    responses((status = 200, description = "The template file", content(
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), ("text/csv"))),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn template(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path(kind): Path<String>,
    ApiQuery(q): ApiQuery<TemplateQuery>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let imp = importer(&reg, &kind)?;
    if !imp.may_import(&ctx.actor) {
        return Err(AppError::Forbidden("import these records").into());
    }
    let format = file_format(q.format.as_deref())?;
    Ok(template_response(&*imp, req.locale(), format)?)
}

pub(crate) fn template_response(
    imp: &dyn DynImporter,
    locale: kernel::Locale,
    format: sheets::Format,
) -> Result<Response, AppError> {
    let bytes = service::template(imp, locale, format)?;
    let ctype = match format {
        sheets::Format::Csv => sheets::CSV_CONTENT_TYPE,
        sheets::Format::Xlsx => sheets::XLSX_CONTENT_TYPE,
    };
    let name = format!("{}-template.{}", imp.kind(), format.as_str());
    Ok(crate::export::file_response(bytes, ctype, &name))
}

/// The multipart form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// An `.xlsx` or `.csv` file (CSV in UTF-8, UTF-8 with BOM or GBK/GB18030; `,` `;` or tab).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Reads the `file` part of a multipart body within `cap` bytes: (file name, bytes).
pub(crate) async fn read_file_part(
    mut mp: Multipart,
    cap: usize,
) -> Result<(String, Vec<u8>), service::UploadError> {
    let too_big = || service::UploadError::File(sheets::SheetError::TooLarge { max_bytes: cap });
    let bad =
        |m: &str| service::UploadError::App(AppError::field("file", "invalid", m.to_string()));
    while let Some(mut field) = mp
        .next_field()
        .await
        .map_err(|_| bad("the upload could not be read (multipart/form-data)"))?
    {
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_string();
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(c)) => {
                    if bytes.len() + c.len() > cap {
                        return Err(too_big());
                    }
                    bytes.extend_from_slice(&c);
                }
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(too_big()),
                Err(_) => return Err(bad("the upload was interrupted")),
            }
        }
        if bytes.is_empty() {
            return Err(bad("the file is empty"));
        }
        return Ok((name, bytes));
    }
    Err(service::UploadError::App(AppError::field(
        "file",
        "required",
        "send the file in a multipart field named `file`",
    )))
}

/// Upload a file to import. It is read completely now (a file that cannot be read is refused
/// with the reason), kept for 24 hours, and visible only to the uploader.
#[utoipa::path(post, path = "/api/v1/imports/{kind}", tag = "imports",
    params(("kind" = String, Path, description = "What is imported, e.g. `people`"),
           ("Idempotency-Key" = Option<String>, Header, description = "Replays the first upload for a retried request")),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = ImportView, description = "Stored; `Location` and `ETag` headers"),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 413, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem, description = "Not a readable .xlsx/.csv file; `errors[0].field` is `file`")))]
async fn upload(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path(kind): Path<String>,
    IdempotencyKey(key): IdempotencyKey,
    mp: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    // Who may upload is decided before the body is looked at: an anonymous caller gets 401
    // and one who may not import 403, whatever they sent.
    let ctx = req.ctx(st.now_ms())?;
    let imp = importer(&reg, &kind)?;
    if !imp.may_import(&ctx.actor) {
        return Err(AppError::Forbidden("import these records").into());
    }
    // The extractor's own answer, as before (`security::api_problems` makes it problem+json).
    let mp = match mp {
        Ok(mp) => mp,
        Err(rejection) => return Ok(rejection.into_response()),
    };
    let cap = st.web.max_upload_bytes;
    let (name, bytes) = read_file_part(mp, cap)
        .await
        .map_err(|e| ApiError(e.into_app()))?;
    let limits = service::limits(cap);
    // The retry of an upload is the same kind, file name and bytes.
    let fingerprint = [kind.as_bytes(), b"\0", name.as_bytes(), b"\0", &bytes].concat();
    let idem = db::idempotency::Idem::new(ctx.actor.user_id, key, &fingerprint);
    let v = service::upload(&st.db, &ctx, &*imp, &name, &bytes, &limits, idem.as_ref())
        .await
        .map_err(|e| ApiError(e.into_app()))?;
    let location = format!("/api/v1/imports/{kind}/{}", v.id);
    Ok(ui::api::created(&v, &location, v.id, v.version))
}

/// An upload: its columns, the mapping, the first rows and the problems each row has.
#[utoipa::path(get, path = "/api/v1/imports/{kind}/{id}", tag = "imports",
    params(("kind" = String, Path, description = "What is imported"), ("id" = i64, Path, description = "Import id")),
    responses((status = 200, body = ImportView), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_import(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path((kind, id)): Path<(String, i64)>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let imp = importer(&reg, &kind)?;
    let limits = service::limits(st.web.max_upload_bytes);
    let v = service::get(&st.db, &ctx, &*imp, id, &limits).await?;
    let (id, version) = (v.id, v.version);
    Ok(ui::api::versioned(StatusCode::OK, v, id, version))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MappingInput {
    /// One entry per column of the file: the field key it holds, or `null` to ignore it.
    pub mapping: Vec<Option<String>>,
}

/// Set which column holds which field. Needs `If-Match`.
#[utoipa::path(put, path = "/api/v1/imports/{kind}/{id}/mapping", tag = "imports",
    params(("kind" = String, Path, description = "What is imported"), ("id" = i64, Path, description = "Import id"),
           ("If-Match" = String, Header, description = "The ETag of the upload read")),
    request_body = MappingInput,
    responses((status = 200, body = ImportView), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 409, body = ui::error::Problem, description = "Already imported"),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn set_mapping(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path((kind, id)): Path<(String, i64)>,
    IfMatch(version): IfMatch,
    ApiJson(body): ApiJson<MappingInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let imp = importer(&reg, &kind)?;
    let limits = service::limits(st.web.max_upload_bytes);
    let v = service::set_mapping(&st.db, &ctx, &*imp, id, version, &body.mapping, &limits).await?;
    let (id, version) = (v.id, v.version);
    Ok(ui::api::versioned(StatusCode::OK, v, id, version))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RunInput {
    /// `true`: check everything a commit would, then write nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// Dry-run or commit the import, all or nothing. A dry run answers 200 with the report (its
/// `issues` list every problem). A commit answers 200 with `committed: true`, or 422 naming
/// every problem (`rows[N].field`) with nothing written.
#[utoipa::path(post, path = "/api/v1/imports/{kind}/{id}/run", tag = "imports",
    params(("kind" = String, Path, description = "What is imported"), ("id" = i64, Path, description = "Import id")),
    request_body = RunInput,
    responses((status = 200, body = Report), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 409, body = ui::error::Problem, description = "Already imported"),
              (status = 422, body = ui::error::Problem, description = "The commit found problems; nothing was written")))]
async fn run_import(
    State(st): State<AppState>,
    Extension(reg): Extension<Registry>,
    req: Req,
    Path((kind, id)): Path<(String, i64)>,
    ApiJson(body): ApiJson<RunInput>,
) -> Result<Json<Report>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let imp = importer(&reg, &kind)?;
    let limits = service::limits(st.web.max_upload_bytes);
    let report = service::run(&st.db, &ctx, &*imp, id, body.dry_run, &limits).await?;
    if !body.dry_run && !report.committed {
        return Err(service::report_problem(&report).into());
    }
    Ok(Json(report))
}
