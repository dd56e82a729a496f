//! `/api/v1/skills`, `/api/v1/people/{id}/skills`, `/api/v1/position-skills`: the skills
//! matrix over JSON.
use crate::skills::model::{
    GapReport, Matrix, PersonSkill, PersonSkillInput, PositionSkill, PositionSkillInput, Skill,
    SkillInput, SkillPatch,
};
use crate::skills::service;
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use db::idempotency::Idem;
use kernel::AppError;
use kernel::page::{clamp_limit, decode_cursor, encode_cursor};
use serde::{Deserialize, Serialize};
use ui::{ApiError, ApiJson, ApiQuery, AppState, IdempotencyKey, IfMatch, Req};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_skills, create_skill))
        .routes(routes!(get_skill, update_skill, delete_skill))
        .routes(routes!(matrix))
        .routes(routes!(gaps))
        .routes(routes!(person_skills))
        .routes(routes!(set_person_skill, remove_person_skill))
        .routes(routes!(
            list_position_skills,
            set_position_skill,
            remove_position_skill
        ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SkillQuery {
    /// Only skills of this category.
    pub category: Option<String>,
    /// Case-insensitive substring of the name.
    pub q: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkillPage {
    pub items: Vec<Skill>,
    pub next_cursor: Option<String>,
}

/// The catalogue by category then name, filtered and paged (the catalogue is small: paged in
/// memory; the cursor is the last row's "category\u{1f}name" and id).
fn page_skills(all: Vec<Skill>, q: &SkillQuery) -> Result<SkillPage, AppError> {
    let limit = clamp_limit(q.limit) as usize;
    let after = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| AppError::BadRequest("invalid cursor".into()))?)
        }
        None => None,
    };
    let key = |s: &Skill| format!("{}\u{1f}{}", s.category, s.name);
    let needle =
        q.q.as_deref()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty());
    let mut rows: Vec<Skill> = all
        .into_iter()
        .filter(|s| q.category.as_deref().is_none_or(|c| s.category == c))
        .filter(|s| {
            needle
                .as_ref()
                .is_none_or(|n| s.name.to_lowercase().contains(n))
        })
        .filter(|s| {
            after
                .as_ref()
                .is_none_or(|(k, id)| (key(s), s.id) > (k.clone(), *id))
        })
        .collect();
    let next_cursor = if rows.len() > limit {
        rows.truncate(limit);
        rows.last().map(|s| encode_cursor(&key(s), s.id))
    } else {
        None
    };
    Ok(SkillPage {
        items: rows,
        next_cursor,
    })
}

/// List the skill catalogue (by category, then name).
#[utoipa::path(get, path = "/api/v1/skills", tag = "skills", params(SkillQuery),
    responses((status = 200, body = SkillPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_skills(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<SkillQuery>,
) -> Result<Json<SkillPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let all = service::list_skills(&st.db, &ctx).await?;
    Ok(Json(page_skills(all, &q)?))
}

/// Add a skill to the catalogue (admins and managers).
#[utoipa::path(post, path = "/api/v1/skills", tag = "skills", request_body = SkillInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first result for a retried create")),
    responses((status = 201, body = Skill), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 409, body = ui::error::Problem, description = "Name taken"),
              (status = 422, body = ui::error::Problem)))]
async fn create_skill(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    ui::api::require_json(&headers)?;
    let input: SkillInput = ui::api::parse_json(&body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    let s = service::create_skill(&st.db, &ctx, &input, idem.as_ref()).await?;
    let location = format!("/api/v1/skills/{}", s.id);
    Ok(ui::api::created(&s, &location, s.id, s.version))
}

/// One skill with its `ETag`.
#[utoipa::path(get, path = "/api/v1/skills/{id}", tag = "skills",
    params(("id" = i64, Path, description = "Skill id")),
    responses((status = 200, body = Skill), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_skill(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::get_skill(&st.db, &ctx, id).await?;
    Ok(ui::api::read_response(&headers, &s, s.id, s.version))
}

/// Change a skill. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/skills/{id}", tag = "skills", request_body = SkillPatch,
    params(("id" = i64, Path, description = "Skill id"), ("If-Match" = String, Header, description = "The ETag the change is based on")),
    responses((status = 200, body = Skill), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem), (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn update_skill(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(patch): ApiJson<SkillPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::update_skill(&st.db, &ctx, id, version, &patch).await?;
    let v = s.version;
    Ok(ui::api::versioned(StatusCode::OK, s, id, v))
}

/// Delete a skill with everyone's levels in it. Needs `If-Match`.
#[utoipa::path(delete, path = "/api/v1/skills/{id}", tag = "skills",
    params(("id" = i64, Path, description = "Skill id"), ("If-Match" = String, Header, description = "The ETag the deletion is based on")),
    responses((status = 204, description = "Deleted"), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 428, body = ui::error::Problem)))]
