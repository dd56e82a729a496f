//! `/api/v1/feedback` and `/api/v1/feedback-requests`: continuous feedback between review
//! cycles (filtered by the feedback policy) and requests for it (the requester, the requestee
//! and admins read them; the requestee answers with `POST /api/v1/feedback` and `request_id`).
use super::service::{self, FeedbackInput, FeedbackRequestInput, RequestLists};
use super::store::{Feedback, FeedbackRequest};
use crate::goals::api::Id;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::HeaderMap;
use axum::response::Response;
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, IdempotencyKey, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_feedback, give_feedback))
        .routes(routes!(get_feedback))
        .routes(routes!(list_requests, create_request))
        .routes(routes!(get_request))
        .routes(routes!(decline_request))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    /// Feedback about this person (what the caller may see); without it, the caller's own
    /// (given by them, or about them and visible to them).
    pub subject_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackList {
    pub items: Vec<Feedback>,
}

/// Feedback about a person (`subject_id`), or the caller's own feedback, newest first.
/// `private` feedback is read by its author, the subject's manager chain and admins; `shared`
/// feedback also by the subject.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "reviews", params(FeedbackQuery),
    responses((status = 200, body = FeedbackList),
              (status = 401, body = ui::error::Problem)))]
async fn list_feedback(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<FeedbackQuery>,
) -> Result<Json<FeedbackList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(FeedbackList {
        items: service::list(&st.db, &ctx, q.subject_id).await?,
    }))
}

/// Give feedback on a colleague at any time, `private` (to the manager chain) or `shared`
/// (also with the colleague), or answer a request for feedback (`request_id`, which fulfils
/// it). Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/feedback", tag = "reviews", request_body = FeedbackInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Feedback, headers(("Location" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn give_feedback(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (FeedbackInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let f = service::give(&st.db, &ctx, &input, idem.as_ref()).await?;
    Ok(ui::api::created_at(
        &format!("/api/v1/feedback/{}", f.id),
        f,
    ))
}

/// One piece of feedback (404 unless the caller may read it).
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = Feedback),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_feedback(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<Feedback>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::get(&st.db, &ctx, id).await?))
}

/// The caller's feedback requests: asked of them (`to_me`) and asked by them (`by_me`).
#[utoipa::path(get, path = "/api/v1/feedback-requests", tag = "reviews",
    responses((status = 200, body = RequestLists),
              (status = 401, body = ui::error::Problem)))]
async fn list_requests(
    State(st): State<AppState>,
    req: Req,
) -> Result<Json<RequestLists>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::my_requests(&st.db, &ctx).await?))
}

/// Ask someone for feedback about yourself or about someone in your reporting line (admins:
/// anyone). The requestee is notified. Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/feedback-requests", tag = "reviews",
    request_body = FeedbackRequestInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = FeedbackRequest, headers(("Location" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_request(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (FeedbackRequestInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let r = service::request(&st.db, &ctx, &input, idem.as_ref()).await?;
    Ok(ui::api::created_at(
        &format!("/api/v1/feedback-requests/{}", r.id),
        r,
    ))
}

/// One feedback request (its requester, its requestee and admins).
#[utoipa::path(get, path = "/api/v1/feedback-requests/{id}", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = FeedbackRequest),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_request(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<FeedbackRequest>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::get_request(&st.db, &ctx, id).await?))
}

/// The requestee declines an open request. Decided once (409 afterwards), so no `If-Match`.
#[utoipa::path(post, path = "/api/v1/feedback-requests/{id}/decline", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = FeedbackRequest),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem)))]
async fn decline_request(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<FeedbackRequest>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::decline_request(&st.db, &ctx, id).await?))
}
