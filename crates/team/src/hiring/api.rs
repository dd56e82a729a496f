//! `/api/v1/headcount-requests`, `/openings`, `/candidates`, `/interviews`, `/offers` and
//! `/hiring/funnel`: the hiring pipeline over JSON. Salaries and budgets are `null` and
//! scorecards withheld for callers the policy does not allow to see them.
use super::edits;
use super::model::{
    Candidate, CandidateInput, Funnel, HeadcountDecision, HeadcountInput, HeadcountRequest,
    HireInput, Interview, InterviewInput, MoveInput, Offer, OfferInput, Opening, OpeningInput,
    ScorecardInput, Stage,
};
use super::patch::{CandidatePatch, HeadcountPatch, InterviewPatch, OfferPatch, OpeningPatch};
use super::service::{self, CandidateQuery};
use crate::api::{created, json_body, read_response, with_etag};
use crate::model::Person;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiJson, ApiQuery, AppState, IdempotencyKey, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_headcount, create_headcount))
        .routes(routes!(get_headcount, update_headcount))
        .routes(routes!(decide_headcount))
        .routes(routes!(list_openings, create_opening))
        .routes(routes!(get_opening, update_opening))
        .routes(routes!(list_candidates, create_candidate))
        .routes(routes!(get_candidate, update_candidate))
        .routes(routes!(move_candidate))
        .merge(
            // CVs are larger than the general body limit allows.
            OpenApiRouter::new().routes(routes!(get_cv, put_cv)).layer(
                axum::extract::DefaultBodyLimit::max(ui::multipart::UPLOAD_MAX_BYTES),
            ),
        )
        .routes(routes!(list_interviews, create_interview))
        .routes(routes!(get_interview, update_interview))
        .routes(routes!(submit_scorecard))
        .routes(routes!(list_offers, create_offer))
        .routes(routes!(get_offer, update_offer))
        .routes(routes!(hire_candidate))
        .routes(routes!(funnel))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusPageQuery {
    /// Only rows with this status.
    pub status: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HeadcountPage {
    pub items: Vec<HeadcountRequest>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OpeningPage {
    pub items: Vec<Opening>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CandidatePage {
    pub items: Vec<Candidate>,
    pub next_cursor: Option<String>,
}

// ---------------------------------------------------------------- headcount

/// Headcount requests the caller may see (their departments, or the department they head), newest first.
#[utoipa::path(get, path = "/api/v1/headcount-requests", tag = "hiring", params(StatusPageQuery),
    responses((status = 200, body = HeadcountPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_headcount(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<StatusPageQuery>,
) -> Result<Json<HeadcountPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_headcount(
        &st.db,
        &ctx,
        q.status.as_deref(),
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(HeadcountPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Request headcount (admins, managers of the department); the department's head decides.
#[utoipa::path(post, path = "/api/v1/headcount-requests", tag = "hiring", request_body = HeadcountInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = HeadcountRequest), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_headcount(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: HeadcountInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let h = service::create_headcount(&st.db, &ctx, &input, idem.as_ref()).await?;
    let (id, v) = (h.id, h.version);
    Ok(created(
        h,
        &format!("/api/v1/headcount-requests/{id}"),
        id,
        v,
    ))
}

/// One headcount request.
#[utoipa::path(get, path = "/api/v1/headcount-requests/{id}", tag = "hiring",
    params(("id" = i64, Path, description = "Request id")),
    responses((status = 200, body = HeadcountRequest), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_headcount(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let h = service::get_headcount(&st.db, &ctx, id).await?;
    let v = h.version;
    Ok(read_response(&headers, h, id, v))
}

/// Change a pending request (position, headcount, budget, currency, justification); a decided
/// request is immutable (409). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/headcount-requests/{id}", tag = "hiring", request_body = HeadcountPatch,
    params(("id" = i64, Path, description = "Request id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = HeadcountRequest), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_headcount(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<HeadcountPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let h = edits::update_headcount(&st.db, &ctx, id, version, &p).await?;
    let (id, version) = (h.id, h.version);
    Ok(ui::api::versioned(StatusCode::OK, h, id, version))
}

/// Approve or reject a pending request (the department's head, or an admin). Needs `If-Match`.
#[utoipa::path(post, path = "/api/v1/headcount-requests/{id}/decision", tag = "hiring", request_body = HeadcountDecision,
    params(("id" = i64, Path, description = "Request id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = HeadcountRequest), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn decide_headcount(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(d): ApiJson<HeadcountDecision>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let h = service::decide_headcount(&st.db, &ctx, id, version, &d).await?;
    let etag = etag_for(h.id, h.version);
    Ok(with_etag(Json(h).into_response(), &etag))
}

// ---------------------------------------------------------------- openings

/// Job openings the caller may see, newest first.
#[utoipa::path(get, path = "/api/v1/openings", tag = "hiring", params(StatusPageQuery),
    responses((status = 200, body = OpeningPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_openings(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<StatusPageQuery>,
) -> Result<Json<OpeningPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_openings(
        &st.db,
        &ctx,
        q.status.as_deref(),
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(OpeningPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Open a position (admins, managers of the department).
#[utoipa::path(post, path = "/api/v1/openings", tag = "hiring", request_body = OpeningInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = Opening), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_opening(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: OpeningInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let o = service::create_opening(&st.db, &ctx, &input, idem.as_ref()).await?;
    let (id, v) = (o.id, o.version);
    Ok(created(o, &format!("/api/v1/openings/{id}"), id, v))
}

/// One opening.
#[utoipa::path(get, path = "/api/v1/openings/{id}", tag = "hiring",
    params(("id" = i64, Path, description = "Opening id")),
    responses((status = 200, body = Opening), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_opening(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = service::get_opening(&st.db, &ctx, id).await?;
    let v = o.version;
    Ok(read_response(&headers, o, id, v))
}

/// Change an opening: title, description, hiring manager, salary range (admins and the
/// department's managers), currency, status (`open`/`closed`). Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/openings/{id}", tag = "hiring", request_body = OpeningPatch,
    params(("id" = i64, Path, description = "Opening id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Opening), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_opening(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<OpeningPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = edits::update_opening(&st.db, &ctx, id, version, &p).await?;
    let (id, version) = (o.id, o.version);
    Ok(ui::api::versioned(StatusCode::OK, o, id, version))
}

// ---------------------------------------------------------------- candidates

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CandidateListQuery {
    pub opening_id: Option<i64>,
    pub stage: Option<Stage>,
    pub source: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// Candidates of the openings the caller may see, in order of application.
#[utoipa::path(get, path = "/api/v1/candidates", tag = "hiring", params(CandidateListQuery),
    responses((status = 200, body = CandidatePage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn list_candidates(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<CandidateListQuery>,
) -> Result<Json<CandidatePage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_candidates(
        &st.db,
        &ctx,
        &CandidateQuery {
            opening_id: q.opening_id,
            stage: q.stage,
            source: q.source.as_deref(),
            cursor: q.cursor.as_deref(),
            limit: q.limit,
        },
    )
    .await?;
    Ok(Json(CandidatePage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Add a candidate to an open opening (stage `applied`).
#[utoipa::path(post, path = "/api/v1/candidates", tag = "hiring", request_body = CandidateInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = Candidate), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 403, body = ui::error::Problem),
              (status = 404, description = "The opening does not exist or is not visible to the caller", body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_candidate(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: CandidateInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let c = service::create_candidate(&st.db, &ctx, &input, idem.as_ref()).await?;
    let (id, v) = (c.id, c.version);
    Ok(created(c, &format!("/api/v1/candidates/{id}"), id, v))
}

/// One candidate.
#[utoipa::path(get, path = "/api/v1/candidates/{id}", tag = "hiring",
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 200, body = Candidate), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_candidate(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::get_candidate(&st.db, &ctx, id).await?;
    let v = c.version;
    Ok(read_response(&headers, c, id, v))
}

/// Change a candidate's details: name, email, phone, source, notes. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/candidates/{id}", tag = "hiring", request_body = CandidatePatch,
    params(("id" = i64, Path, description = "Candidate id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Candidate), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_candidate(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<CandidatePatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = edits::update_candidate(&st.db, &ctx, id, version, &p).await?;
    let (id, version) = (c.id, c.version);
    Ok(ui::api::versioned(StatusCode::OK, c, id, version))
}

/// Move a candidate to another stage (not `hired`: use hire). Needs `If-Match`.
#[utoipa::path(post, path = "/api/v1/candidates/{id}/move", tag = "hiring", request_body = MoveInput,
    params(("id" = i64, Path, description = "Candidate id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Candidate), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn move_candidate(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(m): ApiJson<MoveInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::move_candidate(&st.db, &ctx, id, version, &m).await?;
    let etag = etag_for(c.id, c.version);
    Ok(with_etag(Json(c).into_response(), &etag))
}

/// A CV file served as an attachment, never rendered inline.
pub fn attachment(filename: &str, content_type: &str, bytes: Vec<u8>) -> Response {
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let utf8: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{ascii}\"; filename*=UTF-8''{utf8}"
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    r
}

/// Download the candidate's CV (attachment, `nosniff`).
#[utoipa::path(get, path = "/api/v1/candidates/{id}/cv", tag = "hiring",
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 200, description = "The file (PDF, DOC or DOCX) as an attachment"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_cv(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (name, ct, bytes) = service::download_cv(&st.db, &ctx, id).await?;
    Ok(attachment(&name, &ct, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CvQuery {
    /// The file's name; its extension must match the content (pdf, doc, docx).
    pub filename: String,
}

/// Upload (or replace) the candidate's CV: the raw file as the body, at most 4 MiB; PDF, DOC
/// or DOCX recognised by content.
#[utoipa::path(put, path = "/api/v1/candidates/{id}/cv", tag = "hiring", params(("id" = i64, Path, description = "Candidate id"), CvQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 200, body = Candidate), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 413, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn put_cv(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<CvQuery>,
    body: Bytes,
) -> Result<Json<Candidate>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::upload_cv(&st.db, &ctx, id, &q.filename, &body).await?,
    ))
}

// ---------------------------------------------------------------- interviews

/// The candidate's interviews; scorecards only for the hiring team.
#[utoipa::path(get, path = "/api/v1/candidates/{id}/interviews", tag = "hiring",
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 200, body = Vec<Interview>), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn list_interviews(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Interview>>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::list_interviews(&st.db, &ctx, id).await?))
}

/// Schedule an interview; the interviewer joins the hiring team.
#[utoipa::path(post, path = "/api/v1/candidates/{id}/interviews", tag = "hiring", request_body = InterviewInput,
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 201, body = Interview), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_interview(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: InterviewInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let i = service::schedule_interview(&st.db, &ctx, id, &input, idem.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(i)).into_response())
}

/// One interview, visible like its candidate; the scorecard only for the hiring team.
#[utoipa::path(get, path = "/api/v1/interviews/{id}", tag = "hiring",
    params(("id" = i64, Path, description = "Interview id")),
    responses((status = 200, body = Interview), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_interview(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let i = edits::get_interview(&st.db, &ctx, id).await?;
    let v = i.version;
    Ok(read_response(&headers, i, id, v))
}

/// Reschedule an interview (time, kind, interviewer: who runs hiring) and/or replace its
/// scorecard (only the interviewer). The interviewer cannot change once a scorecard is in (409).
/// Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/interviews/{id}", tag = "hiring", request_body = InterviewPatch,
    params(("id" = i64, Path, description = "Interview id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Interview), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_interview(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<InterviewPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let i = edits::update_interview(&st.db, &ctx, id, version, &p).await?;
    let (id, version) = (i.id, i.version);
    Ok(ui::api::versioned(StatusCode::OK, i, id, version))
}

/// The interviewer submits the scorecard (criteria ratings 1–5, recommendation, notes).
#[utoipa::path(put, path = "/api/v1/interviews/{id}/scorecard", tag = "hiring", request_body = ScorecardInput,
    params(("id" = i64, Path, description = "Interview id")),
    responses((status = 200, body = Interview), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn submit_scorecard(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<ScorecardInput>,
) -> Result<Json<Interview>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::submit_scorecard(&st.db, &ctx, id, &input).await?,
    ))
}

// ---------------------------------------------------------------- offers and hire

/// The candidate's offers (salaries `null` for callers who may not see them).
#[utoipa::path(get, path = "/api/v1/candidates/{id}/offers", tag = "hiring",
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 200, body = Vec<Offer>), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn list_offers(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Offer>>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::list_offers(&st.db, &ctx, id).await?))
}

/// Make an offer (admins and the department's managers); the candidate moves to `offer`.
#[utoipa::path(post, path = "/api/v1/candidates/{id}/offers", tag = "hiring", request_body = OfferInput,
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 201, body = Offer), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_offer(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: OfferInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let o = service::create_offer(&st.db, &ctx, id, &input, idem.as_ref()).await?;
    Ok((StatusCode::CREATED, Json(o)).into_response())
}

/// One offer, visible like its candidate (salary `null` for callers who may not see it).
#[utoipa::path(get, path = "/api/v1/offers/{id}", tag = "hiring",
    params(("id" = i64, Path, description = "Offer id")),
    responses((status = 200, body = Offer), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_offer(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = service::get_offer(&st.db, &ctx, id).await?;
    let v = o.version;
    Ok(read_response(&headers, o, id, v))
}

/// Change a sent offer: its terms (salary, currency, start date: admins and the department's
/// managers) and/or its outcome (accepted, declined, withdrawn). An outcome is final (409).
/// Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/offers/{id}", tag = "hiring", request_body = OfferPatch,
    params(("id" = i64, Path, description = "Offer id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Offer), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_offer(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<OfferPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = edits::update_offer(&st.db, &ctx, id, version, &p).await?;
    let (id, version) = (o.id, o.version);
    Ok(ui::api::versioned(StatusCode::OK, o, id, version))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Hired {
    pub candidate: Candidate,
    pub person: Person,
}

/// Hire a candidate with an accepted offer: creates the person in the opening's department.
#[utoipa::path(post, path = "/api/v1/candidates/{id}/hire", tag = "hiring", request_body = HireInput,
    params(("id" = i64, Path, description = "Candidate id")),
    responses((status = 201, body = Hired), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn hire_candidate(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<HireInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (candidate, person) = service::hire(&st.db, &ctx, id, &input).await?;
    let mut r = (
        StatusCode::CREATED,
        Json(Hired {
            candidate,
            person: person.clone(),
        }),
    )
        .into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/people/{}", person.id)) {
        r.headers_mut().insert(header::LOCATION, v);
    }
    Ok(r)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FunnelQuery {
    /// One opening; all visible openings when absent.
    pub opening_id: Option<i64>,
}

/// Funnel metrics: conversion per stage, time to hire, source effectiveness.
#[utoipa::path(get, path = "/api/v1/hiring/funnel", tag = "hiring", params(FunnelQuery),
    responses((status = 200, body = Funnel), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn funnel(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<FunnelQuery>,
) -> Result<Json<Funnel>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::funnel_metrics(&st.db, &ctx, q.opening_id).await?,
    ))
}
