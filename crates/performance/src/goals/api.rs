//! `/api/v1/goals` and `/api/v1/key-results`: list (filters, cursor), tree, read (ETag,
//! If-None-Match), create (Idempotency-Key, 201 + Location), update/delete (If-Match), key
//! results, check-ins and end-of-cycle scoring.
use super::model::{
    CheckIn, CheckInInput, Goal, GoalInput, GoalPatch, KeyResult, KeyResultPatch, MeasureInput,
    ScoreInput,
};
use super::service::{self, GoalFilter, TreeItem};
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use db::idempotency::Idem;
use kernel::AppError;
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiQuery, AppState, IdempotencyKey, IfMatch, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_goals, create_goal))
        .routes(routes!(goal_tree))
        .routes(routes!(get_goal, update_goal, delete_goal))
        .routes(routes!(add_key_result))
        .routes(routes!(
            get_key_result,
            update_key_result,
            delete_key_result
        ))
        .routes(routes!(goal_checkins))
        .routes(routes!(check_in))
        .routes(routes!(score_goal))
}

/// A numeric `{id}` path segment; anything else is a 404 problem.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| ApiError(AppError::NotFound))?;
        raw.parse()
            .map(Id)
            .map_err(|_| ApiError(AppError::NotFound))
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalPage {
    pub items: Vec<Goal>,
    /// Pass as `cursor` for the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GoalTree {
    /// Depth-first; a goal whose parent the caller cannot see is a root (depth 0).
    pub items: Vec<TreeItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TreeQuery {
    /// The cycle, e.g. `2026-Q4`.
    pub cycle: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckIns {
    /// Newest first (up to 500).
    pub items: Vec<CheckIn>,
}

/// List the goals the caller may see (company goals, their own, their department's; managers
/// also their reports'), filtered and paginated by cursor.
#[utoipa::path(get, path = "/api/v1/goals", tag = "goals", params(GoalFilter),
    responses((status = 200, body = GoalPage),
              (status = 400, description = "Invalid cursor", body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 422, description = "A parameter is invalid (named in `errors`)", body = ui::error::Problem)))]
async fn list_goals(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(f): ApiQuery<GoalFilter>,
) -> Result<Json<GoalPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list(&st.db, &ctx, &f).await?;
    Ok(Json(GoalPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Create a goal. The SMART check names every missing part: owner, measurable metric (a SMART
/// goal's `measure`), target, deadline within the cycle, parent for department and personal
/// goals. Send `Idempotency-Key` to make retries safe.
#[utoipa::path(post, path = "/api/v1/goals", tag = "goals", request_body = GoalInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    responses((status = 201, description = "Created (or replayed)", body = Goal, headers(("Location" = String), ("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, description = "Not allowed to set goals for that owner or department", body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, description = "The SMART check failed (fields in `errors`)", body = ui::error::Problem)))]
async fn create_goal(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (GoalInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let g = service::create(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/goals/{}", g.id);
    Ok(ui::api::created(&g, &location, g.id, g.version))
}

/// The goal tree of a cycle: company → department → person, depth-first.
#[utoipa::path(get, path = "/api/v1/goals/tree", tag = "goals", params(TreeQuery),
    responses((status = 200, body = GoalTree),
              (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn goal_tree(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<TreeQuery>,
) -> Result<Json<GoalTree>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let items = service::tree(&st.db, &ctx, &q.cycle).await?;
    Ok(Json(GoalTree { items }))
}

/// Read a goal with its key results, progress and health.
#[utoipa::path(get, path = "/api/v1/goals/{id}", tag = "goals",
    params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = Goal, headers(("ETag" = String))),
              (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem),
              (status = 404, description = "No such goal, or not visible to the caller", body = ui::error::Problem)))]
async fn get_goal(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let g = service::get(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &g, g.id, g.version))
}

/// Change a goal's title, description, owner, parent or deadline. Requires `If-Match`.
#[utoipa::path(patch, path = "/api/v1/goals/{id}", tag = "goals", request_body = GoalPatch,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Goal, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, description = "The goal is scored and locked", body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_goal(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<GoalPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let g = service::update(&st.db, &ctx, id, version, &patch).await?;
    Ok(ui::api::versioned(StatusCode::OK, &g, g.id, g.version))
}

