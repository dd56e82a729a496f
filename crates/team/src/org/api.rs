//! `/api/v1/org/*`: the org chart as positioned boxes and connectors (the page draws the same).
use crate::org::model::Chart;
use crate::org::service;
use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use ui::{ApiError, ApiQuery, AppState, Req};
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(department_chart))
        .routes(routes!(reporting_chart))
}

/// The department tree laid out as an indented chart (boxes with x/y, elbow connectors).
#[utoipa::path(get, path = "/api/v1/org/departments", tag = "org",
    responses((status = 200, body = Chart), (status = 401, body = ui::error::Problem)))]
async fn department_chart(State(st): State<AppState>, req: Req) -> Result<Json<Chart>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(service::department_chart(&st.db, &ctx).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportingQuery {
    /// Only people of this department and its sub-departments.
    pub department_id: Option<i64>,
}

/// Reporting lines (manager → reports) of active people, laid out as an indented chart.
#[utoipa::path(get, path = "/api/v1/org/reporting", tag = "org", params(ReportingQuery),
    responses((status = 200, body = Chart), (status = 401, body = ui::error::Problem),
              (status = 404, body = ui::error::Problem, description = "No such department"),
              (status = 422, body = ui::error::Problem)))]
async fn reporting_chart(
    State(st): State<AppState>,
    req: Req,
    ApiQuery(q): ApiQuery<ReportingQuery>,
) -> Result<Json<Chart>, ApiError> {
    let ctx = req.ctx(st.now_ms())?;
    Ok(Json(
        service::reporting_chart(&st.db, &ctx, q.department_id).await?,
    ))
}
