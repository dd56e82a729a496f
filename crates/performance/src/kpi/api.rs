//! `/api/v1/kpis`: the KPI library (list with filters and cursor, create with Idempotency-Key,
//! read with ETag, update/delete with If-Match), targets (read, replace periods with If-Match),
//! data-point push (idempotent by KPI + period + source), periods with status, one period's
//! status, the page's overview (analysis and forecast), and actions.
use crate::kpi::model::{Kpi, KpiInput, KpiPatch, Target};
use crate::kpi::series::PeriodStatus;
use crate::kpi::service::{
    self, Action, ActionInput, KpiFilter, OverviewDoc, PointInput, PushResult, TargetCell,
};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use kernel::AppError;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, IdempotencyKey, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_kpis, create_kpi))
        .routes(routes!(get_kpi, update_kpi, delete_kpi))
        .routes(routes!(get_targets, put_targets))
        .routes(routes!(push_points))
        .routes(routes!(kpi_periods))
        .routes(routes!(kpi_status))
        .routes(routes!(kpi_overview))
        .routes(routes!(list_actions, open_action))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `company`, `department` or `person`.
    pub scope: Option<String>,
    /// Only KPIs of this department.
    pub department_id: Option<i64>,
    /// Only the KPIs the caller owns.
    pub mine: Option<bool>,
    /// Case-insensitive text in the code or either name.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KpiPage {
    /// By code.
    pub items: Vec<Kpi>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetList {
    /// By period.
    pub items: Vec<Target>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetsInput {
    /// The periods to set; `target: null` removes a period's target. Periods not listed stay.
    pub items: Vec<TargetCell>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PushInput {
    /// Who sends the values (e.g. `erp`, `crm-sync`): a point is identified by KPI + period +
    /// source, so a retry or a re-send replaces rather than adds.
    pub source: String,
    pub points: Vec<PointInput>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PeriodList {
    pub items: Vec<PeriodStatus>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    /// A period label at the KPI's frequency, or a date inside it.
    pub period: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ActionList {
    /// Newest first.
    pub items: Vec<Action>,
}

/// The `{id}` path segment; anything but a number is a 404 problem.
pub struct KpiId(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for KpiId {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::NotFound))?;
        raw.parse()
            .map(KpiId)
            .map_err(|_| ApiError(AppError::NotFound))
    }
}

/// List the KPIs the caller may see (company KPIs, their department's, their own).
#[utoipa::path(get, path = "/api/v1/kpis", tag = "kpis", params(ListQuery),
    responses((status = 200, body = KpiPage),
              (status = 400, description = "Invalid cursor", body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn list_kpis(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<KpiPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    if let Some(l) = q.limit
        && !(1..=kernel::page::MAX_LIMIT).contains(&l)
    {
        return Err(AppError::field("limit", "out_of_range", "must be between 1 and 200").into());
    }
    let f = KpiFilter {
        scope: q.scope.filter(|s| !s.is_empty()),
        department_id: q.department_id,
        mine: q.mine.unwrap_or(false),
        q: q.q,
        cursor: q.cursor,
        limit: q.limit,
    };
    let page = service::list(&st.db, &ctx, &f).await?;
    Ok(Json(KpiPage {
        items: page.items,
        next_cursor: page.next_cursor,
    }))
}

/// Define a KPI. A formula is checked: safe syntax, known codes, no cycle.
#[utoipa::path(post, path = "/api/v1/kpis", tag = "kpis", request_body = KpiInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses((status = 201, body = Kpi, headers(("Location" = String), ("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, description = "Not allowed to define KPIs for that scope", body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, description = "Invalid fields (named), formula errors, cycles", body = ui::error::Problem)))]
async fn create_kpi(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (KpiInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let k = service::create(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/kpis/{}", k.id);
    Ok(ui::api::created(&k, &location, k.id, k.version))
}

/// Read a KPI definition.
#[utoipa::path(get, path = "/api/v1/kpis/{id}", tag = "kpis",
    params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = Kpi, headers(("ETag" = String))),
              (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem),
              (status = 404, description = "No such KPI, or not visible to the caller", body = ui::error::Problem)))]
async fn get_kpi(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let k = service::get(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &k, k.id, k.version))
}

/// Change some fields of a KPI. Requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/kpis/{id}", tag = "kpis", request_body = KpiPatch,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Kpi, headers(("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_kpi(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<KpiPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let k = service::update(&st.db, &ctx, id, version, &patch).await?;
    Ok(ui::api::versioned(StatusCode::OK, &k, k.id, k.version))
}