/// Delete an active goal no other goal contributes to. Requires `If-Match`.
#[utoipa::path(delete, path = "/api/v1/goals/{id}", tag = "goals",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 204, description = "Deleted"),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn delete_goal(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete(&st.db, &ctx, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Add a key result to an objective; answers the goal. Accepts `Idempotency-Key`.
#[utoipa::path(post, path = "/api/v1/goals/{id}/key-results", tag = "goals", request_body = MeasureInput,
    params(("id" = i64, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = Goal, headers(("ETag" = String))),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn add_key_result(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let (input, body): (MeasureInput, Bytes) = ui::api::json_request(&headers, body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let g = service::add_key_result(&st.db, &ctx, id, &input, idem.as_ref()).await?;
    Ok(ui::api::versioned(StatusCode::CREATED, &g, g.id, g.version))
}

/// Read a key result (its `ETag` carries the key result's version for `If-Match`).
#[utoipa::path(get, path = "/api/v1/key-results/{id}", tag = "goals",
    params(("id" = i64, Path), ("If-None-Match" = Option<String>, Header)),
    responses((status = 200, body = KeyResult, headers(("ETag" = String))),
              (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem),
              (status = 404, description = "No such key result, or its goal is not visible", body = ui::error::Problem)))]
async fn get_key_result(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let k = service::get_key_result(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &k, k.id, k.version))
}

/// Change a key result's definition. `If-Match` carries the key result's version
/// (`"<kr id>-<version>"`); answers the goal.
#[utoipa::path(patch, path = "/api/v1/key-results/{id}", tag = "goals", request_body = KeyResultPatch,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Goal, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_key_result(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(patch): ui::ApiJson<KeyResultPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let g = service::update_key_result(&st.db, &ctx, id, version, &patch).await?;
    Ok(ui::api::versioned(StatusCode::OK, &g, g.id, g.version))
}

/// Delete a key result (with its check-ins). Requires `If-Match` with its version.
#[utoipa::path(delete, path = "/api/v1/key-results/{id}", tag = "goals",
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Goal, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn delete_key_result(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let g = service::delete_key_result(&st.db, &ctx, id, version).await?;
    Ok(ui::api::versioned(StatusCode::OK, &g, g.id, g.version))
}

/// The check-in timeline of a goal's key results, newest first.
#[utoipa::path(get, path = "/api/v1/goals/{id}/checkins", tag = "goals",
    params(("id" = i64, Path)),
    responses((status = 200, body = CheckIns),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn goal_checkins(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<CheckIns>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let items = service::checkins(&st.db, &ctx, id).await?;
    Ok(Json(CheckIns { items }))
}

/// Check in on a key result: its value now, confidence (0–100 %, or 1–10 with
/// `confidence_scale: "ten"`) and a note. A check-in is an appended fact: no `If-Match`.
#[utoipa::path(post, path = "/api/v1/key-results/{id}/checkins", tag = "goals", request_body = CheckInInput,
    params(("id" = i64, Path)),
    responses((status = 201, body = CheckIn),
              (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, description = "The goal is scored and locked", body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn check_in(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ui::ApiJson(input): ui::ApiJson<CheckInInput>,
) -> Result<(StatusCode, Json<CheckIn>), ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::check_in(&st.db, &ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(c)))
}

/// Score the goal at the end of its cycle (from its due date on) and lock it. Key results left
/// out are scored by their progress. Requires `If-Match` with the goal's ETag.
#[utoipa::path(post, path = "/api/v1/goals/{id}/score", tag = "goals", request_body = ScoreInput,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Goal, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 409, description = "Already scored, or the cycle is not over", body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn score_goal(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(input): ui::ApiJson<ScoreInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let g = service::score(&st.db, &ctx, id, version, &input).await?;
    Ok(ui::api::versioned(StatusCode::OK, &g, g.id, g.version))
}