async fn delete_skill(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::delete_skill(&st.db, &ctx, id, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// Only people of this department.
    pub department_id: Option<i64>,
    /// With `department_id`: also its sub-departments (default true).
    pub include_subdepartments: Option<bool>,
    /// Only skills of this category.
    pub category: Option<String>,
    /// From `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// People per page, 1–200 (default 50).
    pub limit: Option<i64>,
}

/// The skills matrix: people you may see × skills, with required levels and gaps.
#[utoipa::path(get, path = "/api/v1/skills/matrix", tag = "skills", params(MatrixQuery),
    responses((status = 200, body = Matrix), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn matrix(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<MatrixQuery>,
) -> Result<Json<Matrix>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::matrix(
            &st.db,
            &ctx,
            q.department_id,
            q.include_subdepartments.unwrap_or(true),
            q.category.as_deref(),
            q.cursor.as_deref(),
            q.limit,
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapQuery {
    /// The department (with its sub-departments); everyone you may see when absent.
    pub department_id: Option<i64>,
}

/// Skill gaps by department (training needs): per required skill, who is below the level.
#[utoipa::path(get, path = "/api/v1/skills/gaps", tag = "skills", params(GapQuery),
    responses((status = 200, body = GapReport), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn gaps(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<GapQuery>,
) -> Result<Json<GapReport>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::training_needs(&st.db, &ctx, q.department_id).await?,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonSkillList {
    pub items: Vec<PersonSkill>,
}

/// A person's skill levels (404 for people outside your scope).
#[utoipa::path(get, path = "/api/v1/people/{id}/skills", tag = "skills",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = PersonSkillList), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn person_skills(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<PersonSkillList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(PersonSkillList {
        items: service::person_skills(&st.db, &ctx, id).await?,
    }))
}

/// Set a person's level in a skill (admins; managers within their departments).
#[utoipa::path(put, path = "/api/v1/people/{id}/skills/{skill_id}", tag = "skills", request_body = PersonSkillInput,
    params(("id" = i64, Path, description = "Person id"), ("skill_id" = i64, Path, description = "Skill id")),
    responses((status = 200, body = PersonSkill), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn set_person_skill(
    State(st): State<AppState>,
    req: Req,
    Path((id, skill_id)): Path<(i64, i64)>,
    ApiJson(input): ApiJson<PersonSkillInput>,
) -> Result<Json<PersonSkill>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::set_person_skill(&st.db, &ctx, id, skill_id, &input).await?,
    ))
}

/// Remove a person's level in a skill.
#[utoipa::path(delete, path = "/api/v1/people/{id}/skills/{skill_id}", tag = "skills",
    params(("id" = i64, Path, description = "Person id"), ("skill_id" = i64, Path, description = "Skill id")),
    responses((status = 204, description = "Removed"), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn remove_person_skill(
    State(st): State<AppState>,
    req: Req,
    Path((id, skill_id)): Path<(i64, i64)>,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::remove_person_skill(&st.db, &ctx, id, skill_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PositionQuery {
    /// Only this position's requirements.
    pub position: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PositionSkillList {
    pub items: Vec<PositionSkill>,
}

/// Skills positions require, with minimum levels.
#[utoipa::path(get, path = "/api/v1/position-skills", tag = "skills", params(PositionQuery),
    responses((status = 200, body = PositionSkillList), (status = 401, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn list_position_skills(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<PositionQuery>,
) -> Result<Json<PositionSkillList>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(PositionSkillList {
        items: service::position_skills(&st.db, &ctx, q.position.as_deref()).await?,
    }))
}

/// Require a skill at a level for a position (admins and managers).
#[utoipa::path(put, path = "/api/v1/position-skills", tag = "skills", request_body = PositionSkillInput,
    responses((status = 200, body = PositionSkill), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn set_position_skill(
    State(st): State<AppState>,
    req: Req,
    ApiJson(input): ApiJson<PositionSkillInput>,
) -> Result<Json<PositionSkill>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::set_position_skill(&st.db, &ctx, &input).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PositionSkillKey {
    pub position: String,
    pub skill_id: i64,
}

/// Stop requiring a skill for a position.
#[utoipa::path(delete, path = "/api/v1/position-skills", tag = "skills", params(PositionSkillKey),
    responses((status = 204, description = "Removed"), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn remove_position_skill(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<PositionSkillKey>,
) -> Result<StatusCode, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::remove_position_skill(&st.db, &ctx, &q.position, q.skill_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
