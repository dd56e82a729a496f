//! `/api/v1/review-cycles`, `/api/v1/reviews` and `/api/v1/review-requests`: cycles (admins),
//! reviews (reviewee, managers, admins — anonymous directions only as aggregates at or above
//! the threshold), and the reviewer's own requests (draft, submit, decline).
use super::model::{Cycle, CycleInput, CyclePatch};
use super::service::{
    self, AnswersInput, DecisionInput, DepartmentProgress, Nomination, NominationInput,
    RequestForm, RequestSummary, ReviewDetail, ReviewPatch,
};
use super::store::Review;
use crate::goals::api::Id;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, IdempotencyKey, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cycles, create_cycle))
        .routes(routes!(get_cycle, update_cycle))
        .routes(routes!(cycle_reviews))
        .routes(routes!(cycle_progress))
        .routes(routes!(my_reviews))
        .routes(routes!(get_review, update_review))
        .routes(routes!(nominate_peers))
        .routes(routes!(my_requests))
        .routes(routes!(get_request, save_draft))
        .routes(routes!(submit_request))
        .routes(routes!(decline_request))
        .routes(routes!(decide_nomination))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CyclePage {
    pub items: Vec<Cycle>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewList {
    pub items: Vec<Review>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressReport {
    pub departments: Vec<DepartmentProgress>,
}

fn tagged<T: Serialize>(status: StatusCode, id: i64, version: i64, v: T) -> Response {
    (status, [(header::ETAG, etag_for(id, version))], Json(v)).into_response()
}

/// Review cycles, newest first. Cycle metadata and templates are readable by every user.
#[utoipa::path(get, path = "/api/v1/review-cycles", tag = "reviews", params(ListQuery),
    responses((status = 200, body = CyclePage),
              (status = 401, body = ui::error::Problem)))]
async fn list_cycles(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<CyclePage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_cycles(&st.db, &ctx, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(CyclePage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Start a cycle (admins): period, phase dates, anonymity threshold, peer limits, scale, the
/// question template per direction and the participants (department with sub-departments,
/// position, hired before, or a list). Creates each participant's self, manager and upward
/// requests. Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/review-cycles", tag = "reviews", request_body = CycleInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Cycle, headers(("Location" = String), ("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_cycle(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (CycleInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let c = service::create_cycle(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/review-cycles/{}", c.id);
    Ok(ui::api::created(&c, &location, c.id, c.version))
}

/// A cycle with its template.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = Cycle, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_cycle(State(st): State<AppState>, req: Req, Id(id): Id) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::get_cycle(&st.db, &ctx, id).await?;
    Ok(tagged(StatusCode::OK, c.id, c.version, c))
}

/// Rename, re-date, change the threshold or peer limits, or move the phase forward (admins).
/// Moving to `shared` notifies every reviewee. Requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/review-cycles/{id}", tag = "reviews", request_body = CyclePatch,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Cycle, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_cycle(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<CyclePatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::update_cycle(&st.db, &ctx, id, version, &patch).await?;
    Ok(tagged(StatusCode::OK, c.id, c.version, c))
}

/// The cycle's reviews the caller may see: their own, their reports' and their scope's
/// (managers), all (admins).
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/reviews", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewList),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn cycle_reviews(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<ReviewList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(ReviewList {
        items: service::list_reviews(&st.db, &ctx, id).await?,
    }))
}

/// Who has not submitted, per reviewer department (managers: their scope; admins: all). For
/// peer and upward requests a reviewer's open count is given, not for whom. `format=csv|xlsx`
/// answers the same rows as a file.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/progress", tag = "reviews",
    params(("id" = i64, Path), super::reports::api::ExportQuery),
    responses((status = 200, content((ProgressReport = "application/json"), ("text/csv"),
                ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn cycle_progress(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ApiQuery(q): ApiQuery<super::reports::api::ExportQuery>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let departments = service::progress(&st.db, &ctx, id).await?;
    if let Some(format) = q.format.and_then(imports::export::ExportFormat::file) {
        let cycle = service::get_cycle(&st.db, &ctx, id).await?;
        return super::reports::api::progress_file(
            req.locale(),
            ctx.now_ms,
            format,
            &cycle.name,
            &departments,
        );
    }
    Ok(Json(ProgressReport { departments }).into_response())
}

/// The caller's own reviews (as reviewee), across cycles.
#[utoipa::path(get, path = "/api/v1/reviews", tag = "reviews",
    responses((status = 200, body = ReviewList),
              (status = 401, body = ui::error::Problem)))]
async fn my_reviews(State(st): State<AppState>, req: Req) -> Result<Json<ReviewList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(ReviewList {
        items: service::my_reviews(&st.db, &ctx).await?,
    }))
}

