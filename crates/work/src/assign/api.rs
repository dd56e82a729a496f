//! `/api/v1/tasks/{id}/skills`, `/api/v1/tasks/{id}/suggestions`, `/api/v1/assign/*`.
use crate::assign::model::{
    AcceptRequest, AcceptResult, Preview, PreviewRequest, Suggestions, TaskSkill, TaskSkillsInput,
};
use crate::assign::service;
use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiJson, ApiQuery, AppState, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_task_skills, set_task_skills))
        .routes(routes!(suggestions))
        .routes(routes!(preview))
        .routes(routes!(accept))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskSkillList {
    pub items: Vec<TaskSkill>,
}

/// The skills (and minimum levels) a task requires.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/skills", tag = "assignment",
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskSkillList), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_task_skills(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<TaskSkillList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(TaskSkillList {
        items: service::task_skills(&st.db, &ctx, id).await?,
    }))
}

/// Replace the skills a task requires (whoever may edit the task).
#[utoipa::path(put, path = "/api/v1/tasks/{id}/skills", tag = "assignment", request_body = TaskSkillsInput,
    params(("id" = i64, Path, description = "Task id")),
    responses((status = 200, body = TaskSkillList), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn set_task_skills(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(input): ApiJson<TaskSkillsInput>,
) -> Result<Json<TaskSkillList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(TaskSkillList {
        items: service::set_task_skills(&st.db, &ctx, id, &input).await?,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    /// Candidates to return, 1–100 (default 10).
    pub limit: Option<i64>,
}

/// Suggest an assignee: candidates ranked by skill fit, free capacity in the task's window and
/// current load, each with the parts of its score and its skill gaps.
#[utoipa::path(get, path = "/api/v1/tasks/{id}/suggestions", tag = "assignment",
    params(("id" = i64, Path, description = "Task id"), SuggestQuery),
    responses((status = 200, body = Suggestions), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn suggestions(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> Result<Json<Suggestions>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::suggest(&st.db, &ctx, id, q.limit).await?))
}

/// Auto-assign, step 1: the optimal capacitated plan for a department's unassigned open tasks.
/// Nothing changes; accept the rows you want with `/api/v1/assign/accept`.
#[utoipa::path(post, path = "/api/v1/assign/preview", tag = "assignment", request_body = PreviewRequest,
    responses((status = 200, body = Preview), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn preview(
    State(st): State<AppState>,
    req: Req,
    ApiJson(body): ApiJson<PreviewRequest>,
) -> Result<Json<Preview>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::preview(&st.db, &ctx, &body).await?))
}

/// Auto-assign, step 2: assign the accepted (possibly adjusted) rows, all or nothing, through
/// the task service (policy, audit, notifications).
#[utoipa::path(post, path = "/api/v1/assign/accept", tag = "assignment", request_body = AcceptRequest,
    responses((status = 200, body = AcceptResult), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem, description = "A task changed since the preview; nothing was assigned"),
              (status = 422, body = ui::error::Problem)))]
async fn accept(
    State(st): State<AppState>,
    req: Req,
    ApiJson(body): ApiJson<AcceptRequest>,
) -> Result<Json<AcceptResult>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    match service::accept(&st.db, &ctx, &body).await {
        Err(kernel::AppError::NotFound) => {
            audit_hidden_task(&st, &req.0).await;
            Err(kernel::AppError::NotFound.into())
        }
        other => Ok(Json(other?)),
    }
}

/// A listed task the caller may not see answers 404, like a hidden object on its own path. The
/// task is named in the body, so `security::audit_refusals` (which audits 404s on paths with an
/// id) cannot tell it from a miss: the refusal is recorded here, the same way.
async fn audit_hidden_task(st: &AppState, info: &ui::RequestInfo) {
    let actor = info.auth.as_ref().map(|a| &a.actor);
    let target = serde_json::json!({
        "method": "POST", "path": "/api/v1/assign/accept",
        "reason": "a listed task is not found or not visible to the caller",
    });
    let event = db::audit::AuditEvent {
        actor_user_id: actor.map(|a| a.user_id),
        actor_name: actor.map_or("anonymous", |a| a.username.as_str()),
        action: "access.denied",
        entity: "request",
        entity_id: None,
        before: None,
        after: Some(target),
        request_id: &info.request_id,
        source_ip: info.source_ip.as_deref(),
        outcome: "not_found",
        at_ms: st.now_ms(),
    };
    if let Ok(mut tx) = st.db.write().await
        && db::audit::record(&mut tx, &event).await.is_ok()
    {
        let _ = tx.commit().await;
    }
}
