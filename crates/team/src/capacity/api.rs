//! `/api/v1/calendar`, `/api/v1/leaves`, `/api/v1/workload`.
use crate::capacity::model::{CalendarDay, CalendarYear, Leave, LeaveInput, LeavePatch, Workload};
use crate::capacity::service::{self, ImportSummary};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiJson, ApiQuery, AppState, IfMatch, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_calendar))
        .routes(routes!(get_calendar))
        .routes(routes!(list_leaves, create_leave))
        .routes(routes!(get_leave, update_leave, delete_leave))
        .routes(routes!(workload))
}

/// Import (replace) a year of holidays and 调休 make-up workdays (admins). The body is the
/// holiday JSON: `{"year":2026,"days":[{"name":"春节","date":"2026-02-15","isOffDay":true},…]}`.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "capacity", request_body = CalendarYear,
    responses((status = 200, body = ImportSummary), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem, description = "Not valid JSON, or a day is wrong; nothing was imported")))]
async fn import_calendar(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<ImportSummary>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    ui::api::require_json(&headers)?;
    let text = std::str::from_utf8(&body)
        .map_err(|_| kernel::AppError::field("file", "invalid_encoding", "must be UTF-8 JSON"))?;
    Ok(Json(service::import_calendar(&st.db, &ctx, text).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarList {
    pub year: i32,
    /// Holidays and make-up workdays; every other Monday–Friday is a working day.
    pub days: Vec<CalendarDay>,
}

/// A year's holidays and make-up workdays.
#[utoipa::path(get, path = "/api/v1/calendar/{year}", tag = "capacity",
    params(("year" = i32, Path, description = "e.g. 2026")),
    responses((status = 200, body = CalendarList), (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn get_calendar(
    State(st): State<AppState>,
    req: Req,
    Path(year): Path<i32>,
) -> Result<Json<CalendarList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    if !(2000..=2100).contains(&year) {
        return Err(kernel::AppError::field(
            "year",
            "out_of_range",
            "must be between 2000 and 2100",
        )
        .into());
    }
    Ok(Json(CalendarList {
        year,
        days: service::calendar(&st.db, &ctx, year).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LeaveQuery {
    pub person_id: Option<i64>,
    /// Leave ending on or after this date.
    pub from: Option<String>,
    /// Leave starting on or before this date.
    pub to: Option<String>,
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LeavePage {
    pub items: Vec<Leave>,
    pub next_cursor: Option<String>,
}

/// Leave of the people you may see, newest first.
#[utoipa::path(get, path = "/api/v1/leaves", tag = "capacity", params(LeaveQuery),
    responses((status = 200, body = LeavePage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_leaves(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<LeaveQuery>,
) -> Result<Json<LeavePage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_leaves(
        &st.db,
        &ctx,
        q.person_id,
        q.from.as_deref(),
        q.to.as_deref(),
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(LeavePage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Record leave (members for themselves; managers in their departments; admins).
#[utoipa::path(post, path = "/api/v1/leaves", tag = "capacity", request_body = LeaveInput,
    responses((status = 201, body = Leave), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create_leave(
    State(st): State<AppState>,
    req: Req,
    ApiJson(input): ApiJson<LeaveInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let l = service::create_leave(&st.db, &ctx, &input).await?;
    let location = format!("/api/v1/leaves/{}", l.id);
    Ok(ui::api::created(&l, &location, l.id, l.version))
}

/// One leave record.
#[utoipa::path(get, path = "/api/v1/leaves/{id}", tag = "capacity",
    params(("id" = i64, Path, description = "Leave id")),
    responses((status = 200, body = Leave), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_leave(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let l = service::get_leave(&st.db, &ctx, id).await?;
    let v = l.version;
    Ok(ui::api::versioned(StatusCode::OK, l, id, v))
}

/// Change a leave's dates, kind or note. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/leaves/{id}", tag = "capacity", request_body = LeavePatch,
    params(("id" = i64, Path, description = "Leave id"), ("If-Match" = String, Header, description = "The ETag read")),
    responses((status = 200, body = Leave), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_leave(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<LeavePatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let l = service::update_leave(&st.db, &ctx, id, version, &p).await?;
    let v = l.version;
    Ok(ui::api::versioned(StatusCode::OK, l, id, v))
}

/// Cancel leave. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/leaves/{id}", tag = "capacity",
    params(("id" = i64, Path, description = "Leave id"), ("If-Match" = String, Header, description = "The ETag read")),
    responses((status = 204, description = "Cancelled"), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn delete_leave(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete_leave(&st.db, &ctx, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WorkloadQuery {
    /// The department with its sub-departments; everyone you may see when absent.
    pub department_id: Option<i64>,
    /// A date in the first week shown (default: today).
    pub from: Option<String>,
    /// Weeks to show, 1–26 (default 8).
    pub weeks: Option<i64>,
    pub cursor: Option<String>,
    /// People per page, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// The workload heat map: capacity vs assigned estimated hours per person per week.
#[utoipa::path(get, path = "/api/v1/workload", tag = "capacity", params(WorkloadQuery),
    responses((status = 200, body = Workload), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn workload(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<WorkloadQuery>,
) -> Result<Json<Workload>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::workload(
            &st.db,
            &ctx,
            q.department_id,
            q.from.as_deref(),
            q.weeks,
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}
