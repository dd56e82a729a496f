//! `/api/v1/courses`, `/training-programs`, `/training-sessions`, `/enrolments`,
//! `/certificates` and `/people/{id}/training`.
use super::model::{
    Certificate, CertificateInput, Course, CourseInput, CoursePatch, EnrolInput, Enrolment,
    EnrolmentPatch, Program, ProgramInput, ProgramPatch, Session, SessionInput, SessionPatch,
    SkillGapPreview, TrainingRecord,
};
use super::service;
use crate::api::{json_body, read_response, with_etag};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use db::idempotency::Idem;
use serde::{Deserialize, Serialize};
use ui::IdempotencyKey;
use ui::{ApiError, ApiJson, ApiQuery, AppState, IfMatch, Req, etag_for};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_courses, create_course))
        .routes(routes!(get_course, update_course))
        .routes(routes!(list_programs, create_program))
        .routes(routes!(get_program, update_program))
        .routes(routes!(list_sessions, create_session))
        .routes(routes!(get_session, update_session))
        .routes(routes!(list_enrolments, enrol))
        .routes(routes!(skill_gap_preview, enrol_from_skill_gaps))
        .routes(routes!(get_enrolment, update_enrolment))
        .routes(routes!(list_certificates, create_certificate))
        .routes(routes!(person_training))
}

fn created_json<T: Serialize>(body: T) -> Response {
    (StatusCode::CREATED, Json(body)).into_response()
}

/// The course catalogue, by title.
#[utoipa::path(get, path = "/api/v1/courses", tag = "training",
    responses((status = 200, body = Vec<Course>), (status = 401, body = ui::error::Problem)))]
async fn list_courses(State(st): State<AppState>, req: Req) -> Result<Json<Vec<Course>>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::list_courses(&st.db, &ctx).await?))
}

/// Add a course (admins, managers).
#[utoipa::path(post, path = "/api/v1/courses", tag = "training", request_body = CourseInput,
    responses((status = 201, body = Course), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create_course(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let i: CourseInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    Ok(created_json(
        service::create_course(&st.db, &ctx, &i, idem.as_ref()).await?,
    ))
}

/// One course.
#[utoipa::path(get, path = "/api/v1/courses/{id}", tag = "training",
    params(("id" = i64, Path, description = "Course id")),
    responses((status = 200, body = Course), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_course(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::get_course(&st.db, &ctx, id).await?;
    let v = c.version;
    Ok(read_response(&headers, c, id, v))
}

/// Change a course (title, provider, hours, certificate validity, the skill it teaches).
/// Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/courses/{id}", tag = "training", request_body = CoursePatch,
    params(("id" = i64, Path, description = "Course id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Course), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_course(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<CoursePatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let c = service::update_course(&st.db, &ctx, id, version, &p).await?;
    let etag = etag_for(c.id, c.version);
    Ok(with_etag(Json(c).into_response(), &etag))
}

/// Training programs (ordered sets of courses).
#[utoipa::path(get, path = "/api/v1/training-programs", tag = "training",
    responses((status = 200, body = Vec<Program>), (status = 401, body = ui::error::Problem)))]
async fn list_programs(
    State(st): State<AppState>,
    req: Req,
) -> Result<Json<Vec<Program>>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::list_programs(&st.db, &ctx).await?))
}

