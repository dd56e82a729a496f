//! `/api/v1/scorecards`: list (cursor), read (ETag), compose (Idempotency-Key), change/delete
//! (If-Match) and the report: achievement and score for a period, with history.
use super::model::{Scorecard, ScorecardInput, ScorecardPatch};
use super::service::{self, ScorecardReport};
use crate::goals::api::Id;
use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, IdempotencyKey, IfMatch, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_scorecards, create_scorecard))
        .routes(routes!(get_scorecard, update_scorecard, delete_scorecard))
        .routes(routes!(scorecard_report))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub cursor: Option<String>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `2026-11`, `2026-B6`, `2026-Q4` or `2026`; the current month by default.
    pub period: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ScorecardPage {
    pub items: Vec<Scorecard>,
    pub next_cursor: Option<String>,
}

/// The scorecards the caller may see (goals' audience rules).
#[utoipa::path(get, path = "/api/v1/scorecards", tag = "scorecards", params(ListQuery),
    responses((status = 200, body = ScorecardPage),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn list_scorecards(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ScorecardPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list(&st.db, &ctx, q.cursor.as_deref(), q.limit).await?;
    Ok(Json(ScorecardPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Compose a scorecard: a name, a scope (company, department or person) and weighted KPIs the
/// caller can see. Managers and admins only. Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/scorecards", tag = "scorecards", request_body = ScorecardInput,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Scorecard, headers(("Location" = String), ("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn create_scorecard(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (ScorecardInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let s = service::create(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/scorecards/{}", s.id);
    Ok(ui::api::created(&s, &location, s.id, s.version))
}

/// Read a scorecard's definition.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}", tag = "scorecards",
    params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = Scorecard, headers(("ETag" = String))),
              (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_scorecard(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::get(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &s, s.id, s.version))
}

/// Rename a scorecard or replace its weighted KPIs. Requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/scorecards/{id}", tag = "scorecards", request_body = ScorecardPatch,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Scorecard, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_scorecard(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<ScorecardPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::update(&st.db, &ctx, id, version, &patch).await?;
    Ok(ui::api::versioned(StatusCode::OK, &s, s.id, s.version))
}

/// Delete a scorecard. Requires `If-Match`.
#[utoipa::path(delete, path = "/api/v1/scorecards/{id}", tag = "scorecards",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204, description = "Deleted"),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn delete_scorecard(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete(&st.db, &ctx, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The scorecard for a period: each KPI's value, target, achievement %, status and points, the
/// weighted score (achievement capped at 120 %), its coverage, and the previous periods' scores.
#[utoipa::path(get, path = "/api/v1/scorecards/{id}/report", tag = "scorecards",
    params(("id" = i64, Path), ReportQuery),
    responses((status = 200, body = ScorecardReport),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn scorecard_report(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> Result<Json<ScorecardReport>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::report(&st.db, &ctx, id, q.period.as_deref()).await?,
    ))
}
