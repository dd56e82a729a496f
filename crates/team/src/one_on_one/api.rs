//! `/api/v1/one-on-ones`: 1:1 notes, for their two participants only (404 for anyone else,
//! admins included).
use super::model::{FollowupInput, FollowupPatch, OneOnOne, OneOnOneInput, OneOnOnePatch};
use super::service;
use crate::api::{created, json_body, read_response, with_etag};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::IdempotencyKey;
use ui::{ApiError, ApiJson, ApiQuery, AppState, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(get_one, update))
        .routes(routes!(add_followup))
        .routes(routes!(update_followup))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Only 1:1s with this person.
    pub with_person_id: Option<i64>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OneOnOnePage {
    pub items: Vec<OneOnOne>,
    pub next_cursor: Option<String>,
}

/// The caller's own 1:1s (as manager or report), newest first.
#[utoipa::path(get, path = "/api/v1/one-on-ones", tag = "one-on-ones", params(ListQuery),
    responses((status = 200, body = OneOnOnePage), (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn list(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<OneOnOnePage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p =
        service::list_mine(&st.db, &ctx, q.with_person_id, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(OneOnOnePage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Start a 1:1 with your direct report or your manager.
#[utoipa::path(post, path = "/api/v1/one-on-ones", tag = "one-on-ones", request_body = OneOnOneInput,
    responses((status = 201, body = OneOnOne), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let input: OneOnOneInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let o = service::create(&st.db, &ctx, &input, idem.as_ref()).await?;
    let (id, v) = (o.id, o.version);
    Ok(created(o, &format!("/api/v1/one-on-ones/{id}"), id, v))
}

/// One 1:1 (participants only).
#[utoipa::path(get, path = "/api/v1/one-on-ones/{id}", tag = "one-on-ones",
    params(("id" = i64, Path, description = "1:1 id")),
    responses((status = 200, body = OneOnOne), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_one(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = service::get(&st.db, &ctx, id).await?;
    let v = o.version;
    Ok(read_response(&headers, o, id, v))
}

/// Change the date, talking points or notes. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/one-on-ones/{id}", tag = "one-on-ones", request_body = OneOnOnePatch,
    params(("id" = i64, Path, description = "1:1 id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = OneOnOne), (status = 401, body = ui::error::Problem),
              (status = 403, description = "A participant who may not change this", body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<OneOnOnePatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = service::update(&st.db, &ctx, id, version, &p).await?;
    let etag = etag_for(o.id, o.version);
    Ok(with_etag(Json(o).into_response(), &etag))
}

/// Add a follow-up to a 1:1.
#[utoipa::path(post, path = "/api/v1/one-on-ones/{id}/followups", tag = "one-on-ones", request_body = FollowupInput,
    params(("id" = i64, Path, description = "1:1 id")),
    responses((status = 200, body = OneOnOne), (status = 401, body = ui::error::Problem),
              (status = 403, description = "A participant who may not change this", body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn add_followup(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<FollowupInput>,
) -> Result<Json<OneOnOne>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::add_followup(&st.db, &ctx, id, &input).await?))
}

/// Mark a follow-up done or not done.
#[utoipa::path(patch, path = "/api/v1/one-on-one-followups/{id}", tag = "one-on-ones", request_body = FollowupPatch,
    params(("id" = i64, Path, description = "Follow-up id")),
    responses((status = 200, body = OneOnOne), (status = 401, body = ui::error::Problem),
              (status = 403, description = "A participant who may not change this", body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn update_followup(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(p): ApiJson<FollowupPatch>,
) -> Result<Json<OneOnOne>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::set_followup_done(&st.db, &ctx, id, p.done).await?,
    ))
}