/// Add a program (admins, managers).
#[utoipa::path(post, path = "/api/v1/training-programs", tag = "training", request_body = ProgramInput,
    responses((status = 201, body = Program), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create_program(
    State(st): State<AppState>,
    req: Req,
    ApiJson(i): ApiJson<ProgramInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(created_json(
        service::create_program(&st.db, &ctx, &i).await?,
    ))
}

/// One training program with its courses in order.
#[utoipa::path(get, path = "/api/v1/training-programs/{id}", tag = "training",
    params(("id" = i64, Path, description = "Program id")),
    responses((status = 200, body = Program), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_program(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::get_program(&st.db, &ctx, id).await?;
    let v = p.version;
    Ok(read_response(&headers, p, id, v))
}

/// Change a program: title, description, its courses (`course_ids` replaces them, in order).
/// Admins and managers. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/training-programs/{id}", tag = "training", request_body = ProgramPatch,
    params(("id" = i64, Path, description = "Program id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Program), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_program(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<ProgramPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::update_program(&st.db, &ctx, id, version, &p).await?;
    let (id, version) = (p.id, p.version);
    Ok(ui::api::versioned(StatusCode::OK, p, id, version))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SessionQuery {
    pub course_id: Option<i64>,
    /// Only sessions ending on or after this date (`YYYY-MM-DD`).
    pub from: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionPage {
    pub items: Vec<Session>,
    pub next_cursor: Option<String>,
}

/// Training sessions.
#[utoipa::path(get, path = "/api/v1/training-sessions", tag = "training", params(SessionQuery),
    responses((status = 200, body = SessionPage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_sessions(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<SessionQuery>,
) -> Result<Json<SessionPage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_sessions(
        &st.db,
        &ctx,
        q.course_id,
        q.from.as_deref(),
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(SessionPage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Schedule a session of a course with dates and a trainer (admins, managers).
#[utoipa::path(post, path = "/api/v1/training-sessions", tag = "training", request_body = SessionInput,
    responses((status = 201, body = Session), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create_session(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let i: SessionInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    Ok(created_json(
        service::create_session(&st.db, &ctx, &i, idem.as_ref()).await?,
    ))
}

/// One session.
#[utoipa::path(get, path = "/api/v1/training-sessions/{id}", tag = "training",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = Session), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_session(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::get_session(&st.db, &ctx, id).await?;
    let v = s.version;
    Ok(read_response(&headers, s, id, v))
}

/// The session's enrolments the caller may see (the trainer sees all).
#[utoipa::path(get, path = "/api/v1/training-sessions/{id}/enrolments", tag = "training",
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 200, body = Vec<Enrolment>), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn list_enrolments(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<Vec<Enrolment>>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::session_enrolments(&st.db, &ctx, id).await?))
}

/// Enrol a person or a whole department; returns the new enrolments.
#[utoipa::path(post, path = "/api/v1/training-sessions/{id}/enrolments", tag = "training", request_body = EnrolInput,
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 201, body = Vec<Enrolment>), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem, description = "Over capacity"),
              (status = 422, body = ui::error::Problem)))]
async fn enrol(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(i): ApiJson<EnrolInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(created_json(service::enrol(&st.db, &ctx, id, &i).await?))
}

/// Change a session's dates, trainer, location or capacity. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/training-sessions/{id}", tag = "training", request_body = SessionPatch,
    params(("id" = i64, Path, description = "Session id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Session), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_session(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<SessionPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = service::update_session(&st.db, &ctx, id, version, &p).await?;
    let etag = etag_for(s.id, s.version);
    Ok(with_etag(Json(s).into_response(), &etag))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SkillGapQuery {
    /// The department (with its sub-departments) whose skill gaps to close.
    pub department_id: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkillGapEnrolInput {
    /// The department (with its sub-departments) whose skill gaps to close.
    pub department_id: i64,
}

/// Who "enrol from skill gaps" would enrol: the people of the department whose level in the
/// skill the session's course teaches is below their position's requirement (from the skills
/// gap report), each marked when already enrolled. For those who manage the department's
/// training.
#[utoipa::path(get, path = "/api/v1/training-sessions/{id}/skill-gaps", tag = "training",
    params(("id" = i64, Path, description = "Session id"), SkillGapQuery),
    responses((status = 200, body = SkillGapPreview), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem)))]
async fn skill_gap_preview(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiQuery(q): ApiQuery<SkillGapQuery>,
) -> Result<Json<SkillGapPreview>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::skill_gap_preview(&st.db, &ctx, id, q.department_id).await?,
    ))
}