/// Delete a KPI with its targets and data (409 while a formula uses it). Requires `If-Match`.
#[utoipa::path(delete, path = "/api/v1/kpis/{id}", tag = "kpis",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204, description = "Deleted"),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn delete_kpi(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete(&st.db, &ctx, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The KPI's targets by period. The `ETag` is the KPI's (targets are part of its version).
#[utoipa::path(get, path = "/api/v1/kpis/{id}/targets", tag = "kpis", params(("id" = i64, Path)),
    responses((status = 200, body = TargetList, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_targets(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (k, items) = service::targets(&st.db, &ctx, id).await?;
    Ok((
        [(header::ETAG, etag_for(k.id, k.version))],
        Json(TargetList { items }),
    )
        .into_response())
}

/// Set targets for some periods (a year's grid at once). All or nothing; requires `If-Match`.
#[utoipa::path(put, path = "/api/v1/kpis/{id}/targets", tag = "kpis", request_body = TargetsInput,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = TargetList, headers(("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, description = "A cell is invalid (named as items[i].field)", body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn put_targets(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    IfMatch(version): IfMatch,
    ui::ApiJson(input): ui::ApiJson<TargetsInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let k = service::set_targets(&st.db, &ctx, id, version, &input.items).await?;
    let (_, items) = service::targets(&st.db, &ctx, id).await?;
    Ok((
        [(header::ETAG, etag_for(k.id, k.version))],
        Json(TargetList { items }),
    )
        .into_response())
}

/// Push data points (e.g. from a script with a personal token). Idempotent by KPI + period +
/// source: the same points again change nothing; a new value for a period replaces the old.
#[utoipa::path(post, path = "/api/v1/kpis/{id}/points", tag = "kpis", request_body = PushInput,
    params(("id" = i64, Path)),
    responses((status = 200, description = "What changed", body = PushResult),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 413, body = ui::error::Problem),
              (status = 422, description = "A point is invalid (named as points[i].field)", body = ui::error::Problem)))]
async fn push_points(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    ui::ApiJson(input): ui::ApiJson<PushInput>,
) -> Result<Json<PushResult>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::push_points(&st.db, &ctx, id, &input.source, &input.points).await?,
    ))
}

/// Every period with value (or why none), target, status and achievement.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/periods", tag = "kpis", params(("id" = i64, Path)),
    responses((status = 200, body = PeriodList),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn kpi_periods(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
) -> Result<Json<PeriodList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (_, items) = service::series(&st.db, &ctx, id).await?;
    Ok(Json(PeriodList { items }))
}

/// One period's value, target and status.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/status", tag = "kpis",
    params(("id" = i64, Path), StatusQuery),
    responses((status = 200, body = PeriodStatus),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn kpi_status(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> Result<Json<PeriodStatus>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::period_status(&st.db, &ctx, id, &q.period).await?,
    ))
}

/// Everything the KPI page shows: periods, 同比/环比, moving mean, anomalies with their
/// explanation, the forecast with its method and error on history, and actions.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/overview", tag = "kpis", params(("id" = i64, Path)),
    responses((status = 200, body = OverviewDoc),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn kpi_overview(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
) -> Result<Json<OverviewDoc>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::overview(&st.db, &ctx, id).await?.doc()))
}

/// The actions taken on the KPI, with before/after of the metric for done ones.
#[utoipa::path(get, path = "/api/v1/kpis/{id}/actions", tag = "kpis", params(("id" = i64, Path)),
    responses((status = 200, body = ActionList),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn list_actions(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
) -> Result<Json<ActionList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(ActionList {
        items: service::actions(&st.db, &ctx, id).await?,
    }))
}

/// Open an action: a task linked to the KPI (assignee, due date), created through the task
/// service (its rules and notifications apply).
#[utoipa::path(post, path = "/api/v1/kpis/{id}/actions", tag = "kpis", request_body = ActionInput,
    params(("id" = i64, Path),
           ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses((status = 201, body = Action, headers(("Location" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn open_action(
    State(st): State<AppState>,
    req: Req,
    KpiId(id): KpiId,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (ActionInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let a = service::open_action(&st.db, &ctx, id, &input, idem.as_ref()).await?;
    let location = a
        .task_id
        .map(|t| format!("/api/v1/tasks/{t}"))
        .unwrap_or_default();
    Ok(ui::api::created_at(&location, a))
}