/// One review: self and manager answers, peer and upward aggregates (only at or above the
/// threshold; after the feedback phase for managers, once shared for the reviewee), nominations.
#[utoipa::path(get, path = "/api/v1/reviews/{id}", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewDetail, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_review(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let d = service::get_review(&st.db, &ctx, id).await?;
    Ok(tagged(StatusCode::OK, d.review.id, d.review.version, d))
}

/// The manager's rating, proposed rating and comment (before sharing), or the reviewee's
/// acknowledgement and comment (after sharing). Requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/reviews/{id}", tag = "reviews", request_body = ReviewPatch,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Review, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_review(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<ReviewPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let r = service::update_review(&st.db, &ctx, id, version, &patch).await?;
    Ok(tagged(StatusCode::OK, r.id, r.version, r))
}

/// The reviewee nominates peers (up to the cycle's maximum); their manager approves them.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/peers", tag = "reviews", request_body = NominationInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = ReviewDetail),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn nominate_peers(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ui::ApiJson(input): ui::ApiJson<NominationInput>,
) -> Result<Json<ReviewDetail>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::nominate(&st.db, &ctx, id, &input).await?))
}

/// The caller's own reviewer requests (self, manager, approved peer, upward).
#[utoipa::path(get, path = "/api/v1/review-requests", tag = "reviews",
    responses((status = 200, body = RequestList),
              (status = 401, body = ui::error::Problem)))]
async fn my_requests(State(st): State<AppState>, req: Req) -> Result<Json<RequestList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(RequestList {
        items: service::my_requests(&st.db, &ctx).await?,
    }))
}

/// The reviewer's form: questions, draft and the reviewee's evidence (goals, scorecards,
/// kudos, completed training — as far as the reviewer may see them). Reviewer only.
#[utoipa::path(get, path = "/api/v1/review-requests/{id}", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = RequestForm, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_request(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let f = service::get_request(&st.db, &ctx, id).await?;
    Ok(tagged(StatusCode::OK, f.request.id, f.request.version, f))
}

/// Save a draft (partial answers). Requires `If-Match`.
#[utoipa::path(put, path = "/api/v1/review-requests/{id}", tag = "reviews", request_body = AnswersInput,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RequestSummary, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn save_draft(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(input): ui::ApiJson<AnswersInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::save_draft(&st.db, &ctx, id, version, &input).await?;
    Ok(tagged(StatusCode::OK, s.id, s.version, s))
}

/// Submit (final): the body's answers, or the saved draft when `answers` is empty. Peer and
/// upward answers are stored without their author and cannot be edited afterwards. Requires
/// `If-Match`.
#[utoipa::path(post, path = "/api/v1/review-requests/{id}/submit", tag = "reviews", request_body = AnswersInput,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RequestSummary, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn submit_request(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(input): ui::ApiJson<AnswersInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::submit(&st.db, &ctx, id, version, &input).await?;
    Ok(tagged(StatusCode::OK, s.id, s.version, s))
}

/// Decline a request (not a self review). Requires `If-Match`.
#[utoipa::path(post, path = "/api/v1/review-requests/{id}/decline", tag = "reviews",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = RequestSummary, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn decline_request(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::decline(&st.db, &ctx, id, version).await?;
    Ok(tagged(StatusCode::OK, s.id, s.version, s))
}

/// The reviewee's manager approves or rejects a nominated peer; approving asks the peer for
/// feedback. Decided once (409 afterwards), so no `If-Match`.
#[utoipa::path(post, path = "/api/v1/review-requests/{id}/decision", tag = "reviews", request_body = DecisionInput,
    params(("id" = i64, Path)),
    responses((status = 200, body = Nomination),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn decide_nomination(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ui::ApiJson(input): ui::ApiJson<DecisionInput>,
) -> Result<Json<Nomination>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::decide(&st.db, &ctx, id, &input).await?))
}
