//! Scores, calibration and outcomes over `/api/v1`: a review's score breakdown, a cycle's
//! calibration view per group, adjusting a rating (with its reason) or the potential, and the
//! review's outcome (final rating, recommendation, development plan).
use super::calibration::{self, CalibrationInput, CalibrationState, CalibrationView};
use super::outcomes::{self, Outcome, OutcomeInput};
use super::scoring::Breakdown;
use crate::goals::api::Id;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use ui::{ApiError, ApiQuery, AppState, IfMatch, Req};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(review_score))
        .routes(routes!(cycle_calibration))
        .routes(routes!(calibrate_review))
        .routes(routes!(get_outcome, set_outcome))
}

/// The score with its breakdown: each component's weight, input, value on the scale and
/// whether it counted (absent components re-weight the present ones). The reviewee's managers
/// and admins; the reviewee once results are shared.
#[utoipa::path(get, path = "/api/v1/reviews/{id}/score", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = Breakdown),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn review_score(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Json<Breakdown>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(calibration::score(&st.db, &ctx, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalibrationQuery {
    /// The group: this department with its sub-departments (default: every review the caller
    /// calibrates).
    pub department_id: Option<i64>,
}

/// A cycle's calibration for a group: the distribution of proposed and calibrated ratings
/// against the guideline, the 9-box grid (performance × potential), one row per review and
/// the trail of adjustments. Managers (their departments) and admins; 404 for everyone else.
#[utoipa::path(get, path = "/api/v1/review-cycles/{id}/calibration", tag = "reviews",
    params(("id" = i64, Path), CalibrationQuery),
    responses((status = 200, body = CalibrationView),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn cycle_calibration(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    ApiQuery(q): ApiQuery<CalibrationQuery>,
) -> Result<Json<CalibrationView>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        calibration::view(&st.db, &ctx, id, q.department_id).await?,
    ))
}

/// Adjust the rating in calibration (phases `calibration`, `signoff`; a reason is required;
/// audited and kept in the trail) and/or set the potential (1–3). The reviewee's managers and
/// admins; 404 for the reviewee. Requires `If-Match` (the review's ETag).
#[utoipa::path(patch, path = "/api/v1/reviews/{id}/calibration", tag = "reviews",
    request_body = CalibrationInput,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = CalibrationState, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn calibrate_review(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(input): ui::ApiJson<CalibrationInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let s = calibration::calibrate(&st.db, &ctx, id, version, &input).await?;
    let (id, version) = (s.review_id, s.version);
    Ok(ui::api::versioned(StatusCode::OK, s, id, version))
}

/// The review's outcome: final rating (calibrated, else proposed), recommendation and
/// development plan; for managers and admins also the proposed and calibrated ratings,
/// potential and the calibration trail. The reviewee reads it once shared (404 before).
#[utoipa::path(get, path = "/api/v1/reviews/{id}/outcome", tag = "reviews",
    params(("id" = i64, Path)),
    responses((status = 200, body = Outcome, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem)))]
async fn get_outcome(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = outcomes::get(&st.db, &ctx, id).await?;
    let (id, version) = (o.review_id, o.version);
    Ok(ui::api::versioned(StatusCode::OK, o, id, version))
}

/// Set the recommendation and replace the development plan (phases `signoff`, `shared`; the
/// reviewee's managers and admins). Items with a skill and target level become training needs
/// in the team module. Requires `If-Match` (the review's ETag).
#[utoipa::path(put, path = "/api/v1/reviews/{id}/outcome", tag = "reviews",
    request_body = OutcomeInput,
    params(("id" = i64, Path), ("If-Match" = String, Header)),
    responses((status = 200, body = Outcome, headers(("ETag" = String))),
              (status = 401, body = ui::error::Problem),
              (status = 403, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem),
              (status = 412, body = ui::error::Problem),
              (status = 422, body = ui::error::Problem),
              (status = 428, body = ui::error::Problem)))]
async fn set_outcome(
    State(st): State<AppState>,
    req: Req,
    Id(id): Id,
    IfMatch(version): IfMatch,
    ui::ApiJson(input): ui::ApiJson<OutcomeInput>,
) -> Result<Response, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    let o = outcomes::set(&st.db, &ctx, id, version, &input).await?;
    let (id, version) = (o.review_id, o.version);
    Ok(ui::api::versioned(StatusCode::OK, o, id, version))
}