/// Enrol the people the preview lists (source `skill_gap`); returns the new enrolments.
#[utoipa::path(post, path = "/api/v1/training-sessions/{id}/skill-gaps", tag = "training", request_body = SkillGapEnrolInput,
    params(("id" = i64, Path, description = "Session id")),
    responses((status = 201, body = Vec<Enrolment>), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 409, body = ui::error::Problem, description = "Over capacity"),
              (status = 422, body = ui::error::Problem)))]
async fn enrol_from_skill_gaps(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    ApiJson(i): ApiJson<SkillGapEnrolInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(created_json(
        service::enrol_from_skill_gaps(&st.db, &ctx, id, i.department_id).await?,
    ))
}

/// One enrolment (the session's trainer, and whoever may see the person's training record).
#[utoipa::path(get, path = "/api/v1/enrolments/{id}", tag = "training",
    params(("id" = i64, Path, description = "Enrolment id")),
    responses((status = 200, body = Enrolment), (status = 304, description = "Not modified"),
              (status = 401, body = ui::error::Problem), (status = 404, body = ui::error::Problem)))]
async fn get_enrolment(
    State(st): State<AppState>,
    req: Req,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let e = service::get_enrolment(&st.db, &ctx, id).await?;
    let v = e.version;
    Ok(read_response(&headers, e, id, v))
}

/// Record attendance, completion and score. Needs `If-Match`.
#[utoipa::path(patch, path = "/api/v1/enrolments/{id}", tag = "training", request_body = EnrolmentPatch,
    params(("id" = i64, Path, description = "Enrolment id"), ("If-Match" = String, Header, description = "ETag read")),
    responses((status = 200, body = Enrolment), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem), (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn update_enrolment(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
    IfMatch(version): IfMatch,
    ApiJson(p): ApiJson<EnrolmentPatch>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let e = service::update_enrolment(&st.db, &ctx, id, version, &p).await?;
    let etag = etag_for(e.id, e.version);
    Ok(with_etag(Json(e).into_response(), &etag))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CertificateQuery {
    /// Only certificates expiring on or before this date.
    pub expiring_by: Option<String>,
    pub cursor: Option<String>,
    pub limit: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CertificatePage {
    pub items: Vec<Certificate>,
    pub next_cursor: Option<String>,
}

/// Certificates the caller may see.
#[utoipa::path(get, path = "/api/v1/certificates", tag = "training", params(CertificateQuery),
    responses((status = 200, body = CertificatePage), (status = 400, body = ui::error::Problem),
              (status = 401, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn list_certificates(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<CertificateQuery>,
) -> Result<Json<CertificatePage>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let p = service::list_certificates(
        &st.db,
        &ctx,
        q.expiring_by.as_deref(),
        q.cursor.as_deref(),
        q.limit,
    )
    .await?;
    Ok(Json(CertificatePage {
        items: p.items,
        next_cursor: p.next_cursor,
    }))
}

/// Record a certificate (admins, managers of the person's department).
#[utoipa::path(post, path = "/api/v1/certificates", tag = "training", request_body = CertificateInput,
    responses((status = 201, body = Certificate), (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem), (status = 422, body = ui::error::Problem)))]
async fn create_certificate(
    State(st): State<AppState>,
    req: Req,
    IdempotencyKey(key): IdempotencyKey,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let i: CertificateInput = json_body(&headers, &body)?;
    let idem = Idem::new(ctx.actor.user_id, key, &body);
    Ok(created_json(
        service::create_certificate(&st.db, &ctx, &i, idem.as_ref()).await?,
    ))
}

/// A person's training record (enrolments and certificates): the person, managers in scope, admins.
#[utoipa::path(get, path = "/api/v1/people/{id}/training", tag = "training",
    params(("id" = i64, Path, description = "Person id")),
    responses((status = 200, body = TrainingRecord), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn person_training(
    State(st): State<AppState>,
    req: Req,
    Path(id): Path<i64>,
) -> Result<Json<TrainingRecord>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    service::record_of(&st.db, &ctx, id)
        .await?
        .map(Json)
        .ok_or(ApiError(kernel::AppError::NotFound))
}
